/*
 * attncore/q16_linalg.h -- correctly rounded Q16.16 small-matrix linear
 * algebra: solves, exact factors that keep their precision, determinant,
 * inverse, affine-transform inverses, and SciPy-layout display factors.
 *
 * NUMBERS.  Inputs are raw int32 values (real value = raw / 2^16).  With
 * A = A_raw and B = B_raw the integer matrices read from the caller:
 *
 *   solve / lu_solve / cho_solve   x_ij = 2^16 (A^-1 B)_ij
 *                                       = 2^16 (adj(A) B)_ij / det(A)
 *   det                            d = det(A) / 2^(16 (n-1))
 *   inv                            y_ij = 2^32 adj(A)_ij / det(A)
 *   affine_inverse (affine kind)   [A t; 0 1]^-1: block as inv, translation
 *                                  -2^16 (adj(A) t)_i / det(A)
 *   affine_inverse (rigid kind)    [A^T, -A^T t / 2^16; 0 1]
 *   lu_factor display `lu`         U_ij = M_ij / P_(i-1) (j >= i), L_ij =
 *                                  2^16 M_ij / P_j (j < i); M = Bareiss
 *                                  numerators, P_k = leading (k+1)-minor of
 *                                  the row-permuted A, P_-1 = 1
 *   cho_factor display `c`         L_ij = 2^8 M_ij / sqrt(P_j P_(j-1))
 *
 * Each of these exact rationals (or, for Cholesky, exact square-root
 * expressions) is rounded ONCE: AC_ROUND_NEAREST_EVEN to nearest with ties
 * to even, AC_ROUND_FLOOR to the floor of the exact value.  The rounded
 * integer is then fitted under `ovf` exactly as ac_q16_fit does (saturate /
 * raise = clamp to MIN/MAX and report, wrap = the rounded integer modulo
 * 2^32).  There is no other rounding anywhere: all elimination is exact
 * integer arithmetic (see NOTES.md for the proofs of every width).
 *
 * GUARANTEES (every input of int32 values, every n <= AC_Q16_LINALG_MAX_N,
 * both rounding modes, all three overflow policies):
 *  - A is singular exactly when det(A) == 0: then solve, inv, the affine
 *    kind and lu_factor return AC_STATUS_SINGULAR; det returns 0 with AC_OK.
 *  - Positive definite (assume_a="pos", cho_factor without perm): A is the
 *    symmetric matrix whose lower triangle is read (the upper triangle is
 *    never read); it is positive definite exactly when every leading
 *    principal minor is > 0 (Sylvester), otherwise
 *    AC_STATUS_NOT_POSITIVE_DEFINITE.  A positive definite solve returns the
 *    same bits as the general solve of that symmetric matrix.
 *  - Pivoted Cholesky (perm != NULL): diagonal pivoting on the exact
 *    Schur-complement diagonals (largest first, the lowest current index on
 *    ties); it stops at rank r when the largest remaining diagonal is <= 0,
 *    and returns AC_OK exactly when the remaining Schur complement is then
 *    exactly zero, i.e. exactly when A is positive SEMIdefinite (r = its
 *    exact rank); otherwise AC_STATUS_NOT_POSITIVE_DEFINITE.
 *  - Factor once, solve many: ac_q16_lu_solve(ac_q16_lu_factor(A)) and
 *    ac_q16_cho_solve(ac_q16_cho_factor(A)) return the same bits and the
 *    same statuses and tally as ac_q16_solve(A) (general / positive
 *    definite) for every B, rounding and overflow policy: the exact factor
 *    holds det(A) and adj(A) as integers, nothing rounded.
 *  - Display factors (`lu`, `c`) are each entry's exact value rounded once;
 *    lu's partial pivoting is exact (the largest |Schur complement entry| in
 *    the column, the first row on ties), piv is 0-based LAPACK style (at
 *    step i row i was swapped with row piv[i]).  Cholesky entries are never
 *    out of range (|L_ij| <= sqrt(a_ii) < 2^7.5).
 *
 * STATUSES.  AC_OK (also under saturate / wrap when outputs were out of
 * range: the tally counts them); AC_STATUS_RANGE (only under
 * AC_OVERFLOW_RAISE, at the first out-of-range output in row-major order:
 * elements before it are written, the rest are unspecified, the tally holds
 * that one event); AC_STATUS_SINGULAR;
 * AC_STATUS_NOT_POSITIVE_DEFINITE; AC_STATUS_BAD_ARGUMENT for bad arguments (an
 * unknown rounding or overflow enum, n > AC_Q16_LINALG_MAX_N, a work size
 * that does not fit this target's size_t, a NULL pointer that would be
 * used, an invalid factor header or out-of-bound factor words, an affine
 * dim other than 3 or 4, a bottom row other than [0 .. 0 ONE]).  On
 * SINGULAR, NOT_POSITIVE_DEFINITE and BAD_ARGUMENT no output is written.
 * Out-of-range outputs are counted in `tally` (may be NULL; index = the
 * output element in row-major order; first_index is the first in that
 * order).
 *
 * CONVENTIONS.  Inputs are read through strides in elements (ptrdiff_t; any
 * sign, zero allowed); outputs are contiguous row-major.  The core never
 * allocates: `work` is caller memory of AC_Q16_LINALG_WORK(n) uint32_t
 * words.  The n <= 4 exact paths (solve, lu_solve, cho_solve, det, inv,
 * affine_inverse, and lu_factor / cho_factor when their display output and
 * perm are NULL) never touch `work` (NULL is fine there), so firmware needs
 * no work buffer for them; the display factors and every n >= 5 call use
 * it.  The size does not depend on the number of right-hand sides.  On a
 * 16-bit size_t target (AVR) n >= 15 is refused with AC_STATUS_BAD_ARGUMENT.
 *
 * ALGORITHMS (NOTES.md): n <= 4: 2x2 minors in int64, 4 x 4 Cramer
 * numerators by Laplace expansion (or cofactors for the factor), 160-bit
 * accumulators, one division per output with a 32-bit quotient digit.
 * Any n: fraction-free (Bareiss) elimination on multiword integers with
 * exact division; the exact factor by Gauss-Jordan on [A | I].
 *
 * EXACT FACTOR LAYOUT (AC_Q16_FACTOR_WORDS(n) uint32_t words, identical on
 * every platform and endianness, since it is an array of uint32_t values):
 *   [0] AC_Q16_FACTOR_MAGIC   [1] n   [2] W = AC_Q16_XWORDS(n)
 *   [3] flags (bit 0: made by cho_factor; informational)
 *   [4 .. 4+W)                 det(A) as a W-limb two's complement integer,
 *                              limb 0 least significant
 *   [4+W+(i n+j) W .. +W)      adj(A)_ij, the same format, row-major
 * (A is the symmetric matrix from the lower triangle for cho_factor.)  A
 * pivoted cho_factor of rank < n stores det = 0 and adj = 0, so cho_solve
 * reports AC_STATUS_SINGULAR.  A factor whose header does not match n, or
 * (n <= 4) whose words exceed the bounds true factors obey (|det| < 2^128,
 * |adj_ij| < 2^96), is AC_STATUS_BAD_ARGUMENT.
 */
#ifndef ATTNCORE_Q16_LINALG_H
#define ATTNCORE_Q16_LINALG_H

#include <stdint.h>

#include "attncore/q16.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest n accepted (the arithmetic is exact for every n; the cost grows
 * like n^5, the work like n^3). */
#define AC_Q16_LINALG_MAX_N 64u

#define AC_Q16_FACTOR_MAGIC 0xAC160F01u

/* 32-bit words per exact integer of an n x n problem: enough for the
 * Hadamard bound n^(n/2) 2^(31 n) of any n x n minor of int32 entries plus a
 * sign bit (table for n <= 4, where that bound is < 2^31, 2^63, 2^96,
 * 2^128; (n/2) log2 n <= 2 n for n <= 16 and <= 3 n for n <= 64).  Value
 * of type uint64_t; 0 for n > AC_Q16_LINALG_MAX_N. */
#define AC_Q16_XWORDS(n)                                                              \
    ((uint64_t)(n) <= 1u ? (uint64_t)1                                                \
     : (uint64_t)(n) == 2u ? (uint64_t)2                                              \
     : (uint64_t)(n) == 3u ? (uint64_t)4                                              \
     : (uint64_t)(n) == 4u ? (uint64_t)5                                              \
     : (uint64_t)(n) <= 16u ? ((uint64_t)(n) * 33u + 32u) / 32u                       \
     : (uint64_t)(n) <= (uint64_t)AC_Q16_LINALG_MAX_N ? ((uint64_t)(n) * 34u + 32u) / 32u \
     : (uint64_t)0)

/* Words of an exact factor (uint64_t; 0 for n > AC_Q16_LINALG_MAX_N). */
#define AC_Q16_FACTOR_WORDS(n) \
    (4u + ((uint64_t)(n) * (uint64_t)(n) + 1u) * AC_Q16_XWORDS(n))

/* Words of `work` for any function of size n (uint64_t, computed without
 * overflow for every n; 0 for n > AC_Q16_LINALG_MAX_N).  A caller compares
 * it with SIZE_MAX / sizeof(uint32_t) before allocating; the functions
 * return AC_STATUS_BAD_ARGUMENT when it exceeds that (a small target). */
#define AC_Q16_LINALG_WORK(n)                                                           \
    ((uint64_t)(n) > (uint64_t)AC_Q16_LINALG_MAX_N ? (uint64_t)0                        \
     : AC_Q16_FACTOR_WORDS(n)                                                           \
       + 3u * (uint64_t)(n) * (uint64_t)(n) * (AC_Q16_XWORDS(n) + 1u)                   \
       + 40u * AC_Q16_XWORDS(n) + 2u * (uint64_t)(n) + 128u)

/* LU with exact partial pivoting.  factor (AC_Q16_FACTOR_WORDS(n) words):
 * the exact factor for ac_q16_lu_solve; lu (n x n) and piv (n): the SciPy
 * layout display factor, each entry rounded once under rnd/ovf (tally
 * indexes lu).  Either part may be NULL (lu and piv together), not both.
 * A singular matrix: AC_STATUS_SINGULAR, nothing written. */
ac_status ac_q16_lu_factor(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                           ac_q16 *lu, int32_t *piv, uint32_t *factor, ac_rounding rnd,
                           ac_overflow ovf, ac_tally *tally, uint32_t *work);

/* X (n x k) from an exact factor: the same bits as ac_q16_solve. */
ac_status ac_q16_lu_solve(size_t n, size_t k, const uint32_t *factor, const ac_q16 *b,
                          ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x, ac_rounding rnd,
                          ac_overflow ovf, ac_tally *tally, uint32_t *work);

/* A X = B, X (n x k) row-major; positive_definite: A symmetric from its
 * lower triangle, checked by Sylvester's criterion, then the same bits. */
ac_status ac_q16_solve(size_t n, size_t k, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                       const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x,
                       int positive_definite, ac_rounding rnd, ac_overflow ovf, ac_tally *tally,
                       uint32_t *work);

/* Cholesky of the symmetric matrix read from a's lower triangle.  factor:
 * exact factor for ac_q16_cho_solve (may be NULL).  c (may be NULL): the
 * display factor, L (lower != 0) or U = L^T, the other triangle 0.  perm
 * NULL: plain Cholesky (AC_STATUS_NOT_POSITIVE_DEFINITE unless positive
 * definite; rank, if given, is set to n).  perm (n entries) and rank
 * given: P A P^T = L L^T with diagonal pivoting, perm[i] = original index
 * of pivot i, *rank = the exact rank, columns >= rank of L are 0. */
ac_status ac_q16_cho_factor(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                            ac_q16 *c, int lower, int32_t *perm, size_t *rank, uint32_t *factor,
                            ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint32_t *work);

/* X from a cho_factor (or lu_factor) exact factor: the same bits as
 * ac_q16_solve(..., positive_definite = 1, ...). */
ac_status ac_q16_cho_solve(size_t n, size_t k, const uint32_t *factor, const ac_q16 *b,
                           ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x, ac_rounding rnd,
                           ac_overflow ovf, ac_tally *tally, uint32_t *work);

/* det(A) / 2^(16 (n-1)) rounded once (0 for a singular matrix, AC_OK;
 * n = 0 gives ONE). */
ac_status ac_q16_det(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col, ac_q16 *det,
                     ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint32_t *work);

/* A^-1 (n x n): 2^32 adj(A)_ij / det(A), each rounded once. */
ac_status ac_q16_inv(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col, ac_q16 *inv,
                     ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint32_t *work);

/* Inverse of a homogeneous dim x dim (dim 3 or 4) [A t; 0 1] into out
 * (dim x dim, bottom row [0 .. 0 ONE]).  rigid: [A^T, -A^T t; 0 1], the
 * transpose exact, each translation entry one exact dot product rounded
 * once.  Otherwise: A^-1 entries as ac_q16_inv and translation entries
 * -2^16 (adj(A) t)_i / det(A), each rounded once (t = 2^31 magnitudes are
 * fine: nothing is negated before the exact product). */
ac_status ac_q16_affine_inverse(size_t dim, const ac_q16 *m, ptrdiff_t sm_row, ptrdiff_t sm_col,
                                ac_q16 *out, int rigid, ac_rounding rnd, ac_overflow ovf,
                                ac_tally *tally, uint32_t *work);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_Q16_LINALG_H */
