/*
 * attncore/q16_attention.h -- Q16.16 scaled dot-product attention of one
 * batch item: l query rows against s keys.
 *
 *   out[i, c] = round( sum_j e_ij v[j, c] / sum_j e_ij )
 *   e_ij      = exp(-(smax_i - s_ij)),  s_ij = scale * sum_p q[i, p] k[j, p]
 *
 * over the kept keys (attncore/attention_masks.h); raw int32 inputs, the
 * raw Q16.16 `scale`.  What is computed:
 *   - every dot product exactly (int64 when e * max|q| * max|k| < 2^62,
 *     else the two-word accumulator), and every score difference
 *     D_ij = |scale| * (smax_i - s_ij) exactly, an integer in units of
 *     2^-48 (no rounding of scores at all);
 *   - e_ij = exp(-D_ij / 2^48) in Q0.62: exactly 1 at the row maximum,
 *     0 when D_ij >= 43 (2^62 e^-43 < 1), otherwise within
 *     delta = 4.5 * 2^-62 of the exact value (ext/src/q16/q16_exp_neg.h);
 *   - sum_j e_ij and sum_j e_ij v[j, c] exactly (two words), and each
 *     output as ONE division rounded under `rnd`: the only rounding at
 *     Q16.16 resolution.  A weight, when asked for, is
 *     round(e_ij * 2^16 / sum_j e_ij), one division as well.
 *
 * GUARANTEE, for every int32 input, every scale, mask and causality, and
 * every row keeping n <= 2^23 keys: with out* the exact attention of the
 * same raw inputs and scale (exact scores, exact exponentials) in raw
 * units, the value before the final rounding is y = sum e v / sum e of
 * the computed e, and
 *   |y - out*| = |sum_j (e_j - e*_j)(v_j - out*)| / sum_j e_j
 *             <= n * delta * max_j |v_j - out*|      (sum_j e_j >= 1)
 *             <  n * 4.5 * 2^-62 * 2^32 LSB < n * 4.2e-9 LSB,
 * so nearest: |out - out*| <= 0.5 + n * 4.2e-9 LSB (< 0.536 LSB at
 * n = 2^23, < 0.5045 at n = 2^20); floor: out* - 1 - n * 4.2e-9 < out <=
 * out* + n * 4.2e-9 LSB.  Every output is within 1 LSB of out* for every
 * input allowed here.  Weights: |w - 2^16 p*| <= 0.5 + (n + 1) * 4.5 *
 * 2^-46 LSB (nearest).  Outputs lie between min v and max v of the kept
 * keys, so they never overflow; a row with nothing kept is all 0.
 * A row keeping more than 2^23 keys returns AC_STATUS_TOO_LONG (`out`
 * unspecified).
 *
 * `work` is caller memory of AC_Q16_ATTENTION_WORK(s, ev) uint64 elements
 * (the core never allocates): 16 bytes per key, 40 per value column.
 * Strides are in elements; `weights` may be NULL.
 */
#ifndef ATTNCORE_Q16_ATTENTION_H
#define ATTNCORE_Q16_ATTENTION_H

#include "attncore/attention_masks.h"
#include "attncore/q16.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AC_Q16_ATTENTION_MAX_KEYS ((size_t)1 << 23)
#define AC_Q16_ATTENTION_WORK(s, ev) (2 * (size_t)(s) + 5 * (size_t)(ev))

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
