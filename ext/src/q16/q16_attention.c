/*
 * Q16.16 scaled dot-product attention (see attncore/q16_attention.h).
 * Integer only: exact dot products and score differences, exp in Q0.62,
 * exact sums, one rounded division per output.
 */
#include "attncore/config.h"
#include "attncore/q16_attention.h"
#include "q16_wide.h"
#include "q16_policy.h"
#include "q16_exp_neg.h"

/* ---- unsigned two-word division with a small quotient ---------------------
 *
 * Numerators below 2^117 and denominators in [2^62, 2^86) whose quotient is
 * below 2^32: the outputs (|quotient| <= 2^31, a mean of int32 values) and
 * the weights (quotient <= 2^16). */

static int wide_ge(ac_q16__wide a, ac_q16__wide b) /* a >= b, both < 2^127 */
{
    return a.hi != b.hi ? a.hi > b.hi : a.lo >= b.lo;
}

static ac_q16__wide wide_sub(ac_q16__wide a, ac_q16__wide b)
{
    return ac_q16__wide_add(a, ac_q16__wide_neg(b));
}

/* floor(n / d) and n mod d for 0 <= n, 0 < d, n / d < 2^32. */
static uint64_t divide_small(ac_q16__wide n, ac_q16__wide d, ac_q16__wide *rem)
{
#if AC_HAVE_INT128
    ac__u128 nn = ((ac__u128)n.hi << 64) | n.lo, dd = ((ac__u128)d.hi << 64) | d.lo;
    ac__u128 q = nn / dd, r = nn - q * dd;
    rem->lo = (uint64_t)r;
    rem->hi = (uint64_t)(r >> 64);
    return (uint64_t)q;
#else
    /* restoring division over the 32 quotient bits: d * 2^31 < 2^117 */
    uint64_t q = 0;
    ac_q16__wide t = ac_q16__wide_shl(d, 31);
    for (int bit = 31; bit >= 0; --bit) {
        if (wide_ge(n, t)) {
            n = wide_sub(n, t);
            q |= (uint64_t)1 << bit;
        }
        t.lo = (t.lo >> 1) | (t.hi << 63);
        t.hi >>= 1;
    }
    *rem = n;
    return q;
#endif
}

/* num / den (den > 0) rounded once under `rnd`; |num / den| <= 2^31 and the
 * rounded value lies between the int32 values num / den is a mean of, so
 * it fits. */
static ac_q16 divide_rounded(ac_q16__wide num, ac_q16__wide den, ac_rounding rnd)
{
    int negative = ac_q16__wide_is_negative(num);
    ac_q16__wide r;
    uint64_t q = divide_small(negative ? ac_q16__wide_neg(num) : num, den, &r);
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        ac_q16__wide other = wide_sub(den, r); /* the distance to the next integer */
        int above = !wide_ge(other, r), tie = r.lo == other.lo && r.hi == other.hi;
        q += (uint64_t)(above || (tie && (q & 1u)));
    } else if (negative && (r.lo | r.hi) != 0) {
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

/* sum_p q[p] k[p] exactly, in the two-word accumulator when it may leave
 * int64. */
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

/* sum_j e_j v[j, c] is formed from e_j split in three 21-bit limbs, so each
 * product with an int32 is below 2^52 and 2^10 keys of them stay below
 * 2^62 in an int64 block sum. */
#define AC__LIMB_BITS 21u
#define AC__LIMB_MASK (((uint64_t)1 << AC__LIMB_BITS) - 1u)
#define AC__NUM_BLOCK 1024u

/* part_c += e_c * v[c] for the three limbs of one key: every factor fits
 * int32, so the products are widening multiplies. */
AC_VECTOR_CLONES
static void accumulate_key(size_t ev, int32_t e0, int32_t e1, int32_t e2, const ac_q16 *v_row,
                           ptrdiff_t sv_col, int64_t *part0, int64_t *part1, int64_t *part2)
{
    if (sv_col == 1) {
        for (size_t c = 0; c < ev; ++c) {
            part0[c] += (int64_t)e0 * v_row[c];
            part1[c] += (int64_t)e1 * v_row[c];
            part2[c] += (int64_t)e2 * v_row[c];
        }
        return;
    }
    for (size_t c = 0; c < ev; ++c) {
        int64_t x = v_row[(ptrdiff_t)c * sv_col];
        part0[c] += e0 * x;
        part1[c] += e1 * x;
        part2[c] += e2 * x;
    }
}

/* total[c] = sum_j e[j] v[j, c] exactly (two words per column: |total| <
 * 2^23 * 2^62 * 2^31 = 2^116). */
static void weighted_sum(size_t s, size_t ev, const uint64_t *e, const ac_q16 *v,
                         ptrdiff_t sv_row, ptrdiff_t sv_col, int64_t *parts,
                         ac_q16__wide *total)
{
    int64_t *part0 = parts, *part1 = parts + ev, *part2 = parts + 2 * ev;
    for (size_t c = 0; c < ev; ++c) {
        total[c].lo = 0;
        total[c].hi = 0;
    }
    for (size_t j0 = 0; j0 < s; j0 += AC__NUM_BLOCK) {
        size_t j1 = s - j0 < AC__NUM_BLOCK ? s : j0 + AC__NUM_BLOCK;
        for (size_t c = 0; c < 3 * ev; ++c) {
            parts[c] = 0;
        }
        for (size_t j = j0; j < j1; ++j) {
            if (e[j] != 0) {
                accumulate_key(ev, (int32_t)(e[j] & AC__LIMB_MASK),
                               (int32_t)((e[j] >> AC__LIMB_BITS) & AC__LIMB_MASK),
                               (int32_t)(e[j] >> (2u * AC__LIMB_BITS)),
                               v + (ptrdiff_t)j * sv_row, sv_col, part0, part1, part2);
            }
        }
        for (size_t c = 0; c < ev; ++c) {
            ac_q16__wide sum = ac_q16__wide_shl(ac_q16__wide_from_s64(part2[c]), AC__LIMB_BITS);
            ac_q16__wide_acc(&sum, part1[c]);
            sum = ac_q16__wide_shl(sum, AC__LIMB_BITS);
            ac_q16__wide_acc(&sum, part0[c]);
            total[c] = ac_q16__wide_add(total[c], sum);
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
    if (!ac_q16__rounding_ok(rnd)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    /* work: 2 s words of keys (the signed score dot_j as two words, then,
     * written over them in order, e_j at word j: word j belongs to key
     * j / 2, already read), then 3 ev int64 block sums and ev two-word
     * totals */
    uint64_t *keys = work;
    int64_t *parts = (int64_t *)(work + 2 * s);
    ac_q16__wide *total = (ac_q16__wide *)(work + 2 * s + 3 * ev);

    uint64_t bound_q = ac_q16__max_magnitude(l, e, q, sq_row, sq_col);
    uint64_t bound_k = ac_q16__max_magnitude(s, e, k, sk_row, sk_col);
    /* |dot| and |dot_a - dot_b| stay below 2^63 when e * max|q| * max|k| < 2^62 */
    int fits_int64 = bound_q == 0 || bound_k == 0
                     || (uint64_t)e <= (((uint64_t)1 << 62) - 1) / (bound_q * bound_k);
    uint64_t abs_scale = scale < 0 ? (uint64_t)0 - (uint64_t)(int64_t)scale : (uint64_t)scale;
    /* score differences in units of 2^-48 are abs_scale * (best - dot);
     * above `limit` that is beyond 43 * 2^48, where e_j = 0 */
    uint64_t limit = abs_scale ? ((uint64_t)43 << 48) / abs_scale : 0;

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
            if (scale < 0) {
                d = ac_q16__wide_neg(d);
            }
            keys[2 * j] = d.lo;
            keys[2 * j + 1] = d.hi;
            if (n_kept == 0 || ac_q16__wide_less(best, d)) {
                best = d;
            }
            n_kept += 1;
        }
#if SIZE_MAX > 0x7FFFFFu
        if (n_kept > AC_Q16_ATTENTION_MAX_KEYS) {
            return AC_STATUS_TOO_LONG;
        }
#endif
        ac_q16__wide den = {0, 0}; /* sum of e_j <= 2^23 * 2^62 */
        for (size_t j = 0; j < s; ++j) {
            uint64_t ej = 0;
            if (kept(masks, r, j, width)) {
                ac_q16__wide d = {keys[2 * j], keys[2 * j + 1]};
                ac_q16__wide diff = wide_sub(best, d); /* >= 0, exact */
                if (abs_scale == 0) {
                    ej = ac_q16__exp_neg_q62(0); /* every score is 0 */
                } else if (diff.hi == 0 && diff.lo <= limit) {
                    ej = ac_q16__exp_neg_q62(diff.lo * abs_scale); /* <= 43 * 2^48 */
                }
            }
            keys[j] = ej;
            ac_q16__wide_acc(&den, (int64_t)ej);
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
        weighted_sum(s, ev, keys, v, sv_row, sv_col, parts, total);
        for (size_t c = 0; c < ev; ++c) {
            out_row[(ptrdiff_t)c * so_col] = divide_rounded(total[c], den, rnd);
        }
        for (size_t j = 0; w_row != NULL && j < s; ++j) {
            ac_q16__wide num = {keys[j] << 16, keys[j] >> 48};
            w_row[(ptrdiff_t)j * sw_col] = keys[j] ? divide_rounded(num, den, rnd) : 0;
        }
    }
    return AC_OK;
}
