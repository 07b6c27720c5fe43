/*
 * attncore/fp_matmul.h -- float32 / float64 matrix products for the sizes
 * where BLAS call overhead dominates: stacks of small matrices (register-
 * blocked fast paths for 2x2, 3x3, 4x4 products and 4x4 / 3x3 matrix @
 * vector) and any strides.  Sums run over p in order, in the input precision.
 *
 * ac_matmul_batch_*: `count` products C_t = A_t B_t with batch strides
 * (elements) sa_t, sb_t, sc_t between consecutive operands (0 broadcasts).
 */
#ifndef ATTNCORE_FP_MATMUL_H
#define ATTNCORE_FP_MATMUL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void ac_f32_matmul_batch(size_t count, size_t m, size_t n, size_t k,
                         const float *a, ptrdiff_t sa_t, ptrdiff_t sa_row, ptrdiff_t sa_col,
                         const float *b, ptrdiff_t sb_t, ptrdiff_t sb_row, ptrdiff_t sb_col,
                         float *c, ptrdiff_t sc_t, ptrdiff_t sc_row, ptrdiff_t sc_col);

void ac_f64_matmul_batch(size_t count, size_t m, size_t n, size_t k,
                         const double *a, ptrdiff_t sa_t, ptrdiff_t sa_row, ptrdiff_t sa_col,
                         const double *b, ptrdiff_t sb_t, ptrdiff_t sb_row, ptrdiff_t sb_col,
                         double *c, ptrdiff_t sc_t, ptrdiff_t sc_row, ptrdiff_t sc_col);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_FP_MATMUL_H */
