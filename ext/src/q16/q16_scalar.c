/*
 * Q16.16 scalar division, square root and exponential.
 * Integer-only: every result comes from an exact intermediate, or from one
 * whose error is proven too small to change the rounding, and is rounded
 * once.  See attncore/q16.h for the contract.
 */
#include "attncore/q16.h"
#include "q16_exp_neg.h"
#include "q16_policy.h"
#include "q16_wide.h"

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

ac_q16 ac_q16_div(ac_q16 a, ac_q16 b, ac_rounding rnd, ac_overflow ovf, ac_status *status)
{
    if (!ac_q16__rounding_ok(rnd) || !ac_q16__overflow_ok(ovf)) {
        *status = AC_STATUS_BAD_ARGUMENT;
        return 0;
    }
    if (b == 0) {
        *status = AC_STATUS_DIV_BY_ZERO;
        return a > 0 ? AC_Q16_MAX : (a < 0 ? AC_Q16_MIN : 0);
    }
    bool negative = (a < 0) != (b < 0);
    uint64_t num = magnitude(a) << AC_Q16_FRAC_BITS; /* < 2^48: exact */
    uint64_t den = magnitude(b);
    uint64_t q = num / den;
    uint64_t r = num % den;
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        /* Round the magnitude: ties to even are symmetric under negation. */
        if (2u * r > den || (2u * r == den && (q & 1u))) {
            q += 1;
        }
    } else if (negative && r != 0) {
        q += 1; /* floor of a negative quotient rounds its magnitude up */
    }
    int64_t v = negative ? -(int64_t)q : (int64_t)q; /* q <= 2^48 */
    return ac_q16_fit(v, ovf, status);
}

static uint64_t isqrt_u64(uint64_t n)
{
    uint64_t root = 0;
    uint64_t bit = (uint64_t)1 << 62;
    while (bit > n) {
        bit >>= 2;
    }
    while (bit != 0) {
        if (n >= root + bit) {
            n -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    return root;
}

ac_q16 ac_q16_sqrt(ac_q16 a, ac_rounding rnd, ac_status *status)
{
    if (!ac_q16__rounding_ok(rnd)) {
        *status = AC_STATUS_BAD_ARGUMENT;
        return 0;
    }
    if (a < 0) {
        *status = AC_STATUS_DOMAIN;
        return 0;
    }
    *status = AC_OK;
    uint64_t n = (uint64_t)a << AC_Q16_FRAC_BITS;
    uint64_t s = isqrt_u64(n);
    /* sqrt(n) >= s + 1/2  <=>  n >= s^2 + s + 1/4  <=>  n - s^2 > s */
    if (rnd == AC_ROUND_NEAREST_EVEN && n - s * s > s) {
        s += 1;
    }
    return (ac_q16)s; /* s <= 2^23.5 */
}

/* round(exp(11) * 2^44): exp(a) is computed as exp(11) * exp(-d) with
 * d = 11 - a > 0, so that exp(-d) comes from the tables of exp(-x) that
 * softmax and attention use (q16_exp_tables.c).  The rounding error of the
 * constant is 0.483 units. */
#define AC_EXP11_Q44 UINT64_C(0x0E9E22447727BF9F)

ac_q16 ac_q16_exp(ac_q16 a, ac_rounding rnd, ac_overflow ovf, ac_status *status)
{
    if (!ac_q16__rounding_ok(rnd) || !ac_q16__overflow_ok(ovf)) {
        *status = AC_STATUS_BAD_ARGUMENT;
        return 0;
    }
    /* saturate, raise and wrap all clamp here: see q16.h.  exp(11) > 2^15
     * and exp(-18) * 2^16 < 2^-9: both ends are decided up front.  The
     * constants are not 11 << 16: int may have 16 bits. */
    if (a >= (ac_q16)11 * AC_Q16_ONE) {
        *status = AC_STATUS_RANGE;
        return AC_Q16_MAX;
    }
    *status = AC_OK;
    if (a <= (ac_q16)-18 * AC_Q16_ONE) {
        return 0;
    }
    if (a == 0) {
        return AC_Q16_ONE; /* the only input whose result is a grid point */
    }
    /* d = 11 - a/2^16 in (0, 29): its integer part and two fraction bytes
     * index the three tables, whose entries are round(2^63 exp(-x)).  E is
     * 2^63 exp(-d) within 3.5 units (three entries rounded to nearest, two
     * truncated products of values <= 1). */
    uint32_t d = (uint32_t)((ac_q16)11 * AC_Q16_ONE - a);
    uint64_t e = ac_q16__mul_q63(AC_Q16_TABLE_U64(ac_q16__exp_neg_int, d >> 16),
                                 AC_Q16_TABLE_U64(ac_q16__exp_neg_hi, (d >> 8) & 255u));
    e = ac_q16__mul_q63(e, AC_Q16_TABLE_U64(ac_q16__exp_neg_lo, d & 255u));
    /* y = 2^16 exp(a) with 28 fractional bits: E * round(exp(11) 2^44) / 2^63.
     * Its error is below 2 units of 2^-28 (3.5 units of E times 2^-3.1, the
     * constant's 0.48 units, the truncation).  No input's exact 2^16 exp(a)
     * lies within 2^-27 of a rounding boundary (an integer for floor, an
     * integer + 1/2 for nearest; exp of a nonzero rational is never on one),
     * which tests/test_q16_exp.py checks for every input of this range, so
     * rounding y gives the correctly rounded result. */
    uint64_t hi, lo;
    ac_q16__mul_u64(e, AC_EXP11_Q44, &hi, &lo);
    uint64_t y = (hi << 1) | (lo >> 63); /* < 2^60 */
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        y += (uint64_t)1 << 27; /* no ties: see above */
    }
    y >>= 28;
    if (y > (uint64_t)AC_Q16_MAX) {
        *status = AC_STATUS_RANGE;
        return AC_Q16_MAX;
    }
    return (ac_q16)y;
}
