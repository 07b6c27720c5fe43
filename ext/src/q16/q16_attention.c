/*
 * Q16.16 scaled dot-product attention (see attncore/q16_attention.h).
 * Integer only: exact dot products, one internal rounding of each score
 * difference, exact sums, one rounded division per output.
 */
#include "attncore/config.h"
#include "attncore/q16_attention.h"
#include "q16_wide.h"
#include "q16_exp_neg.h"

/* floor(m / den) and the remainder, for m >= 0 with a quotient below 2^63
 * and 0 < den <= 2^63. */
static uint64_t divide(ac_q16__wide m, uint64_t den, uint64_t *rem)
{
#if AC_HAVE_INT128
    ac__u128 n = ((ac__u128)m.hi << 64) | m.lo;
    *rem = (uint64_t)(n % den);
    return (uint64_t)(n / den);
#else
    uint64_t q = 0, r = 0;
    int top = 127;
    while (top >= 0 && !((top >= 64 ? m.hi >> (top - 64) : m.lo >> top) & 1u)) {
        --top;
    }
    for (int bit = top; bit >= 0; --bit) {
        uint64_t next = bit >= 64 ? (m.hi >> (bit - 64)) & 1u : (m.lo >> bit) & 1u;
        r = (r << 1) | next; /* r < den <= 2^63: no carry out */
        q <<= 1;
        if (r >= den) {
            r -= den;
            q |= 1u;
        }
    }
    *rem = r;
    return q;
#endif
}

/* num / den rounded once under `rnd`; the caller knows it fits int32. */
static ac_q16 divide_rounded(ac_q16__wide num, uint64_t den, ac_rounding rnd)
{
    int negative = ac_q16__wide_is_negative(num);
    uint64_t r;
    uint64_t q = divide(negative ? ac_q16__wide_neg(num) : num, den, &r);
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        if (r > den - r || (r == den - r && (q & 1u))) {
            q += 1;
        }
    } else if (negative && r != 0) {
        q += 1; /* floor of a negative quotient rounds its magnitude up */
    }
    return negative ? (ac_q16)(-(int64_t)q) : (ac_q16)q;
}

static int kept(const ac_attention_masks *masks, size_t r, size_t j, size_t width)
{
    return j < width
           && (masks->keep == NULL
               || masks->keep[(ptrdiff_t)r * masks->keep_row + (ptrdiff_t)j * masks->keep_col]);
}

/* sum_p q[p] k[p] in int64, for callers that proved it fits; unit strides
 * get their own loop, which vectorizes (a widening 32 x 32 -> 64 multiply). */
AC_VECTOR_CLONES
static int64_t dot_int64(size_t e, const ac_q16 *q, ptrdiff_t sq, const ac_q16 *k, ptrdiff_t sk)
{
    int64_t acc = 0;
    if (sq == 1 && sk == 1) {
        for (size_t p = 0; p < e; ++p) {
            acc += (int64_t)q[p] * k[p];
        }
        return acc;
    }
    for (size_t p = 0; p < e; ++p) {
        acc += (int64_t)q[(ptrdiff_t)p * sq] * k[(ptrdiff_t)p * sk];
    }
    return acc;
}

/* sum_p q[p] k[p] exactly, in two words when it may leave int64. */
static ac_q16__wide dot(size_t e, const ac_q16 *q, ptrdiff_t sq, const ac_q16 *k, ptrdiff_t sk,
                int fits_int64)
{
    if (fits_int64) {
        return ac_q16__wide_from_s64(dot_int64(e, q, sq, k, sk));
    }
    ac_q16__wide acc = {0, 0};
    for (size_t p = 0; p < e; ++p) {
        ac_q16__wide_acc(&acc, (int64_t)q[(ptrdiff_t)p * sq] * k[(ptrdiff_t)p * sk]);
    }
    return acc;
}

/* Keys per int64 block of sum_j e_j v_j: e_j is split in two 20-bit halves,
 * so each product is below 2^51 and 2^11 of them stay below 2^62. */
#define AC__NUM_BLOCK 2048u

/* part_lo[c] += e_lo * v[c], part_hi[c] += e_hi * v[c] for one key: both
 * factors fit int32, so the products are widening multiplies. */
AC_VECTOR_CLONES
static void accumulate_key(size_t ev, int32_t e_lo, int32_t e_hi, const ac_q16 *v_row,
                           ptrdiff_t sv_col, int64_t *part_lo, int64_t *part_hi)
{
    if (sv_col == 1) {
        for (size_t c = 0; c < ev; ++c) {
            part_lo[c] += (int64_t)e_lo * v_row[c];
            part_hi[c] += (int64_t)e_hi * v_row[c];
        }
        return;
    }
    for (size_t c = 0; c < ev; ++c) {
        int64_t x = v_row[(ptrdiff_t)c * sv_col];
        part_lo[c] += e_lo * x;
        part_hi[c] += e_hi * x;
    }
}

/* total[c] = sum_j e[j] v[j, c] exactly (two words per column). */
static void weighted_sum(size_t s, size_t ev, const uint64_t *e, const ac_q16 *v,
                         ptrdiff_t sv_row, ptrdiff_t sv_col, int64_t *part_lo, int64_t *part_hi,
                         ac_q16__wide *total)
{
    for (size_t c = 0; c < ev; ++c) {
        total[c].lo = 0;
        total[c].hi = 0;
    }
    for (size_t j0 = 0; j0 < s; j0 += AC__NUM_BLOCK) {
        size_t j1 = s - j0 < AC__NUM_BLOCK ? s : j0 + AC__NUM_BLOCK;
        for (size_t c = 0; c < ev; ++c) {
            part_lo[c] = 0;
            part_hi[c] = 0;
        }
        for (size_t j = j0; j < j1; ++j) {
            if (e[j] != 0) {
                accumulate_key(ev, (int32_t)(e[j] & 0xFFFFFu), (int32_t)(e[j] >> 20),
                               v + (ptrdiff_t)j * sv_row, sv_col, part_lo, part_hi);
            }
        }
        for (size_t c = 0; c < ev; ++c) {
            ac_q16__wide hi = ac_q16__wide_shl(ac_q16__wide_from_s64(part_hi[c]), 20);
            ac_q16__wide_acc(&hi, part_lo[c]);
            total[c] = ac_q16__wide_add(total[c], hi);
        }
    }
}

ac_status ac_q16_attention(size_t l, size_t s, size_t e, size_t ev,
                           const ac_q16 *q, ptrdiff_t sq_row, ptrdiff_t sq_col,
                           const ac_q16 *k, ptrdiff_t sk_row, ptrdiff_t sk_col,
                           const ac_q16 *v, ptrdiff_t sv_row, ptrdiff_t sv_col,
                           const ac_attention_masks *masks, ac_q16 scale,
                           ac_q16 *out, ptrdiff_t so_row, ptrdiff_t so_col,
                           ac_q16 *weights, ptrdiff_t sw_row, ptrdiff_t sw_col,
                           ac_rounding rnd, uint64_t *work)
{
    if (!ac_q16__valid_rounding(rnd)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    ac_q16__wide *sdot = (ac_q16__wide *)work;            /* s entries: sign(scale) * dot */
    uint64_t *ex = work + 2 * s;                          /* s entries: e_j in Q0.40 */
    int64_t *part_lo = (int64_t *)(ex + s);               /* ev */
    int64_t *part_hi = part_lo + ev;                      /* ev */
    ac_q16__wide *total = (ac_q16__wide *)(part_hi + ev); /* ev */

    uint64_t bound_q = ac_q16__max_magnitude(l, e, q, sq_row, sq_col);
    uint64_t bound_k = ac_q16__max_magnitude(s, e, k, sk_row, sk_col);
    /* |dot| and |dot_a - dot_b| stay below 2^63 when e * max|q| * max|k| < 2^62 */
    int fits_int64 = bound_q == 0 || bound_k == 0
                     || (uint64_t)e <= (((uint64_t)1 << 62) - 1) / (bound_q * bound_k);
    uint64_t abs_scale = scale < 0 ? (uint64_t)(-(int64_t)scale) : (uint64_t)scale;
    /* differences above `limit` give scaled differences >= 64 (exp < 2^-92),
     * and limit * abs_scale < 2^54 + 2^31 keeps the product in uint64 */
    uint64_t limit = abs_scale ? (((uint64_t)1 << 54) + abs_scale - 1u) / abs_scale : 0;

    for (size_t r = 0; r < l; ++r) {
        size_t width = ac_attention_causal_width(masks, r, s);
        const ac_q16 *q_row = q + (ptrdiff_t)r * sq_row;
        size_t n_kept = 0;
        ac_q16__wide best = {0, 0};
        for (size_t j = 0; j < s; ++j) {
            if (!kept(masks, r, j, width)) {
                continue;
            }
            ac_q16__wide d = dot(e, q_row, sq_col, k + (ptrdiff_t)j * sk_row, sk_col, fits_int64);
            sdot[j] = scale < 0 ? ac_q16__wide_neg(d) : d;
            if (n_kept == 0 || ac_q16__wide_less(best, sdot[j])) {
                best = sdot[j];
            }
            n_kept += 1;
        }
        if (n_kept > AC_Q16_ATTENTION_MAX_KEYS) {
            return AC_STATUS_TOO_LONG;
        }
        uint64_t den = 0; /* exact: n_kept * 2^40 <= 2^63 */
        for (size_t j = 0; j < s; ++j) {
            ex[j] = 0;
            if (!kept(masks, r, j, width)) {
                continue;
            }
            ac_q16__wide diff = ac_q16__wide_add(best, ac_q16__wide_neg(sdot[j])); /* >= 0 */
            uint64_t units = diff.hi != 0 || diff.lo > limit ? limit : diff.lo;
            /* rounding point 1: the scaled difference, in units of 2^-32 */
            uint64_t d = abs_scale ? ac_q16__round_shift_u64(units * abs_scale, 16,
                                                             AC_ROUND_NEAREST_EVEN)
                                   : 0;
            ex[j] = ac_q16__exp_neg_q40(d);
            den += ex[j];
        }
        ac_q16 *out_row = out + (ptrdiff_t)r * so_row;
        ac_q16 *w_row = weights ? weights + (ptrdiff_t)r * sw_row : NULL;
        if (n_kept == 0) {
            for (size_t c = 0; c < ev; ++c) {
                out_row[(ptrdiff_t)c * so_col] = 0;
            }
            for (size_t j = 0; w_row != NULL && j < s; ++j) {
                w_row[(ptrdiff_t)j * sw_col] = 0;
            }
            continue;
        }
        weighted_sum(s, ev, ex, v, sv_row, sv_col, part_lo, part_hi, total);
        for (size_t c = 0; c < ev; ++c) {
            out_row[(ptrdiff_t)c * so_col] = divide_rounded(total[c], den, rnd);
        }
        for (size_t j = 0; w_row != NULL && j < s; ++j) {
            ac_q16__wide num = {ex[j] << 16, 0};
            w_row[(ptrdiff_t)j * sw_col] = ex[j] ? divide_rounded(num, den, rnd) : 0;
        }
    }
    return AC_OK;
}
