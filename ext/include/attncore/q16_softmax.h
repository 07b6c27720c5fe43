/*
 * attncore/q16_softmax.h -- Q16.16 softmax of one row.
 *
 *   out_j = round(e_j * 2^16 / S),  e_j = exp((x_j - max) / 2^16),  S = sum e_j
 *
 * over the kept entries (mask[j] != 0, or all when mask is NULL); masked
 * entries are exactly 0, and a row with nothing kept is all 0.  max - x_j is
 * formed exactly (it is below 2^32), so any int32 logits work.  e_j is
 * evaluated in Q0.40 from 63-bit tables and rounded to nearest: it is within
 * 2^-41 + 2^-60 of the exact exponential, and exactly 1 at the maximum.  S
 * is summed exactly in uint64 and each output is the one rounding of the
 * exact quotient above (round to nearest-even, or floor).  Against the exact
 * softmax, with e'_j = e_j - d_j, |d_j| <= 2^-41 + 2^-60, d = 0 at the
 * maximum and S' >= 1:  |e'_j/S' - e_j/S| <= (e_j/S) sum|d_k| / S' + |d_j| / S'
 * <= n (2^-41 + 2^-60), so every output is within
 *   0.5 LSB + n (2^-25 + 2^-44) LSB  <  0.5 LSB + (n + 1) * 2^-24 LSB
 * of it under nearest, and below it by less than 1 LSB plus the same under
 * floor.
 * Rows may hold up to 2^23 kept entries (S <= 2^63): longer rows return
 * AC_STATUS_TOO_LONG and leave `out` unspecified.  Outputs never overflow.
 * A `rnd` that is not one of the enumerators (or that the build left out)
 * returns AC_STATUS_BAD_ARGUMENT before anything is read or written.
 *
 * Between the sum and the divisions, `out` itself keeps the 32 bits of each
 * e_j the division usually needs (e_j is evaluated again for about one
 * element in 4,000), so no work memory is needed.  `out` may be `x` (in
 * place, same nonzero stride), and `so` may be 0 (every output to one
 * element, which keeps the last; `out` is then not `x`); in
 * those two cases `work`, if not NULL, is caller memory of n uint64
 * elements that keeps each e_j, and with NULL every e_j is evaluated twice
 * (about 1.7x the time).  `work` is not touched otherwise.  Same bits in
 * every case.  Other overlaps of `out` with `x` or `mask` are not
 * supported.
 */
#ifndef ATTNCORE_Q16_SOFTMAX_H
#define ATTNCORE_Q16_SOFTMAX_H

#include "attncore/q16.h"

#ifdef __cplusplus
extern "C" {
#endif

/* uint32_t, not size_t: (size_t)1 << 23 is undefined where size_t has 16
 * bits (AVR, MSP430), and there no row can be that long anyway. */
#define AC_Q16_SOFTMAX_MAX_ROW ((uint32_t)1 << 23)

ac_status ac_q16_softmax_row(size_t n, const ac_q16 *x, ptrdiff_t sx,
                             const unsigned char *mask, ptrdiff_t sm,
                             ac_q16 *out, ptrdiff_t so, ac_rounding rnd, uint64_t *work);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_Q16_SOFTMAX_H */
