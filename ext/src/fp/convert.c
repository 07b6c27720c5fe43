/*
 * Real <-> Q16.16 conversion (host-side float code; see attncore/convert.h).
 */
#include "attncore/convert.h"
#include "../q16/q16_policy.h" /* the modes a build accepts: one rule for both sides */

#define AC_TWO_32 4294967296.0
#define AC_TWO_62 4611686018427387904.0

/* y is an integer with 2^62 <= |y| (finite): y mod 2^32 into Q16.16 bits. */
static ac_q16 wrap_huge(double y)
{
    /* Beyond 2^84 the unit in the last place is >= 2^32: y = 0 mod 2^32. */
    if (y >= 19342813113834066795298816.0 || y <= -19342813113834066795298816.0) {
        return 0;
    }
    double hi = (double)(int64_t)(y / AC_TWO_32); /* |y / 2^32| < 2^52: exact */
    double lo = y - hi * AC_TWO_32;                /* exact, |lo| < 2^32 */
    return ac_q16__from_bits((uint32_t)((uint64_t)(int64_t)lo & 0xFFFFFFFFu));
}

ac_q16 ac_q16_from_double(double x, ac_rounding rnd, ac_overflow ovf, ac_status *status)
{
    if (!ac_q16__rounding_ok(rnd) || !ac_q16__overflow_ok(ovf)) {
        *status = AC_STATUS_BAD_ARGUMENT;
        return 0;
    }
    if (x != x) {
        *status = AC_STATUS_DOMAIN;
        return 0;
    }
    double y = x * 65536.0; /* exact: scaling by a power of two */
    if (y >= AC_TWO_62 || y <= -AC_TWO_62) {
        *status = AC_STATUS_RANGE;
        if (ovf != AC_OVERFLOW_WRAP) {
            return y > 0 ? AC_Q16_MAX : AC_Q16_MIN;
        }
        if (x - x != 0.0) { /* an infinite input has no residue modulo 2^32; a
                               * finite x whose y overflowed is >= 2^84: 0 */
            *status = AC_STATUS_DOMAIN;
            return 0;
        }
        return wrap_huge(y);
    }
    int64_t i = (int64_t)y; /* truncation toward zero; exact below 2^62 */
    if ((double)i > y) {
        i -= 1; /* now floor(y) */
    }
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        double frac = y - (double)i; /* exact: y and floor(y) share an exponent range */
        if (frac > 0.5 || (frac == 0.5 && ((uint64_t)i & 1u))) {
            i += 1;
        }
    }
    return ac_q16_fit(i, ovf, status);
}

#define AC__FROM_REAL_LOOP()                                                   \
    if (!ac_q16__rounding_ok(rnd) || !ac_q16__overflow_ok(ovf)) {         \
        return AC_STATUS_BAD_ARGUMENT;                                          \
    }                                                                           \
    for (size_t i = 0; i < n; ++i, x += sx, out += so) {                        \
        ac_status st;                                                           \
        *out = ac_q16_from_double((double)*x, rnd, ovf, &st);                   \
        if (ac_q16__note_stops(tally, i, st, ovf)) {                            \
            return st;                                                          \
        }                                                                       \
    }                                                                           \
    return AC_OK

ac_status ac_q16_from_double_n(size_t n, const double *x, ptrdiff_t sx, ac_q16 *out,
                               ptrdiff_t so, ac_rounding rnd, ac_overflow ovf,
                               ac_tally *tally)
{
    AC__FROM_REAL_LOOP();
}

ac_status ac_q16_from_float_n(size_t n, const float *x, ptrdiff_t sx, ac_q16 *out,
                              ptrdiff_t so, ac_rounding rnd, ac_overflow ovf,
                              ac_tally *tally)
{
    AC__FROM_REAL_LOOP();
}

ac_status ac_q16_from_int64_n(size_t n, const int64_t *x, ptrdiff_t sx, ac_q16 *out,
                              ptrdiff_t so, ac_overflow ovf, ac_tally *tally)
{
    if (!ac_q16__overflow_ok(ovf)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    for (size_t i = 0; i < n; ++i, x += sx, out += so) {
        ac_status st;
        *out = ac_q16_from_int(*x, ovf, &st);
        if (ac_q16__note_stops(tally, i, st, ovf)) {
            return st;
        }
    }
    return AC_OK;
}

void ac_q16_to_double_n(size_t n, const ac_q16 *q, ptrdiff_t sq, double *out, ptrdiff_t so)
{
    for (size_t i = 0; i < n; ++i, q += sq, out += so) {
        *out = ac_q16_to_double(*q);
    }
}
