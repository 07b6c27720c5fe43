/*
 * Q16.16 softmax (see attncore/q16_softmax.h for the contract and its error
 * bound).  Integer only, and cheap on 32-bit cores: the per-element work is
 * a handful of 32 x 32 -> 64 multiplies.
 */
#include <stdbool.h>

#include "attncore/q16_softmax.h"
#include "q16_exp_neg.h"
#include "q16_policy.h"

/* e = exp(-d / 2^16) in Q0.40 rounded to nearest, for 0 <= d < 2^32.
 * Three table entries A, B, C (each within 1/2 unit of 2^63 exp(-x)) give
 *   p = A B / 2^64 in Q0.62, from the three partial products that matter
 *       (the dropped low product and two floors lose less than 3 units; the
 *       entries' rounding adds 1/2), so p is within 3.5 units of 2^-62;
 *   q = p C / 2^64 in Q0.61 likewise, within 5 units of 2^-61 < 2^-58;
 * so before its final rounding e is within 2^-58 of exp(-d), and after it
 * within 2^-41 + 2^-58.  At d = 0 every step is exact: e = 2^40.  Only
 * 32 x 32 -> 64 multiplies: cheap on any 32-bit core. */
static inline uint64_t exp_neg_q40(uint32_t d)
{
    if (d >= (uint32_t)31 << 16) {
        return 0; /* exp(-31) < 2^-44: rounds to 0 */
    }
    uint64_t a = AC_Q16_TABLE_U64(ac_q16__exp_neg_int, d >> 16);
    uint64_t b = AC_Q16_TABLE_U64(ac_q16__exp_neg_hi, (d >> 8) & 255u);
    uint64_t c = AC_Q16_TABLE_U64(ac_q16__exp_neg_lo, d & 255u);
    uint32_t ah = (uint32_t)(a >> 32), al = (uint32_t)a, bh = (uint32_t)(b >> 32),
             bl = (uint32_t)b;
    uint64_t p = (uint64_t)ah * bh + ((((uint64_t)ah * bl) >> 32) + (((uint64_t)al * bh) >> 32));
    uint32_t ph = (uint32_t)(p >> 32), pl = (uint32_t)p, ch = (uint32_t)(c >> 32),
             cl = (uint32_t)c;
    /* the rounding bias rides along with the low partial products */
    uint64_t low = (((uint64_t)ph * cl) >> 32) + (((uint64_t)pl * ch) >> 32) + ((uint64_t)1 << 20);
    return ((uint64_t)ph * ch + low) >> 21;
}

/* round(e 2^16 / S), exactly, for e <= 2^40 (so the quotient Qt is at most
 * 2^16) and a row sum 2^40 <= S <= 2^63.
 *
 * The row has one reciprocal, inv = floor((2^64 - 1) / (floor(S / 2^8) + 1))
 * < 2^32 (about 2^72 / S).  F = floor(e / 2^9) inv, taken as Q = F / 2^47,
 * is never above Qt (every step rounds down) and below it by less than
 * 2^-15 (from S) + 2^-16 (e / 2^9) + 2^-15 (inv) < 2^-13.  So when the
 * fraction of Q (floor) or of Q + 1/2 (nearest) is at least 2^-13 and below
 * 1 - 2^-13, Qt lies in the same unit and is no tie: the result is the
 * integer part, read from the 13 bits below it.  Otherwise -- about one
 * quotient in 4,000 -- divide_exact decides with the exact remainder.  No
 * variable shift: e <= 2^40 in every row. */
static uint32_t divide_exact(uint64_t e, uint64_t sum, uint32_t q, const bool nearest)
{
    uint64_t r = (e << 16) - q * sum; /* q is floor(Qt) or one below */
    if (r >= sum) {
        q += 1;
        r -= sum;
    }
    if (nearest) {
        uint64_t twice = r << 1; /* r < S <= 2^63 */
        q += twice > sum || (twice == sum && (q & 1u)) ? 1u : 0u;
    }
    return q;
}

static inline uint32_t divide(uint64_t e, uint64_t sum, uint32_t inv, const bool nearest)
{
    uint32_t f = (uint32_t)(((uint64_t)(uint32_t)(e >> 9) * inv) >> 32); /* F / 2^32 */
    uint32_t g = nearest ? f + ((uint32_t)1 << 14) : f; /* + 1/2 of a unit (2^46 of F) */
    uint32_t below = ((g >> 2) + 1u) & 0x1FFFu; /* the 13 bits below the unit, plus one */
    if (below < 2u) {
        return divide_exact(e, sum, f >> 15, nearest);
    }
    return g >> 15;
}

/* exp_neg_q40 as a call, for the second evaluation when there is no work
 * buffer: the RAM-saving mode keeps one copy of its code. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static uint64_t exp_neg_q40_again(uint32_t d)
{
    return exp_neg_q40(d);
}

#if defined(__GNUC__)
#define AC__ROW_BODY static inline __attribute__((always_inline))
#else
#define AC__ROW_BODY static inline
#endif

/* The loops below walk with pointers that step by the strides only
 * between two elements (`if (++j == n) break;` comes first), so no pointer
 * ever leaves its array; n >= 1 there. */

/* The divisions of the third pass, with the rounding mode fixed. */
AC__ROW_BODY void divide_row(size_t n, const ac_q16 *xp, ptrdiff_t sx, const unsigned char *mp,
                             ptrdiff_t sm, ac_q16 *op, ptrdiff_t so, const uint64_t *work,
                             uint32_t top, uint64_t sum, const bool masked, const bool nearest)
{
    const uint32_t inv = (uint32_t)(UINT64_MAX / ((sum >> 8) + 1u)); /* < 2^32: sum >= 2^40 */
    for (size_t j = 0;;) {
        uint32_t q = 0;
        if (!masked || *mp) {
            q = divide(work != NULL ? work[j] : exp_neg_q40_again(top - (uint32_t)*xp), sum, inv,
                       nearest);
        }
        *op = (ac_q16)q;
        if (++j == n) {
            break;
        }
        xp += sx;
        op += so;
        if (masked) {
            mp += sm;
        }
    }
}

/* The three passes over a row: the maximum, the exponentials and their
 * exact sum, the divisions.  Inlined twice, with and without a mask, so the
 * loops of the common unmasked row test nothing per element but the data. */
AC__ROW_BODY ac_status softmax_row(size_t n, const ac_q16 *x, ptrdiff_t sx,
                                   const unsigned char *mask, ptrdiff_t sm, ac_q16 *out,
                                   ptrdiff_t so, ac_rounding rnd, uint64_t *work,
                                   const bool masked)
{
    if (n == 0) {
        return AC_OK;
    }
    size_t kept = masked ? 0 : n;
    ac_q16 max = AC_Q16_MIN;
    const ac_q16 *xp = x;
    const unsigned char *mp = mask;
    for (size_t j = 0;;) {
        if (!masked || *mp) {
            max = *xp > max ? *xp : max;
            kept += masked;
        }
        if (++j == n) {
            break;
        }
        xp += sx;
        if (masked) {
            mp += sm;
        }
    }
#if SIZE_MAX > 0x7FFFFFu /* only where a row can be longer than 2^23 */
    if (kept > AC_Q16_SOFTMAX_MAX_ROW) {
        return AC_STATUS_TOO_LONG;
    }
#endif
    if (kept == 0) {
        ac_q16 *op = out;
        for (size_t j = 0;;) {
            *op = 0;
            if (++j == n) {
                break;
            }
            op += so;
        }
        return AC_OK;
    }
    /* max - x_j in [0, 2^32) is the difference of the two values' bits
     * modulo 2^32 */
    const uint32_t top = (uint32_t)max;
    uint64_t sum = 0; /* exact: kept * 2^40 <= 2^63 */
    xp = x;
    mp = mask;
    for (size_t j = 0;;) {
        if (!masked || *mp) {
            uint64_t e = exp_neg_q40(top - (uint32_t)*xp);
            if (work != NULL) {
                work[j] = e;
            }
            sum += e;
        }
        if (++j == n) {
            break;
        }
        xp += sx;
        if (masked) {
            mp += sm;
        }
    }
    if (work == NULL) {
        /* the RAM-saving mode: each exponential again, through one call */
        divide_row(n, x, sx, mask, sm, out, so, NULL, top, sum, masked,
                   rnd == AC_ROUND_NEAREST_EVEN);
    } else if (rnd == AC_ROUND_NEAREST_EVEN) {
        divide_row(n, x, sx, mask, sm, out, so, work, top, sum, masked, true);
    } else {
        divide_row(n, x, sx, mask, sm, out, so, work, top, sum, masked, false);
    }
    return AC_OK;
}

ac_status ac_q16_softmax_row(size_t n, const ac_q16 *x, ptrdiff_t sx,
                             const unsigned char *mask, ptrdiff_t sm,
                             ac_q16 *out, ptrdiff_t so, ac_rounding rnd, uint64_t *work)
{
    if (!ac_q16__rounding_ok(rnd)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    return mask != NULL ? softmax_row(n, x, sx, mask, sm, out, so, rnd, work, true)
                        : softmax_row(n, x, sx, NULL, 0, out, so, rnd, work, false);
}
