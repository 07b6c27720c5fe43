/*
 * attncore/fp_gemm.h -- float32 / float64 general matrix products
 *
 *   C = alpha * A B + beta * C        A: m x k, B: k x n, C: m x n
 *
 * for the products attncore's float kernels make (batched and large
 * matmuls, the two products per attention tile), with a fixed arithmetic
 * per element so that any split of C over calls or threads gives the same
 * bits.
 *
 * Layout: every matrix has a row stride and a column stride in elements
 * (ptrdiff_t: any size the address space holds, negative too), so a
 * transposed operand is just swapped strides (Q K^T reads K with
 * b_rs = 1, b_cs = K's row stride).  C must not overlap A or B.
 *
 * BLAS semantics for the scalars: beta == 0 writes C without reading it (NaN
 * in C does not propagate); alpha == 0 or k == 0 gives beta * C (0 when
 * beta == 0) and reads neither A nor B.
 *
 * Arithmetic contract (what every variant computes, bit for bit):
 *   k is cut into nb = ceil(k / AC_GEMM_KC_MAX) blocks; every block but the
 *   last has kc = 8 * ceil(ceil(k / nb) / 8) terms (a function of k only),
 *   in order.  For each block b and element (i, j):
 *     s_b = 0; for p in the block, in increasing order: s_b = s_b + A[i][p] * B[p][j]
 *   where "s + x * y" is one fused multiply-add (x86-64-v3 variant) or a
 *   multiply then an add, each rounded (baseline variant).  Then
 *     block 0:      C[i][j] = alpha * s_0 + beta * C[i][j]
 *     block b > 0:  C[i][j] = alpha * s_b + C[i][j]
 *   where "alpha *" is skipped when alpha == 1 and "+ beta * C" when beta == 0
 *   (each remaining operation rounded once, none fused).  So C[i][j]
 *   depends only on row i of A, column j of B, k, alpha, beta and its own
 *   old value: splitting C's rows or columns over several calls, or packing
 *   B once (ac_<t>_gemm_pack_b), never changes a bit.
 *
 * Variants: on x86-64 (GCC or Clang) the AVX2 + FMA variant is chosen at run
 * time when the CPU has both (ac_<t>_gemm_variant); elsewhere the baseline
 * variant runs (16-byte GCC vectors: SSE2, NEON; plain C with other
 * compilers).  Two machines whose variants differ may differ in the last
 * bits, as with any BLAS; one machine gives the same bits for every call.
 * The multiply-then-add variant needs a build without floating-point
 * contraction (-std=c99, or -ffp-contract=off), as the rest of the core.
 *
 * No allocation and no globals: `work` is the caller's scratch of
 * AC_GEMM_WORK_BYTES bytes (any alignment), one per concurrent call.
 */
#ifndef ATTNCORE_FP_GEMM_H
#define ATTNCORE_FP_GEMM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest k block (see the contract).  Changing it changes results. */
#define AC_GEMM_KC_MAX 384
/* Packing buffers inside `work`: A's block and B's block.  Sizes only
 * change speed, never results. */
#define AC_GEMM_A_BYTES (256u * 1024u)
#define AC_GEMM_B_BYTES (1024u * 1024u)
#define AC_GEMM_WORK_BYTES (AC_GEMM_A_BYTES + AC_GEMM_B_BYTES + 64u)

typedef enum {
    AC_GEMM_BASELINE = 0,  /* multiply then add */
    AC_GEMM_X86_64_V3 = 1  /* AVX2, fused multiply-add */
} ac_gemm_variant;

/* The variant this process uses (the same for every call). */
ac_gemm_variant ac_f32_gemm_variant(void);
ac_gemm_variant ac_f64_gemm_variant(void);

void ac_f32_gemm(size_t m, size_t n, size_t k, float alpha,
                 const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                 const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                 float beta, float *c, ptrdiff_t c_rs, ptrdiff_t c_cs, void *work);
void ac_f64_gemm(size_t m, size_t n, size_t k, double alpha,
                 const double *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                 const double *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                 double beta, double *c, ptrdiff_t c_rs, ptrdiff_t c_cs, void *work);

/*
 * B packed once for several calls (row blocks of one product on several
 * threads read it at the same time).  `packed` holds
 * ac_<t>_gemm_packed_b_bytes(n, k) bytes, any alignment; its layout belongs
 * to this process's variant, so it is valid only in the process that packed
 * it.  ac_<t>_gemm_packed gives the same bits as ac_<t>_gemm with that B.
 * The byte count is SIZE_MAX when it does not fit in size_t.
 */
size_t ac_f32_gemm_packed_b_bytes(size_t n, size_t k);
size_t ac_f64_gemm_packed_b_bytes(size_t n, size_t k);
void ac_f32_gemm_pack_b(size_t n, size_t k, const float *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                        void *packed);
void ac_f64_gemm_pack_b(size_t n, size_t k, const double *b, ptrdiff_t b_rs, ptrdiff_t b_cs,
                        void *packed);
void ac_f32_gemm_packed(size_t m, size_t n, size_t k, float alpha,
                        const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs, const void *packed_b,
                        float beta, float *c, ptrdiff_t c_rs, ptrdiff_t c_cs, void *work);
void ac_f64_gemm_packed(size_t m, size_t n, size_t k, double alpha,
                        const double *a, ptrdiff_t a_rs, ptrdiff_t a_cs, const void *packed_b,
                        double beta, double *c, ptrdiff_t c_rs, ptrdiff_t c_cs, void *work);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_FP_GEMM_H */
