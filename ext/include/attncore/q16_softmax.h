/*
 * attncore/q16_softmax.h -- Q16.16 softmax of one row.
 *
 *   out_j = round(e_j * 2^16 / S),  e_j = exp((x_j - max) / 2^16),  S = sum e_j
 *
 * over the kept entries (mask[j] != 0, or all when mask is NULL); masked
 * entries are exactly 0, and a row with nothing kept is all 0.  x_j - max is
 * formed in int64, so any int32 logits work.  e_j is evaluated in Q0.40
 * (truncated) from 63-bit tables, S is summed exactly in uint64, and each
 * output is the only rounding point: one rounded division.  The error
 * against the exact softmax is below 0.5 LSB + (n + 1) * 2^-24 LSB.
 * Rows may hold up to 2^23 kept entries (S < 2^63): longer rows return
 * AC_STATUS_TOO_LONG and leave `out` unspecified.  Outputs never overflow.
 *
 * `work`, if not NULL, is caller memory of n uint64 elements that keeps each
 * e_j between the sum and the division (twice as fast); with NULL each e_j
 * is evaluated twice, for targets short on RAM.  Same bits either way.
 */
#ifndef ATTNCORE_Q16_SOFTMAX_H
#define ATTNCORE_Q16_SOFTMAX_H

#include "attncore/q16.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AC_Q16_SOFTMAX_MAX_ROW ((size_t)1 << 23)

ac_status ac_q16_softmax_row(size_t n, const ac_q16 *x, ptrdiff_t sx,
                             const unsigned char *mask, ptrdiff_t sm,
                             ac_q16 *out, ptrdiff_t so, ac_rounding rnd, uint64_t *work);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_Q16_SOFTMAX_H */
