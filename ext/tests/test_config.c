/*
 * Builds of the Q16.16 core that leave operations and policies out
 * (AC_Q16_NO_*, a small AC_Q16_ELEMENTWISE_BLOCK; see
 * attncore/q16_elementwise.h), checked against the scalar operations of
 * attncore/q16.h, which no option changes and which test_q16.c checks
 * against independent references:
 *   - every kept (operation, rounding, overflow) triple gives, element for
 *     element, the scalar results, and the tally and return value a loop of
 *     scalar calls implies (contiguous rows, so the blocked path runs, with
 *     events on both sides of every block boundary; and strided rows);
 *   - every triple the build left out is refused with AC_STATUS_BAD_ARGUMENT
 *     and the output and the tally untouched;
 *   - ac_q16_div / _sqrt / _exp and ac_q16_softmax_row refuse a mode the
 *     build left out.
 * The Makefile compiles this file once per configuration, with the same
 * options as the core.
 */
#include <stdbool.h>
#include <stdint.h>

#include "attncore/q16.h"
#include "attncore/q16_elementwise.h"
#include "attncore/q16_softmax.h"
#include "check.h"

#define N 1000

static bool rounding_kept(ac_rounding rnd)
{
    (void)rnd; /* unused in a build that keeps both */
#ifdef AC_Q16_NO_NEAREST
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        return false;
    }
#endif
#ifdef AC_Q16_NO_FLOOR
    if (rnd == AC_ROUND_FLOOR) {
        return false;
    }
#endif
    return true;
}

static bool overflow_kept(ac_overflow ovf)
{
    (void)ovf;
#ifdef AC_Q16_NO_SATURATE
    if (ovf == AC_OVERFLOW_SATURATE) {
        return false;
    }
#endif
#ifdef AC_Q16_NO_RAISE
    if (ovf == AC_OVERFLOW_RAISE) {
        return false;
    }
#endif
#ifdef AC_Q16_NO_WRAP
    if (ovf == AC_OVERFLOW_WRAP) {
        return false;
    }
#endif
    return true;
}

static bool binary_kept(int op)
{
    static const bool kept[4] = {
#ifdef AC_Q16_NO_ADD
        false,
#else
        true,
#endif
#ifdef AC_Q16_NO_SUB
        false,
#else
        true,
#endif
#ifdef AC_Q16_NO_MUL
        false,
#else
        true,
#endif
#ifdef AC_Q16_NO_DIV
        false,
#else
        true,
#endif
    };
    return kept[op];
}

static bool unary_kept(int op)
{
    (void)op;
#ifdef AC_Q16_NO_SQRT
    if (op == AC_Q16_OP_SQRT) {
        return false;
    }
#endif
#ifdef AC_Q16_NO_EXP
    if (op == AC_Q16_OP_EXP) {
        return false;
    }
#endif
    return true;
}

/* The scalar operations themselves (div only where the build keeps it). */
static ac_q16 scalar_binary(int op, ac_q16 x, ac_q16 y, ac_rounding rnd, ac_overflow ovf,
                            ac_status *st)
{
    switch (op) {
    case AC_Q16_OP_ADD:
        return ac_q16_add(x, y, ovf, st);
    case AC_Q16_OP_SUB:
        return ac_q16_sub(x, y, ovf, st);
    case AC_Q16_OP_MUL:
        return ac_q16_mul(x, y, rnd, ovf, st);
    default:
        return ac_q16_div(x, y, rnd, ovf, st);
    }
}

static ac_q16 scalar_unary(int op, ac_q16 x, ac_rounding rnd, ac_overflow ovf, ac_status *st)
{
    return op == AC_Q16_OP_SQRT ? ac_q16_sqrt(x, rnd, st) : ac_q16_exp(x, rnd, ovf, st);
}

static ac_q16 a[N], b[N], got[2 * N], want[2 * N];

/* Operands whose events (saturations, zero divisors, negative square roots)
 * fall at irregular places, so they straddle every block boundary. */
static void fill(void)
{
    for (int i = 0; i < N; ++i) {
        uint64_t r = check_rng();
        a[i] = (i % 7 == 3 || i % 11 == 0) ? (ac_q16)(int64_t)((r >> 32) - 2147483648ull)
                                          : (ac_q16)((int64_t)(r >> 45) - ((int64_t)1 << 18));
        uint64_t r2 = check_rng();
        b[i] = i % 13 == 5  ? 0
               : i % 5 == 1 ? (ac_q16)(int64_t)((r2 >> 32) - 2147483648ull)
                            : (ac_q16)((int64_t)(r2 & 0xFFFFFFu) - ((int64_t)1 << 23));
    }
}

/* What one call must return and tally: scalar results in order, stopping
 * at the first event under raise (and at a domain error always). */
static ac_status expected(bool unary, int op, size_t n, ptrdiff_t stride, ac_rounding rnd,
                          ac_overflow ovf, ac_tally *tally)
{
    for (size_t i = 0; i < n; ++i) {
        ac_status st;
        ac_q16 x = a[(ptrdiff_t)i * stride];
        want[(ptrdiff_t)i * stride] = unary ? scalar_unary(op, x, rnd, ovf, &st)
                                            : scalar_binary(op, x, b[(ptrdiff_t)i * stride], rnd,
                                                            ovf, &st);
        if (st != AC_OK) {
            ac_tally_note(tally, i, st);
            if (ovf == AC_OVERFLOW_RAISE || st == AC_STATUS_DOMAIN) {
                return st;
            }
        }
    }
    return AC_OK;
}

static void test_loops(void)
{
    static const ac_rounding ROUNDINGS[] = {AC_ROUND_NEAREST_EVEN, AC_ROUND_FLOOR};
    static const ac_overflow OVERFLOWS[] = {AC_OVERFLOW_SATURATE, AC_OVERFLOW_RAISE,
                                            AC_OVERFLOW_WRAP};
    long kept = 0, refused = 0;
    for (int unary = 0; unary < 2; ++unary) {
        for (int op = 0; op < (unary ? 2 : 4); ++op) {
            for (int r = 0; r < 2; ++r) {
                for (int o = 0; o < 3; ++o) {
                    for (ptrdiff_t stride = 1; stride <= 2; ++stride) {
                        ac_rounding rnd = ROUNDINGS[r];
                        ac_overflow ovf = OVERFLOWS[o];
                        size_t n = (size_t)N / (size_t)stride;
                        bool on = (unary ? unary_kept(op) : binary_kept(op)) && rounding_kept(rnd)
                                  && overflow_kept(ovf);
                        ac_tally t_got = {0, 0, 0, AC_OK}, t_want = {0, 0, 0, AC_OK};
                        for (int i = 0; i < 2 * N; ++i) {
                            got[i] = 12345;
                        }
                        ac_status s_got =
                            unary ? ac_q16_unary_n((ac_q16_unary_op)op, n, a, stride, got, stride,
                                                   rnd, ovf, &t_got)
                                  : ac_q16_binary_n((ac_q16_binary_op)op, n, a, stride, b, stride,
                                                    got, stride, rnd, ovf, &t_got);
                        if (!on) {
                            bool untouched = true;
                            for (int i = 0; i < 2 * N; ++i) {
                                untouched &= got[i] == 12345;
                            }
                            CHECK(s_got == AC_STATUS_BAD_ARGUMENT && untouched
                                      && t_got.events == 0,
                                  "unary=%d op %d rnd %d ovf %d: left out, so refused", unary, op,
                                  r, o);
                            refused += 1;
                            continue;
                        }
                        ac_status s_want = expected(unary, op, n, stride, rnd, ovf, &t_want);
                        size_t upto = s_want == AC_OK ? n : t_want.last_index + 1u;
                        bool same = s_got == s_want && t_got.events == t_want.events
                                    && t_got.first_index == t_want.first_index
                                    && t_got.last_index == t_want.last_index
                                    && t_got.first_status == t_want.first_status;
                        for (size_t i = 0; i < upto; ++i) {
                            same &= got[(ptrdiff_t)i * stride] == want[(ptrdiff_t)i * stride];
                        }
                        CHECK(same && (t_want.events > 0 || unary),
                              "unary=%d op %d rnd %d ovf %d stride %d differs from the scalar "
                              "loop",
                              unary, op, r, o, (int)stride);
                        kept += 1;
                    }
                }
            }
        }
    }
    printf("configuration: %ld loop variants kept and checked, %ld refused\n", kept, refused);
}

static void test_scalar_refusals(void)
{
    ac_status st = AC_OK;
    const ac_overflow ovf = overflow_kept(AC_OVERFLOW_SATURATE) ? AC_OVERFLOW_SATURATE
                            : overflow_kept(AC_OVERFLOW_RAISE)  ? AC_OVERFLOW_RAISE
                                                                : AC_OVERFLOW_WRAP;
    ac_q16 x[3] = {AC_Q16_ONE, 0, -AC_Q16_ONE}, out[3] = {7, 7, 7};
    for (int r = 0; r < 2; ++r) {
        ac_rounding rnd = r == 0 ? AC_ROUND_NEAREST_EVEN : AC_ROUND_FLOOR;
        if (rounding_kept(rnd)) {
            CHECK(ac_q16_softmax_row(3, x, 1, NULL, 1, out, 1, rnd, NULL) == AC_OK,
                  "softmax with a kept rounding");
            continue;
        }
        CHECK(ac_q16_softmax_row(3, x, 1, NULL, 1, out, 1, rnd, NULL) == AC_STATUS_BAD_ARGUMENT,
              "softmax refuses a left-out rounding");
        CHECK(ac_q16_sqrt(AC_Q16_ONE, rnd, &st) == 0 && st == AC_STATUS_BAD_ARGUMENT,
              "sqrt refuses a left-out rounding");
        CHECK(ac_q16_exp(AC_Q16_ONE, rnd, ovf, &st) == 0
                  && st == AC_STATUS_BAD_ARGUMENT,
              "exp refuses a left-out rounding");
        CHECK(ac_q16_div(AC_Q16_ONE, 3, rnd, ovf, &st) == 0
                  && st == AC_STATUS_BAD_ARGUMENT,
              "div refuses a left-out rounding");
    }
}

int main(void)
{
    fill();
    test_loops();
    test_scalar_refusals();
    return check_report("test_config");
}
