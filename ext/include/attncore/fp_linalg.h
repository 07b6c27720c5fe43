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
 * <= 0 is AC_STATUS_NOT_POSITIVE_DEFINITE, pivots out of range or a bad
 * affine bottom row are AC_STATUS_BAD_ARGUMENT.  `work` holds
 * AC_F32_LINALG_WORK(n, k) elements of the type (the core never allocates).
 */
#ifndef ATTNCORE_FP_LINALG_H
#define ATTNCORE_FP_LINALG_H

#include <stddef.h>
#include <stdint.h>

#include "attncore/status.h"
#include "attncore/work.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Elements of `work` per call, the same for both types: n n + n k + 2 n + 8,
 * or AC_WORK_OVERFLOW (SIZE_MAX) where that wraps (attncore/work.h). */
#define AC_F32_LINALG_WORK(n, k) \
    AC_WORK_ADD(AC_WORK_MUL(n, AC_WORK_ADD(AC_WORK_ADD(n, k), 2)), 8)
#define AC_F64_LINALG_WORK(n, k) AC_F32_LINALG_WORK(n, k)

/* float32 */
ac_status ac_f32_lu_factor(size_t n, const float *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                           float *lu, int32_t *piv);
ac_status ac_f32_lu_solve(size_t n, size_t k, const float *lu, const int32_t *piv,
                          const float *b, ptrdiff_t sb_row, ptrdiff_t sb_col, float *x,
                          float *work);
ac_status ac_f32_solve(size_t n, size_t k, const float *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                       const float *b, ptrdiff_t sb_row, ptrdiff_t sb_col, float *x,
                       int positive_definite, float *work);
ac_status ac_f32_cho_factor(size_t n, const float *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                            float *c, int lower, int32_t *perm, size_t *rank);
ac_status ac_f32_cho_solve(size_t n, size_t k, const float *c, int lower, const int32_t *perm,
                           const float *b, ptrdiff_t sb_row, ptrdiff_t sb_col, float *x,
                          float *work);
ac_status ac_f32_det(size_t n, const float *a, ptrdiff_t sa_row, ptrdiff_t sa_col, float *det,
                     float *work);
ac_status ac_f32_inv(size_t n, const float *a, ptrdiff_t sa_row, ptrdiff_t sa_col, float *inv,
                     float *work);
ac_status ac_f32_affine_inverse(size_t dim, const float *m, ptrdiff_t sm_row, ptrdiff_t sm_col,
                                float *out, int rigid, float *work);

/* float64 */
ac_status ac_f64_lu_factor(size_t n, const double *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                           double *lu, int32_t *piv);
ac_status ac_f64_lu_solve(size_t n, size_t k, const double *lu, const int32_t *piv,
                          const double *b, ptrdiff_t sb_row, ptrdiff_t sb_col, double *x,
                          double *work);
ac_status ac_f64_solve(size_t n, size_t k, const double *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                       const double *b, ptrdiff_t sb_row, ptrdiff_t sb_col, double *x,
                       int positive_definite, double *work);
ac_status ac_f64_cho_factor(size_t n, const double *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                            double *c, int lower, int32_t *perm, size_t *rank);
ac_status ac_f64_cho_solve(size_t n, size_t k, const double *c, int lower, const int32_t *perm,
                           const double *b, ptrdiff_t sb_row, ptrdiff_t sb_col, double *x,
                          double *work);
ac_status ac_f64_det(size_t n, const double *a, ptrdiff_t sa_row, ptrdiff_t sa_col, double *det,
                     double *work);
ac_status ac_f64_inv(size_t n, const double *a, ptrdiff_t sa_row, ptrdiff_t sa_col, double *inv,
                     double *work);
ac_status ac_f64_affine_inverse(size_t dim, const double *m, ptrdiff_t sm_row, ptrdiff_t sm_col,
                                double *out, int rigid, double *work);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_FP_LINALG_H */
