/*
 * attncore/q16_attention.h -- Q16.16 scaled dot-product attention of one
 * batch item: l query rows against s keys.
 *
 *   out[i, c] = round( sum_j e_ij v[j, c] / sum_j e_ij )
 *   e_ij      = exp(-(smax_i - s_ij)),  s_ij = scale * sum_p q[i, p] k[j, p]
 *
 * over the kept keys (attncore/attention_masks.h).  Rounding points:
 *   1. the score: the dot product is exact (products at full width, summed
 *      in int64 when e * max|q| * max|k| < 2^62, else in two words) and is
 *      multiplied by the Q16.16 `scale` exactly; only the difference to the
 *      row maximum is rounded, to nearest-even in units of 2^-32 (a
 *      difference beyond 64 gives e = 0 either way);
 *   2. e_ij in Q0.40, truncated (ac_q16__exp_neg_q40), e = 1 at the maximum;
 *   3. the output: numerator and denominator are exact sums, and each output
 *      is one division rounded under `rnd`.  A weight, when asked for, is
 *      round(e_ij * 2^16 / sum_j e_ij), as the Q16.16 softmax rounds it.
 * Against exact attention of the same inputs (same `scale`) the output
 * error is below 0.5 LSB + 2^16 * max|v - out| * (2^-33 + s * 2^-40) LSB
 * (rounding 1 perturbs each e_ij by at most 2^-33 relative, rounding 2 by at
 * most 2^-40 absolute, and the denominator is at least e = 1): 0.502 LSB
 * for |v| <= 8 and s = 1024.  Weights are within 0.5 LSB + (s + 1) * 2^-24.
 * Outputs lie between min v and max v, so they never overflow.  A row with
 * nothing kept is all 0.  Rows may keep up to 2^23 keys; more returns
 * AC_STATUS_TOO_LONG with `out` unspecified.
 *
 * `work` is caller memory of AC_Q16_ATTENTION_WORK(s, ev) uint64 elements
 * (the core never allocates); the macro is AC_WORK_OVERFLOW (SIZE_MAX)
 * instead of wrapping when that many elements cannot exist
 * (attncore/work.h).  Strides are in elements; `weights` may be NULL.
 */
#ifndef ATTNCORE_Q16_ATTENTION_H
#define ATTNCORE_Q16_ATTENTION_H

#include "attncore/attention_masks.h"
#include "attncore/q16.h"
#include "attncore/work.h"

#ifdef __cplusplus
extern "C" {
#endif

/* uint32_t, not size_t: see AC_Q16_SOFTMAX_MAX_ROW */
#define AC_Q16_ATTENTION_MAX_KEYS ((uint32_t)1 << 23)
#define AC_Q16_ATTENTION_WORK(s, ev) AC_WORK_ADD(AC_WORK_MUL(3, s), AC_WORK_MUL(4, ev))

ac_status ac_q16_attention(size_t l, size_t s, size_t e, size_t ev,
                           const ac_q16 *q, ptrdiff_t sq_row, ptrdiff_t sq_col,
                           const ac_q16 *k, ptrdiff_t sk_row, ptrdiff_t sk_col,
                           const ac_q16 *v, ptrdiff_t sv_row, ptrdiff_t sv_col,
                           const ac_attention_masks *masks, ac_q16 scale,
                           ac_q16 *out, ptrdiff_t so_row, ptrdiff_t so_col,
                           ac_q16 *weights, ptrdiff_t sw_row, ptrdiff_t sw_col,
                           ac_rounding rnd, uint64_t *work);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_Q16_ATTENTION_H */
