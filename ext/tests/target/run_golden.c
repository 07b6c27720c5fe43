/*
 * Test firmware: replays the golden vectors (inputs and the Python
 * package's outputs, from tests/golden_vectors.py, passed in with
 * -include golden.h) through the C core on the target and counts
 * mismatches: every output bit, every event count, every stop status and
 * index.  Exit status 0 only if nothing differs.
 */
#include <stdint.h>

#include "attncore/q16.h"
#include "attncore/q16_attention.h"
#include "attncore/q16_linalg.h"
#include "attncore/q16_elementwise.h"
#include "attncore/q16_matmul.h"
#include "attncore/q16_softmax.h"
#include "semihost.h"

static int32_t out[1 << 16];
static int32_t weights_out[1 << 12];
static uint64_t attention_work[1 << 10];
static uint64_t linalg_work[1 << 10];
static uint32_t total_vectors, total_mismatches;

/* Compare one case's report and outputs; print one line for it. */
static void report(const char *name, uint32_t n, const int32_t *want, ac_status st,
                   const ac_tally *tally, uint32_t want_events, int want_status,
                   uint32_t want_stop)
{
    uint32_t bad = 0;
    if ((int)st != want_status) {
        bad += 1;
    } else if (want_status != AC_OK) {
        bad += tally->last_index != want_stop;
    } else {
        bad += tally->events != want_events;
        for (uint32_t i = 0; i < n; ++i) {
            bad += out[i] != want[i];
        }
    }
    total_vectors += n;
    total_mismatches += bad;
    sh_puts(name);
    sh_puts(": ");
    sh_put_uint(n);
    sh_puts(" vectors, ");
    sh_put_uint(bad);
    sh_puts(" mismatches\n");
}

int main(void)
{
    for (uint32_t c = 0; c < GOLDEN_BINARY_CASES_COUNT; ++c) {
        const golden_binary *g = &golden_binary_cases[c];
        ac_tally tally = {0, 0, 0, AC_OK};
        ac_status st = ac_q16_binary_n((ac_q16_binary_op)g->op, g->n, g->a, 1, g->b, 1, out, 1,
                                       (ac_rounding)g->rnd, (ac_overflow)g->ovf, &tally);
        report(g->name, g->n, g->want, st, &tally, g->events, g->status, g->stop);
    }
    for (uint32_t c = 0; c < GOLDEN_UNARY_CASES_COUNT; ++c) {
        const golden_unary *g = &golden_unary_cases[c];
        ac_tally tally = {0, 0, 0, AC_OK};
        ac_status st = ac_q16_unary_n((ac_q16_unary_op)g->op, g->n, g->a, 1, out, 1,
                                      (ac_rounding)g->rnd, (ac_overflow)g->ovf, &tally);
        report(g->name, g->n, g->want, st, &tally, g->events, g->status, g->stop);
    }
    for (uint32_t c = 0; c < GOLDEN_FROM_INT_CASES_COUNT; ++c) {
        const golden_from_int *g = &golden_from_int_cases[c];
        ac_tally tally = {0, 0, 0, AC_OK};
        ac_status st = AC_OK;
        for (uint32_t i = 0; i < g->n; ++i) {
            ac_status one;
            out[i] = ac_q16_from_int(g->x[i], (ac_overflow)g->ovf, &one);
            if (one != AC_OK) {
                ac_tally_note(&tally, i, one);
                if (g->ovf == AC_OVERFLOW_RAISE) {
                    st = one;
                    break;
                }
            }
        }
        report(g->name, g->n, g->want, st, &tally, g->events, g->status, g->stop);
    }
    for (uint32_t c = 0; c < GOLDEN_MATMUL_CASES_COUNT; ++c) {
        const golden_matmul *g = &golden_matmul_cases[c];
        ac_tally tally = {0, 0, 0, AC_OK};
        ptrdiff_t m = (ptrdiff_t)g->m, n = (ptrdiff_t)g->n, k = (ptrdiff_t)g->k;
        ac_status st = ac_q16_matmul_batch(g->count, g->m, g->n, g->k, g->a, m * k, k, 1, g->b,
                                           k * n, n, 1, out, m * n, n, 1, (ac_rounding)g->rnd,
                                           (ac_overflow)g->ovf, &tally);
        report(g->name, g->count * g->m * g->n, g->want, st, &tally, g->events, g->status,
               g->stop);
    }
    for (uint32_t c = 0; c < GOLDEN_SOFTMAX_CASES_COUNT; ++c) {
        const golden_softmax *g = &golden_softmax_cases[c];
        ac_tally tally = {0, 0, 0, AC_OK};
        ac_status st = AC_OK;
        for (uint32_t r = 0; r < g->rows && st == AC_OK; ++r) {
            st = ac_q16_softmax_row(g->n, g->x + r * g->n, 1, g->mask ? g->mask + r * g->n : NULL,
                                    1, out + r * g->n, 1, (ac_rounding)g->rnd, NULL);
        }
        report(g->name, g->rows * g->n, g->want, st, &tally, 0, AC_OK, 0);
    }
    for (uint32_t c = 0; c < GOLDEN_ATTENTION_CASES_COUNT; ++c) {
        const golden_attention *g = &golden_attention_cases[c];
        ac_tally tally = {0, 0, 0, AC_OK};
        ac_attention_masks masks = {0, 0, g->causal, g->mask, (ptrdiff_t)g->s, 1};
        ac_status st = ac_q16_attention(g->l, g->s, g->e, g->ev, g->q, (ptrdiff_t)g->e, 1, g->k,
                                        (ptrdiff_t)g->e, 1, g->v, (ptrdiff_t)g->ev, 1, &masks,
                                        g->scale, out, (ptrdiff_t)g->ev, 1, weights_out,
                                        (ptrdiff_t)g->s, 1, (ac_rounding)g->rnd, attention_work);
        /* the weights are compared as extra outputs after the attention outputs */
        for (uint32_t i = 0; i < g->l * g->s; ++i) {
            out[g->l * g->ev + i] = weights_out[i];
        }
        int32_t want[1 << 10];
        for (uint32_t i = 0; i < g->l * g->ev; ++i) {
            want[i] = g->want[i];
        }
        for (uint32_t i = 0; i < g->l * g->s; ++i) {
            want[g->l * g->ev + i] = g->weights[i];
        }
        report(g->name, g->l * (g->ev + g->s), want, st, &tally, 0, AC_OK, 0);
    }
    for (uint32_t c = 0; c < GOLDEN_LINALG_CASES_COUNT; ++c) {
        const golden_linalg *g = &golden_linalg_cases[c];
        ac_tally tally = {0, 0, 0, AC_OK};
        size_t n = g->n, k = g->k, rank = 0;
        ptrdiff_t sn = (ptrdiff_t)n, sk = (ptrdiff_t)k;
        ac_rounding rnd = (ac_rounding)g->rnd;
        ac_overflow ovf = (ac_overflow)g->ovf;
        ac_status st = AC_OK;
        int32_t *piv = out + n * n;
        switch (g->op) {
        case 0:
            st = ac_q16_solve(n, k, g->a, sn, 1, g->b, sk, 1, out, g->flag, rnd, ovf, &tally,
                              linalg_work);
            break;
        case 1:
            st = ac_q16_lu_factor(n, g->a, sn, 1, out, piv, rnd, ovf, &tally, linalg_work);
            break;
        case 2:
            st = ac_q16_lu_solve(n, k, g->a, g->aux, g->b, sk, 1, out, rnd, ovf, &tally,
                                 linalg_work);
            break;
        case 3: /* flag: bit 0 lower, bit 1 pivoted (then permutation and rank follow) */
            st = ac_q16_cho_factor(n, g->a, sn, 1, out, g->flag & 1, g->flag & 2 ? piv : NULL,
                                   &rank, rnd, ovf, &tally, linalg_work);
            if (g->flag & 2) {
                piv[n] = (int32_t)rank;
            }
            break;
        case 4:
            st = ac_q16_cho_solve(n, k, g->a, g->flag, NULL, g->b, sk, 1, out, rnd, ovf, &tally,
                                  linalg_work);
            break;
        case 5:
            st = ac_q16_det(n, g->a, sn, 1, out, rnd, ovf, &tally, linalg_work);
            break;
        case 6:
            st = ac_q16_inv(n, g->a, sn, 1, out, rnd, ovf, &tally, linalg_work);
            break;
        default:
            st = ac_q16_affine_inverse(n, g->a, sn, 1, out, g->flag, rnd, ovf, &tally,
                                       linalg_work);
            break;
        }
        /* a failing call is compared by its status alone */
        report(g->name, g->status == AC_OK ? g->n_out : 0, g->want, st, &tally,
               g->status == AC_OK ? g->events : 0, g->status, tally.last_index);
    }
    sh_puts("TOTAL: ");
    sh_put_uint(total_vectors);
    sh_puts(" vectors, ");
    sh_put_uint(total_mismatches);
    sh_puts(" mismatches\n");
    return total_mismatches == 0 ? 0 : 1;
}
