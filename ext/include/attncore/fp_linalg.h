/*
 * attncore/fp_linalg.h -- float32 / float64 small-matrix linear algebra,
 * one matrix per call (the caller loops over a batch): pivoted LU,
 * Cholesky (plain or diagonally pivoted), solves, determinant, inverse and
 * affine-transform inverses, in the input precision.  n = 2, 3, 4 run fully
 * unrolled code; any n works.
 *
 * Conventions as attncore/q16_linalg.h: inputs through strides (elements),
 * outputs contiguous row-major, LAPACK-style 0-based `piv`, a pivot exactly
 * 0 is AC_STATUS_SINGULAR (NaN pivots propagate instead), a Cholesky pivot
 * <= 0 is AC_STATUS_NOT_POSITIVE_DEFINITE, a bad affine bottom row is
 * AC_STATUS_DOMAIN.  `work` holds AC_FP_LINALG_WORK(n, k) elements of the
 * type (the core never allocates).
 */
#ifndef ATTNCORE_FP_LINALG_H
#define ATTNCORE_FP_LINALG_H

#include <stddef.h>
#include <stdint.h>

#include "attncore/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AC_FP_LINALG_WORK(n, k) ((size_t)(n) * (size_t)(n) + (size_t)(n) * (size_t)(k) \
                                 + 2 * (size_t)(n) + 8)

#define AC__FP_LINALG_DECLS(T, S)                                                               \
    ac_status ac_lu_factor_##S(size_t n, const T *a, ptrdiff_t sa_row, ptrdiff_t sa_col,         \
                               T *lu, int32_t *piv);                                            \
    ac_status ac_lu_solve_##S(size_t n, size_t k, const T *lu, const int32_t *piv, const T *b,    \
                              ptrdiff_t sb_row, ptrdiff_t sb_col, T *x, T *work);               \
    ac_status ac_solve_##S(size_t n, size_t k, const T *a, ptrdiff_t sa_row, ptrdiff_t sa_col,    \
                           const T *b, ptrdiff_t sb_row, ptrdiff_t sb_col, T *x,                \
                           int positive_definite, T *work);                                     \
    ac_status ac_cho_factor_##S(size_t n, const T *a, ptrdiff_t sa_row, ptrdiff_t sa_col, T *c,  \
                                int lower, int32_t *perm, size_t *rank);                        \
    ac_status ac_cho_solve_##S(size_t n, size_t k, const T *c, int lower, const int32_t *perm,   \
                               const T *b, ptrdiff_t sb_row, ptrdiff_t sb_col, T *x, T *work);   \
    ac_status ac_det_##S(size_t n, const T *a, ptrdiff_t sa_row, ptrdiff_t sa_col, T *det,       \
                         T *work);                                                              \
    ac_status ac_inv_##S(size_t n, const T *a, ptrdiff_t sa_row, ptrdiff_t sa_col, T *inv,       \
                         T *work);                                                              \
    ac_status ac_affine_inverse_##S(size_t dim, const T *m, ptrdiff_t sm_row, ptrdiff_t sm_col,  \
                                    T *out, int rigid, T *work);

AC__FP_LINALG_DECLS(float, f32)
AC__FP_LINALG_DECLS(double, f64)

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_FP_LINALG_H */
