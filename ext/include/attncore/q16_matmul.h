/*
 * attncore/q16_matmul.h -- Q16.16 matrix product C = A B.
 *
 * Each output is the exact dot product sum_p a[i,p] * b[p,j] (62-bit
 * products, summed without rounding and without wrap even when partial sums
 * leave int64), rounded once (>> 16, nearest-even or floor) and fitted under
 * the overflow policy.  Strides are in elements.  Tally indices are i*n + j.
 * Under AC_OVERFLOW_RAISE the kernel stops at the first out-of-range output
 * (C order) and returns AC_STATUS_RANGE: the outputs before it hold their
 * results, it holds its saturated value, and none after it is written.
 * `c` must not overlap `a` or `b` (whether an overlapping call works
 * depends on the path the magnitudes pick).
 *
 * Exact paths, chosen per call, all giving identical bits:
 *  - small matrices (m <= 4 and (n, k) one of (4, 4), (1, 4), (3, 3),
 *    (1, 3), (2, 2), (1, 2), unit column strides) whose operands pass a
 *    bound from the OR of their magnitude bits (always when every |a| and
 *    |b| is below 2^30 raw, 16384.0; the bound keeps |sum| <= 2^62) take a
 *    dot-order kernel with the sum in one int64 (one SMLAL per product on
 *    Cortex-M3/M4);
 *  - otherwise, when k * max|a| * max|b| < 2^63 the sum is accumulated in
 *    int64 in axpy order (vectorizable);
 *  - otherwise a two-word (128-bit) accumulator is used.
 */
#ifndef ATTNCORE_Q16_MATMUL_H
#define ATTNCORE_Q16_MATMUL_H

#include "attncore/q16.h"

#ifdef __cplusplus
extern "C" {
#endif

ac_status ac_q16_matmul(size_t m, size_t n, size_t k,
                        const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                        const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col,
                        ac_q16 *c, ptrdiff_t sc_row, ptrdiff_t sc_col,
                        ac_rounding rnd, ac_overflow ovf, ac_tally *tally);

/* `count` products C_t = A_t B_t, batch strides sa_t, sb_t, sc_t in
 * elements (0 broadcasts); tally indices are t*m*n + i*n + j.  Under
 * AC_OVERFLOW_RAISE the batch stops as above: earlier items are whole,
 * later ones untouched.  On 64-bit
 * targets, batches of more than one packed small shape (2x2x2, 3x3x3,
 * 4x4x4, 3x1x3, 4x1x4) use fixed-size kernels written for vector units;
 * elsewhere each item is one ac_q16_matmul. */
ac_status ac_q16_matmul_batch(size_t count, size_t m, size_t n, size_t k,
                              const ac_q16 *a, ptrdiff_t sa_t, ptrdiff_t sa_row, ptrdiff_t sa_col,
                              const ac_q16 *b, ptrdiff_t sb_t, ptrdiff_t sb_row, ptrdiff_t sb_col,
                              ac_q16 *c, ptrdiff_t sc_t, ptrdiff_t sc_row, ptrdiff_t sc_col,
                              ac_rounding rnd, ac_overflow ovf, ac_tally *tally);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_Q16_MATMUL_H */
