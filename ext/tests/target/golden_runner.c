/*
 * Golden-vector runner for any target, however little RAM it has.
 *
 * The vectors (tests/golden_vectors.py, regrouped by tools/golden_split.py,
 * passed in with -include) stay in flash; each case streams through a RAM
 * window of GR_BUF int32 elements:
 *   - elementwise cases run in chunks (each element is independent; the
 *     tally of a chunk is merged at its offset, and under overflow=raise
 *     the first chunk that stops ends the case, as one call would);
 *   - matmul batches run a whole number of items per call, or, when one
 *     item does not fit, output tiles (a row of A times a block of columns
 *     of B, in C order, so a raise stops at the same element);
 *   - softmax runs row by row (as the firmware always did);
 *   - attention runs blocks of query rows (masks.row0 = the block's first
 *     row, so causal cuts stay absolute);
 *   - linear algebra runs whole cases (n <= 5), exact factor words included.
 * With a window larger than every case (32-bit targets) each case is one
 * call.
 *
 * Every output bit, event count, status and stop index is compared; a case
 * that cannot fit the window is reported as SKIPPED (and the run fails)
 * rather than silently dropped.  Output goes through gr_platform.h, so the
 * same runner serves semihosting, a UART and Linux user mode.
 */
#include <stddef.h>
#include <stdint.h>

#include "attncore/q16.h"
#include "attncore/q16_attention.h"
#include "attncore/q16_elementwise.h"
#include "attncore/q16_linalg.h"
#include "attncore/q16_matmul.h"
#include "attncore/q16_softmax.h"
#include "gr_platform.h"

#ifndef GR_BUF
#define GR_BUF 16384L /* int32 elements of RAM window */
#endif
#ifndef GR_MASK
#define GR_MASK 4096L /* mask bytes */
#endif

static int32_t buf[GR_BUF];
static unsigned char mbuf[GR_MASK];
/* Work memory for the linear algebra and attention cases, sized by the
 * headers' own macros for every shape the slice holds: a union of one array
 * per shape has the size of the largest.  Linear algebra work is uint32_t
 * words and does not depend on the right-hand sides (k). */
#define GR_LINALG_MEMBER(n, k) uint32_t linalg_##n##_##k[AC_Q16_LINALG_WORK(n)];
#define GR_ATTENTION_MEMBER(s, ev) uint64_t attention_##s##_##ev[AC_Q16_ATTENTION_WORK(s, ev)];
static union {
    uint64_t none[1];
    uint32_t words[1];
    GOLDEN_LINALG_SHAPES(GR_LINALG_MEMBER)
    GOLDEN_ATTENTION_SHAPES(GR_ATTENTION_MEMBER)
} work_memory;
#define GR_WORK (sizeof work_memory / sizeof(uint64_t))
#define GR_WORK_WORDS (sizeof work_memory / sizeof(uint32_t))
static uint64_t *const work = work_memory.none;
static uint32_t *const work_words = work_memory.words;
static uint32_t total_vectors, total_bad, total_skipped;

/* ---- output ------------------------------------------------------------- */

/* String literals in flash too where the target is Harvard (AVR: with no
 * .data at all, the image never needs the start-up's ELPM copy). */
#if defined(GR_FLASH_STRINGS)
#define GR_STR(s) (__extension__({ static const GOLDEN_FLASH char gr_s_[] = s; &gr_s_[0]; }))
#else
#define GR_STR(s) (s)
#endif

static void put_name(const GOLDEN_FLASH char *s)
{
    while (*s) {
        gr_putc(*s++);
    }
}
#define put_str(s) put_name(GR_STR(s))

static void put_u32(uint32_t v)
{
    char digits[11];
    int i = 0;
    do {
        digits[i++] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    while (i > 0) {
        gr_putc(digits[--i]);
    }
}

/* ---- bookkeeping --------------------------------------------------------- */

typedef struct {
    ac_status st;
    ac_tally tally;
    uint32_t bad_out; /* output mismatches, counted only when OK is expected */
} run_state;

static void start(run_state *r)
{
    r->st = AC_OK;
    r->tally.events = 0;
    r->tally.first_index = 0;
    r->tally.last_index = 0;
    r->tally.first_status = AC_OK;
    r->bad_out = 0;
}

static void compare(run_state *r, const int32_t *got, const GOLDEN_FLASH int32_t *want,
                    size_t offset, size_t n)
{
    if (want == NULL) {
        return;
    }
    for (size_t i = 0; i < n; ++i) {
        r->bad_out += got[i] != want[offset + i];
    }
}

static void copy_in(int32_t *dst, const GOLDEN_FLASH int32_t *src, size_t offset, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        dst[i] = src[offset + i];
    }
}

static void copy_words(uint32_t *dst, const GOLDEN_FLASH uint32_t *src, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        dst[i] = src[i];
    }
}

static void copy_mask(unsigned char *dst, const GOLDEN_FLASH unsigned char *src, size_t offset,
                      size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        dst[i] = src[offset + i];
    }
}

/* One line per case; a mismatch is any output bit, the event count, the
 * status, or (for a stopped call) the index it stopped at. */
static void report(const GOLDEN_FLASH char *name, uint32_t n, const run_state *r,
                   uint32_t want_events, int want_status, uint32_t want_stop)
{
    uint32_t bad = 0;
    if ((int)r->st != want_status) {
        bad = 1;
    } else if (want_status != AC_OK) {
        bad = r->tally.last_index != (size_t)want_stop;
    } else {
        bad = (r->tally.events != (size_t)want_events) + r->bad_out;
    }
    total_vectors += n;
    total_bad += bad;
    put_name(name);
    put_str(": ");
    put_u32(n);
    put_str(" vectors, ");
    put_u32(bad);
    put_str(" mismatches\n");
}

static void skip(const GOLDEN_FLASH char *name)
{
    total_skipped += 1;
    put_name(name);
    put_str(": SKIPPED (does not fit GR_BUF)\n");
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* ---- kernel families ------------------------------------------------------ */

#if GOLDEN_BINARY_CASES_COUNT > 0
static void run_binary(void)
{
    const size_t chunk = (size_t)GR_BUF / 3u;
    int32_t *a = buf, *b = buf + chunk, *o = buf + 2u * chunk;
    for (uint32_t c = 0; c != GOLDEN_BINARY_CASES_COUNT; ++c) {
        const GOLDEN_FLASH golden_binary *g = &golden_binary_cases[c];
        size_t n = g->n;
        int want_status = g->status;
        run_state r;
        start(&r);
        for (size_t s = 0; s < n && r.st == AC_OK; s += chunk) {
            size_t len = min_size(chunk, n - s);
            ac_tally part = {0, 0, 0, AC_OK};
            copy_in(a, g->a, s, len);
            copy_in(b, g->b, s, len);
            r.st = ac_q16_binary_n((ac_q16_binary_op)g->op, len, a, 1, b, 1, o, 1,
                                   (ac_rounding)g->rnd, (ac_overflow)g->ovf, &part);
            ac_tally_add(&r.tally, &part, s);
            if (r.st == AC_OK && want_status == AC_OK) {
                compare(&r, o, g->want, s, len);
            }
        }
        report(g->name, g->n, &r, g->events, want_status, g->stop);
    }
}
#endif

#if GOLDEN_UNARY_CASES_COUNT > 0
static void run_unary(void)
{
    const size_t chunk = (size_t)GR_BUF / 2u;
    int32_t *a = buf, *o = buf + chunk;
    for (uint32_t c = 0; c != GOLDEN_UNARY_CASES_COUNT; ++c) {
        const GOLDEN_FLASH golden_unary *g = &golden_unary_cases[c];
        size_t n = g->n;
        int want_status = g->status;
        run_state r;
        start(&r);
        for (size_t s = 0; s < n && r.st == AC_OK; s += chunk) {
            size_t len = min_size(chunk, n - s);
            ac_tally part = {0, 0, 0, AC_OK};
            copy_in(a, g->a, s, len);
            r.st = ac_q16_unary_n((ac_q16_unary_op)g->op, len, a, 1, o, 1, (ac_rounding)g->rnd,
                                  (ac_overflow)g->ovf, &part);
            ac_tally_add(&r.tally, &part, s);
            if (r.st == AC_OK && want_status == AC_OK) {
                compare(&r, o, g->want, s, len);
            }
        }
        report(g->name, g->n, &r, g->events, want_status, g->stop);
    }
}
#endif

#if GOLDEN_FROM_INT_CASES_COUNT > 0
static void run_from_int(void)
{
    for (uint32_t c = 0; c != GOLDEN_FROM_INT_CASES_COUNT; ++c) {
        const GOLDEN_FLASH golden_from_int *g = &golden_from_int_cases[c];
        ac_overflow ovf = (ac_overflow)g->ovf;
        int want_status = g->status;
        run_state r;
        start(&r);
        for (size_t i = 0; i < g->n; ++i) {
            ac_status one;
            int32_t got = ac_q16_from_int(g->x[i], ovf, &one);
            if (one != AC_OK) {
                ac_tally_note(&r.tally, i, one);
                if (ovf == AC_OVERFLOW_RAISE) {
                    r.st = one;
                    break;
                }
            }
            if (want_status == AC_OK) {
                compare(&r, &got, g->want, i, 1);
            }
        }
        report(g->name, g->n, &r, g->events, want_status, g->stop);
    }
}
#endif

#if GOLDEN_MATMUL_CASES_COUNT > 0
static void run_matmul(void)
{
    for (uint32_t c = 0; c != GOLDEN_MATMUL_CASES_COUNT; ++c) {
        const GOLDEN_FLASH golden_matmul *g = &golden_matmul_cases[c];
        size_t count = g->count, m = g->m, n = g->n, k = g->k;
        ac_rounding rnd = (ac_rounding)g->rnd;
        ac_overflow ovf = (ac_overflow)g->ovf;
        int want_status = g->status;
        size_t item = m * k + k * n + m * n;
        run_state r;
        start(&r);
        if (item <= (size_t)GR_BUF) {
            /* whole items, as many per call as fit */
            size_t per = (size_t)GR_BUF / item;
            for (size_t t0 = 0; t0 < count && r.st == AC_OK; t0 += per) {
                size_t cnt = min_size(per, count - t0);
                int32_t *a = buf, *b = a + cnt * m * k, *o = b + cnt * k * n;
                ac_tally part = {0, 0, 0, AC_OK};
                copy_in(a, g->a, t0 * m * k, cnt * m * k);
                copy_in(b, g->b, t0 * k * n, cnt * k * n);
                r.st = ac_q16_matmul_batch(cnt, m, n, k, a, (ptrdiff_t)(m * k), (ptrdiff_t)k, 1,
                                           b, (ptrdiff_t)(k * n), (ptrdiff_t)n, 1, o,
                                           (ptrdiff_t)(m * n), (ptrdiff_t)n, 1, rnd, ovf, &part);
                ac_tally_add(&r.tally, &part, t0 * m * n);
                if (r.st == AC_OK && want_status == AC_OK) {
                    compare(&r, o, g->want, t0 * m * n, cnt * m * n);
                }
            }
        } else {
            /* tiles: row i of A times columns [j0, j0 + nb) of B */
            size_t nb = (size_t)GR_BUF > k ? ((size_t)GR_BUF - k) / (k + 1u) : 0u;
            if (nb == 0) {
                skip(g->name);
                continue;
            }
            for (size_t t = 0; t < count && r.st == AC_OK; ++t) {
                for (size_t i = 0; i < m && r.st == AC_OK; ++i) {
                    for (size_t j0 = 0; j0 < n && r.st == AC_OK; j0 += nb) {
                        size_t w = min_size(nb, n - j0);
                        int32_t *a = buf, *b = a + k, *o = b + k * w;
                        ac_tally part = {0, 0, 0, AC_OK};
                        copy_in(a, g->a, (t * m + i) * k, k);
                        for (size_t p = 0; p < k; ++p) {
                            copy_in(b + p * w, g->b, (t * k + p) * n + j0, w);
                        }
                        r.st = ac_q16_matmul(1, w, k, a, (ptrdiff_t)k, 1, b, (ptrdiff_t)w, 1, o,
                                             (ptrdiff_t)w, 1, rnd, ovf, &part);
                        ac_tally_add(&r.tally, &part, t * m * n + i * n + j0);
                        if (r.st == AC_OK && want_status == AC_OK) {
                            compare(&r, o, g->want, t * m * n + i * n + j0, w);
                        }
                    }
                }
            }
        }
        report(g->name, g->count * g->m * g->n, &r, g->events, want_status, g->stop);
    }
}
#endif

#if GOLDEN_SOFTMAX_CASES_COUNT > 0
static void run_softmax(void)
{
    for (uint32_t c = 0; c != GOLDEN_SOFTMAX_CASES_COUNT; ++c) {
        const GOLDEN_FLASH golden_softmax *g = &golden_softmax_cases[c];
        size_t rows = g->rows, n = g->n;
        run_state r;
        if (2u * n > (size_t)GR_BUF || n > (size_t)GR_MASK) {
            skip(g->name);
            continue;
        }
        start(&r);
        int32_t *x = buf, *o = buf + n;
        for (size_t row = 0; row < rows && r.st == AC_OK; ++row) {
            copy_in(x, g->x, row * n, n);
            if (g->mask != NULL) {
                copy_mask(mbuf, g->mask, row * n, n);
            }
            r.st = ac_q16_softmax_row(n, x, 1, g->mask != NULL ? mbuf : NULL, 1, o, 1,
                                      (ac_rounding)g->rnd, NULL);
            compare(&r, o, g->want, row * n, n);
        }
        report(g->name, g->rows * g->n, &r, 0, AC_OK, 0);
    }
}
#endif

#if GOLDEN_ATTENTION_CASES_COUNT > 0
static void run_attention(void)
{
    for (uint32_t c = 0; c != GOLDEN_ATTENTION_CASES_COUNT; ++c) {
        const GOLDEN_FLASH golden_attention *g = &golden_attention_cases[c];
        size_t l = g->l, s = g->s, e = g->e, ev = g->ev;
        size_t fixed = s * e + s * ev, per_row = e + ev + s;
        size_t rows = fixed < (size_t)GR_BUF ? ((size_t)GR_BUF - fixed) / per_row : 0u;
        rows = min_size(rows, l);
        if (g->mask != NULL) {
            rows = min_size(rows, (size_t)GR_MASK / s);
        }
        if (rows == 0 || AC_Q16_ATTENTION_WORK(s, ev) > GR_WORK) {
            skip(g->name);
            continue;
        }
        int32_t *k = buf, *v = k + s * e, *q = v + s * ev, *o = q + rows * e, *w = o + rows * ev;
        run_state r;
        start(&r);
        copy_in(k, g->k, 0, s * e);
        copy_in(v, g->v, 0, s * ev);
        for (size_t r0 = 0; r0 < l && r.st == AC_OK; r0 += rows) {
            size_t nr = min_size(rows, l - r0);
            ac_attention_masks masks = {r0, 0, g->causal, NULL, (ptrdiff_t)s, 1};
            copy_in(q, g->q, r0 * e, nr * e);
            if (g->mask != NULL) {
                copy_mask(mbuf, g->mask, r0 * s, nr * s);
                masks.keep = mbuf;
            }
            r.st = ac_q16_attention(nr, s, e, ev, q, (ptrdiff_t)e, 1, k, (ptrdiff_t)e, 1, v,
                                    (ptrdiff_t)ev, 1, &masks, g->scale, o, (ptrdiff_t)ev, 1, w,
                                    (ptrdiff_t)s, 1, (ac_rounding)g->rnd, work);
            compare(&r, o, g->want, r0 * ev, nr * ev);
            compare(&r, w, g->weights, r0 * s, nr * s);
        }
        report(g->name, g->l * (g->ev + g->s), &r, 0, AC_OK, 0);
    }
}
#endif

#if GOLDEN_LINALG_CASES_COUNT > 0
/* Mismatching words of an exact factor (uint32_t words, the same values on
 * every platform by the header's layout). */
static uint32_t compare_words(const uint32_t *got, const GOLDEN_FLASH uint32_t *want, size_t n)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
        bad += got[i] != want[i];
    }
    return bad;
}

static void run_linalg(void)
{
    for (uint32_t c = 0; c != GOLDEN_LINALG_CASES_COUNT; ++c) {
        const GOLDEN_FLASH golden_linalg *g = &golden_linalg_cases[c];
        size_t n = g->n, k = g->k, rank = 0;
        ptrdiff_t sk = (ptrdiff_t)k;
        ac_rounding rnd = (ac_rounding)g->rnd;
        ac_overflow ovf = (ac_overflow)g->ovf;
        int flag = g->flag, want_status = g->status;
        /* the target's own factor size must be the host's: the layout is
         * the same on every platform, and the words are compared below */
        size_t words = (size_t)AC_Q16_FACTOR_WORDS(n);
        size_t n_out = n * n + n + 1u > n * k ? n * n + n + 1u : n * k;
        int factoring = g->op == 1 || g->op == 3; /* then a second factor for the check */
        size_t need = n * n + n * k + n_out + (factoring ? 2u : 1u) * words;
        if ((uint32_t)words != g->n_factor && g->n_factor != 0u) {
            total_bad += 1;
            put_name(g->name);
            put_str(": factor size differs from the host's\n");
            continue;
        }
        if (need > (size_t)GR_BUF || AC_Q16_LINALG_WORK(n) > GR_WORK_WORDS) {
            skip(g->name);
            continue;
        }
        int32_t *a = buf, *b = a + n * n, *out = b + n * k, *piv = out + n * n;
        /* int32_t and uint32_t may alias: the factor words share the window */
        uint32_t *factor = (uint32_t *)(out + n_out);
        uint32_t *again = factoring ? factor + words : factor;
        /* n <= 4: solves, det, inv and the affine inverse never touch work
         * (the header's promise to firmware), so they get none */
        uint32_t *w = n <= 4u && !factoring ? NULL : work_words;
        uint32_t bad_words = 0;
        run_state r;
        start(&r);
        if (g->a != NULL) {
            copy_in(a, g->a, 0, n * n);
        }
        if (g->b != NULL) {
            copy_in(b, g->b, 0, n * k);
        }
        if (g->factor != NULL) {
            copy_words(factor, g->factor, words); /* made on the host by Python */
        }
        switch (g->op) {
        case 0:
            r.st = ac_q16_solve(n, k, a, (ptrdiff_t)n, 1, b, sk, 1, out, flag, rnd, ovf,
                                &r.tally, w);
            break;
        case 1: /* display factor and exact factor; then the exact factor alone */
            r.st = ac_q16_lu_factor(n, a, (ptrdiff_t)n, 1, out, piv, factor, rnd, ovf, &r.tally,
                                    w);
            if (r.st == AC_OK) {
                ac_status st2 = ac_q16_lu_factor(n, a, (ptrdiff_t)n, 1, NULL, NULL, again, rnd,
                                                 ovf, NULL, n <= 4u ? NULL : w);
                bad_words += st2 != AC_OK;
            }
            break;
        case 2:
            r.st = ac_q16_lu_solve(n, k, factor, b, sk, 1, out, rnd, ovf, &r.tally, w);
            break;
        case 3: /* flag: bit 0 lower, bit 1 pivoted (then permutation and rank follow) */
            r.st = ac_q16_cho_factor(n, a, (ptrdiff_t)n, 1, out, flag & 1, flag & 2 ? piv : NULL,
                                     &rank, factor, rnd, ovf, &r.tally, w);
            if (flag & 2) {
                piv[n] = (int32_t)rank;
            }
            if (r.st == AC_OK && !(flag & 2)) {
                ac_status st2 = ac_q16_cho_factor(n, a, (ptrdiff_t)n, 1, NULL, flag & 1, NULL,
                                                  NULL, again, rnd, ovf, NULL,
                                                  n <= 4u ? NULL : w);
                bad_words += st2 != AC_OK;
            }
            break;
        case 4:
            r.st = ac_q16_cho_solve(n, k, factor, b, sk, 1, out, rnd, ovf, &r.tally, w);
            break;
        case 5:
            r.st = ac_q16_det(n, a, (ptrdiff_t)n, 1, out, rnd, ovf, &r.tally, w);
            break;
        case 6:
            r.st = ac_q16_inv(n, a, (ptrdiff_t)n, 1, out, rnd, ovf, &r.tally, w);
            break;
        default:
            r.st = ac_q16_affine_inverse(n, a, (ptrdiff_t)n, 1, out, flag, rnd, ovf, &r.tally,
                                         w);
            break;
        }
        uint32_t want_out = want_status == AC_OK ? g->n_out : 0u;
        if ((int)r.st == want_status && want_status == AC_OK) {
            compare(&r, out, g->want, 0, want_out);
            if (g->want_factor != NULL) {
                bad_words += compare_words(factor, g->want_factor, words);
                if (g->op == 1 || !(flag & 2)) { /* the factor-only call: the same words */
                    bad_words += compare_words(again, g->want_factor, words);
                }
            }
        }
        r.bad_out += bad_words;
        /* a failing call is compared by its status alone */
        report(g->name, want_out + (g->want_factor != NULL ? (uint32_t)words : 0u), &r,
               want_status == AC_OK ? g->events : 0u, want_status,
               (uint32_t)r.tally.last_index);
    }
}
#endif

int main(void)
{
#if GOLDEN_BINARY_CASES_COUNT > 0
    run_binary();
#endif
#if GOLDEN_UNARY_CASES_COUNT > 0
    run_unary();
#endif
#if GOLDEN_FROM_INT_CASES_COUNT > 0
    run_from_int();
#endif
#if GOLDEN_MATMUL_CASES_COUNT > 0
    run_matmul();
#endif
#if GOLDEN_SOFTMAX_CASES_COUNT > 0
    run_softmax();
#endif
#if GOLDEN_ATTENTION_CASES_COUNT > 0
    run_attention();
#endif
#if GOLDEN_LINALG_CASES_COUNT > 0
    run_linalg();
#endif
    put_str("TOTAL: ");
    put_u32(total_vectors);
    put_str(" vectors, ");
    put_u32(total_bad);
    put_str(" mismatches, ");
    put_u32(total_skipped);
    put_str(" skipped\n");
    gr_exit(total_bad == 0 && total_skipped == 0);
    return 0;
}
