# The cost model of every kernel, in one place: single-thread time per unit
# of work, which the runtime compares with its grain to decide how many
# threads a call gets (and from which it cuts ~20 us chunks).  Only sizes
# times these constants go in, never a clock, so the chunking, and with it
# every result and report, is a function of the problem alone.
#
# Measured once, not at run time: tools/measure_costs.py times each kernel
# on one thread (set_num_threads(1)) at two sizes per kernel, takes the
# minimum over 15 repetitions of each (the machine was shared with other
# jobs: minima are the repeatable statistic there), and fits per-unit and
# per-call costs.  Reference machine: AMD EPYC (Zen 3) 2.45 GHz, 2 vCPUs,
# GCC 12 -O3, the x86-64-v3 GEMM.  A constant off by 2x only moves the
# size at which a call starts using threads by 2x; it never changes results.
#
# Units are picoseconds (integer enums: a .pxd has no float constants).

cdef enum:
    # q16 elementwise and conversions, per element (contiguous operands)
    PS_EW_ADD = 350
    PS_EW_SUB = 350
    PS_EW_MUL = 900
    PS_EW_DIV = 4000
    PS_EW_SQRT = 6000
    PS_EW_EXP = 4000
    PS_EW_FROM_F64 = 1000
    PS_EW_FROM_F32 = 1000
    PS_EW_FROM_I64 = 600
    PS_EW_TO_F64 = 500

    # softmax, per element of a row, and per row
    PS_SOFTMAX_F32 = 1500
    PS_SOFTMAX_F64 = 2500
    PS_SOFTMAX_Q16 = 8000
    PS_SOFTMAX_ROW = 40000

    # q16 matmul: per multiply-add and per product
    PS_Q16_MAC = 1000
    PS_Q16_ITEM = 20000

    # float matmul, small-matrix C kernels: per multiply-add and per product
    PS_FP_SMALL_MAC_F32 = 350
    PS_FP_SMALL_MAC_F64 = 450
    PS_FP_SMALL_ITEM = 5000

    # the GEMM: per multiply-add and per call (packing, edges)
    PS_GEMM_FMA_F32 = 26
    PS_GEMM_FMA_F64 = 52
    PS_GEMM_CALL = 2000000

    # float attention, per score: its exp and mask (the two products are GEMM)
    PS_ATT_SCORE_F32 = 2500
    PS_ATT_SCORE_F64 = 4500
    # q16 attention: per score x (E + Ev) multiply-add, and per score
    PS_ATT_Q16_MAC = 1500
    PS_ATT_Q16_SCORE = 20000

    # linear algebra, per 4 x 4 system with one right-hand side (other sizes
    # scale with n^3 + n^2 k)
    PS_LINALG_F32 = 80000
    PS_LINALG_F64 = 100000
    PS_LINALG_Q16 = 2000000


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
