/*
 * attncore/q16_wide.h -- wide unsigned helpers shared by Q16.16 kernels
 * that carry intermediate results above 64 bits (exp, softmax, solves).
 *
 * Portable C99 with 32-bit limbs; where the compiler has unsigned __int128
 * it is used as a fast path (define AC_NO_INT128 to force the portable
 * code, as the C tests do, so both paths stay tested).
 */
#ifndef ATTNCORE_Q16_WIDE_H
#define ATTNCORE_Q16_WIDE_H

#include <stdint.h>

#include "attncore/q16.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__SIZEOF_INT128__) && !defined(AC_NO_INT128)
#define AC_HAVE_INT128 1
__extension__ typedef unsigned __int128 ac__u128;
#else
#define AC_HAVE_INT128 0
#endif

/* The full 128-bit product a * b as (hi, lo). */
static inline void ac_q16__mul_u64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
#if AC_HAVE_INT128
    ac__u128 p = (ac__u128)a * b;
    *hi = (uint64_t)(p >> 64);
    *lo = (uint64_t)p;
#else
    const uint64_t m32 = 0xFFFFFFFFu;
    uint64_t a0 = a & m32, a1 = a >> 32, b0 = b & m32, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & m32) + (p10 & m32);
    *lo = (mid << 32) | (p00 & m32);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

/* floor(a * b / 2^62) for a, b < 2^63 (the product of two Q1.62 numbers). */
static inline uint64_t ac_q16__mul_q62(uint64_t a, uint64_t b)
{
    uint64_t hi, lo;
    ac_q16__mul_u64(a, b, &hi, &lo);
    return (hi << 2) | (lo >> 62);
}

/* Round the unsigned value m / 2^shift once (1 <= shift <= 63). */
static inline uint64_t ac_q16__round_shift_u64(uint64_t m, unsigned shift, ac_rounding rnd)
{
    uint64_t q = m >> shift;
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        uint64_t half = (uint64_t)1 << (shift - 1u);
        uint64_t rem = m & (((uint64_t)1 << shift) - 1u);
        if (rem > half || (rem == half && (q & 1u))) {
            q += 1;
        }
    }
    return q;
}

/* exp(a / 2^16) = m * 2^(e - 62) with m in [2^62, 2^63), for raw a in
 * (-(32 << 16), 32 << 16).  m carries 62 fractional bits; its error is below
 * 4 units of 2^-62 relative (range reduction by a 62-bit ln 2, then a
 * degree-20 Horner evaluation on [0, ln 2) with truncating products). */
void ac_q16__exp_m62(ac_q16 a, uint64_t *m, int *e);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_Q16_WIDE_H */
