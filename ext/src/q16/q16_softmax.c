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

/* round(e 2^16 / S) from the exact remainder, for e <= 2^40 (so the
 * quotient Qt is at most 2^16), a row sum 2^40 <= S <= 2^63, and q =
 * floor(Qt) or one below (divide_row's estimate).  No variable shift. */
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

/* The row has one reciprocal, inv = floor((2^64 - 1) / (floor(S / 2^8) + 1))
 * < 2^32 (about 2^72 / S).  F = floor(e / 2^9) inv, taken as Q = F / 2^47,
 * is never above Qt = e 2^16 / S (every step rounds down) and below it by
 * less than 2^-15 (from S) + 2^-16 (e / 2^9) + 2^-15 (inv) < 2^-13.  So when
 * the fraction of Q (floor) or of Q + 1/2 (nearest) is at least 2^-13 and
 * below 1 - 2^-13, Qt lies in the same unit and is no tie: the result is
 * the integer part, read from the 13 bits below it, and this returns true.
 * Otherwise -- about one quotient in 4,000 -- it returns false with
 * floor(Q) in *q, for divide_exact to decide with the exact remainder.
 * Only floor(e / 2^9) <= 2^31 is read. */
static inline bool divide_estimate(uint32_t e9, uint32_t inv, const bool nearest, uint32_t *q)
{
    uint32_t f = (uint32_t)(((uint64_t)e9 * inv) >> 32); /* F / 2^32 */
    uint32_t g = nearest ? f + ((uint32_t)1 << 14) : f;  /* + 1/2 unit (2^46 of F) */
    if ((((g >> 2) + 1u) & 0x1FFFu) < 2u) {             /* the 13 bits below, plus one */
        *q = f >> 15;
        return false;
    }
    *q = g >> 15;
    return true;
}

/* round(e 2^16 / S) for the row of reciprocal inv: the two steps above, as
 * the division pass takes them. */
static inline uint32_t divide(uint64_t e, uint64_t sum, uint32_t inv, const bool nearest)
{
    uint32_t q;
    return divide_estimate((uint32_t)(e >> 9), inv, nearest, &q) ? q
                                                                  : divide_exact(e, sum, q, nearest);
}

/* exp_neg_q40 as a call, for the evaluations of the division pass (the
 * rare exact quotient, or every element when `out` is `x`): one copy of its
 * code serves them. */
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

/* Where the division pass finds e_j: as floor(e_j / 2^9) in `out` itself,
 * the only bits the quotient usually needs, with e_j evaluated again for
 * the rare exact quotient (every row but an in-place one); in `work`, all
 * 64 bits (in place, with a work buffer); or nowhere, evaluated again (in
 * place, no work buffer). */
enum { E_IN_WORK, E_IN_OUT, E_AGAIN };

/* The divisions of the third pass, with the rounding mode fixed. */
AC__ROW_BODY void divide_row(size_t n, const ac_q16 *xp, ptrdiff_t sx, const unsigned char *mp,
                             ptrdiff_t sm, ac_q16 *op, ptrdiff_t so, const uint64_t *work,
                             int source, uint32_t top, uint64_t sum, const bool masked,
                             const bool nearest)
{
    const uint32_t inv = (uint32_t)(UINT64_MAX / ((sum >> 8) + 1u)); /* < 2^32: sum >= 2^40 */
    for (size_t j = 0;;) {
        uint32_t q = 0;
        if (!masked || *mp) {
            if (source != E_IN_OUT) {
                q = divide(source == E_IN_WORK ? work[j] : exp_neg_q40_again(top - (uint32_t)*xp),
                           sum, inv, nearest);
            } else if (!divide_estimate((uint32_t)*op, inv, nearest, &q)) {
                /* the rare quotient that needs e_j's every bit: evaluate it again */
                q = divide_exact(exp_neg_q40_again(top - (uint32_t)*xp), sum, q, nearest);
            }
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

/* The exponentials and their exact sum, with each e_j kept where `source`
 * says, then the divisions.  Inlined with `source` and `nearest` constant
 * for the common row, so its loops test nothing per element but the data. */
AC__ROW_BODY void finish_row(size_t n, const ac_q16 *x, ptrdiff_t sx, const unsigned char *mask,
                             ptrdiff_t sm, ac_q16 *out, ptrdiff_t so, uint64_t *work,
                             int source, uint32_t top, bool nearest, const bool masked)
{
    uint64_t sum = 0; /* exact: kept * 2^40 <= 2^63 */
    const ac_q16 *xp = x;
    const unsigned char *mp = mask;
    ac_q16 *op = out;
    for (size_t j = 0;;) {
        if (!masked || *mp) {
            /* inlined for the common row only: the in-place rows share a call */
            uint64_t e = source == E_IN_OUT ? exp_neg_q40(top - (uint32_t)*xp)
                                            : exp_neg_q40_again(top - (uint32_t)*xp);
            if (source == E_IN_OUT) {
                *op = ac_q16__from_bits((uint32_t)(e >> 9));
            } else if (source == E_IN_WORK) {
                work[j] = e;
            }
            sum += e;
        }
        if (++j == n) {
            break;
        }
        xp += sx;
        op += so;
        if (masked) {
            mp += sm;
        }
    }
    divide_row(n, x, sx, mask, sm, out, so, work, source, top, sum, masked, nearest);
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
    /* `out` can hold the row's e_j when its elements are the row's own:
     * not in place, and not one element for all (stride 0) */
    if ((const ac_q16 *)out != x && (so != 0 || n == 1)) {
        /* the common row, compiled once per rounding mode */
        if (rnd == AC_ROUND_NEAREST_EVEN) {
            finish_row(n, x, sx, mask, sm, out, so, NULL, E_IN_OUT, top, true, masked);
        } else {
            finish_row(n, x, sx, mask, sm, out, so, NULL, E_IN_OUT, top, false, masked);
        }
    } else {
        /* in place (or stride 0): the logits must survive until the divisions */
        finish_row(n, x, sx, mask, sm, out, so, work, work != NULL ? E_IN_WORK : E_AGAIN, top,
                   rnd == AC_ROUND_NEAREST_EVEN, masked);
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
