/*
 * The working precision of the Q16.16 linear algebra: a small integer-only
 * floating format, value = m * 2^e with a signed 64-bit m normalized to
 * 2^61 <= |m| < 2^62 (or m = 0).  Every operation rounds its result to
 * 62 significant bits (nearest, ties away from zero: u = 2^-62 relative),
 * so elimination carries about 46 bits more than Q16.16 and the only
 * rounding a caller sees is the final one to Q16.16 (ac_xf_to_q16).
 * Private to src/q16; portable C99 (128-bit products via q16_wide.h).
 */
#ifndef ATTNCORE_Q16_XF_H
#define ATTNCORE_Q16_XF_H

#include <stdint.h>

#include "attncore/q16.h"
#include "q16_wide.h"

typedef struct {
    int64_t m;
    int32_t e;
} ac_xf;

#define AC__XF_TOP ((uint64_t)1 << 62)

static inline int ac__clz64(uint64_t x)
{
    int n = 0;
    while (!(x & ((uint64_t)1 << 63))) {
        x <<= 1;
        n += 1;
    }
    return n;
}

/* sign * mag * 2^e rounded to 62 bits; mag is any uint64. */
static inline ac_xf ac__xf_pack(int negative, uint64_t mag, int32_t e)
{
    ac_xf r = {0, 0};
    if (mag == 0) {
        return r;
    }
    int lead = ac__clz64(mag); /* want the top bit at position 61 */
    if (lead > 2) {
        mag <<= (lead - 2);
        e -= lead - 2;
    } else if (lead < 2) {
        unsigned drop = (unsigned)(2 - lead);
        uint64_t half = (uint64_t)1 << (drop - 1u);
        uint64_t rem = mag & (((uint64_t)1 << drop) - 1u);
        mag >>= drop;
        e += (int32_t)drop;
        if (rem >= half) {
            mag += 1;
            if (mag == AC__XF_TOP) {
                mag >>= 1;
                e += 1;
            }
        }
    }
    r.m = negative ? -(int64_t)mag : (int64_t)mag;
    r.e = e;
    return r;
}

/* sign * (hi * 2^64 + lo) * 2^e rounded to 62 bits. */
static inline ac_xf ac__xf_pack128(int negative, uint64_t hi, uint64_t lo, int32_t e)
{
    if (hi == 0) {
        return ac__xf_pack(negative, lo, e);
    }
    int lead = ac__clz64(hi);               /* top bit at 127 - lead */
    unsigned drop = (unsigned)(66 - lead);  /* bring it to 61 */
    /* drop is in [3, 66]; the first dropped bit decides (nearest, ties away) */
    uint64_t kept, rem_top;
    if (drop < 64) {
        kept = (hi << (64u - drop)) | (lo >> drop);
        rem_top = (lo >> (drop - 1u)) & 1u;
    } else {
        unsigned d2 = drop - 64u;
        kept = d2 ? hi >> d2 : hi;
        rem_top = d2 ? (hi >> (d2 - 1u)) & 1u : lo >> 63;
    }
    kept += rem_top;
    int32_t exp = e + (int32_t)drop;
    if (kept == AC__XF_TOP) {
        kept >>= 1;
        exp += 1;
    }
    ac_xf r = {negative ? -(int64_t)kept : (int64_t)kept, exp};
    return r;
}

static inline ac_xf ac_xf_from_q16(ac_q16 x)
{
    int64_t v = x;
    return ac__xf_pack(v < 0, (uint64_t)(v < 0 ? -v : v), -16);
}

static inline ac_xf ac_xf_from_int(int64_t v)
{
    return ac__xf_pack(v < 0, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 0);
}

static inline uint64_t ac__xf_mag(ac_xf a)
{
    return a.m < 0 ? (uint64_t)0 - (uint64_t)a.m : (uint64_t)a.m;
}

static inline ac_xf ac_xf_neg(ac_xf a)
{
    a.m = -a.m;
    return a;
}

static inline ac_xf ac_xf_mul(ac_xf a, ac_xf b)
{
    if (a.m == 0 || b.m == 0) {
        ac_xf z = {0, 0};
        return z;
    }
    uint64_t hi, lo;
    ac_q16__mul_u64(ac__xf_mag(a), ac__xf_mag(b), &hi, &lo);
    return ac__xf_pack128((a.m < 0) != (b.m < 0), hi, lo, a.e + b.e);
}

static inline ac_xf ac_xf_add(ac_xf a, ac_xf b)
{
    if (a.m == 0) {
        return b;
    }
    if (b.m == 0) {
        return a;
    }
    if (a.e < b.e) {
        ac_xf t = a;
        a = b;
        b = t;
    }
    int32_t shift = a.e - b.e;
    if (shift > 63) {
        return a; /* b is below half an ulp of a */
    }
    /* a is doubled (one guard bit) and b shifted to match, its lost bits
     * folded into a sticky bit; magnitudes in uint64: 2^63 + 2^62 fits */
    uint64_t amag = ac__xf_mag(a), bmag = ac__xf_mag(b);
    unsigned s = (unsigned)(shift - 1);
    uint64_t bs = bmag, sticky = 0;
    if (shift == 0) {
        amag <<= 1;
        bs <<= 1;
    } else {
        amag <<= 1;
        bs = bmag >> s;
        sticky = (s && (bmag & (((uint64_t)1 << s) - 1u)) != 0) ? 1u : 0u;
        bs |= sticky;
    }
    int a_neg = a.m < 0, b_neg = b.m < 0;
    if (a_neg == b_neg) {
        return ac__xf_pack(a_neg, amag + bs, a.e - 1);
    }
    return amag >= bs ? ac__xf_pack(a_neg, amag - bs, a.e - 1)
                      : ac__xf_pack(b_neg, bs - amag, a.e - 1);
}

static inline ac_xf ac_xf_sub(ac_xf a, ac_xf b)
{
    return ac_xf_add(a, ac_xf_neg(b));
}

/* a / b for b != 0: the 62-bit quotient of (|a| * 2^63) / |b|. */
static inline ac_xf ac_xf_div(ac_xf a, ac_xf b)
{
    if (a.m == 0) {
        return a;
    }
    uint64_t num = ac__xf_mag(a), den = ac__xf_mag(b);
    /* long division of num * 2^63 by den: quotient in (2^62, 2^64) */
    uint64_t q = 0, r = 0;
    for (int bit = 63 + 62; bit >= 0; --bit) {
        uint64_t next = bit >= 63 ? (num >> (bit - 63)) & 1u : 0u;
        uint64_t carry = r >> 63;
        r = (r << 1) | next;
        q <<= 1;
        if (carry || r >= den) {
            r -= den;
            q |= 1u;
        }
    }
    /* the quotient's bits above 64 are zero (num < 2^62 <= 2 den) */
    uint64_t sticky = r != 0;
    return ac__xf_pack128((a.m < 0) != (b.m < 0), q >> 63, (q << 1) | sticky, a.e - b.e - 63 - 1);
}

/* sqrt(a) for a >= 0: 62 bits, by digit-by-digit integer square root. */
static inline ac_xf ac_xf_sqrt(ac_xf a)
{
    if (a.m <= 0) {
        ac_xf z = {0, 0};
        return z;
    }
    uint64_t mag = (uint64_t)a.m;
    int32_t e = a.e;
    /* make the exponent even, then sqrt(mag * 2^62) has 62 bits */
    unsigned extra = (e & 1) ? 61u : 62u; /* e - extra even */
    /* n = mag * 2^extra as (hi, lo) */
    uint64_t hi = mag >> (64u - extra), lo = mag << extra;
    uint64_t root = 0, rem_hi = 0, rem_lo = 0;
    for (int i = 63; i >= 0; --i) {
        /* bring down two bits of n */
        unsigned pos = (unsigned)(2 * i);
        uint64_t two = pos >= 64 ? (hi >> (pos - 64u)) & 3u : (lo >> pos) & 3u;
        rem_hi = (rem_hi << 2) | (rem_lo >> 62);
        rem_lo = (rem_lo << 2) | two;
        /* trial = 4 root + 1 */
        uint64_t t_lo = (root << 2) | 1u, t_hi = root >> 62;
        root <<= 1;
        if (rem_hi > t_hi || (rem_hi == t_hi && rem_lo >= t_lo)) {
            uint64_t borrow = rem_lo < t_lo;
            rem_lo -= t_lo;
            rem_hi -= t_hi + borrow;
            root |= 1u;
        }
    }
    uint64_t sticky = (rem_hi | rem_lo) != 0;
    return ac__xf_pack128(0, root >> 63, (root << 1) | sticky, (e - (int32_t)extra) / 2 - 1);
}

/* |a| < |b| */
static inline int ac_xf_less_mag(ac_xf a, ac_xf b)
{
    if (b.m == 0) {
        return 0;
    }
    if (a.m == 0) {
        return 1;
    }
    return a.e != b.e ? a.e < b.e : ac__xf_mag(a) < ac__xf_mag(b);
}

/* a rounded once to Q16.16 under rnd and fitted under ovf. */
static inline ac_q16 ac_xf_to_q16(ac_xf a, ac_rounding rnd, ac_overflow ovf, ac_status *status)
{
    *status = AC_OK;
    if (a.m == 0) {
        return 0;
    }
    int32_t shift = -(a.e + 16); /* raw = m / 2^shift */
    if (shift <= 0) {
        /* |raw| >= 2^61: far out of range */
        *status = AC_STATUS_RANGE;
        if (ovf == AC_OVERFLOW_WRAP) {
            uint64_t bits = (-shift >= 64) ? 0u : (uint64_t)a.m << (unsigned)(-shift);
            return ac_q16__from_bits((uint32_t)(bits & 0xFFFFFFFFu));
        }
        return a.m > 0 ? AC_Q16_MAX : AC_Q16_MIN;
    }
    if (shift > 62) {
        /* |raw| < 2^-1: nearest gives 0 (never a tie), floor gives 0 or -1 */
        return rnd == AC_ROUND_FLOOR && a.m < 0 ? -1 : 0;
    }
    return ac_q16_narrow(a.m, (unsigned)shift, rnd, ovf, status);
}

#endif /* ATTNCORE_Q16_XF_H */
