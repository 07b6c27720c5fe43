# The cost model of every kernel, in one place: single-thread time per unit
# of work, which the runtime compares with its grain to decide how many
# threads a call gets (and from which it cuts ~20 us chunks).  Only sizes
# times these constants go in, never a clock, so the chunking, and with it
# every result and report, is a function of the problem alone.
#
# Measured once, not at run time: tools/measure_costs.py times each kernel
# on one thread (set_num_threads(1); elementwise through the kernel module
# itself) at two sizes per kernel, calls of 0.1-2 ms, and keeps the minimum
# of 200 calls per size, then solves per-unit and per-call costs from the two
# sizes.  Reference machine: AMD EPYC (Zen 3) at 2.45 GHz, a 2-vCPU KVM
# guest, GCC 12 -O3, the x86-64-v3 GEMM; 2026-11-29, two runs (shared with
# other jobs at load average 10-13: short calls and minima keep them
# repeatable; the two runs agree within 10% except the per-row and per-call
# terms, rounded here to their middle).  A constant off by 2x only moves the
# size at which a call starts using threads by 2x; it never changes results.
#
# Units are picoseconds (integer enums: a .pxd has no float constants).

cdef enum:
    # q16 elementwise and conversions, per element (contiguous operands)
    PS_EW_ADD = 1000
    PS_EW_SUB = 1000
    PS_EW_MUL = 1300
    PS_EW_DIV = 12000
    PS_EW_SQRT = 70000
    PS_EW_EXP = 140000
    PS_EW_FROM_F64 = 14000
    PS_EW_FROM_F32 = 15000
    PS_EW_FROM_I64 = 1000
    PS_EW_TO_F64 = 700

    # softmax, per element of a row, and per row
    PS_SOFTMAX_F32 = 1900
    PS_SOFTMAX_F64 = 4100
    PS_SOFTMAX_Q16 = 11000
    PS_SOFTMAX_ROW = 50000

    # q16 matmul: per multiply-add and per product
    PS_Q16_MAC = 490
    PS_Q16_ITEM = 60000

    # float matmul, small-matrix C kernels: per multiply-add and per product
    # (the fit gives ~0 per product: the loop over a batch is one C call)
    PS_FP_SMALL_MAC_F32 = 460
    PS_FP_SMALL_MAC_F64 = 480
    PS_FP_SMALL_ITEM = 1000

    # the GEMM: per multiply-add and per call (packing, edge tiles)
    PS_GEMM_FMA_F32 = 26
    PS_GEMM_FMA_F64 = 53
    PS_GEMM_CALL = 300000

    # float attention, per score: its mask, exp and online-softmax step (the
    # two products per tile are GEMM multiply-adds, counted as above)
    PS_ATT_SCORE_F32 = 1800
    PS_ATT_SCORE_F64 = 3600
    # q16 attention: per score x (E + Ev) multiply-add, and per score
    PS_ATT_Q16_MAC = 300
    PS_ATT_Q16_SCORE = 28000

    # linear algebra, per 4 x 4 system with one right-hand side (solve; the
    # other operations and sizes scale with n^3 + n^2 k)
    PS_LINALG_F32 = 120000
    PS_LINALG_F64 = 130000
    PS_LINALG_Q16 = 5000000


cdef enum CostKind:
    COST_F32
    COST_F64
    COST_Q16


cdef inline double ps(double units, double ps_per_unit) noexcept nogil:
    return units * ps_per_unit * 1e-3


cdef inline double softmax_ns(CostKind kind, double rows, double n) noexcept nogil:
    cdef double per = (PS_SOFTMAX_F32 if kind == COST_F32 else
                       PS_SOFTMAX_F64 if kind == COST_F64 else PS_SOFTMAX_Q16)
    return ps(rows * n, per) + ps(rows, PS_SOFTMAX_ROW)


cdef inline double q16_matmul_ns(double items, double m, double n, double k) noexcept nogil:
    return ps(items * m * n * k, PS_Q16_MAC) + ps(items, PS_Q16_ITEM)


cdef inline double fp_small_matmul_ns(CostKind kind, double items, double m, double n,
                                      double k) noexcept nogil:
    return (ps(items * m * n * k, PS_FP_SMALL_MAC_F32 if kind == COST_F32
               else PS_FP_SMALL_MAC_F64) + ps(items, PS_FP_SMALL_ITEM))


cdef inline double gemm_ns(CostKind kind, double calls, double m, double n,
                           double k) noexcept nogil:
    return (ps(calls * m * n * k, PS_GEMM_FMA_F32 if kind == COST_F32 else PS_GEMM_FMA_F64)
            + ps(calls, PS_GEMM_CALL))


cdef inline double fp_attention_ns(CostKind kind, double items, double l, double s, double e,
                                   double ev) noexcept nogil:
    return (ps(items * l * s * (e + ev), PS_GEMM_FMA_F32 if kind == COST_F32
               else PS_GEMM_FMA_F64)
            + ps(items * l * s, PS_ATT_SCORE_F32 if kind == COST_F32 else PS_ATT_SCORE_F64))


cdef inline double q16_attention_ns(double items, double l, double s, double e,
                                    double ev) noexcept nogil:
    return ps(items * l * s * (e + ev), PS_ATT_Q16_MAC) + ps(items * l * s, PS_ATT_Q16_SCORE)


cdef inline double linalg_ns(CostKind kind, double items, double n, double k) noexcept nogil:
    cdef double per = (PS_LINALG_F32 if kind == COST_F32 else
                       PS_LINALG_F64 if kind == COST_F64 else PS_LINALG_Q16)
    return ps(items * (n * n * n + n * n * k) / 80.0, per)
