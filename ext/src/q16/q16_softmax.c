/*
 * Q16.16 softmax (see attncore/q16_softmax.h).  Integer only.
 */
#include "attncore/q16_softmax.h"
#include "q16_wide.h"
#include "q16_exp_neg.h"

/* exp(-d / 2^16) in Q0.40 for d >= 0 (int64: up to 2^32). */
static uint64_t exp_neg_q40(int64_t d)
{
    return ac_q16__exp_neg_q40((uint64_t)d << 16);
}

/* floor(2^103 / s) for 2^40 <= s < 2^63 (so the quotient is < 2^63):
 * bitwise long division, once per row. */
static uint64_t reciprocal_103(uint64_t s)
{
    uint64_t q = 0, r = 0;
    for (int bit = 103; bit >= 0; --bit) {
        r = (r << 1) | (bit == 103 ? 1u : 0u); /* the numerator's only set bit */
        if (r >= s) {
            r -= s;
            if (bit < 64) {
                q |= (uint64_t)1 << bit;
            }
        }
    }
    return q;
}

/* floor(num / s) exactly, from the reciprocal: the estimate (num * R) >> 103
 * is never above the quotient and at most one below it (num <= 2^56). */
static uint64_t divide(uint64_t num, uint64_t s, uint64_t recip, uint64_t *rem)
{
    uint64_t hi, lo;
    ac_q16__mul_u64(num, recip, &hi, &lo);
    uint64_t q = hi >> 39;
    uint64_t r = num - q * s;
    while (r >= s) {
        q += 1;
        r -= s;
    }
    *rem = r;
    return q;
}

ac_status ac_q16_softmax_row(size_t n, const ac_q16 *x, ptrdiff_t sx,
                             const unsigned char *mask, ptrdiff_t sm,
                             ac_q16 *out, ptrdiff_t so, ac_rounding rnd, uint64_t *work)
{
    if (!ac_q16__valid_rounding(rnd)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    size_t kept = 0;
    ac_q16 max = AC_Q16_MIN;
    for (size_t j = 0; j < n; ++j) {
        if (mask == NULL || mask[(ptrdiff_t)j * sm]) {
            ac_q16 v = x[(ptrdiff_t)j * sx];
            max = v > max ? v : max;
            kept += 1;
        }
    }
    if (kept > AC_Q16_SOFTMAX_MAX_ROW) {
        return AC_STATUS_TOO_LONG;
    }
    uint64_t sum = 0; /* exact: kept * 2^40 < 2^63 */
    for (size_t j = 0; j < n; ++j) {
        if (mask == NULL || mask[(ptrdiff_t)j * sm]) {
            uint64_t e = exp_neg_q40((int64_t)max - (int64_t)x[(ptrdiff_t)j * sx]);
            if (work != NULL) {
                work[j] = e;
            }
            sum += e;
        }
    }
    uint64_t recip = kept ? reciprocal_103(sum) : 0;
    for (size_t j = 0; j < n; ++j) {
        ac_q16 *o = out + (ptrdiff_t)j * so;
        if (kept == 0 || !(mask == NULL || mask[(ptrdiff_t)j * sm])) {
            *o = 0;
            continue;
        }
        /* sum >= e(max) = 2^40, and e * 2^16 <= 2^56: one exact division */
        uint64_t e = work != NULL ? work[j] : exp_neg_q40((int64_t)max - (int64_t)x[(ptrdiff_t)j * sx]);
        uint64_t num = e << 16;
        uint64_t r;
        uint64_t q = divide(num, sum, recip, &r);
        if (rnd == AC_ROUND_NEAREST_EVEN && (r > sum - r || (r == sum - r && (q & 1u)))) {
            q += 1;
        }
        *o = (ac_q16)q; /* <= 2^16 */
    }
    return AC_OK;
}
