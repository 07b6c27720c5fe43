/*
 * attncore/q16.h -- Q16.16 fixed-point scalar arithmetic.
 *
 * A Q16.16 value is an int32_t raw integer r standing for the real r / 2^16.
 * Every function that narrows a wider exact result back to Q16.16 rounds it
 * exactly once (a "rounding point"): to nearest with ties to even, or to
 * floor (-inf) when the caller passes AC_ROUND_FLOOR, which is what a bare
 * arithmetic shift does in most firmware.
 *
 * Results that do not fit in int32 follow the caller's overflow policy:
 *   AC_OVERFLOW_SATURATE  clamp to AC_Q16_MIN / AC_Q16_MAX
 *   AC_OVERFLOW_RAISE     clamp as above and report AC_STATUS_RANGE so the
 *                         caller can raise; the core itself never aborts
 *   AC_OVERFLOW_WRAP      two's complement modulo 2^32 of the rounded result
 * Whatever the policy, the status out-parameter says that it happened, so a
 * caller can count saturations.  Status is written on every call.
 *
 * Portable C99: only 64-bit integers are needed.  Signed overflow never
 * happens (wrap goes through unsigned arithmetic), negative values are never
 * right-shifted or left-shifted, so the code has no undefined and no
 * implementation-defined behaviour.  No globals, no malloc, no libm.
 */
#ifndef ATTNCORE_Q16_H
#define ATTNCORE_Q16_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attncore/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t ac_q16;

#define AC_Q16_FRAC_BITS 16
#define AC_Q16_ONE ((ac_q16)0x00010000)
#define AC_Q16_MAX ((ac_q16)INT32_MAX)
#define AC_Q16_MIN ((ac_q16)INT32_MIN)
#define AC_Q16_EPS ((ac_q16)1)

/* ---- private helpers (second underscore) ------------------------------ */

/* int32 from the low 32 bits of u, without an implementation-defined cast. */
static inline ac_q16 ac_q16__from_bits(uint32_t u)
{
    return u <= (uint32_t)INT32_MAX ? (ac_q16)u : (ac_q16)(-(int32_t)(~u) - 1);
}

/* floor(x / 2^s) without right-shifting a negative number. */
static inline int64_t ac_q16__floor_shift(int64_t x, unsigned s)
{
    return x >= 0 ? x >> s : ~((~x) >> s);
}

/* Whether `rnd` and `ovf` are values of their enums: a caller may pass any
 * integer, and the public entry points answer AC_STATUS_BAD_ARGUMENT to an
 * unknown one instead of reading it as some other mode. */
static inline bool ac_q16__valid_rounding(ac_rounding rnd)
{
    return rnd == AC_ROUND_NEAREST_EVEN || rnd == AC_ROUND_FLOOR;
}

static inline bool ac_q16__valid_overflow(ac_overflow ovf)
{
    return ovf == AC_OVERFLOW_SATURATE || ovf == AC_OVERFLOW_RAISE || ovf == AC_OVERFLOW_WRAP;
}

/* ---- narrowing: the one place where results are fitted into int32 ----- */

/* Fit an exact (already rounded) integer into Q16.16 under `ovf`. */
static inline ac_q16 ac_q16_fit(int64_t v, ac_overflow ovf, ac_status *status)
{
    /* Written as selects, not branches, so loops over it vectorize; an
     * in-range v is its own two's-complement image. */
    bool above = v > (int64_t)AC_Q16_MAX, below = v < (int64_t)AC_Q16_MIN;
    *status = (above || below) ? AC_STATUS_RANGE : AC_OK;
    if (ovf == AC_OVERFLOW_WRAP) {
        return ac_q16__from_bits((uint32_t)((uint64_t)v & 0xFFFFFFFFu));
    }
    return above ? AC_Q16_MAX : (below ? AC_Q16_MIN : (ac_q16)v);
}

/* 1 when the floor quotient q (only its lowest bit is read) rounds up to
 * nearest-even, given the dropped bits rem and half, the weight of the
 * highest dropped bit: above half, or a tie with q odd.  The one rule every
 * narrowing of an exact integer uses. */
static inline uint64_t ac_q16__nearest_carry(uint64_t q, uint64_t rem, uint64_t half)
{
    return (uint64_t)((rem > half) | ((rem == half) & ((q & 1u) != 0)));
}

/* Round v / 2^shift once (1 <= shift <= 63, any int64 v) and fit it into
 * Q16.16.  The floor quotient and the dropped bits are taken apart without
 * arithmetic on v, and |floor quotient| <= 2^(63 - shift) leaves room for
 * the carry, so no input overflows (v near +-2^63 included). */
static inline ac_q16 ac_q16_narrow(int64_t v, unsigned shift, ac_rounding rnd,
                                   ac_overflow ovf, ac_status *status)
{
    int64_t q = ac_q16__floor_shift(v, shift);
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        uint64_t half = (uint64_t)1 << (shift - 1u);
        uint64_t rem = (uint64_t)v & ((half << 1) - 1u);
        q += (int64_t)ac_q16__nearest_carry((uint64_t)q, rem, half);
    }
    return ac_q16_fit(q, ovf, status);
}

/* ---- arithmetic ----------------------------------------------------------- */

/* a + b: exact in 64 bits, so the only event is range. */
static inline ac_q16 ac_q16_add(ac_q16 a, ac_q16 b, ac_overflow ovf, ac_status *status)
{
    return ac_q16_fit((int64_t)a + (int64_t)b, ovf, status);
}

static inline ac_q16 ac_q16_sub(ac_q16 a, ac_q16 b, ac_overflow ovf, ac_status *status)
{
    return ac_q16_fit((int64_t)a - (int64_t)b, ovf, status);
}

/* The integer x as Q16.16 (x * 2^16): exact, the only event is range. */
static inline ac_q16 ac_q16_from_int(int64_t x, ac_overflow ovf, ac_status *status)
{
    if (x > (int64_t)(AC_Q16_MAX >> AC_Q16_FRAC_BITS) || x < -((int64_t)1 << 15)) {
        *status = AC_STATUS_RANGE;
        if (ovf == AC_OVERFLOW_WRAP) {
            return ac_q16__from_bits((uint32_t)(((uint64_t)x << AC_Q16_FRAC_BITS) & 0xFFFFFFFFu));
        }
        return x > 0 ? AC_Q16_MAX : AC_Q16_MIN;
    }
    *status = AC_OK;
    return (ac_q16)(x * AC_Q16_ONE);
}

/* a * b: the 62-bit product is exact; one rounding point (>> 16). */
static inline ac_q16 ac_q16_mul(ac_q16 a, ac_q16 b, ac_rounding rnd, ac_overflow ovf,
                                ac_status *status)
{
    return ac_q16_narrow((int64_t)a * (int64_t)b, AC_Q16_FRAC_BITS, rnd, ovf, status);
}

/* a / b = (a * 2^16) / b, rounded once from the exact quotient and remainder.
 * b == 0 gives AC_STATUS_DIV_BY_ZERO and MAX, MIN or 0 by the sign of a
 * (under every policy: there is no two's-complement value to wrap to). */
ac_q16 ac_q16_div(ac_q16 a, ac_q16 b, ac_rounding rnd, ac_overflow ovf, ac_status *status);

/* sqrt(a) = isqrt(a * 2^16) rounded once; never out of range.  a < 0 gives
 * AC_STATUS_DOMAIN and 0.  Ties cannot occur (sqrt of an integer is never
 * an odd multiple of 1/2), so nearest is simply nearest. */
ac_q16 ac_q16_sqrt(ac_q16 a, ac_rounding rnd, ac_status *status);

/* exp(a), evaluated at 62 fractional bits and rounded once.  Inputs below
 * about -11.78 round to 0 (not an event); above about 10.397 the result
 * exceeds AC_Q16_MAX and saturates with AC_STATUS_RANGE (wrap is treated as
 * saturate: exp has no meaningful two's-complement image). */
ac_q16 ac_q16_exp(ac_q16 a, ac_rounding rnd, ac_overflow ovf, ac_status *status);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_Q16_H */
