/*
 * fuzz_core.c -- a libFuzzer target for the C core (issue 17).
 *
 * Every input is decoded into one call of a public entry point -- the
 * Q16.16 elementwise loops and scalars, matmul (one and batched), softmax
 * rows, attention, the conversions, the Q16.16 and float linear algebra,
 * the float matmul, softmax and attention tiles -- with arbitrary small
 * shapes, arbitrary strides (negative, zero for inputs, gapped,
 * transposed), arbitrary values (every int32, every double bit pattern)
 * and arbitrary policies, including invalid ones: unknown rounding,
 * overflow and op enums, and a NULL tally.
 *
 * Every buffer is allocated at exactly the span its shape and strides
 * reach, so AddressSanitizer reports a read or write one element outside;
 * UndefinedBehaviorSanitizer reports overflow and bad shifts.  The
 * properties, checked by __builtin_trap():
 *   - a bad argument (an unknown enum) gives AC_STATUS_BAD_ARGUMENT and
 *     writes nothing;
 *   - add, sub, mul, div and matmul outputs equal an exact reference
 *     computed here in 128-bit integers (round once, nearest-even or
 *     floor, then saturate or wrap);
 *   - softmax and attention outputs of Q16.16 lie in [0, ONE] and
 *     between min v and max v, as their headers promise;
 *   - the Q16.16 linear algebra (attncore/q16_linalg.h): nothing written
 *     on SINGULAR, NOT_POSITIVE_DEFINITE or BAD_ARGUMENT;
 *     lu_solve(lu_factor(A)) and cho_solve(cho_factor(A)) give the
 *     status, bits and tally of solve(A); a pivoted factor of rank < n
 *     solves to SINGULAR; inv is singular exactly when solve is; work may
 *     be NULL on the n <= 4 exact paths; affine_inverse refuses a dim
 *     other than 3 or 4 and a bottom row other than [0 .. 0 ONE];
 *     lu_solve/cho_solve on hostile factor words (real factors with
 *     limbs overwritten, random words, a broken magic, n, W or flags)
 *     give BAD_ARGUMENT for every broken header and, for n <= 4, exactly
 *     when a limb exceeds the bounds of a true factor (|det| < 2^128,
 *     |adj| < 2^96), SINGULAR for det = 0, and never a sanitizer report.
 *
 * Known hazards that another change owns are not fed: the float
 * cho_solve with a perm that is not a permutation and the float
 * affine_inverse with dim other than 3 or 4.  FUZZ_KNOWN_HAZARDS=1 at
 * build time feeds them too.
 *
 * Build and run: see ext/fuzz/README.md (make -C ext fuzz).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attncore/attention_masks.h"
#include "attncore/convert.h"
#include "attncore/fp_attention.h"
#include "attncore/fp_linalg.h"
#include "attncore/fp_matmul.h"
#include "attncore/fp_softmax.h"
#include "attncore/q16.h"
#include "attncore/q16_attention.h"
#include "attncore/q16_elementwise.h"
#include "attncore/q16_linalg.h"
#include "attncore/q16_matmul.h"
#include "attncore/q16_softmax.h"

#ifndef FUZZ_KNOWN_HAZARDS
#define FUZZ_KNOWN_HAZARDS 0
#endif

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* ---- decoding the input ---------------------------------------------------- */

typedef struct {
    const uint8_t *p;
    size_t n;
} Src;

static uint8_t u8(Src *s)
{
    uint8_t v = 0;
    if (s->n) {
        v = *s->p++;
        s->n--;
    }
    return v;
}

static uint32_t u32(Src *s)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        v = (v << 8) | u8(s);
    }
    return v;
}

static uint64_t u64(Src *s)
{
    return ((uint64_t)u32(s) << 32) | u32(s);
}

/* Mostly small, edge values often: raw int32 values for Q16.16. */
static int32_t q16v(Src *s)
{
    uint8_t kind = u8(s);
    uint32_t bits = u32(s);
    switch (kind % 8) {
    case 0: return INT32_MAX;
    case 1: return INT32_MIN;
    case 2: return (int32_t)(bits % 65536u) - 32768; /* below one */
    case 3: return (int32_t)((bits % 17u) << 16) - (8 << 16); /* small integers */
    default: return (int32_t)bits;
    }
}

static double f64v(Src *s)
{
    uint8_t kind = u8(s);
    uint64_t bits = u64(s);
    double d;
    switch (kind % 8) {
    case 0: return NAN;
    case 1: return (kind & 8) ? INFINITY : -INFINITY;
    case 2: return (double)(int32_t)bits / 65536.0;
    case 3: return ldexp((double)(int16_t)bits, (int)(kind >> 4) - 8);
    default:
        memcpy(&d, &bits, sizeof d);
        return d;
    }
}

/* A policy: valid most of the time, an unknown enum value sometimes. */
static int rounding(Src *s, int *bad)
{
    uint8_t v = u8(s);
    if (v < 248) {
        return v & 1;
    }
    *bad = 1;
    return 2 + (v & 7);
}

static int overflow(Src *s, int *bad)
{
    uint8_t v = u8(s);
    if (v < 248) {
        return v % 3;
    }
    *bad = 1;
    return 3 + (v & 7);
}

/* ---- buffers of exactly the reached span --------------------------------- */

typedef struct {
    void *mem;   /* what malloc returned */
    char *base;  /* element (0, 0) */
} Buf;

static ptrdiff_t reach_lo(size_t d0, ptrdiff_t s0, size_t d1, ptrdiff_t s1)
{
    ptrdiff_t lo = 0;
    if (d0 && s0 < 0) lo += (ptrdiff_t)(d0 - 1) * s0;
    if (d1 && s1 < 0) lo += (ptrdiff_t)(d1 - 1) * s1;
    return lo;
}

static ptrdiff_t reach_hi(size_t d0, ptrdiff_t s0, size_t d1, ptrdiff_t s1)
{
    ptrdiff_t hi = 0;
    if (d0 && s0 > 0) hi += (ptrdiff_t)(d0 - 1) * s0;
    if (d1 && s1 > 0) hi += (ptrdiff_t)(d1 - 1) * s1;
    return hi;
}

/* A d0 x d1 view with element strides s0, s1 (and a third dim d2, s2 for
 * batches), filled from the input by `fill`; empty views get a 1-element
 * buffer so pointers are valid. */
static Buf view3(size_t size, size_t d2, ptrdiff_t s2, size_t d0, ptrdiff_t s0, size_t d1,
                 ptrdiff_t s1)
{
    Buf b;
    ptrdiff_t lo = reach_lo(d0, s0, d1, s1), hi = reach_hi(d0, s0, d1, s1);
    if (d2 && s2 < 0) lo += (ptrdiff_t)(d2 - 1) * s2;
    if (d2 && s2 > 0) hi += (ptrdiff_t)(d2 - 1) * s2;
    size_t count = (d0 && d1 && d2) ? (size_t)(hi - lo + 1) : 1;
    b.mem = malloc(count * size);
    memset(b.mem, 0xA5, count * size);
    b.base = (char *)b.mem + (size_t)(-lo) * size * ((d0 && d1 && d2) ? 1 : 0);
    return b;
}

static Buf view(size_t size, size_t d0, ptrdiff_t s0, size_t d1, ptrdiff_t s1)
{
    return view3(size, 1, 0, d0, s0, d1, s1);
}

/* Strides for a d0 x d1 array: packed row- or column-major, reversed,
 * gapped, or (inputs only) broadcast. */
static void strides(Src *s, size_t d0, size_t d1, int input, ptrdiff_t *s0, ptrdiff_t *s1)
{
    uint8_t mode = u8(s) % (input ? 6 : 5);
    ptrdiff_t r = (ptrdiff_t)(d1 ? d1 : 1), c = (ptrdiff_t)(d0 ? d0 : 1);
    switch (mode) {
    case 0: *s0 = r; *s1 = 1; break;           /* C order */
    case 1: *s0 = 1; *s1 = c; break;           /* Fortran order */
    case 2: *s0 = -r; *s1 = -1; break;         /* both reversed */
    case 3: *s0 = 3 * r; *s1 = 2; break;       /* gapped */
    case 4: *s0 = -(2 * r + 1); *s1 = 2; break;/* reversed rows, gapped columns */
    default: *s0 = 0; *s1 = u8(s) & 1; break;  /* broadcast rows (input only) */
    }
}

static void fill_q16(Src *s, Buf b, size_t d0, ptrdiff_t s0, size_t d1, ptrdiff_t s1)
{
    for (size_t i = 0; i < d0; i++)
        for (size_t j = 0; j < d1; j++)
            ((ac_q16 *)b.base)[(ptrdiff_t)i * s0 + (ptrdiff_t)j * s1] = q16v(s);
}

static void fill_f64(Src *s, Buf b, size_t d0, ptrdiff_t s0, size_t d1, ptrdiff_t s1)
{
    for (size_t i = 0; i < d0; i++)
        for (size_t j = 0; j < d1; j++)
            ((double *)b.base)[(ptrdiff_t)i * s0 + (ptrdiff_t)j * s1] = f64v(s);
}

static void fill_f32(Src *s, Buf b, size_t d0, ptrdiff_t s0, size_t d1, ptrdiff_t s1)
{
    for (size_t i = 0; i < d0; i++)
        for (size_t j = 0; j < d1; j++)
            ((float *)b.base)[(ptrdiff_t)i * s0 + (ptrdiff_t)j * s1] = (float)f64v(s);
}

/* ---- exact references -------------------------------------------------------- */

typedef __int128 wide;

static wide floor_div(wide a, wide b) /* b > 0 */
{
    wide q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static wide round_div(wide a, wide b, int rnd) /* b > 0 */
{
    wide q = floor_div(a, b), r = a - q * b;
    if (rnd == AC_ROUND_NEAREST_EVEN && (2 * r > b || (2 * r == b && (q & 1)))) {
        q += 1;
    }
    return q;
}

static int32_t fit(wide v, int ovf)
{
    if (ovf == AC_OVERFLOW_WRAP) {
        uint32_t low = (uint32_t)(v & 0xFFFFFFFF);
        return low <= INT32_MAX ? (int32_t)low : (int32_t)(low - 0x80000000u) + INT32_MIN;
    }
    return v > INT32_MAX ? INT32_MAX : (v < INT32_MIN ? INT32_MIN : (int32_t)v);
}

static int32_t ref_binary(int op, int32_t a, int32_t b, int rnd, int ovf)
{
    switch (op) {
    case AC_Q16_OP_ADD: return fit((wide)a + b, ovf);
    case AC_Q16_OP_SUB: return fit((wide)a - b, ovf);
    case AC_Q16_OP_MUL: return fit(round_div((wide)a * b, 65536, rnd), ovf);
    default: /* div, b != 0 */
        if (b > 0) return fit(round_div((wide)a * 65536, b, rnd), ovf);
        return fit(round_div(-(wide)a * 65536, -(wide)b, rnd), ovf);
    }
}

/* ---- the entry points ------------------------------------------------------- */

static ac_tally *maybe_tally(Src *s, ac_tally *t)
{
    memset(t, 0, sizeof *t);
    return (u8(s) % 8 == 0) ? NULL : t;
}

static void fuzz_binary(Src *s)
{
    int bad = 0;
    uint8_t opb = u8(s);
    int op = opb < 250 ? opb % 4 : (bad = 1, 4 + opb % 4);
    size_t n = u8(s) % 40;
    int rnd = rounding(s, &bad), ovf = overflow(s, &bad);
    ptrdiff_t sa, sb, so, unused;
    strides(s, n, 1, 1, &sa, &unused);
    strides(s, n, 1, 1, &sb, &unused);
    strides(s, n, 1, 0, &so, &unused);
    Buf a = view(4, n, sa, 1, 1), b = view(4, n, sb, 1, 1), o = view(4, n, so, 1, 1);
    fill_q16(s, a, n, sa, 1, 1);
    fill_q16(s, b, n, sb, 1, 1);
    ac_tally t, *tp = maybe_tally(s, &t);
    ac_status st = ac_q16_binary_n((ac_q16_binary_op)op, n, (ac_q16 *)a.base, sa,
                                   (ac_q16 *)b.base, sb, (ac_q16 *)o.base, so,
                                   (ac_rounding)rnd, (ac_overflow)ovf, tp);
    if (bad) {
        CHECK(st == AC_STATUS_BAD_ARGUMENT);
    } else if (st == AC_OK && ovf != AC_OVERFLOW_RAISE) {
        /* with broadcast (stride 0) outputs the last write wins: check in order */
        for (size_t i = 0; i < n; i++) {
            int32_t x = ((ac_q16 *)a.base)[(ptrdiff_t)i * sa];
            int32_t y = ((ac_q16 *)b.base)[(ptrdiff_t)i * sb];
            if (op == AC_Q16_OP_DIV && y == 0) continue;
            if (so == 0 && i + 1 < n) continue;
            CHECK(((ac_q16 *)o.base)[(ptrdiff_t)i * so] == ref_binary(op, x, y, rnd, ovf));
        }
    }
    free(a.mem);
    free(b.mem);
    free(o.mem);
}

static void fuzz_unary(Src *s)
{
    int bad = 0;
    uint8_t opb = u8(s);
    int op = opb < 250 ? opb % 2 : (bad = 1, 2 + opb % 4);
    size_t n = u8(s) % 40;
    int rnd = rounding(s, &bad), ovf = overflow(s, &bad);
    ptrdiff_t sa, so, unused;
    strides(s, n, 1, 1, &sa, &unused);
    strides(s, n, 1, 0, &so, &unused);
    Buf a = view(4, n, sa, 1, 1), o = view(4, n, so, 1, 1);
    fill_q16(s, a, n, sa, 1, 1);
    ac_tally t, *tp = maybe_tally(s, &t);
    ac_status st = ac_q16_unary_n((ac_q16_unary_op)op, n, (ac_q16 *)a.base, sa, (ac_q16 *)o.base,
                                  so, (ac_rounding)rnd, (ac_overflow)ovf, tp);
    if (bad) {
        CHECK(st == AC_STATUS_BAD_ARGUMENT);
    }
    free(a.mem);
    free(o.mem);
}

static void fuzz_scalars(Src *s)
{
    int bad = 0;
    int32_t a = q16v(s), b = q16v(s);
    int rnd = rounding(s, &bad), ovf = overflow(s, &bad);
    ac_status st = AC_OK;
    ac_q16 r = ac_q16_div(a, b, (ac_rounding)rnd, (ac_overflow)ovf, &st);
    if (!bad && b != 0 && ovf != AC_OVERFLOW_RAISE) {
        CHECK(r == ref_binary(AC_Q16_OP_DIV, a, b, rnd, ovf));
    }
    (void)ac_q16_sqrt(a, (ac_rounding)rnd, &st);
    (void)ac_q16_exp(a, (ac_rounding)rnd, (ac_overflow)ovf, &st);
    (void)ac_q16_from_double(f64v(s), (ac_rounding)rnd, (ac_overflow)ovf, &st);
    if (bad) {
        CHECK(st == AC_STATUS_BAD_ARGUMENT);
    }
}

static void fuzz_q16_matmul(Src *s)
{
    int bad = 0;
    size_t count = u8(s) % 3, m = u8(s) % 6, n = u8(s) % 6, k = u8(s) % 7;
    int batched = u8(s) & 1;
    int rnd = rounding(s, &bad), ovf = overflow(s, &bad);
    ptrdiff_t sar, sac, sbr, sbc, scr, scc;
    strides(s, m, k, 1, &sar, &sac);
    strides(s, k, n, 1, &sbr, &sbc);
    strides(s, m, n, 0, &scr, &scc);
    if (!batched) count = 1;
    /* batch strides: past the whole view, reversed, or broadcast (inputs) */
    ptrdiff_t spanA = reach_hi(m, sar, k, sac) - reach_lo(m, sar, k, sac) + 1;
    ptrdiff_t spanB = reach_hi(k, sbr, n, sbc) - reach_lo(k, sbr, n, sbc) + 1;
    ptrdiff_t spanC = reach_hi(m, scr, n, scc) - reach_lo(m, scr, n, scc) + 1;
    uint8_t bm = u8(s);
    ptrdiff_t sat = (bm & 1) ? 0 : spanA, sbt = (bm & 2) ? -spanB : spanB, sct = spanC;
    Buf a = view3(4, count, sat, m, sar, k, sac);
    Buf b = view3(4, count, sbt, k, sbr, n, sbc);
    Buf c = view3(4, count, sct, m, scr, n, scc);
    for (size_t t = 0; t < count; t++) {
        Buf at = {a.mem, a.base + (ptrdiff_t)t * sat * 4};
        Buf bt = {b.mem, b.base + (ptrdiff_t)t * sbt * 4};
        fill_q16(s, at, m, sar, k, sac);
        fill_q16(s, bt, k, sbr, n, sbc);
    }
    ac_tally t, *tp = maybe_tally(s, &t);
    ac_status st = batched
        ? ac_q16_matmul_batch(count, m, n, k, (ac_q16 *)a.base, sat, sar, sac, (ac_q16 *)b.base,
                              sbt, sbr, sbc, (ac_q16 *)c.base, sct, scr, scc, (ac_rounding)rnd,
                              (ac_overflow)ovf, tp)
        : ac_q16_matmul(m, n, k, (ac_q16 *)a.base, sar, sac, (ac_q16 *)b.base, sbr, sbc,
                        (ac_q16 *)c.base, scr, scc, (ac_rounding)rnd, (ac_overflow)ovf, tp);
    if (bad) {
        CHECK(st == AC_STATUS_BAD_ARGUMENT);
    } else if (st == AC_OK && ovf != AC_OVERFLOW_RAISE) {
        for (size_t u = 0; u < count; u++)
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < n; j++) {
                    wide sum = 0;
                    for (size_t p = 0; p < k; p++) {
                        sum += (wide)((ac_q16 *)a.base)[(ptrdiff_t)u * sat + (ptrdiff_t)i * sar
                                                        + (ptrdiff_t)p * sac]
                               * ((ac_q16 *)b.base)[(ptrdiff_t)u * sbt + (ptrdiff_t)p * sbr
                                                    + (ptrdiff_t)j * sbc];
                    }
                    CHECK(((ac_q16 *)c.base)[(ptrdiff_t)u * sct + (ptrdiff_t)i * scr
                                             + (ptrdiff_t)j * scc]
                          == fit(round_div(sum, 65536, rnd), ovf));
                }
    }
    free(a.mem);
    free(b.mem);
    free(c.mem);
}

static void fuzz_q16_softmax(Src *s)
{
    int bad = 0;
    size_t n = u8(s) % 70;
    int rnd = rounding(s, &bad);
    ptrdiff_t sx, sm, so, unused;
    strides(s, n, 1, 1, &sx, &unused);
    strides(s, n, 1, 1, &sm, &unused);
    strides(s, n, 1, 0, &so, &unused);
    int masked = u8(s) & 1, cached = u8(s) & 1;
    Buf x = view(4, n, sx, 1, 1), mk = view(1, n, sm, 1, 1), o = view(4, n, so, 1, 1);
    fill_q16(s, x, n, sx, 1, 1);
    for (size_t i = 0; i < n; i++) mk.base[(ptrdiff_t)i * sm] = (char)(u8(s) & 1);
    uint64_t *work = cached ? malloc((n ? n : 1) * sizeof *work) : NULL;
    ac_status st = ac_q16_softmax_row(n, (ac_q16 *)x.base, sx,
                                      masked ? (unsigned char *)mk.base : NULL, sm,
                                      (ac_q16 *)o.base, so, (ac_rounding)rnd, work);
    if (bad) {
        CHECK(st == AC_STATUS_BAD_ARGUMENT);
    } else {
        CHECK(st == AC_OK);
        for (size_t i = 0; i < n; i++) {
            ac_q16 v = ((ac_q16 *)o.base)[(ptrdiff_t)i * so];
            CHECK(v >= 0 && v <= AC_Q16_ONE);
        }
    }
    free(work);
    free(x.mem);
    free(mk.mem);
    free(o.mem);
}

static void fuzz_q16_attention(Src *s)
{
    int bad = 0;
    size_t l = u8(s) % 5, sk = u8(s) % 6, e = u8(s) % 5, ev = u8(s) % 4;
    int rnd = rounding(s, &bad);
    ptrdiff_t sqr, sqc, skr, skc, svr, svc, sor, soc, swr, swc, smr, smc;
    strides(s, l, e, 1, &sqr, &sqc);
    strides(s, sk, e, 1, &skr, &skc);
    strides(s, sk, ev, 1, &svr, &svc);
    strides(s, l, ev, 0, &sor, &soc);
    strides(s, l, sk, 0, &swr, &swc);
    strides(s, l, sk, 1, &smr, &smc);
    Buf q = view(4, l, sqr, e, sqc), k = view(4, sk, skr, e, skc), v = view(4, sk, svr, ev, svc);
    Buf o = view(4, l, sor, ev, soc), w = view(4, l, swr, sk, swc), mk = view(1, l, smr, sk, smc);
    fill_q16(s, q, l, sqr, e, sqc);
    fill_q16(s, k, sk, skr, e, skc);
    fill_q16(s, v, sk, svr, ev, svc);
    for (size_t i = 0; i < l; i++)
        for (size_t j = 0; j < sk; j++) mk.base[(ptrdiff_t)i * smr + (ptrdiff_t)j * smc] = (char)(u8(s) & 1);
    ac_attention_masks masks;
    masks.row0 = u8(s) % 4;
    masks.col0 = u8(s) % 4;
    masks.causal = u8(s) & 1;
    masks.keep = (u8(s) & 1) ? (unsigned char *)mk.base : NULL;
    masks.keep_row = smr;
    masks.keep_col = smc;
    int want_weights = u8(s) & 1;
    uint64_t *work = malloc((AC_Q16_ATTENTION_WORK(sk, ev) + 1) * sizeof *work);
    ac_status st = ac_q16_attention(l, sk, e, ev, (ac_q16 *)q.base, sqr, sqc, (ac_q16 *)k.base,
                                    skr, skc, (ac_q16 *)v.base, svr, svc, &masks, q16v(s),
                                    (ac_q16 *)o.base, sor, soc,
                                    want_weights ? (ac_q16 *)w.base : NULL, swr, swc,
                                    (ac_rounding)rnd, work);
    if (bad) {
        CHECK(st == AC_STATUS_BAD_ARGUMENT);
    } else {
        CHECK(st == AC_OK);
        for (size_t c = 0; c < ev && sk; c++) {
            ac_q16 lo = INT32_MAX, hi = INT32_MIN;
            for (size_t j = 0; j < sk; j++) {
                ac_q16 x = ((ac_q16 *)v.base)[(ptrdiff_t)j * svr + (ptrdiff_t)c * svc];
                lo = x < lo ? x : lo;
                hi = x > hi ? x : hi;
            }
            for (size_t i = 0; i < l; i++) {
                ac_q16 x = ((ac_q16 *)o.base)[(ptrdiff_t)i * sor + (ptrdiff_t)c * soc];
                CHECK(x == 0 || (x >= lo && x <= hi)); /* 0: a row with nothing kept */
            }
        }
    }
    free(work);
    free(q.mem);
    free(k.mem);
    free(v.mem);
    free(o.mem);
    free(w.mem);
    free(mk.mem);
}

static void fuzz_convert(Src *s)
{
    int bad = 0;
    size_t n = u8(s) % 40;
    int rnd = rounding(s, &bad), ovf = overflow(s, &bad);
    ptrdiff_t sx, so, unused;
    strides(s, n, 1, 1, &sx, &unused);
    strides(s, n, 1, 0, &so, &unused);
    Buf xd = view(8, n, sx, 1, 1), xf = view(4, n, sx, 1, 1), xi = view(8, n, sx, 1, 1);
    Buf o = view(4, n, so, 1, 1), od = view(8, n, so, 1, 1);
    fill_f64(s, xd, n, sx, 1, 1);
    fill_f32(s, xf, n, sx, 1, 1);
    for (size_t i = 0; i < n; i++) ((int64_t *)xi.base)[(ptrdiff_t)i * sx] = (int64_t)u64(s);
    ac_tally t, *tp = maybe_tally(s, &t);
    ac_status st1 = ac_q16_from_double_n(n, (double *)xd.base, sx, (ac_q16 *)o.base, so,
                                         (ac_rounding)rnd, (ac_overflow)ovf, tp);
    ac_status st2 = ac_q16_from_float_n(n, (float *)xf.base, sx, (ac_q16 *)o.base, so,
                                        (ac_rounding)rnd, (ac_overflow)ovf, tp);
    ac_status st3 = ac_q16_from_int64_n(n, (int64_t *)xi.base, sx, (ac_q16 *)o.base, so,
                                        (ac_overflow)ovf, tp);
    if (bad) {
        CHECK(st1 == AC_STATUS_BAD_ARGUMENT && st2 == AC_STATUS_BAD_ARGUMENT);
    }
    (void)st3;
    ac_q16_to_double_n(n, (ac_q16 *)o.base, so, (double *)od.base, so);
    free(xd.mem);
    free(xf.mem);
    free(xi.mem);
    free(o.mem);
    free(od.mem);
}

/* A permutation of 0..n-1 from the input (or arbitrary ints with the
 * known hazards fed). */
static void perm_from(Src *s, int32_t *perm, size_t n, int valid)
{
    for (size_t i = 0; i < n; i++) perm[i] = (int32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = u8(s) % i;
        int32_t tmp = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = tmp;
    }
    if (!valid && n) perm[u8(s) % n] = (int32_t)u32(s);
}

/* Output buffers of exactly `count` elements (at least one), filled with a
 * sentinel byte so "nothing written" can be checked. */
#define SENTINEL 0xA5

static void *sentinel_buf(size_t count, size_t size)
{
    size_t bytes = (count ? count : 1) * size;
    void *p = malloc(bytes);
    memset(p, SENTINEL, bytes);
    return p;
}

static int untouched(const void *p, size_t count, size_t size)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < count * size; i++)
        if (c[i] != SENTINEL) return 0;
    return 1;
}

/* Does the W-limb two's complement integer x (limb 0 least significant)
 * satisfy |x| < 2^(32 limbs)?  Written from the definition: above `limbs`
 * only sign fill, and -2^(32 limbs) itself is out. */
static int within_limbs(const uint32_t *x, size_t w, size_t limbs)
{
    if (w <= limbs) return 1; /* |x| <= 2^(32 w - 1) */
    int neg = (x[w - 1] >> 31) != 0;
    for (size_t l = limbs; l < w; l++)
        if (x[l] != (neg ? 0xFFFFFFFFu : 0u)) return 0;
    if (!neg) return 1;
    for (size_t l = 0; l < limbs; l++)
        if (x[l] != 0) return 1;
    return 0;
}

static int all_zero(const uint32_t *x, size_t w)
{
    for (size_t l = 0; l < w; l++)
        if (x[l]) return 0;
    return 1;
}

static int same_tally(const ac_tally *x, const ac_tally *y)
{
    return x->events == y->events && x->first_index == y->first_index
           && x->last_index == y->last_index && x->first_status == y->first_status;
}

/* The statuses a linear algebra call may return for valid enums. */
static int linalg_status_ok(ac_status st, int ovf)
{
    return st == AC_OK || st == AC_STATUS_SINGULAR || st == AC_STATUS_NOT_POSITIVE_DEFINITE
           || st == AC_STATUS_BAD_ARGUMENT || (st == AC_STATUS_RANGE && ovf == AC_OVERFLOW_RAISE);
}

/* A hostile factor: a real one (when `real_ok`) or random words, then
 * limbs overwritten with edge values and, sometimes, one header word
 * broken. */
static void hostile_words(Src *s, uint32_t *f, size_t words, size_t n, int real_ok)
{
    if (!real_ok || (u8(s) & 1)) {
        f[0] = AC_Q16_FACTOR_MAGIC;
        f[1] = (uint32_t)n;
        f[2] = (uint32_t)AC_Q16_XWORDS(n);
        f[3] = u8(s) & 1;
        for (size_t i = 4; i < words; i++) f[i] = u32(s);
    }
    static const uint32_t edge[] = {0u, 1u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu};
    for (unsigned m = u8(s) % 6; m > 0; m--) {
        size_t i = 4 + u32(s) % (words - 4);
        uint8_t v = u8(s);
        f[i] = v < 128 ? edge[v % 5] : u32(s);
    }
    switch (u8(s) % 8) {
    case 0: f[0] ^= 1u << (u8(s) % 32); break;            /* bad magic */
    case 1: f[1] = (uint32_t)n + 1u + (u8(s) % 3); break;  /* a larger n: reads past the end */
    case 2: f[1] = (uint32_t)n - 1u; break;                /* smaller (or 2^32 - 1) */
    case 3: f[2] = u32(s); break;                          /* limbs per integer */
    case 4: f[3] = u32(s) | 2u; break;                     /* unknown flags */
    default: break;                                        /* header intact */
    }
}

static void fuzz_q16_linalg(Src *s)
{
    int bad = 0;
    uint8_t which = u8(s) % 8, nb = u8(s);
    /* 0..5 (fast engine n <= 4, general n = 5); sometimes up to 10 */
    size_t n = (nb & 0x80) ? 5 + nb % 6 : nb % 6, k = u8(s) % 4;
    int rnd = rounding(s, &bad), ovf = overflow(s, &bad);
    if (which == 7 && !(nb & 0x40)) n = 3 + (n & 1); /* affine: dim 3 or 4 mostly */
    uint8_t flags = u8(s);
    ptrdiff_t sar, sac, sbr, sbc;
    strides(s, n, n, 1, &sar, &sac);
    strides(s, n, k, 1, &sbr, &sbc);
    Buf a = view(4, n, sar, n, sac), b = view(4, n, sbr, k, sbc);
    fill_q16(s, a, n, sar, n, sac);
    fill_q16(s, b, n, sbr, k, sbc);
    const ac_q16 *A = (const ac_q16 *)a.base, *B = (const ac_q16 *)b.base;
    ac_rounding R = (ac_rounding)rnd;
    ac_overflow O = (ac_overflow)ovf;
    size_t fw = (size_t)AC_Q16_FACTOR_WORDS(n);
    /* exactly the documented work; the n <= 4 exact paths get NULL sometimes */
    uint32_t *work = malloc((size_t)AC_Q16_LINALG_WORK(n) * sizeof *work);
    int no_work = n <= 4 && (flags & 1);
    uint32_t *w_exact = no_work ? NULL : work;
    ac_q16 *x1 = sentinel_buf(n * k, 4), *x2 = sentinel_buf(n * k, 4);
    ac_q16 *out = sentinel_buf(n * n, 4);
    int32_t *piv = sentinel_buf(n, 4);
    uint32_t *fac = sentinel_buf(fw, 4);
    size_t rank = (size_t)-1;
    ac_tally t1, t2, *tp1 = maybe_tally(s, &t1), *tp2 = tp1 ? &t2 : NULL;
    memset(&t2, 0, sizeof t2);
    ac_status st, st2;
    switch (which) {
    case 0:
    case 1: {
        /* lu_factor: display and/or exact factor (neither is a bad argument) */
        int mode = (flags >> 1) % 4;
        int disp = mode != 1 && mode != 3, exact = mode != 2 && mode != 3;
        int pos = which == 1;
        uint32_t *w = disp ? work : w_exact;
        if (pos) {
            int pivot = disp && (flags & 16);
            st = ac_q16_cho_factor(n, A, sar, sac, disp ? out : NULL, flags & 32,
                                   pivot ? piv : NULL, pivot ? &rank : NULL,
                                   exact ? fac : NULL, R, O, tp1, w);
            if (bad || (!disp && !exact)) CHECK(st == AC_STATUS_BAD_ARGUMENT);
            CHECK(st != AC_STATUS_SINGULAR && linalg_status_ok(st, ovf));
            CHECK(st != AC_STATUS_RANGE); /* |L_ij| < 2^7.5: never out of range */
            if (st != AC_OK) {
                CHECK(untouched(out, n * n, 4) && untouched(piv, n, 4) && untouched(fac, fw, 4));
                CHECK(rank == (size_t)-1);
            }
            if (st == AC_OK && pivot) {
                CHECK(rank <= n);
                for (size_t i = 0; i < n; i++) CHECK(piv[i] >= 0 && (size_t)piv[i] < n);
            }
        } else {
            st = ac_q16_lu_factor(n, A, sar, sac, disp ? out : NULL, disp ? piv : NULL,
                                  exact ? fac : NULL, R, O, tp1, w);
            if (bad || (!disp && !exact)) CHECK(st == AC_STATUS_BAD_ARGUMENT);
            CHECK(st != AC_STATUS_NOT_POSITIVE_DEFINITE && linalg_status_ok(st, ovf));
            if (st == AC_STATUS_SINGULAR || st == AC_STATUS_BAD_ARGUMENT)
                CHECK(untouched(out, n * n, 4) && untouched(piv, n, 4) && untouched(fac, fw, 4));
            if (disp && (st == AC_OK || st == AC_STATUS_RANGE))
                for (size_t i = 0; i < n; i++) CHECK(piv[i] >= (int32_t)i && (size_t)piv[i] < n);
        }
        /* factor once, solve many: the same status, bits and tally as solve */
        if (exact && st == AC_OK
            && !(pos && rank != (size_t)-1 && rank < n)) {
            ac_tally *tf = tp1;
            if (tf) memset(tf, 0, sizeof *tf);
            st = pos ? ac_q16_cho_solve(n, k, fac, B, sbr, sbc, x1, R, O, tf, w_exact)
                     : ac_q16_lu_solve(n, k, fac, B, sbr, sbc, x1, R, O, tf, w_exact);
            st2 = ac_q16_solve(n, k, A, sar, sac, B, sbr, sbc, x2, pos, R, O, tp2, w_exact);
            CHECK(st == st2);
            if (tf) CHECK(same_tally(&t1, &t2));
            if (st == AC_OK) CHECK(memcmp(x1, x2, n * k * 4) == 0);
        } else if (exact && pos && rank != (size_t)-1 && rank < n && st == AC_OK && k) {
            /* a semidefinite factor stores det = 0: no solve */
            st = ac_q16_cho_solve(n, k, fac, B, sbr, sbc, x1, R, O, tp1, w_exact);
            CHECK(st == AC_STATUS_SINGULAR && untouched(x1, n * k, 4));
        } else if (!bad && st == AC_STATUS_SINGULAR && k) {
            st2 = ac_q16_solve(n, k, A, sar, sac, B, sbr, sbc, x2, 0, R, O, tp2, w_exact);
            CHECK(st2 == AC_STATUS_SINGULAR && untouched(x2, n * k, 4));
        }
        break;
    }
    case 2: { /* lu_solve / cho_solve from hostile factor words */
        int real_ok = 0, pos = flags & 2;
        if (!bad && (flags & 4)) {
            st = pos ? ac_q16_cho_factor(n, A, sar, sac, NULL, 1, NULL, NULL, fac, R, O, NULL,
                                         work)
                     : ac_q16_lu_factor(n, A, sar, sac, NULL, NULL, fac, R, O, NULL, work);
            real_ok = st == AC_OK;
        }
        hostile_words(s, fac, fw, n, real_ok);
        st = pos ? ac_q16_cho_solve(n, k, fac, B, sbr, sbc, x1, R, O, tp1, w_exact)
                 : ac_q16_lu_solve(n, k, fac, B, sbr, sbc, x1, R, O, tp1, w_exact);
        int header_ok = fac[0] == AC_Q16_FACTOR_MAGIC && fac[1] == n
                        && fac[2] == AC_Q16_XWORDS(n) && (fac[3] & ~1u) == 0;
        CHECK(st != AC_STATUS_NOT_POSITIVE_DEFINITE && linalg_status_ok(st, ovf));
        if (bad || !header_ok) CHECK(st == AC_STATUS_BAD_ARGUMENT);
        if (st == AC_STATUS_SINGULAR || st == AC_STATUS_BAD_ARGUMENT)
            CHECK(untouched(x1, n * k, 4));
        if (!bad && header_ok && n >= 1 && n <= 4 && k) {
            /* the fast engine's documented bounds: |det| < 2^128, |adj| < 2^96 */
            size_t w = (size_t)AC_Q16_XWORDS(n);
            int in_bounds = within_limbs(fac + 4, w, 4);
            for (size_t ij = 0; ij < n * n; ij++)
                in_bounds &= within_limbs(fac + 4 + w + ij * w, w, 3);
            CHECK((st == AC_STATUS_BAD_ARGUMENT) == !in_bounds);
            if (in_bounds && all_zero(fac + 4, w)) CHECK(st == AC_STATUS_SINGULAR);
        }
        break;
    }
    case 3:
    case 4: { /* solve, general or positive definite */
        int pos = which == 4;
        st = ac_q16_solve(n, k, A, sar, sac, B, sbr, sbc, x1, pos, R, O, tp1, w_exact);
        if (bad) CHECK(st == AC_STATUS_BAD_ARGUMENT);
        CHECK(linalg_status_ok(st, ovf) && (pos || st != AC_STATUS_NOT_POSITIVE_DEFINITE));
        if (!bad) CHECK(st != AC_STATUS_BAD_ARGUMENT); /* work NULL is fine for n <= 4 */
        if (st == AC_STATUS_SINGULAR || st == AC_STATUS_NOT_POSITIVE_DEFINITE
            || st == AC_STATUS_BAD_ARGUMENT)
            CHECK(untouched(x1, n * k, 4));
        break;
    }
    case 5: { /* det */
        st = ac_q16_det(n, A, sar, sac, out, R, O, tp1, w_exact);
        if (bad) CHECK(st == AC_STATUS_BAD_ARGUMENT && untouched(out, 1, 4));
        else CHECK(st == AC_OK || (st == AC_STATUS_RANGE && ovf == AC_OVERFLOW_RAISE));
        if (!bad && n == 0) CHECK(out[0] == AC_Q16_ONE);
        break;
    }
    case 6: { /* inv: singular exactly when solve says so */
        st = ac_q16_inv(n, A, sar, sac, out, R, O, tp1, w_exact);
        if (bad) CHECK(st == AC_STATUS_BAD_ARGUMENT);
        CHECK(linalg_status_ok(st, ovf) && st != AC_STATUS_NOT_POSITIVE_DEFINITE);
        if (!bad) CHECK(st != AC_STATUS_BAD_ARGUMENT);
        if (st == AC_STATUS_SINGULAR || st == AC_STATUS_BAD_ARGUMENT)
            CHECK(untouched(out, n * n, 4));
        if (!bad && n && k) {
            st2 = ac_q16_solve(n, k, A, sar, sac, B, sbr, sbc, x2, 0, R, O, NULL, w_exact);
            CHECK((st == AC_STATUS_SINGULAR) == (st2 == AC_STATUS_SINGULAR));
        }
        break;
    }
    default: { /* affine_inverse: dim 3 or 4 and bottom row [0 .. 0 ONE], or refused */
        int rigid = flags & 2;
        ac_q16 *m = (ac_q16 *)a.base;
        if (n && (flags & 4) && sar != 0) /* a valid bottom row (rows distinct) */
            for (size_t j = 0; j < n; j++)
                m[(ptrdiff_t)(n - 1) * sar + (ptrdiff_t)j * sac] = j + 1 == n ? AC_Q16_ONE : 0;
        int bottom_ok = n > 0;
        for (size_t j = 0; j < n; j++)
            bottom_ok &= m[(ptrdiff_t)(n - 1) * sar + (ptrdiff_t)j * sac]
                         == (j + 1 == n ? AC_Q16_ONE : 0);
        st = ac_q16_affine_inverse(n, A, sar, sac, out, rigid, R, O, tp1, w_exact);
        CHECK(linalg_status_ok(st, ovf) && st != AC_STATUS_NOT_POSITIVE_DEFINITE);
        if (bad || (n != 3 && n != 4) || !bottom_ok) CHECK(st == AC_STATUS_BAD_ARGUMENT);
        else CHECK(st != AC_STATUS_BAD_ARGUMENT && !(rigid && st == AC_STATUS_SINGULAR));
        if (st == AC_STATUS_SINGULAR || st == AC_STATUS_BAD_ARGUMENT)
            CHECK(untouched(out, n * n, 4));
        if (st == AC_OK)
            for (size_t j = 0; j < n; j++)
                CHECK(out[(n - 1) * n + j] == (j + 1 == n ? AC_Q16_ONE : 0));
        break;
    }
    }
    free(a.mem);
    free(b.mem);
    free(x1);
    free(x2);
    free(out);
    free(piv);
    free(fac);
    free(work);
}

static void fuzz_fp(Src *s)
{
    uint8_t which = u8(s) % 10;
    size_t n = u8(s) % 6, k = u8(s) % 4, count = u8(s) % 3;
    int single = u8(s) & 1;
    size_t sz = single ? 4 : 8;
    ptrdiff_t sar, sac, sbr, sbc, scr, scc;
    strides(s, n, n, 1, &sar, &sac);
    strides(s, n, k, 1, &sbr, &sbc);
    strides(s, n, k, 0, &scr, &scc);
    Buf a = view(sz, n, sar, n, sac), b = view(sz, n, sbr, k, sbc), c = view(sz, n, scr, k, scc);
    if (single) {
        fill_f32(s, a, n, sar, n, sac);
        fill_f32(s, b, n, sbr, k, sbc);
    } else {
        fill_f64(s, a, n, sar, n, sac);
        fill_f64(s, b, n, sbr, k, sbc);
    }
    void *out = malloc((n * (n > k ? n : k) + 1) * sz);
    void *work = malloc(AC_F64_LINALG_WORK(n, n > k ? n : k) * sz);
    void *packed = malloc((n * n + 1) * sz);
    int32_t *perm = malloc((n + 1) * sizeof *perm);
    size_t rank = 0;
    unsigned char *mask = malloc(n * k + 1);
    for (size_t i = 0; i < n * k; i++) mask[i] = u8(s) & 1;
    switch (which) {
    case 0:
        if (single) ac_f32_matmul_batch(count, n, k, n, (float *)a.base, 0, sar, sac,
                                        (float *)b.base, 0, sbr, sbc, (float *)c.base, 0, scr, scc);
        else ac_f64_matmul_batch(count ? 1 : 0, n, k, n, (double *)a.base, 0, sar, sac,
                                 (double *)b.base, 0, sbr, sbc, (double *)c.base, 0, scr, scc);
        break;
    case 1:
        if (n && k) {
            if (single) ac_f32_softmax_row(k, (float *)b.base, sbc, (u8(s) & 1) ? mask : NULL, 1,
                                           (float *)c.base, scc, u8(s) & 1);
            else ac_f64_softmax_row(k, (double *)b.base, sbc, (u8(s) & 1) ? mask : NULL, 1,
                                    (double *)c.base, scc, u8(s) & 1);
        }
        break;
    case 2:
        for (size_t i = 0; i < n * n; i++) {
            if (single) ((float *)packed)[i] = (float)f64v(s);
            else ((double *)packed)[i] = f64v(s);
        }
        if (single) ac_f32_softmax_packed_rows(n, n, (float *)packed, (float *)out);
        else ac_f64_softmax_packed_rows(n, n, (double *)packed, (double *)out);
        break;
    case 3:
        if (single) (void)ac_f32_lu_factor(n, (float *)a.base, sar, sac, (float *)out, perm);
        else (void)ac_f64_lu_factor(n, (double *)a.base, sar, sac, (double *)out, perm);
        break;
    case 4:
        if (single) (void)ac_f32_solve(n, k, (float *)a.base, sar, sac, (float *)b.base, sbr, sbc,
                                       (float *)out, u8(s) & 1, (float *)work);
        else (void)ac_f64_solve(n, k, (double *)a.base, sar, sac, (double *)b.base, sbr, sbc,
                                (double *)out, u8(s) & 1, (double *)work);
        break;
    case 5:
        if (single) (void)ac_f32_cho_factor(n, (float *)a.base, sar, sac, (float *)out, u8(s) & 1,
                                            (u8(s) & 1) ? perm : NULL, &rank);
        else (void)ac_f64_cho_factor(n, (double *)a.base, sar, sac, (double *)out, u8(s) & 1,
                                     (u8(s) & 1) ? perm : NULL, &rank);
        break;
    case 6:
        for (size_t i = 0; i < n; i++) perm[i] = (int32_t)(u8(s) % (n + 2)) - 1;
        if (sar == (ptrdiff_t)n && sac == 1) {
            if (single) (void)ac_f32_lu_solve(n, k, (float *)a.base, perm, (float *)b.base, sbr,
                                              sbc, (float *)out, (float *)work);
            else (void)ac_f64_lu_solve(n, k, (double *)a.base, perm, (double *)b.base, sbr, sbc,
                                       (double *)out, (double *)work);
        }
        break;
    case 7:
        perm_from(s, perm, n, !FUZZ_KNOWN_HAZARDS);
        if (sar == (ptrdiff_t)n && sac == 1) {
            if (single) (void)ac_f32_cho_solve(n, k, (float *)a.base, u8(s) & 1,
                                               (u8(s) & 1) ? perm : NULL, (float *)b.base, sbr,
                                               sbc, (float *)out, (float *)work);
            else (void)ac_f64_cho_solve(n, k, (double *)a.base, u8(s) & 1,
                                        (u8(s) & 1) ? perm : NULL, (double *)b.base, sbr, sbc,
                                        (double *)out, (double *)work);
        }
        break;
    case 8:
        if (single) {
            (void)ac_f32_det(n, (float *)a.base, sar, sac, (float *)out, (float *)work);
            (void)ac_f32_inv(n, (float *)a.base, sar, sac, (float *)out, (float *)work);
        } else {
            (void)ac_f64_det(n, (double *)a.base, sar, sac, (double *)out, (double *)work);
            (void)ac_f64_inv(n, (double *)a.base, sar, sac, (double *)out, (double *)work);
        }
        break;
    default:
        if (FUZZ_KNOWN_HAZARDS || n == 3 || n == 4) {
            if (single) (void)ac_f32_affine_inverse(n, (float *)a.base, sar, sac, (float *)out,
                                                    u8(s) & 1, (float *)work);
            else (void)ac_f64_affine_inverse(n, (double *)a.base, sar, sac, (double *)out,
                                             u8(s) & 1, (double *)work);
        }
        break;
    }
    free(a.mem);
    free(b.mem);
    free(c.mem);
    free(out);
    free(work);
    free(packed);
    free(perm);
    free(mask);
}

/* One tile of the float attention's online softmax, then finish and
 * normalize, on arbitrary scores (the gemms are BLAS's, outside the core). */
static void fuzz_fp_attention(Src *s)
{
    size_t rows = u8(s) % 5, cols = u8(s) % 6, ev = u8(s) % 4;
    size_t ldp = cols + u8(s) % 3, ld_acc = ev + u8(s) % 3;
    double *p = malloc((rows * ldp + 1) * sizeof *p);
    double *acc = malloc((rows * ld_acc + 1) * sizeof *acc);
    double *row_max = malloc((rows + 1) * sizeof *row_max);
    double *row_sum = malloc((rows + 1) * sizeof *row_sum);
    double *out = malloc((rows * ev + 1) * sizeof *out);
    double *bias = malloc((rows * cols + 1) * sizeof *bias);
    unsigned char *keep = malloc(rows * cols + 1);
    for (size_t i = 0; i < rows * ldp; i++) p[i] = f64v(s);
    for (size_t i = 0; i < rows * cols; i++) {
        bias[i] = f64v(s);
        keep[i] = u8(s) & 1;
    }
    for (size_t i = 0; i < rows; i++) {
        row_max[i] = -INFINITY;
        row_sum[i] = 0.0;
    }
    for (size_t i = 0; i < rows * ld_acc; i++) acc[i] = 0.0;
    ac_attention_masks masks;
    masks.row0 = u8(s) % 4;
    masks.col0 = u8(s) % 4;
    masks.causal = u8(s) & 1;
    masks.keep = (u8(s) & 1) ? keep : NULL;
    masks.keep_row = (ptrdiff_t)cols;
    masks.keep_col = 1;
    ac_attention_bias b;
    b.values = (u8(s) & 1) ? bias : NULL;
    b.row = (ptrdiff_t)cols;
    b.col = 1;
    ac_f64_attention_tile(rows, cols, p, (ptrdiff_t)ldp, &masks, &b, row_max, row_sum, acc,
                          (ptrdiff_t)ld_acc, ev);
    ac_f64_attention_finish(rows, ev, acc, (ptrdiff_t)ld_acc, row_sum, out, (ptrdiff_t)ev, 1);
    ac_f64_attention_normalize(rows, cols, p, (ptrdiff_t)ldp, row_sum);
    free(p);
    free(acc);
    free(row_max);
    free(row_sum);
    free(out);
    free(bias);
    free(keep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Src s = {data, size};
    switch (u8(&s) % 10) {
    case 0: fuzz_binary(&s); break;
    case 1: fuzz_unary(&s); break;
    case 2: fuzz_scalars(&s); break;
    case 3: fuzz_q16_matmul(&s); break;
    case 4: fuzz_q16_softmax(&s); break;
    case 5: fuzz_q16_attention(&s); break;
    case 6: fuzz_convert(&s); break;
    case 7: fuzz_q16_linalg(&s); break;
    case 8: fuzz_fp(&s); break;
    default: fuzz_fp_attention(&s); break;
    }
    return 0;
}
