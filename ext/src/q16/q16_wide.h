/*
 * Two-word integers for the Q16.16 kernels whose exact intermediates leave
 * 64 bits: unsigned 64 x 64 -> 128 products (exp, softmax, the working
 * format of the linear algebra), the bound that says when one word is
 * enough, and the one signed two-word accumulator of exact dot products
 * (matmul, attention, the rigid affine inverse).
 * Private to src/q16.
 *
 * Portable C99 with 32-bit limbs; where the compiler has unsigned __int128
 * it is used as a fast path (define AC_NO_INT128 to force the portable
 * code, as the C tests do, so both paths stay tested).
 */
#ifndef ATTNCORE_Q16_WIDE_H
#define ATTNCORE_Q16_WIDE_H

#include <stddef.h>
#include <stdint.h>

#include "attncore/q16.h"

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
        q += ac_q16__nearest_carry(q, m & ((half << 1) - 1u), half);
    }
    return q;
}

/* The int64 whose two's-complement bits are u (no implementation-defined
 * conversion of a value above INT64_MAX). */
static inline int64_t ac_q16__s64_from_bits(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

/* max |x| over a rows x cols block: the bound that decides whether a kernel's
 * exact sums fit int64 (unit column strides get a loop that vectorizes). */
static inline uint64_t ac_q16__max_magnitude(size_t rows, size_t cols, const ac_q16 *x,
                                             ptrdiff_t s_row, ptrdiff_t s_col)
{
    uint64_t best = 0;
    for (size_t i = 0; i < rows; ++i) {
        const ac_q16 *row = x + (ptrdiff_t)i * s_row;
        if (s_col == 1) {
            for (size_t j = 0; j < cols; ++j) {
                int64_t v = row[j];
                uint64_t mag = (uint64_t)(v < 0 ? -v : v);
                best = mag > best ? mag : best;
            }
            continue;
        }
        for (size_t j = 0; j < cols; ++j) {
            int64_t v = row[(ptrdiff_t)j * s_col];
            uint64_t mag = (uint64_t)(v < 0 ? -v : v);
            best = mag > best ? mag : best;
        }
    }
    return best;
}

/* ---- the signed two-word accumulator ------------------------------------
 *
 * value = hi * 2^64 + lo, hi read as two's complement.  Both words are
 * unsigned, so every step wraps instead of overflowing: exact as long as
 * the true value stays below 2^127 in magnitude (a sum of fewer than 2^65
 * products of two int32 needs only 2^127). */
typedef struct {
    uint64_t lo, hi;
} ac_q16__wide;

static inline ac_q16__wide ac_q16__wide_from_s64(int64_t x)
{
    ac_q16__wide w = {(uint64_t)x, x < 0 ? ~(uint64_t)0 : 0u};
    return w;
}

static inline ac_q16__wide ac_q16__wide_add(ac_q16__wide a, ac_q16__wide b)
{
    ac_q16__wide w;
    w.lo = a.lo + b.lo;
    w.hi = a.hi + b.hi + (w.lo < a.lo);
    return w;
}

/* s += x: the step of an exact dot product. */
static inline void ac_q16__wide_acc(ac_q16__wide *s, int64_t x)
{
    uint64_t lo = s->lo + (uint64_t)x;
    s->hi += (uint64_t)(lo < s->lo) + (x < 0 ? ~(uint64_t)0 : 0u);
    s->lo = lo;
}

static inline ac_q16__wide ac_q16__wide_neg(ac_q16__wide a)
{
    ac_q16__wide w;
    w.lo = ~a.lo + 1u;
    w.hi = ~a.hi + (w.lo == 0);
    return w;
}

static inline int ac_q16__wide_is_negative(ac_q16__wide a)
{
    return (a.hi >> 63) != 0;
}

/* a < b, signed */
static inline int ac_q16__wide_less(ac_q16__wide a, ac_q16__wide b)
{
    if (a.hi != b.hi) {
        return (a.hi ^ ((uint64_t)1 << 63)) < (b.hi ^ ((uint64_t)1 << 63));
    }
    return a.lo < b.lo;
}

/* a * 2^shift for 0 < shift < 64 */
static inline ac_q16__wide ac_q16__wide_shl(ac_q16__wide a, unsigned shift)
{
    ac_q16__wide w = {a.lo << shift, (a.hi << shift) | (a.lo >> (64u - shift))};
    return w;
}

/* hi * 2^32 + lo, the value of a sum kept as two int64 halves (the fixed-size
 * matmul kernels' split sums: |hi| < 2^62, lo < 2^63). */
static inline ac_q16__wide ac_q16__wide_from_split(int64_t hi, uint64_t lo)
{
    ac_q16__wide low = {lo, 0};
    return ac_q16__wide_add(ac_q16__wide_shl(ac_q16__wide_from_s64(hi), 32), low);
}

/* s / 2^16 rounded once and fitted into Q16.16: the narrowing of every
 * exact dot product in raw units squared (matmul, attention scores are not
 * narrowed, the rigid affine inverse).  Defined for every two-word value:
 * one that is an int64 goes through ac_q16_narrow (overflow-free for every
 * int64); any other has |s| >= 2^63, so |s / 2^16| >= 2^47 is out of range
 * whatever the rounding, and its wrapped image needs only bits 0..47. */
static inline ac_q16 ac_q16__wide_narrow(ac_q16__wide s, ac_rounding rnd, ac_overflow ovf,
                                         ac_status *status)
{
    uint64_t sign_fill = (uint64_t)0 - (s.lo >> 63); /* the high word of lo as an int64 */
    if (s.hi == sign_fill) {
        return ac_q16_narrow(ac_q16__s64_from_bits(s.lo), AC_Q16_FRAC_BITS, rnd, ovf, status);
    }
    *status = AC_STATUS_RANGE;
    if (ovf != AC_OVERFLOW_WRAP) {
        return ac_q16__wide_is_negative(s) ? AC_Q16_MIN : AC_Q16_MAX;
    }
    /* floor(s / 2^16) modulo 2^32 is bits 16..47 of s in two's complement */
    uint64_t q = s.lo >> AC_Q16_FRAC_BITS;
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        q += ac_q16__nearest_carry(q, s.lo & 0xFFFFu, 0x8000u);
    }
    return ac_q16__from_bits((uint32_t)(q & 0xFFFFFFFFu));
}

#endif /* ATTNCORE_Q16_WIDE_H */
