/*
 * attncore/q16_linalg.h -- Q16.16 small-matrix linear algebra: pivoted LU,
 * Cholesky (plain or diagonally pivoted), solves, determinant, inverse and
 * affine-transform inverses, one matrix per call.
 *
 * Design: the input is converted exactly into a working format of 62
 * significant bits (value = m * 2^e, integer only, see ext/src/q16/q16_xf.h);
 * elimination, substitution and square roots run there, each operation
 * within 2^-61 relative; every output is then rounded once to Q16.16
 * (`rnd`) and fitted under `ovf`.  Error bound of a solve against the
 * exact rational solution: 0.5 LSB + |x| * c(n) * cond(A) * 2^-61 * 2^16
 * LSB with c(n) a small polynomial (about 3 n^2 for partial pivoting
 * without growth), i.e. within 1 LSB while cond(A) * |x| < 2^38 / c(n).
 * Factors returned in Q16.16 (lu_factor, cho_factor) are each rounded once;
 * solving with them (lu_solve, cho_solve) is exact substitution on those
 * rounded factors, so it carries their rounding (about cond(A) * 2^-17
 * relative): use the fused solve for the 1-LSB guarantee.
 *
 * Conventions: square inputs read through strides (elements); outputs are
 * contiguous row-major (n x n, n x k, or one value).  `piv` follows LAPACK
 * (0-based here, as SciPy): at step i row i was swapped with row piv[i].
 * A pivot that is exactly 0 at working precision is AC_STATUS_SINGULAR; a
 * Cholesky pivot <= 0 is AC_STATUS_NOT_POSITIVE_DEFINITE; pivot indices out
 * of range are AC_STATUS_BAD_ARGUMENT.  Saturated
 * outputs are counted in `tally` (index = output element); under
 * AC_OVERFLOW_RAISE the call stops with AC_STATUS_RANGE.  `work` is caller
 * memory of AC_Q16_LINALG_WORK(n, k) uint64 elements (the core never
 * allocates).
 */
#ifndef ATTNCORE_Q16_LINALG_H
#define ATTNCORE_Q16_LINALG_H

#include "attncore/q16.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AC_Q16_LINALG_WORK(n, k) (2 * ((size_t)(n) * (size_t)(n) + (size_t)(n) * (size_t)(k) \
                                       + 2 * (size_t)(n) + 16))

ac_status ac_q16_lu_factor(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                           ac_q16 *lu, int32_t *piv, ac_rounding rnd, ac_overflow ovf,
                           ac_tally *tally, uint64_t *work);

ac_status ac_q16_lu_solve(size_t n, size_t k, const ac_q16 *lu, const int32_t *piv,
                          const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x,
                          ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint64_t *work);

/* A X = B in one pass at working precision; positive_definite selects
 * Cholesky (A symmetric, lower triangle read) instead of LU. */
ac_status ac_q16_solve(size_t n, size_t k, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                       const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x,
                       int positive_definite, ac_rounding rnd, ac_overflow ovf, ac_tally *tally,
                       uint64_t *work);

/* A = L L^T (lower) or U^T U (upper), reading A's lower triangle.  With
 * `perm` (n entries) diagonal pivoting: P A P^T = L L^T, perm[i] = the
 * original index of pivot i, stopping at rank *rank when the largest
 * remaining diagonal is <= n * 2^-55 * max diag (the rest of the factor is
 * 0).  The other triangle of c is 0. */
ac_status ac_q16_cho_factor(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                            ac_q16 *c, int lower, int32_t *perm, size_t *rank, ac_rounding rnd,
                            ac_overflow ovf, ac_tally *tally, uint64_t *work);

/* Solve with a factor from ac_q16_cho_factor (perm NULL when unpivoted;
 * a factor with a zero diagonal entry is AC_STATUS_SINGULAR). */
ac_status ac_q16_cho_solve(size_t n, size_t k, const ac_q16 *c, int lower, const int32_t *perm,
                           const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x,
                           ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint64_t *work);

/* det(A) from the working-precision LU (0 for a singular matrix, no error). */
ac_status ac_q16_det(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col, ac_q16 *det,
                     ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint64_t *work);

ac_status ac_q16_inv(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col, ac_q16 *inv,
                     ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint64_t *work);

/* Inverse of a homogeneous (dim x dim, dim = 3 or 4) [A t; 0 1]: rigid
 * gives [A^T, -A^T t; 0 1] (transpose exact, each translation entry one
 * exact dot product rounded once); otherwise A^-1 at working precision and
 * -A^-1 t from it, each entry rounded once.  A bottom row other than
 * [0 .. 0 1] is AC_STATUS_BAD_ARGUMENT.  work: AC_Q16_LINALG_WORK(dim, dim). */
ac_status ac_q16_affine_inverse(size_t dim, const ac_q16 *m, ptrdiff_t sm_row, ptrdiff_t sm_col,
                                ac_q16 *out, int rigid, ac_rounding rnd, ac_overflow ovf,
                                ac_tally *tally, uint64_t *work);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_Q16_LINALG_H */
