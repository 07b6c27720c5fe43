/*
 * Q16.16 scalar division, square root and exponential.
 * Integer-only: every result comes from an exact (or 62-bit) intermediate
 * and is rounded once.  See attncore/q16.h for the contract.
 */
#include "attncore/q16.h"
#include "q16_wide.h"

/* ln 2 * 2^62, rounded to nearest (the rounding error is 0.053 units). */
#define AC_LN2_Q62 UINT64_C(0x2C5C85FDF473DE6B)
/* ln 2 * 2^16 rounded down: only seeds the range-reduction quotient. */
#define AC_LN2_Q16_FLOOR 45426
#define AC_ONE_Q62 (UINT64_C(1) << 62)
/* Horner degree: 0.7^21 / 21! < 2^-70, far below the 62-bit grid. */
#define AC_EXP_TERMS 20u

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

ac_q16 ac_q16_div(ac_q16 a, ac_q16 b, ac_rounding rnd, ac_overflow ovf, ac_status *status)
{
    if (!ac_q16__valid_rounding(rnd) || !ac_q16__valid_overflow(ovf)) {
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
    if (!ac_q16__valid_rounding(rnd)) {
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

static int64_t as_signed(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

/* exp(a / 2^16) = m * 2^(e - 62) with m in [2^62, 2^63), for raw a in
 * (-(32 << 16), 32 << 16).  m carries 62 fractional bits; its error is below
 * 4 units of 2^-62 relative (range reduction by a 62-bit ln 2, then a
 * degree-20 Horner evaluation on [0, ln 2) with truncating products). */
static void exp_m62(ac_q16 a, uint64_t *m, int *e)
{
    /* a/2^16 = k ln2 + r with 0 <= r < ln2.  Both terms of r are formed
     * modulo 2^64: the true r fits, so the wrapped difference is exact. */
    int32_t k = a / AC_LN2_Q16_FLOOR;
    if (a < 0 && k * AC_LN2_Q16_FLOOR != a) {
        k -= 1;
    }
    uint64_t a62 = (uint64_t)(int64_t)a << 46;
    int64_t r = as_signed(a62 - (uint64_t)(int64_t)k * AC_LN2_Q62);
    while (r < 0) {
        k -= 1;
        r += (int64_t)AC_LN2_Q62;
    }
    while (r >= (int64_t)AC_LN2_Q62) {
        k += 1;
        r -= (int64_t)AC_LN2_Q62;
    }
    uint64_t p = AC_ONE_Q62;
    for (unsigned n = AC_EXP_TERMS; n >= 1u; --n) {
        p = AC_ONE_Q62 + ac_q16__mul_q62((uint64_t)r, p) / n;
    }
    *m = p;
    *e = (int)k;
}

ac_q16 ac_q16_exp(ac_q16 a, ac_rounding rnd, ac_overflow ovf, ac_status *status)
{
    (void)ovf; /* saturate, raise and wrap all clamp here: see q16.h */
    if (!ac_q16__valid_rounding(rnd) || !ac_q16__valid_overflow(ovf)) {
        *status = AC_STATUS_BAD_ARGUMENT;
        return 0;
    }
    /* exp(11) > 2^15 and exp(-18) * 2^16 < 2^-9: both ends are decided
     * before range reduction so k stays small. */
    if (a >= (11 << AC_Q16_FRAC_BITS)) {
        *status = AC_STATUS_RANGE;
        return AC_Q16_MAX;
    }
    *status = AC_OK;
    if (a <= -(18 << AC_Q16_FRAC_BITS)) {
        return 0;
    }
    uint64_t m;
    int e;
    exp_m62(a, &m, &e);
    /* raw = m * 2^(e - 62 + 16); e in [-26, 15] so shift in [31, 72]. */
    int shift = 46 - e;
    if (shift >= 64) {
        return 0; /* m / 2^64 < 1/2 */
    }
    uint64_t q = ac_q16__round_shift_u64(m, (unsigned)shift, rnd);
    if (q > (uint64_t)AC_Q16_MAX) {
        *status = AC_STATUS_RANGE;
        return AC_Q16_MAX;
    }
    return (ac_q16)q;
}
