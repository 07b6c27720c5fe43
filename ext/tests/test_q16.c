/*
 * Tests of the Q16.16 scalar core against independent references: exact
 * rounding recomputed here with C99 truncating division (a different path
 * from the shifts the core uses), the defining inequalities of sqrt, and
 * long double exp for the exponential.  Run natively under sanitizers, and
 * compiled with and without the __int128 fast path.
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "attncore/convert.h"
#include "attncore/fp_linalg.h"
#include "attncore/q16.h"
#include "attncore/q16_elementwise.h"
#include "attncore/q16_matmul.h"
#include "attncore/q16_attention.h"
#include "attncore/q16_softmax.h"
#include "q16_wide.h"
#include "q16_exp_neg.h"
#include "check.h"

static const ac_rounding ROUNDINGS[] = {AC_ROUND_NEAREST_EVEN, AC_ROUND_FLOOR};
static const ac_overflow OVERFLOWS[] = {AC_OVERFLOW_SATURATE, AC_OVERFLOW_RAISE,
                                        AC_OVERFLOW_WRAP};

/* num / den (den > 0) rounded once, by truncating division. */
static int64_t ref_round_div(int64_t num, int64_t den, ac_rounding rnd)
{
    int64_t q = num / den, r = num % den;
    if (r < 0) {
        q -= 1;
        r += den;
    }
    if (rnd == AC_ROUND_NEAREST_EVEN && (2 * r > den || (2 * r == den && (q % 2 != 0)))) {
        q += 1;
    }
    return q;
}

static ac_q16 ref_fit(int64_t v, ac_overflow ovf, int *event)
{
    *event = v > INT32_MAX || v < INT32_MIN;
    if (!*event) {
        return (ac_q16)v;
    }
    if (ovf == AC_OVERFLOW_WRAP) {
        int64_t m = ((v % 4294967296LL) + 4294967296LL) % 4294967296LL;
        return (ac_q16)(m >= 2147483648LL ? m - 4294967296LL : m);
    }
    return v > 0 ? AC_Q16_MAX : AC_Q16_MIN;
}

static ac_q16 edge_or_random(unsigned i)
{
    static const ac_q16 edges[] = {0, 1, -1, 2, -2, AC_Q16_ONE, -AC_Q16_ONE,
                                   AC_Q16_ONE / 2, -AC_Q16_ONE / 2, 3 * AC_Q16_ONE / 2,
                                   AC_Q16_MAX, AC_Q16_MIN, AC_Q16_MAX - 1, AC_Q16_MIN + 1,
                                   46341 << 8, -(46341 << 8), 32768, -32768, 32769};
    const unsigned n_edges = sizeof edges / sizeof edges[0];
    if (i < n_edges * n_edges) {
        return edges[i % n_edges];
    }
    uint64_t r = check_rng();
    switch (r & 3u) {
    case 0: /* small magnitudes, where ties and cancellations live */
        return (ac_q16)((int32_t)(r >> 40) - ((int32_t)1 << 23)) >> (int)((r >> 8) & 15u);
    default:
        return (ac_q16)(uint32_t)(r >> 32) == 0 ? 1 : (ac_q16)(int64_t)((r >> 32) - 2147483648ull);
    }
}

static void test_mul_div(void)
{
    const unsigned n_edges = 19;
    for (unsigned i = 0; i < 400000u; ++i) {
        ac_q16 a = edge_or_random(i);
        ac_q16 b = i < n_edges * n_edges ? edge_or_random(i / n_edges) : edge_or_random(i + 7);
        for (int ri = 0; ri < 2; ++ri) {
            for (int oi = 0; oi < 3; ++oi) {
                ac_rounding rnd = ROUNDINGS[ri];
                ac_overflow ovf = OVERFLOWS[oi];
                ac_status st;
                int event;
                ac_q16 got = ac_q16_mul(a, b, rnd, ovf, &st);
                ac_q16 want = ref_fit(ref_round_div((int64_t)a * b, 65536, rnd), ovf, &event);
                CHECK(got == want && (st == AC_STATUS_RANGE) == event,
                      "mul(%" PRId32 ", %" PRId32 ") rnd=%d ovf=%d: got %" PRId32 " st=%d want %" PRId32,
                      a, b, (int)rnd, (int)ovf, got, (int)st, want);
                got = ac_q16_div(a, b, rnd, ovf, &st);
                if (b == 0) {
                    want = a > 0 ? AC_Q16_MAX : (a < 0 ? AC_Q16_MIN : 0);
                    CHECK(got == want && st == AC_STATUS_DIV_BY_ZERO, "div(%" PRId32 ", 0)", a);
                    continue;
                }
                int64_t num = (int64_t)a * 65536, den = b;
                if (den < 0) {
                    num = -num;
                    den = -den;
                }
                want = ref_fit(ref_round_div(num, den, rnd), ovf, &event);
                CHECK(got == want && (st == AC_STATUS_RANGE) == event,
                      "div(%" PRId32 ", %" PRId32 ") rnd=%d ovf=%d: got %" PRId32 " st=%d want %" PRId32,
                      a, b, (int)rnd, (int)ovf, got, (int)st, want);
            }
        }
    }
}

static void test_exact_ties(void)
{
    ac_status st;
    /* 0.5 LSB products: 1 * 32768 raw = 2^15 / 2^16 exactly half */
    CHECK(ac_q16_mul(1, 32768, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 0, "tie to 0");
    CHECK(ac_q16_mul(3, 32768, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 2, "tie to 2");
    CHECK(ac_q16_mul(-1, 32768, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 0, "-tie");
    CHECK(ac_q16_mul(-3, 32768, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == -2, "-tie");
    CHECK(ac_q16_mul(-1, 32768, AC_ROUND_FLOOR, AC_OVERFLOW_SATURATE, &st) == -1, "floor");
    CHECK(ac_q16_mul(AC_Q16_MIN, AC_Q16_MIN, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_WRAP, &st) == 0
              && st == AC_STATUS_RANGE,
          "MIN*MIN wraps to 2^46 mod 2^32 = 0");
    CHECK(ac_q16_div(AC_Q16_MIN, -AC_Q16_ONE, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st)
                  == AC_Q16_MAX && st == AC_STATUS_RANGE,
          "MIN / -1 saturates");
    CHECK(ac_q16_div(1, 4 * AC_Q16_ONE, AC_ROUND_NEAREST_EVEN,
                     AC_OVERFLOW_SATURATE, &st) == 0,
          "1 raw / 4 = 0.25 raw rounds to 0");
    CHECK(ac_q16_div(3, 2 * AC_Q16_ONE, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 2,
          "3 raw / 2 = 1.5 raw ties to 2");
    CHECK(ac_q16_div(5, 2 * AC_Q16_ONE, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 2,
          "5 raw / 2 = 2.5 raw ties to 2");
}

static void test_sqrt(void)
{
    for (unsigned i = 0; i < 2000000u; ++i) {
        ac_q16 a = i < 1000u ? (ac_q16)i : (i < 2000u ? AC_Q16_MAX - (ac_q16)(i - 1000u)
                                                     : (ac_q16)(check_rng() >> 33));
        ac_status st;
        ac_q16 s = ac_q16_sqrt(a, AC_ROUND_NEAREST_EVEN, &st);
        ac_q16 f = ac_q16_sqrt(a, AC_ROUND_FLOOR, &st);
        /* nearest: (s - 1/2)^2 <= n < (s + 1/2)^2 with n = a * 2^16, times 4 */
        uint64_t n4 = (uint64_t)a << 18;
        uint64_t lo = (uint64_t)(2 * (int64_t)s - 1) * (uint64_t)(2 * (int64_t)s - 1);
        uint64_t hi = (uint64_t)(2 * (int64_t)s + 1) * (uint64_t)(2 * (int64_t)s + 1);
        CHECK(st == AC_OK && (s == 0 || lo <= n4) && n4 < hi, "sqrt(%" PRId32 ") = %" PRId32, a, s);
        uint64_t n = (uint64_t)a << 16;
        CHECK((uint64_t)f * (uint64_t)f <= n && (uint64_t)(f + 1) * (uint64_t)(f + 1) > n,
              "floor sqrt(%" PRId32 ") = %" PRId32, a, f);
    }
    ac_status st;
    CHECK(ac_q16_sqrt(-1, AC_ROUND_NEAREST_EVEN, &st) == 0 && st == AC_STATUS_DOMAIN, "sqrt(-1)");
    CHECK(ac_q16_sqrt(4 * AC_Q16_ONE, AC_ROUND_NEAREST_EVEN, &st) == 2 * AC_Q16_ONE, "sqrt(4)");
}

static void test_exp(void)
{
    long double worst = 0;
    long undecided = 0;
    for (int32_t a = (int32_t)-18 * 65536; a < (int32_t)11 * 65536; a += 3) {
        ac_status st;
        long double exact = expl((long double)a / 65536.0L) * 65536.0L;
        /* the reference is only as good as long double: 64-bit mantissas on
         * x86, 53 where long double is double (ARM, MIPS, RV32), 106 or 113
         * elsewhere; within tol of a rounding boundary it cannot judge */
        long double tol = 1e-9L + ldexpl(exact, 3 - LDBL_MANT_DIG);
        long double frac = exact - floorl(exact);
        if (fabsl(frac - 0.5L) <= tol || frac <= tol || 1.0L - frac <= tol) {
            undecided += 1;
        }
        ac_q16 q = ac_q16_exp(a, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st);
        if (exact >= 2147483647.5L) {
            CHECK(q == AC_Q16_MAX && st == AC_STATUS_RANGE, "exp(%" PRId32 ") saturates", a);
            continue;
        }
        long double err = fabsl((long double)q - exact);
        worst = err > worst ? err : worst;
        CHECK(st == AC_OK && err <= 0.5L + tol, "exp(%" PRId32 ") = %" PRId32 ", exact %.6Lf", a, q,
              exact);
        ac_q16 f = ac_q16_exp(a, AC_ROUND_FLOOR, AC_OVERFLOW_SATURATE, &st);
        CHECK((long double)f <= exact + tol && exact < (long double)f + 1.0L + tol,
              "floor exp(%" PRId32 ") = %" PRId32 ", exact %.6Lf", a, f, exact);
    }
    ac_status st;
    CHECK(ac_q16_exp(0, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == AC_Q16_ONE,
          "exp(0) == 1 exactly");
    CHECK(ac_q16_exp(AC_Q16_MIN, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 0
              && st == AC_OK, "exp(MIN) = 0");
    CHECK(ac_q16_exp(AC_Q16_MAX, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_RAISE, &st) == AC_Q16_MAX
              && st == AC_STATUS_RANGE, "exp(MAX) saturates");
    printf("exp: worst error %.6Lf LSB (%d-bit long double; %ld inputs too close to a rounding "
           "boundary for it to judge)\n", worst, LDBL_MANT_DIG, undecided);
}

static void test_wide_mul(void)
{
    for (unsigned i = 0; i < 100000u; ++i) {
        uint64_t a = check_rng(), b = check_rng(), hi, lo;
        ac_q16__mul_u64(a, b, &hi, &lo);
        /* check modulo 2^64, and the whole product against a schoolbook in
         * 16-bit limbs (exact, independent of the 32-bit limbs of the core
         * and of long double, which has only 53 bits on some targets) */
        CHECK(lo == a * b, "low word");
        uint64_t limbs[8] = {0};
        for (int x = 0; x < 4; ++x) {
            uint64_t carry = 0;
            for (int y = 0; y < 4; ++y) {
                uint64_t t = ((a >> (16 * x)) & 0xFFFFu) * ((b >> (16 * y)) & 0xFFFFu)
                             + limbs[x + y] + carry;
                limbs[x + y] = t & 0xFFFFu;
                carry = t >> 16;
            }
            limbs[x + 4] += carry;
        }
        uint64_t ref_hi = limbs[4] | limbs[5] << 16 | limbs[6] << 32 | limbs[7] << 48;
        CHECK(hi == ref_hi, "high word");
    }
}

static void test_convert(void)
{
    ac_status st;
    CHECK(ac_q16_from_double(1.0, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 65536, "1");
    CHECK(ac_q16_from_double(0.5 / 65536, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 0,
          "tie to even 0");
    CHECK(ac_q16_from_double(1.5 / 65536, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 2,
          "tie to even 2");
    CHECK(ac_q16_from_double(-1.5 / 65536, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == -2,
          "negative tie");
    CHECK(ac_q16_from_double(-0.25 / 65536, AC_ROUND_FLOOR, AC_OVERFLOW_SATURATE, &st) == -1,
          "floor");
    CHECK(ac_q16_from_double(NAN, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 0
              && st == AC_STATUS_DOMAIN, "NaN");
    CHECK(ac_q16_from_double(INFINITY, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st)
                  == AC_Q16_MAX && st == AC_STATUS_RANGE, "inf saturates");
    CHECK(ac_q16_from_double(-1e300, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st)
                  == AC_Q16_MIN && st == AC_STATUS_RANGE, "-huge saturates");
    CHECK(ac_q16_from_double(32768.0, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_WRAP, &st) == AC_Q16_MIN
              && st == AC_STATUS_RANGE, "2^15 wraps to MIN");
    CHECK(ac_q16_from_double(ldexp(1.0, 60) + 65536.0 * 3, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_WRAP,
                             &st) == 0, "2^76 + 3*2^32 raw wraps to 0");
    CHECK(ac_q16_from_double(ldexp(1.0, 47) + 5.0, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_WRAP,
                             &st) == (ac_q16)5 << 16, "wrap keeps the low 32 bits");
    CHECK(ac_q16_from_double(2.7e303, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_WRAP, &st) == 0
              && st == AC_STATUS_RANGE, "finite x with x * 2^16 = inf still wraps (to 0)");
    CHECK(ac_q16_from_double(-INFINITY, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_WRAP, &st) == 0
              && st == AC_STATUS_DOMAIN, "inf cannot wrap");
    CHECK(ac_q16_from_int(-32768, AC_OVERFLOW_RAISE, &st) == AC_Q16_MIN && st == AC_OK, "-2^15");
    CHECK(ac_q16_from_int(32767, AC_OVERFLOW_RAISE, &st) == 32767 * 65536 && st == AC_OK, "32767");
    CHECK(ac_q16_from_int(32768, AC_OVERFLOW_SATURATE, &st) == AC_Q16_MAX
              && st == AC_STATUS_RANGE, "2^15 saturates");
    CHECK(ac_q16_from_int(INT64_MIN, AC_OVERFLOW_WRAP, &st) == 0 && st == AC_STATUS_RANGE,
          "INT64_MIN wraps to 0");
    CHECK(ac_q16_from_int(65537, AC_OVERFLOW_WRAP, &st) == 65536, "65537 wraps to 1.0");
    for (unsigned i = 0; i < 100000u; ++i) {
        ac_q16 q = (ac_q16)(int64_t)((check_rng() >> 32) - 2147483648ull);
        CHECK(ac_q16_from_double(ac_q16_to_double(q), AC_ROUND_FLOOR, AC_OVERFLOW_RAISE, &st) == q
                  && st == AC_OK, "round trip %" PRId32, q);
    }
}

static void test_strided_loops(void)
{
    ac_q16 a[6] = {AC_Q16_ONE, 2 * AC_Q16_ONE, AC_Q16_MAX, 3, -AC_Q16_ONE, 0};
    ac_q16 b[1] = {2 * AC_Q16_ONE};
    ac_q16 out[6] = {0};
    ac_tally tally = {0, 0, 0, AC_OK};
    ac_status st = ac_q16_binary_n(AC_Q16_OP_MUL, 6, a, 1, b, 0, out, 1, AC_ROUND_NEAREST_EVEN,
                                   AC_OVERFLOW_SATURATE, &tally);
    CHECK(st == AC_OK && tally.events == 1 && tally.first_index == 2 && out[2] == AC_Q16_MAX
              && out[1] == 4 * AC_Q16_ONE && out[3] == 6, "broadcast mul with one saturation");
    ac_tally raised = {0, 0, 0, AC_OK};
    st = ac_q16_binary_n(AC_Q16_OP_MUL, 6, a, 1, b, 0, out, 1, AC_ROUND_NEAREST_EVEN,
                         AC_OVERFLOW_RAISE, &raised);
    CHECK(st == AC_STATUS_RANGE && raised.first_index == 2, "raise stops at the first event");
    ac_tally sq = {0, 0, 0, AC_OK};
    st = ac_q16_unary_n(AC_Q16_OP_SQRT, 3, a + 3, 1, out, -1 + 2, AC_ROUND_NEAREST_EVEN,
                        AC_OVERFLOW_SATURATE, &sq);
    CHECK(st == AC_STATUS_DOMAIN && sq.first_index == 1, "negative sqrt stops the row");
    CHECK(ac_q16_unary_n((ac_q16_unary_op)7, 3, a, 1, out, 1, AC_ROUND_NEAREST_EVEN,
                         AC_OVERFLOW_SATURATE, &sq) == AC_STATUS_BAD_ARGUMENT, "unknown op");
    /* a saturation before a NaN: first_index is the saturation, last_index
     * the element the loop stopped at */
    double x[4] = {1e10, 1.0, NAN, 2.0};
    ac_tally conv = {0, 0, 0, AC_OK};
    st = ac_q16_from_double_n(4, x, 1, out, 1, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &conv);
    CHECK(st == AC_STATUS_DOMAIN && conv.first_index == 0 && conv.last_index == 2
              && conv.events == 2, "stop index of a NaN after a saturation");
    /* blocked contiguous path: events spread over several blocks */
    static ac_q16 big[3000], two[3000], res[3000];
    for (int i = 0; i < 3000; ++i) {
        big[i] = (i == 700 || i == 2900) ? AC_Q16_MAX : AC_Q16_ONE;
        two[i] = 2 * AC_Q16_ONE;
    }
    ac_tally blocks = {0, 0, 0, AC_OK};
    st = ac_q16_binary_n(AC_Q16_OP_MUL, 3000, big, 1, two, 1, res, 1, AC_ROUND_NEAREST_EVEN,
                         AC_OVERFLOW_SATURATE, &blocks);
    CHECK(st == AC_OK && blocks.events == 2 && blocks.first_index == 700
              && blocks.last_index == 2900 && res[700] == AC_Q16_MAX && res[1] == 2 * AC_Q16_ONE,
          "blocked loop tallies across blocks");
}

static void test_matmul(void)
{
    /* int64 path: random 5x7 @ 7x3 against the truncating-division reference */
    for (int trial = 0; trial < 2000; ++trial) {
        ac_q16 a[5 * 7], b[7 * 3], c[5 * 3];
        for (int i = 0; i < 35; ++i) {
            a[i] = (ac_q16)((int64_t)(check_rng() >> 40) - ((int64_t)1 << 23));
        }
        for (int i = 0; i < 21; ++i) {
            b[i] = (ac_q16)((int64_t)(check_rng() >> 40) - ((int64_t)1 << 23));
        }
        ac_rounding rnd = ROUNDINGS[trial & 1];
        ac_tally tally = {0, 0, 0, AC_OK};
        ac_status st = ac_q16_matmul(5, 3, 7, a, 7, 1, b, 3, 1, c, 3, 1, rnd,
                                     AC_OVERFLOW_SATURATE, &tally);
        for (int i = 0; i < 5; ++i) {
            for (int j = 0; j < 3; ++j) {
                int64_t sum = 0;
                for (int p = 0; p < 7; ++p) {
                    sum += (int64_t)a[i * 7 + p] * b[p * 3 + j];
                }
                int event;
                ac_q16 want = ref_fit(ref_round_div(sum, 65536, rnd), AC_OVERFLOW_SATURATE, &event);
                CHECK(st == AC_OK && c[i * 3 + j] == want,
                      "matmul[%d,%d] = %" PRId32 ", want %" PRId32, i, j, c[i * 3 + j], want);
            }
        }
    }
    /* wide path: 2 * 2^62 + 2 * MIN * MAX + 2^32 = 2^33 -> exactly 2.0 */
    ac_q16 a[5] = {AC_Q16_MIN, AC_Q16_MIN, AC_Q16_MIN, AC_Q16_MIN, AC_Q16_ONE};
    ac_q16 b[5] = {AC_Q16_MIN, AC_Q16_MIN, AC_Q16_MAX, AC_Q16_MAX, AC_Q16_ONE};
    ac_q16 c[1];
    ac_tally tally = {0, 0, 0, AC_OK};
    ac_status st = ac_q16_matmul(1, 1, 5, a, 5, 1, b, 1, 5, c, 1, 1, AC_ROUND_NEAREST_EVEN,
                                 AC_OVERFLOW_RAISE, &tally);
    CHECK(st == AC_OK && c[0] == 2 * AC_Q16_ONE, "cancelling wide sum = %" PRId32, c[0]);
    /* 2^62 + 2^62 + MIN * MAX = 2^62 + 2^31: saturates (positive); wraps to
     * (2^46 + 2^15) mod 2^32 = 2^15 */
    st = ac_q16_matmul(1, 1, 3, a, 5, 1, b, 1, 5, c, 1, 1, AC_ROUND_NEAREST_EVEN,
                       AC_OVERFLOW_SATURATE, &tally);
    CHECK(c[0] == AC_Q16_MAX && tally.events == 1, "wide sum saturates");
    st = ac_q16_matmul(1, 1, 3, a, 5, 1, b, 1, 5, c, 1, 1, AC_ROUND_NEAREST_EVEN,
                       AC_OVERFLOW_WRAP, &tally);
    CHECK(c[0] == 32768, "wide sum wraps to %" PRId32, c[0]);
    st = ac_q16_matmul(1, 1, 3, a, 5, 1, b, 1, 5, c, 1, 1, AC_ROUND_NEAREST_EVEN,
                       AC_OVERFLOW_RAISE, &tally);
    CHECK(st == AC_STATUS_RANGE, "wide sum raises");
    /* MIN^2 + MIN^2 - MIN = 2^63 + 2^31 (issue 15's narrowing sign case on the
     * two-word path): above the range, so MAX, never MIN */
    ac_q16 neg[3] = {AC_Q16_MIN, AC_Q16_MIN, -1}, pos[3] = {AC_Q16_MIN, AC_Q16_MIN, 1};
    ac_q16 top[3] = {AC_Q16_MIN, AC_Q16_MIN, AC_Q16_MIN};
    st = ac_q16_matmul(1, 1, 3, neg, 3, 1, pos, 1, 1, c, 1, 1, AC_ROUND_NEAREST_EVEN,
                       AC_OVERFLOW_SATURATE, &tally);
    CHECK(c[0] == AC_Q16_MAX, "2^63 - 1 saturates to MAX, got %" PRId32, c[0]);
    st = ac_q16_matmul(1, 1, 3, top, 3, 1, neg, 1, 1, c, 1, 1, AC_ROUND_NEAREST_EVEN,
                       AC_OVERFLOW_SATURATE, &tally);
    CHECK(c[0] == AC_Q16_MAX, "2^63 + 2^31 saturates to MAX, got %" PRId32, c[0]);
}

/* Offsets from a boundary worth every value: near 0 and near +-2^15 and
 * +-2^16 (half and one LSB of a narrowing by 2^16); sparser in between. */
static int64_t window_step(int64_t d)
{
    int64_t m = d < 0 ? -d : d;
    int dense = m < 600 || (m > 32768 - 600 && m < 32768 + 600)
                || (m > 65536 - 600 && m < 65536 + 600);
    return dense ? 1 : 37;
}

/* round(v / 2^shift) for shift <= 62 by truncating division of v (and of
 * v + 2^shift when v is negative, so nothing overflows): a different path
 * from the core's shifts. */
static int64_t ref_round_shift(int64_t v, unsigned shift, ac_rounding rnd)
{
    int64_t den = (int64_t)1 << shift;
    int64_t q = v / den, r = v % den; /* C99: truncation, r has v's sign */
    if (r < 0) {
        q -= 1;
        r += den;
    }
    if (rnd == AC_ROUND_NEAREST_EVEN && (r > den - r || (r == den - r && (q % 2 != 0)))) {
        q += 1;
    }
    return q;
}

/* Every int64 narrowing (ac_q16_narrow, all shifts) in windows at +-2^63,
 * at the Q16.16 range edges and at 0, against the reference. */
static void test_narrow_int64(void)
{
    const int64_t centres[] = {INT64_MIN, INT64_MAX, 0,
                               ((int64_t)AC_Q16_MAX << 16) + 32768,
                               ((int64_t)AC_Q16_MIN * 65536) - 32768,
                               INT64_MAX - 32768, INT64_MIN + 32768};
    for (size_t c = 0; c < sizeof centres / sizeof centres[0]; ++c) {
        for (int64_t d = -70000; d <= 70000; d += window_step(d)) {
            int64_t v;
            if ((d < 0 && centres[c] < INT64_MIN - d) || (d > 0 && centres[c] > INT64_MAX - d)) {
                continue;
            }
            v = centres[c] + d;
            for (unsigned shift = 1; shift <= 62; shift += (d % 97 == 0) ? 1u : 5u) {
                for (int ri = 0; ri < 2; ++ri) {
                    for (int oi = 0; oi < 3; ++oi) {
                        ac_status st;
                        int event;
                        ac_q16 got = ac_q16_narrow(v, shift, ROUNDINGS[ri], OVERFLOWS[oi], &st);
                        ac_q16 want = ref_fit(ref_round_shift(v, shift, ROUNDINGS[ri]),
                                              OVERFLOWS[oi], &event);
                        CHECK(got == want && (st == AC_STATUS_RANGE) == event,
                              "narrow(%" PRId64 ", %u) rnd=%d ovf=%d: got %" PRId32 " want %" PRId32,
                              v, shift, ri, oi, got, want);
                    }
                }
            }
        }
    }
    /* shift 63: the quotient is -1, 0 or 1 */
    ac_status st;
    CHECK(ac_q16_narrow(INT64_MIN, 63, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == -1,
          "-2^63 / 2^63");
    CHECK(ac_q16_narrow(INT64_MAX, 63, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st) == 1,
          "(2^63 - 1) / 2^63 rounds to 1");
    CHECK(ac_q16_narrow(INT64_MAX, 63, AC_ROUND_FLOOR, AC_OVERFLOW_SATURATE, &st) == 0,
          "floor((2^63 - 1) / 2^63)");
    CHECK(ac_q16_narrow((int64_t)1 << 62, 63, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st)
              == 0, "1/2 ties to 0");
    CHECK(ac_q16_narrow(-((int64_t)1 << 62), 63, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE,
                        &st) == 0, "-1/2 ties to 0");
    CHECK(ac_q16_narrow(-((int64_t)1 << 62) - 1, 63, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE,
                        &st) == -1, "just below -1/2");
}

/* The int64 with the two's-complement bits u. */
static int64_t ref_s64(uint64_t u)
{
    return (u >> 63) ? (int64_t)(u & ~((uint64_t)1 << 63)) - INT64_MAX - 1 : (int64_t)u;
}

/* round(s / 2^16) fitted, for a two-word s = hi 2^64 + lo: an int64 value
 * by the int64 reference; beyond int64 (|s| >= 2^63, so |s / 2^16| >= 2^47)
 * out of range with the sign of s, and under wrap the rounded quotient
 * modulo 2^32, which depends only on s modulo 2^48. */
static ac_q16 ref_narrow_wide(ac_q16__wide s, ac_rounding rnd, ac_overflow ovf, int *event)
{
    if (s.hi == ((s.lo >> 63) ? ~(uint64_t)0 : 0u)) {
        return ref_fit(ref_round_shift(ref_s64(s.lo), 16, rnd), ovf, event);
    }
    *event = 1;
    if (ovf == AC_OVERFLOW_WRAP) {
        int64_t low48 = (int64_t)(s.lo & (((uint64_t)1 << 48) - 1u));
        int64_t q = ref_round_shift(low48, 16, rnd) % 4294967296LL;
        return (ac_q16)(q >= 2147483648LL ? q - 4294967296LL : q);
    }
    return (s.hi >> 63) ? AC_Q16_MIN : AC_Q16_MAX;
}

/* The two-word narrowing for values around +-2^63, +-2^64, +-2^126 and the
 * ends of the two-word range. */
static void test_narrow_wide(void)
{
    const ac_q16__wide centres[] = {
        {(uint64_t)1 << 63, 0},                                 /* 2^63 */
        {(uint64_t)1 << 63, ~(uint64_t)0},                      /* -2^63 */
        {0, 1}, {0, ~(uint64_t)0},                              /* +-2^64 */
        {0, (uint64_t)1 << 62}, {0, ~((uint64_t)1 << 62) + 1u}, /* +-2^126 */
        {~(uint64_t)0, ~((uint64_t)1 << 63)},                   /* 2^127 - 1 */
        {0, (uint64_t)1 << 63},                                 /* -2^127 */
    };
    for (size_t c = 0; c < sizeof centres / sizeof centres[0]; ++c) {
        for (int64_t d = -70000; d <= 70000; d += window_step(d)) {
            ac_q16__wide s = centres[c];
            ac_q16__wide_acc(&s, d);
            for (int ri = 0; ri < 2; ++ri) {
                for (int oi = 0; oi < 3; ++oi) {
                    ac_status st;
                    int event;
                    ac_q16 got = ac_q16__wide_narrow(s, ROUNDINGS[ri], OVERFLOWS[oi], &st);
                    ac_q16 want = ref_narrow_wide(s, ROUNDINGS[ri], OVERFLOWS[oi], &event);
                    CHECK(got == want && (st == AC_STATUS_RANGE) == event,
                          "wide_narrow(centre %u, %+" PRId64 ") rnd=%d ovf=%d: got %" PRId32
                          " want %" PRId32, (unsigned)c, d, ri, oi, got, want);
                }
            }
        }
    }
}

/* One exact dot product of length k. */
struct dot_case {
    const char *what;
    unsigned k;
    ac_q16 a[4], b[4];
    int64_t hi;   /* its exact value: hi * 2^32 + lo_u32 */
    uint32_t lo;
};

/* Sums at +-2^63 and at the edges of the Q16.16 range on every matmul path:
 * the general int64 and two-word kernels (ac_q16_matmul: the magnitudes of
 * a case pick its path), and each fixed shape of ac_q16_matmul_batch in its
 * int64 and split variants (the batch's bound picks the variant: the case
 * alone, or next to an item of magnitude 2^31 that forces the split
 * kernel).  Every output of the fixed shapes holds the case's sum. */
static void test_matmul_edges(void)
{
    const ac_q16 MN = AC_Q16_MIN, MX = AC_Q16_MAX;
    const int64_t T31 = (int64_t)1 << 31;
    /* value = hi * 2^32 + lo; 2^63 = 2^31 * 2^32 */
    const struct dot_case cases[] = {
        /* issue 15: 3 (2^31 - 1) 1431655766 = 2^63 - 2 (int64 path) */
        {"3 MAX 1431655766 = 2^63 - 2", 3, {MX, MX, MX}, {1431655766, 1431655766, 1431655766},
         T31 - 1, 0xFFFFFFFEu},
        {"-(2^63 - 2)", 3, {MX, MX, MX}, {-1431655766, -1431655766, -1431655766}, -T31, 2u},
        {"2^63 - 8 (int64, k=3)", 3, {1756077150, 1756077150, 1756077150},
         {1750753004, 1750753004, 1750753004}, T31 - 1, 0xFFFFFFF8u},
        {"2^63 - 8 (int64, k=4)", 4, {1521165846, 1521165846, 1521165846, 1521165846},
         {1515839325, 1515839325, 1515839325, 1515839325}, T31 - 1, 0xFFFFFFF8u},
        {"2^63 - 2^15 (int64, k=4)", 4, {2147483520, 2147483520, 2147483520, 2147483520},
         {1073741888, 1073741888, 1073741888, 1073741888}, T31 - 1, 0xFFFF8000u},
        {"-(2^63 - 2^15) (int64, k=4)", 4, {-2147483520, 2147483520, -2147483520, 2147483520},
         {1073741888, -1073741888, 1073741888, -1073741888}, -T31, 0x8000u},
        /* issue 15: MIN^2 + MIN^2 - 1 = 2^63 - 1 (two-word / split) */
        {"[MIN, MIN, -1] @ [MIN, MIN, 1] = 2^63 - 1", 3, {MN, MN, -1}, {MN, MN, 1},
         T31 - 1, 0xFFFFFFFFu},
        {"2^63 - 2^15", 3, {MN, MN, -1}, {MN, MN, 32768}, T31 - 1, 0xFFFF8000u},
        {"2^63 - 2^15 - 1", 3, {MN, MN, -1}, {MN, MN, 32769}, T31 - 1, 0xFFFF7FFFu},
        {"2^63 - 2^15 + 1", 3, {MN, MN, -1}, {MN, MN, 32767}, T31 - 1, 0xFFFF8001u},
        {"2^63 (k=2 maximum)", 2, {MN, MN}, {MN, MN}, T31, 0u},
        {"2^63 + 2^15", 3, {MN, MN, 1}, {MN, MN, 32768}, T31, 0x8000u},
        {"-2^63 + 2^32 (k=2 minimum)", 2, {MN, MN}, {MX, MX}, -T31 + 1, 0u},
        {"-2^63", 3, {MN, MN, -65536}, {MX, MX, 65536}, -T31, 0u},
        {"-2^63 + 2^15", 4, {MN, MN, -65536, 1}, {MX, MX, 65536, 32768}, -T31, 0x8000u},
        {"-2^63 + 2^15 - 1", 4, {MN, MN, -65536, 1}, {MX, MX, 65536, 32767}, -T31, 0x7FFFu},
        {"-2^63 - 2^15", 4, {MN, MN, -65536, -1}, {MX, MX, 65536, 32768}, -T31 - 1, 0xFFFF8000u},
        {"-2^63 - 1", 4, {MN, MN, -65536, -1}, {MX, MX, 65536, 1}, -T31 - 1, 0xFFFFFFFFu},
        {"2^64", 4, {MN, MN, MN, MN}, {MN, MN, MN, MN}, (int64_t)1 << 32, 0u},
        /* Q16.16 range edges: (2^31 - 1/2) 2^16 ties to 2^31 (out of
         * range), one below rounds to MAX; (-2^31 - 1/2) 2^16 ties to MIN */
        {"MAX + 1/2 LSB", 2, {MX, 1}, {65536, 32768}, 32767, 0xFFFF8000u},
        {"MAX + 1/2 LSB - 1", 2, {MX, 1}, {65536, 32767}, 32767, 0xFFFF7FFFu},
        {"MIN - 1/2 LSB", 2, {MN, -1}, {65536, 32768}, -32769, 0xFFFF8000u},
        {"MIN - 1/2 LSB - 1", 2, {MN, -1}, {65536, 32769}, -32769, 0xFFFF7FFFu},
    };
    static const unsigned shapes[][2] = {{2, 2}, {3, 3}, {3, 1}, {4, 4}, {4, 1}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
        const struct dot_case *dc = &cases[c];
        /* the stated value, checked with 128-bit-free arithmetic: the sum
         * of the products' 32-bit halves */
        int64_t hi = 0;
        uint64_t lo = 0;
        for (unsigned p = 0; p < dc->k; ++p) {
            int64_t prod = (int64_t)dc->a[p] * dc->b[p];
            hi += ac_q16__floor_shift(prod, 32);
            lo += (uint64_t)prod & 0xFFFFFFFFu;
        }
        hi += (int64_t)(lo >> 32);
        CHECK(hi == dc->hi && (lo & 0xFFFFFFFFu) == dc->lo, "%s: stated value", dc->what);
        ac_q16__wide exact = ac_q16__wide_from_s64(dc->hi);
        exact = ac_q16__wide_shl(exact, 32);
        exact.lo |= dc->lo;
        for (int ri = 0; ri < 2; ++ri) {
            for (int oi = 0; oi < 3; ++oi) {
                ac_rounding rnd = ROUNDINGS[ri];
                ac_overflow ovf = OVERFLOWS[oi];
                int event;
                ac_q16 want = ref_narrow_wide(exact, rnd, ovf, &event);
                ac_q16 out[1];
                ac_tally tally = {0, 0, 0, AC_OK};
                ac_status st = ac_q16_matmul(1, 1, dc->k, dc->a, 4, 1, dc->b, 1, 1, out, 1, 1, rnd,
                                             ovf, &tally);
                CHECK(out[0] == want && tally.events == (size_t)event
                          && st == (event && ovf == AC_OVERFLOW_RAISE ? AC_STATUS_RANGE : AC_OK),
                      "%s: matmul rnd=%d ovf=%d got %" PRId32 " want %" PRId32, dc->what, ri, oi,
                      out[0], want);
                for (size_t sh = 0; sh < 5; ++sh) {
                    unsigned m = shapes[sh][0], n = shapes[sh][1], k = m;
                    if (k != dc->k) {
                        continue;
                    }
                    for (size_t count = 1; count <= 2; ++count) {
                        ac_q16 A[2][16] = {{0}}, B[2][16] = {{0}}, C[2][16];
                        for (unsigned i = 0; i < m; ++i) {
                            for (unsigned p = 0; p < k; ++p) {
                                A[0][i * k + p] = dc->a[p];
                                A[1][i * k + p] = p < 2 ? MN : 0;
                            }
                        }
                        for (unsigned p = 0; p < k; ++p) {
                            for (unsigned j = 0; j < n; ++j) {
                                B[0][p * n + j] = dc->b[p];
                                B[1][p * n + j] = p == 0 ? MN : (p == 1 ? MX : 0);
                            }
                        }
                        ac_tally t = {0, 0, 0, AC_OK};
                        ac_status bst = ac_q16_matmul_batch(
                            count, m, n, k, &A[0][0], 16, (ptrdiff_t)k, 1, &B[0][0], 16,
                            (ptrdiff_t)n, 1, &C[0][0], 16, (ptrdiff_t)n, 1, rnd, ovf, &t);
                        if (event && ovf == AC_OVERFLOW_RAISE) {
                            CHECK(bst == AC_STATUS_RANGE && t.first_index == 0 && C[0][0] == want,
                                  "%s: %ux%ux%u count=%u raises at 0", dc->what, m, n, k,
                                  (unsigned)count);
                            continue;
                        }
                        int all = 1;
                        for (unsigned e = 0; e < m * n; ++e) {
                            all &= C[0][e] == want && (count == 1 || C[1][e] == 32768);
                        }
                        CHECK(all && bst == AC_OK && t.events == (event ? m * n : 0u),
                              "%s: %ux%ux%u count=%u rnd=%d ovf=%d got %" PRId32
                              " want %" PRId32, dc->what, m, n, k, (unsigned)count, ri, oi,
                              C[0][0], want);
                    }
                }
            }
        }
    }
}

/* One operand value for test_matmul_small, by magnitude class: small
 * (int64 sums far from any edge), values around 2^30 (the edge of the
 * small-matrix kernel's bound, |sum| up to 2^62), any int32, or a pool of
 * values whose sums land on ties, on the Q16.16 range edges and on MIN/MAX. */
static ac_q16 small_operand(int cls)
{
    static const ac_q16 pool[] = {AC_Q16_MAX, AC_Q16_MIN, 65536, -65536, 32768, -32768,
                                  32767, 1, -1, 0, 1073741824, -1073741824, 1073741823,
                                  -1073741823, 1073741825, 98304, -98304};
    static const ac_q16 edge[] = {-1073741824, 1073741823, -1073741823, 1073741824};
    uint64_t r = check_rng();
    switch (cls) {
    case 0:
        return (ac_q16)((int64_t)(r >> 40) - ((int64_t)1 << 23));
    case 1:
        return edge[r % 4] + (ac_q16)((r >> 8) % 3) - 1;
    case 2:
        return (ac_q16)(int64_t)((r >> 32) - 2147483648ull);
    default:
        return pool[r % (sizeof pool / sizeof pool[0])];
    }
}

/* ac_q16_matmul on the small shapes (every dimension at most 4, including
 * the ones its small-matrix kernel takes and the ones it leaves to the
 * general kernels), padded row strides, every rounding and policy: each
 * output against the exact sum (products summed as 32-bit halves) narrowed
 * by the reference; under RAISE the call stops at the first out-of-range
 * output in C order, which is written, and nothing after it is; padding is
 * never written. */
static void test_matmul_small(void)
{
    const ac_q16 PAD = (ac_q16)0x5A5A5A5A;
    for (int trial = 0; trial < 60000; ++trial) {
        unsigned m = 1 + (unsigned)(check_rng() % 4), n = 1 + (unsigned)(check_rng() % 4),
                 k = 1 + (unsigned)(check_rng() % 4);
        if (trial % 2) { /* half the trials on the shapes the fast kernel takes */
            k = 2 + (unsigned)(check_rng() % 3);
            n = check_rng() % 2 ? k : 1;
        }
        unsigned pa = (unsigned)(check_rng() % 2), pb = (unsigned)(check_rng() % 2),
                 pc = (unsigned)(check_rng() % 2);
        ptrdiff_t sa = (ptrdiff_t)(k + pa), sb = (ptrdiff_t)(n + pb), sc = (ptrdiff_t)(n + pc);
        int cls_a = (int)(check_rng() % 4), cls_b = (int)(check_rng() % 4);
        ac_q16 a[4 * 5], b[4 * 5], c[4 * 5];
        for (unsigned e = 0; e < 20; ++e) {
            a[e] = small_operand(cls_a);
            b[e] = small_operand(cls_b);
            c[e] = PAD;
        }
        ac_rounding rnd = ROUNDINGS[trial % 2 == 0 ? (trial / 2) % 2 : (trial / 4) % 2];
        ac_overflow ovf = OVERFLOWS[(trial / 8) % 3];
        ac_tally tally = {0, 0, 0, AC_OK};
        ac_status st = ac_q16_matmul(m, n, k, a, sa, 1, b, sb, 1, c, sc, 1, rnd, ovf, &tally);
        size_t events = 0, first = 0;
        int stopped = 0, ok = 1;
        for (unsigned i = 0; i < m; ++i) {
            for (unsigned j = 0; j < sc; ++j) {
                ac_q16 got = c[i * (unsigned)sc + j];
                if (j >= n) {
                    ok &= got == PAD;
                    continue;
                }
                if (stopped) {
                    ok &= got == PAD;
                    continue;
                }
                int64_t hi = 0;
                uint64_t lo = 0;
                for (unsigned p = 0; p < k; ++p) {
                    int64_t prod = (int64_t)a[i * (unsigned)sa + p] * b[p * (unsigned)sb + j];
                    hi += ac_q16__floor_shift(prod, 32);
                    lo += (uint64_t)prod & 0xFFFFFFFFu;
                }
                hi += (int64_t)(lo >> 32);
                ac_q16__wide exact = ac_q16__wide_shl(ac_q16__wide_from_s64(hi), 32);
                exact.lo |= lo & 0xFFFFFFFFu;
                int event;
                ac_q16 want = ref_narrow_wide(exact, rnd, ovf, &event);
                ok &= got == want;
                if (event) {
                    first = events++ ? first : i * n + j;
                    stopped = ovf == AC_OVERFLOW_RAISE;
                }
            }
        }
        ok &= st == (stopped ? AC_STATUS_RANGE : AC_OK) && tally.events == events
              && (events == 0 || tally.first_index == first);
        CHECK(ok, "small matmul %ux%ux%u strides %d,%d,%d classes %d,%d rnd=%d ovf=%d", m, n, k,
              (int)sa, (int)sb, (int)sc, cls_a, cls_b, (int)rnd, (int)ovf);
    }
}

static void test_softmax(void)
{
    /* against long double: within 0.5 LSB + (n + 1) 2^-24 LSB */
    for (int trial = 0; trial < 3000; ++trial) {
        enum { N = 24 };
        ac_q16 x[N], out[N];
        unsigned char mask[N];
        int extreme = trial % 5 == 0;
        for (int j = 0; j < N; ++j) {
            uint64_t r = check_rng();
            x[j] = extreme ? (ac_q16)(int64_t)((r >> 32) - 2147483648ull)
                           : (ac_q16)((int64_t)(r >> 44) - ((int64_t)1 << 19));
            mask[j] = (unsigned char)((r & 7u) != 0);
        }
        const unsigned char *m = trial % 2 ? mask : NULL;
        ac_rounding rnd = ROUNDINGS[(trial / 2) & 1];
        /* odd quarters keep e_j in caller memory, the rest evaluate it twice */
        static uint64_t work[N];
        ac_status st = ac_q16_softmax_row(N, x, 1, m, 1, out, 1, rnd, (trial / 4) % 2 ? work : NULL);
        long double mx = -1e30L, sum = 0;
        for (int j = 0; j < N; ++j) {
            if (!m || m[j]) {
                mx = (long double)x[j] > mx ? (long double)x[j] : mx;
            }
        }
        for (int j = 0; j < N; ++j) {
            sum += (!m || m[j]) ? expl(((long double)x[j] - mx) / 65536.0L) : 0.0L;
        }
        for (int j = 0; j < N; ++j) {
            long double exact = (!m || m[j]) && sum > 0
                                    ? expl(((long double)x[j] - mx) / 65536.0L) / sum * 65536.0L
                                    : 0.0L;
            long double err = (long double)out[j] - exact;
            long double bound = 0.5L + (N + 1) / 16777216.0L + 1e-9L;
            int ok = rnd == AC_ROUND_NEAREST_EVEN ? fabsl(err) <= bound
                                                  : (err <= bound - 0.5L && err > -1.0L - bound + 0.5L);
            CHECK(st == AC_OK && ok, "softmax trial %d [%d] = %" PRId32 ", exact %.6Lf", trial, j,
                  out[j], exact);
        }
    }
    ac_q16 all_masked[3] = {1, 2, 3}, res[3] = {9, 9, 9};
    unsigned char none[3] = {0, 0, 0};
    CHECK(ac_q16_softmax_row(3, all_masked, 1, none, 1, res, 1, AC_ROUND_NEAREST_EVEN, NULL) == AC_OK
              && res[0] == 0 && res[1] == 0 && res[2] == 0, "fully masked row is zeros");
    /* one value seen through stride 0: a row of 2^23 + 1 entries without the memory */
#if SIZE_MAX > 0x7FFFFFu /* no such row where size_t has 16 bits */
    CHECK(ac_q16_softmax_row((size_t)AC_Q16_SOFTMAX_MAX_ROW + 1u, all_masked, 0, NULL, 0, res, 0,
                             AC_ROUND_NEAREST_EVEN, NULL) == AC_STATUS_TOO_LONG,
          "a row longer than 2^23 is refused");
#endif
}

/* A batch under RAISE stops as a sequence of ac_q16_matmul calls would: the
 * items before the failing one whole, the failing one up to and including
 * its first out-of-range output, nothing after it -- on every target,
 * whichever kernel (the fixed-size ones on 64-bit hosts, the small-matrix
 * one elsewhere) runs the batch. */
static void test_matmul_batch_stops(void)
{
    static const unsigned shapes[][3] = {{2, 2, 2}, {3, 3, 3}, {3, 1, 3}, {4, 4, 4}, {4, 1, 4}};
    const ac_q16 PAD = (ac_q16)0x5A5A5A5A;
    for (int trial = 0; trial < 20000; ++trial) {
        const unsigned *sh = shapes[trial % 5];
        unsigned m = sh[0], n = sh[1], k = sh[2];
        size_t count = 1 + (size_t)(check_rng() % 3);
        int cls = (int)(check_rng() % 4);
        ac_q16 a[3 * 16], b[3 * 16], got[3 * 16], want[3 * 16];
        for (unsigned e = 0; e < 3 * 16; ++e) {
            a[e] = small_operand(cls);
            b[e] = small_operand(cls == 3 ? 0 : cls);
            got[e] = want[e] = PAD;
        }
        ac_rounding rnd = ROUNDINGS[trial % 2];
        ac_overflow ovf = OVERFLOWS[(trial / 2) % 3];
        ac_tally tb = {0, 0, 0, AC_OK}, ti = {0, 0, 0, AC_OK};
        ac_status sb = ac_q16_matmul_batch(count, m, n, k, a, (ptrdiff_t)(m * k), (ptrdiff_t)k, 1,
                                           b, (ptrdiff_t)(k * n), (ptrdiff_t)n, 1, got,
                                           (ptrdiff_t)(m * n), (ptrdiff_t)n, 1, rnd, ovf, &tb);
        ac_status si = AC_OK;
        for (size_t t = 0; t < count && si == AC_OK; ++t) {
            ac_tally part = {0, 0, 0, AC_OK};
            si = ac_q16_matmul(m, n, k, a + t * m * k, (ptrdiff_t)k, 1, b + t * k * n,
                               (ptrdiff_t)n, 1, want + t * m * n, (ptrdiff_t)n, 1, rnd, ovf, &part);
            ac_tally_add(&ti, &part, t * m * n);
        }
        int same = sb == si && tb.events == ti.events
                   && (ti.events == 0 || (tb.first_index == ti.first_index
                                          && tb.last_index == ti.last_index));
        for (unsigned e = 0; e < 3 * 16; ++e) {
            same &= got[e] == want[e];
        }
        CHECK(same, "batch of %u %ux%ux%u class %d rnd=%d ovf=%d differs from its items",
              (unsigned)count, m, n, k, cls, (int)rnd, (int)ovf);
    }
}

/* The three places the division pass finds e_j -- a work buffer, `out`
 * itself (work NULL), evaluated again (work NULL, in place) -- give the
 * same bits, on rows whose quotients take the exact-remainder step too:
 * equal entries (quotients 2^16 / n, exact for n a power of two), entries
 * one LSB apart, random and extreme logits, masks, strides; and an output
 * of stride 0 keeps the last element's value. */
#define PAD_SOFTMAX ((ac_q16)0x5A5A5A5A)
static void test_softmax_sources(void)
{
    enum { N = 40 };
    static uint64_t work[N];
    for (int trial = 0; trial < 20000; ++trial) {
        size_t n = 1 + (size_t)(check_rng() % N);
        int kind = trial % 4;
        ptrdiff_t sx = 1 + (ptrdiff_t)(check_rng() % 2);
        ac_q16 x[2 * N], in_place[2 * N], a[2 * N], b[2 * N];
        unsigned char mask[N];
        ac_q16 base = (ac_q16)((int64_t)(check_rng() >> 40) - ((int64_t)1 << 23));
        for (size_t j = 0; j < 2 * N; ++j) {
            uint64_t r = check_rng();
            switch (kind) {
            case 0:
                x[j] = base;
                break;
            case 1:
                x[j] = base + (ac_q16)(r % 3);
                break;
            case 2:
                x[j] = (ac_q16)((int64_t)(r >> 44) - ((int64_t)1 << 19));
                break;
            default:
                x[j] = (ac_q16)(int64_t)((r >> 32) - 2147483648ull);
            }
            a[j] = b[j] = PAD_SOFTMAX;
            if (j < N) {
                mask[j] = (unsigned char)((r & 7u) != 0);
            }
        }
        for (size_t j = 0; j < 2 * N; ++j) {
            in_place[j] = x[j];
        }
        const unsigned char *m = trial % 3 == 0 ? mask : NULL;
        ac_rounding rnd = ROUNDINGS[(trial / 3) & 1];
        ac_status s1 = ac_q16_softmax_row(n, x, sx, m, 1, a, sx, rnd, work);
        ac_status s2 = ac_q16_softmax_row(n, x, sx, m, 1, b, sx, rnd, NULL);
        ac_status s3 = ac_q16_softmax_row(n, in_place, sx, m, 1, in_place, sx, rnd, NULL);
        /* stride 0: every output to one element, which keeps the last */
        ac_q16 slot_null = PAD_SOFTMAX, slot_work = PAD_SOFTMAX;
        ac_status s4 = ac_q16_softmax_row(n, x, sx, m, 1, &slot_null, 0, rnd, NULL);
        ac_status s5 = ac_q16_softmax_row(n, x, sx, m, 1, &slot_work, 0, rnd, work);
        ac_q16 last = a[(n - 1) * (size_t)sx];
        int same = s1 == AC_OK && s2 == AC_OK && s3 == AC_OK && s4 == AC_OK && s5 == AC_OK
                   && slot_null == last && slot_work == last;
        for (size_t j = 0; j < 2 * N; ++j) {
            int element = j % (size_t)sx == 0 && j / (size_t)sx < n;
            same &= a[j] == b[j] && (element ? in_place[j] == a[j] : in_place[j] == x[j]);
        }
        CHECK(same, "softmax sources differ: trial %d n=%u kind %d stride %d", trial,
              (unsigned)n, kind, (int)sx);
    }
}

/* Attention against exact long double evaluation: random rows of 8 keys,
 * both dot-product paths, masks and causality. */
static void test_attention(void)
{
    enum { L = 5, S = 8, E = 4, EV = 3 };
    static ac_q16 q[L * E], k[S * E], v[S * EV], out[L * EV], w[L * S];
    static unsigned char keep[L * S];
    uint64_t work[AC_Q16_ATTENTION_WORK(S, EV)];
    for (int trial = 0; trial < 400; ++trial) {
        int wide = trial % 4 == 3; /* full-range inputs: two-word dot products */
        for (int i = 0; i < L * E; ++i) {
            uint64_t r = check_rng();
            q[i] = wide ? (ac_q16)(int64_t)((r >> 32) - 2147483648ull)
                        : (ac_q16)((int64_t)(r >> 45) - ((int64_t)1 << 18));
        }
        for (int i = 0; i < S * E; ++i) {
            uint64_t r = check_rng();
            k[i] = wide ? (ac_q16)(int64_t)((r >> 32) - 2147483648ull)
                        : (ac_q16)((int64_t)(r >> 45) - ((int64_t)1 << 18));
        }
        for (int i = 0; i < S * EV; ++i) {
            v[i] = (ac_q16)((int64_t)(check_rng() >> 44) - ((int64_t)1 << 19));
        }
        for (int i = 0; i < L * S; ++i) {
            keep[i] = (unsigned char)((check_rng() & 3u) != 0);
        }
        ac_attention_masks masks = {0, 0, trial % 2, trial % 3 ? keep : NULL, S, 1};
        ac_q16 scale = trial % 5 == 4 ? -((ac_q16)3 << 14) : ((ac_q16)1 << 15);
        ac_rounding rnd = ROUNDINGS[(trial / 2) & 1];
        ac_status st = ac_q16_attention(L, S, E, EV, q, E, 1, k, E, 1, v, EV, 1, &masks, scale,
                                        out, EV, 1, w, S, 1, rnd, work);
        CHECK(st == AC_OK, "attention status %d", (int)st);
        for (int i = 0; i < L; ++i) {
            long double score[S], best = 0, sum = 0;
            int any = 0;
            for (int j = 0; j < S; ++j) {
                int kept = (!masks.keep || keep[i * S + j]) && (!masks.causal || j <= i);
                long double d = 0;
                for (int p = 0; p < E; ++p) {
                    d += (long double)q[i * E + p] * (long double)k[j * E + p];
                }
                score[j] = kept ? d * scale / 281474976710656.0L : -1e300L; /* 2^48 */
                if (kept && (!any || score[j] > best)) {
                    best = score[j];
                }
                any |= kept;
            }
            for (int j = 0; j < S; ++j) {
                sum += score[j] > -1e299L ? expl(score[j] - best) : 0.0L;
            }
            for (int c = 0; c < EV; ++c) {
                long double num = 0;
                for (int j = 0; j < S; ++j) {
                    num += score[j] > -1e299L ? expl(score[j] - best) * v[j * EV + c] : 0.0L;
                }
                long double exact = any ? num / sum : 0.0L;
                long double err = (long double)out[i * EV + c] - exact;
                /* with a 53-bit long double the comparison is still good to
                 * about 2^-30 of |v| (2^-11 LSB here); 1e-3 covers it */
                int ok = rnd == AC_ROUND_NEAREST_EVEN ? fabsl(err) <= 0.5L + 1e-3L
                                                      : err <= 1e-3L && err > -1.0L - 1e-3L;
                CHECK(ok, "attention trial %d out[%d,%d] = %" PRId32 ", exact %.6Lf", trial, i, c,
                      out[i * EV + c], exact);
            }
        }
    }
}

/* exp(-D / 2^48) in Q0.62 against long double, every Q16.16 grid point of
 * d = D / 2^48 in [0, 43) and random finer bits: the documented bound is
 * 4.5 units of 2^-62 (long double's own error is below 0.5 unit here). */
static void test_exp_neg_q62(void)
{
    long double worst = 0;
    const long double two62 = 4611686018427387904.0L;
    for (uint64_t u = 0; u < ((uint64_t)43 << 16); ++u) {
        for (int t = 0; t < 3; ++t) {
            uint64_t r = t == 0 ? 0u : (t == 1 ? (check_rng() >> 32) : 0xFFFFFFFFu);
            uint64_t big_d = (u << 32) | r;
            long double exact = expl(-(long double)big_d / 281474976710656.0L) * two62;
            long double err = fabsl((long double)ac_q16__exp_neg_q62(big_d) - exact);
            worst = err > worst ? err : worst;
            CHECK(err <= 4.5L, "exp_neg_q62(%" PRIu64 " * 2^32 + %" PRIu64 "): error %.3Lf units",
                  u, r, err);
        }
    }
    CHECK(ac_q16__exp_neg_q62(0) == (uint64_t)1 << 62, "exp(0) is exactly 1");
    CHECK(ac_q16__exp_neg_q62((uint64_t)43 << 48) == 0
              && ac_q16__exp_neg_q62(~(uint64_t)0) == 0, "0 from d = 43 on");
    printf("exp_neg_q62: worst error %.3Lf units of 2^-62\n", worst);
}

/* One attention row of s keys with one query feature, against long double:
 * keys are k[j], values v[j] (one column), scale raw; returns the worst
 * error in LSB of the outputs (nearest and floor checked against the
 * documented bound). */
static long double attention_row_error(size_t s, const ac_q16 *k, const ac_q16 *v, ac_q16 qv,
                                       ac_q16 scale, uint64_t *work)
{
    ac_attention_masks masks = {0, 0, 0, NULL, 0, 0};
    long double best = -1e300L, num = 0, den = 0;
    for (size_t j = 0; j < s; ++j) {
        long double sc = (long double)qv * (long double)k[j] * (long double)scale;
        best = sc > best ? sc : best;
    }
    for (size_t j = 0; j < s; ++j) {
        long double sc = (long double)qv * (long double)k[j] * (long double)scale;
        long double w = expl((sc - best) / 281474976710656.0L);
        num += w * (long double)v[j];
        den += w;
    }
    long double exact = num / den, worst = 0;
    long double slack = 0.5L + (long double)s * 4.2e-9L + 1e-6L;
    for (int ri = 0; ri < 2; ++ri) {
        ac_q16 out;
        ac_status st = ac_q16_attention(1, s, 1, 1, &qv, 1, 1, k, 1, 1, v, 1, 1, &masks, scale,
                                        &out, 1, 1, NULL, 0, 0, ROUNDINGS[ri], work);
        long double err = (long double)out - exact;
        int ok = ri == 0 ? fabsl(err) <= slack : (err <= slack - 0.5L && err > -0.5L - slack);
        CHECK(st == AC_OK && ok, "attention row s=%zu rnd=%d: %" PRId32 ", exact %.6Lf", s, ri,
              out, exact);
        worst = fabsl(err) > worst ? fabsl(err) : worst;
    }
    return worst;
}

/* Issue 15: keys whose weight is below 2^-40 were dropped although s of
 * them times a large v matter: q = 1.0, k = [0, -1817044 ...], v = [MAX,
 * MIN ...], scale 1.0 (4 LSB off at s = 1024, 256 at 65536). */
static void test_attention_small_weights(void)
{
    const size_t sizes[] = {1024, 65536, (size_t)1 << 20};
    size_t s_max = (size_t)1 << 20;
    ac_q16 *k = (ac_q16 *)calloc(s_max, sizeof(ac_q16));
    ac_q16 *v = (ac_q16 *)calloc(s_max, sizeof(ac_q16));
    uint64_t *work = (uint64_t *)calloc(AC_Q16_ATTENTION_WORK(s_max, 1), sizeof(uint64_t));
    if (k == NULL || v == NULL || work == NULL) {
        CHECK(0, "out of memory");
        return;
    }
    for (size_t i = 0; i < 3; ++i) {
        size_t s = sizes[i];
        for (size_t j = 0; j < s; ++j) {
            k[j] = j == 0 ? 0 : -1817044;
            v[j] = j == 0 ? AC_Q16_MAX : AC_Q16_MIN;
        }
        long double err = attention_row_error(s, k, v, AC_Q16_ONE, AC_Q16_ONE, work);
        printf("attention, issue 15 row, s = %zu: %.4Lf LSB\n", s, err);
        /* the same with the weights spread over the whole exp range: key j
         * has score -j * 43 / s, so every table segment is used, and the
         * values alternate MIN / MAX */
        for (size_t j = 0; j < s; ++j) {
            k[j] = -(ac_q16)(((uint64_t)j * 43u * 65536u) / s);
            v[j] = (j & 1u) ? AC_Q16_MIN : AC_Q16_MAX;
        }
        attention_row_error(s, k, v, AC_Q16_ONE, AC_Q16_ONE, work);
    }
    /* ties and extreme scales: equal scores, scale MIN / MAX / -1, q and k
     * at MIN / MAX (two-word dots) */
    static const ac_q16 scales[] = {AC_Q16_MIN, AC_Q16_MAX, -1, 1, 0};
    ac_q16 kk[6] = {AC_Q16_MIN, AC_Q16_MAX, 0, AC_Q16_MIN, 1, -1};
    ac_q16 vv[6] = {AC_Q16_MAX, AC_Q16_MIN, AC_Q16_MIN, AC_Q16_MAX, 0, 5};
    for (size_t t = 0; t < 5; ++t) {
        for (int qi = 0; qi < 3; ++qi) {
            ac_q16 qv = qi == 0 ? AC_Q16_MIN : (qi == 1 ? AC_Q16_MAX : 3);
            attention_row_error(6, kk, vv, qv, scales[t], work);
        }
    }
    free(k);
    free(v);
    free(work);
}

/* ---- C API hazards: each is a status, never a crash or a silent guess ---- */

/* Exact sums of products of sizes, in 32-bit limbs (independent of size_t and
 * of the macros' division tests), and what a work-size macro must give for
 * them: the value when it is at most AC_WORK_MAX, else AC_WORK_OVERFLOW. */
typedef struct {
    uint64_t limb[6]; /* little-endian, 32 bits each */
} ref_size;

static ref_size ref_term(uint64_t x, uint64_t y)
{
    ref_size r = {{0}};
    for (int i = 0; i < 2; ++i) {
        uint64_t carry = 0;
        for (int j = 0; j < 2; ++j) {
            uint64_t t = ((x >> (32 * i)) & 0xFFFFFFFFu) * ((y >> (32 * j)) & 0xFFFFFFFFu);
            uint64_t lo = r.limb[i + j] + (t & 0xFFFFFFFFu) + carry;
            r.limb[i + j] = lo & 0xFFFFFFFFu;
            carry = (lo >> 32) + (t >> 32);
        }
        r.limb[i + 2] += carry;
    }
    return r;
}

static void ref_add(ref_size *acc, ref_size t)
{
    uint64_t carry = 0;
    for (int i = 0; i < 6; ++i) {
        uint64_t sum = acc->limb[i] + t.limb[i] + carry;
        acc->limb[i] = sum & 0xFFFFFFFFu;
        carry = sum >> 32;
    }
}

static size_t ref_work(ref_size v)
{
    for (int i = 2; i < 6; ++i) {
        if (v.limb[i] != 0) {
            return AC_WORK_OVERFLOW;
        }
    }
    uint64_t x = v.limb[0] | v.limb[1] << 32;
    return x <= (uint64_t)AC_WORK_MAX ? (size_t)x : AC_WORK_OVERFLOW;
}

static void test_work_sizes(void)
{
    const size_t max = AC_WORK_MAX;
    size_t root = 1; /* floor(sqrt(AC_WORK_MAX)) */
    while (root <= max / root) {
        root += 1;
    }
    root -= 1;
    const size_t points[] = {0, 1, 2, 3, 8, 100, root - 1, root, root + 1, max / 8, max / 7,
                             max / 4 - 1, max / 4, max / 4 + 1, max / 3 - 1, max / 3,
                             max / 3 + 1, max / 2, max - 8, max - 1, max, max + 1, SIZE_MAX / 3,
                             SIZE_MAX / 2, SIZE_MAX - 1, SIZE_MAX};
    const size_t n_points = sizeof points / sizeof points[0];
    for (size_t i = 0; i < n_points; ++i) {
        for (size_t j = 0; j < n_points; ++j) {
            size_t x = points[i], y = points[j];
            ref_size sum = ref_term(x, 1), prod = ref_term(x, y), att = ref_term(2, x);
            ref_add(&sum, ref_term(y, 1));
            ref_add(&att, ref_term(5, y));
            ref_size fp = ref_term(x, x); /* n n + n k + 2 n + 8 */
            ref_add(&fp, ref_term(x, y));
            ref_add(&fp, ref_term(2, x));
            ref_add(&fp, ref_term(8, 1));
            CHECK(AC_WORK_ADD(x, y) == ref_work(sum), "AC_WORK_ADD(%zu, %zu)", x, y);
            CHECK(AC_WORK_MUL(x, y) == ref_work(prod), "AC_WORK_MUL(%zu, %zu)", x, y);
            CHECK(AC_Q16_ATTENTION_WORK(x, y) == ref_work(att),
                  "AC_Q16_ATTENTION_WORK(%zu, %zu) = %zu, want %zu", x, y,
                  AC_Q16_ATTENTION_WORK(x, y), ref_work(att));
            CHECK(AC_F32_LINALG_WORK(x, y) == ref_work(fp),
                  "AC_F32_LINALG_WORK(%zu, %zu) = %zu, want %zu", x, y, AC_F32_LINALG_WORK(x, y),
                  ref_work(fp));
        }
    }
}

/* NULL tally: the same outputs and return values, nothing counted. */
static void test_null_tally(void)
{
    static ac_q16 a[700], b[700], with[700], without[700];
    for (int i = 0; i < 700; ++i) {
        a[i] = edge_or_random((unsigned)i);
        b[i] = i % 97 == 5 ? 0 : edge_or_random((unsigned)i + 7u);
    }
    for (int op = 0; op < 4; ++op) {
        for (int r = 0; r < 2; ++r) {
            for (int o = 0; o < 3; ++o) {
                for (ptrdiff_t stride = 1; stride <= 2; ++stride) {
                    size_t n = stride == 1 ? 700 : 350;
                    ac_tally tally = {0, 0, 0, AC_OK};
                    ac_status s1 = ac_q16_binary_n((ac_q16_binary_op)op, n, a, stride, b, stride,
                                                   with, stride, ROUNDINGS[r], OVERFLOWS[o],
                                                   &tally);
                    ac_status s2 = ac_q16_binary_n((ac_q16_binary_op)op, n, a, stride, b, stride,
                                                   without, stride, ROUNDINGS[r], OVERFLOWS[o],
                                                   NULL);
                    size_t upto = s1 == AC_OK ? n * (size_t)stride : tally.last_index;
                    int same = s1 == s2 && tally.events > 0;
                    for (size_t i = 0; i < upto; i += (size_t)stride) {
                        same &= with[i] == without[i];
                    }
                    CHECK(same, "binary op %d rnd %d ovf %d stride %d with a NULL tally", op, r,
                          o, (int)stride);
                }
            }
        }
    }
    ac_q16 neg[3] = {AC_Q16_ONE, -1, 4}, out[3];
    CHECK(ac_q16_unary_n(AC_Q16_OP_SQRT, 3, neg, 1, out, 1, AC_ROUND_NEAREST_EVEN,
                         AC_OVERFLOW_SATURATE, NULL) == AC_STATUS_DOMAIN
              && out[0] == AC_Q16_ONE, "sqrt row stops at a negative with a NULL tally");
    ac_q16 big[3] = {AC_Q16_MAX, 0, 11 * AC_Q16_ONE};
    CHECK(ac_q16_unary_n(AC_Q16_OP_EXP, 3, big, 1, out, 1, AC_ROUND_NEAREST_EVEN,
                         AC_OVERFLOW_SATURATE, NULL) == AC_OK
              && out[0] == AC_Q16_MAX && out[1] == AC_Q16_ONE, "exp saturates with a NULL tally");
    ac_q16 m[4] = {AC_Q16_MAX, AC_Q16_MAX, AC_Q16_MIN, 1}, v[2] = {AC_Q16_MAX, AC_Q16_MAX}, mv[2];
    CHECK(ac_q16_matmul(2, 1, 2, m, 2, 1, v, 1, 1, mv, 1, 1, AC_ROUND_NEAREST_EVEN,
                        AC_OVERFLOW_SATURATE, NULL) == AC_OK && mv[0] == AC_Q16_MAX,
          "matmul saturates with a NULL tally");
    CHECK(ac_q16_matmul_batch(2, 1, 1, 2, m, 2, 2, 1, v, 0, 1, 1, mv, 1, 1, 1,
                              AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, NULL) == AC_OK
              && mv[0] == AC_Q16_MAX, "batched matmul with a NULL tally");
    double x[3] = {1e12, 0.5, NAN};
    CHECK(ac_q16_from_double_n(3, x, 1, out, 1, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE,
                               NULL) == AC_STATUS_DOMAIN && out[0] == AC_Q16_MAX,
          "conversion with a NULL tally");
}

/* Rounding / overflow values that are not enumerators are refused before
 * anything is written, and scalar calls say so in their status. */
static void test_bad_policies(void)
{
    const ac_rounding bad_rnd[] = {(ac_rounding)2, (ac_rounding)-1, (ac_rounding)100};
    const ac_overflow bad_ovf[] = {(ac_overflow)3, (ac_overflow)-1, (ac_overflow)100};
    ac_q16 a[4] = {AC_Q16_ONE, -AC_Q16_ONE, 7, AC_Q16_MAX}, out[4] = {11, 12, 13, 14};
    for (int i = 0; i < 3; ++i) {
        for (int op = 0; op < 4; ++op) {
            ac_tally tally = {0, 0, 0, AC_OK};
            CHECK(ac_q16_binary_n((ac_q16_binary_op)op, 4, a, 1, a, 1, out, 1, bad_rnd[i],
                                  AC_OVERFLOW_SATURATE, &tally) == AC_STATUS_BAD_ARGUMENT
                      && ac_q16_binary_n((ac_q16_binary_op)op, 4, a, 1, a, 1, out, 1,
                                         AC_ROUND_FLOOR, bad_ovf[i], &tally)
                             == AC_STATUS_BAD_ARGUMENT
                      && tally.events == 0,
                  "binary op %d refuses policy %d", op, i);
        }
        for (int op = 0; op < 2; ++op) {
            CHECK(ac_q16_unary_n((ac_q16_unary_op)op, 4, a, 1, out, 1, bad_rnd[i],
                                 AC_OVERFLOW_SATURATE, NULL) == AC_STATUS_BAD_ARGUMENT
                      && ac_q16_unary_n((ac_q16_unary_op)op, 4, a, 1, out, 1,
                                        AC_ROUND_NEAREST_EVEN, bad_ovf[i], NULL)
                             == AC_STATUS_BAD_ARGUMENT,
                  "unary op %d refuses policy %d", op, i);
        }
        CHECK(ac_q16_softmax_row(4, a, 1, NULL, 1, out, 1, bad_rnd[i], NULL)
                  == AC_STATUS_BAD_ARGUMENT, "softmax refuses rounding %d", i);
        ac_status st = AC_OK;
        CHECK(ac_q16_div(a[0], a[1], bad_rnd[i], AC_OVERFLOW_SATURATE, &st) == 0
                  && st == AC_STATUS_BAD_ARGUMENT, "div refuses rounding %d", i);
        st = AC_OK;
        CHECK(ac_q16_div(a[0], a[1], AC_ROUND_FLOOR, bad_ovf[i], &st) == 0
                  && st == AC_STATUS_BAD_ARGUMENT, "div refuses overflow %d", i);
        st = AC_OK;
        CHECK(ac_q16_sqrt(a[0], bad_rnd[i], &st) == 0 && st == AC_STATUS_BAD_ARGUMENT,
              "sqrt refuses rounding %d", i);
        st = AC_OK;
        CHECK(ac_q16_exp(a[0], bad_rnd[i], AC_OVERFLOW_SATURATE, &st) == 0
                  && st == AC_STATUS_BAD_ARGUMENT, "exp refuses rounding %d", i);
        st = AC_OK;
        CHECK(ac_q16_exp(a[0], AC_ROUND_FLOOR, bad_ovf[i], &st) == 0
                  && st == AC_STATUS_BAD_ARGUMENT, "exp refuses overflow %d", i);
    }
    CHECK(out[0] == 11 && out[1] == 12 && out[2] == 13 && out[3] == 14,
          "refused calls leave the output untouched");
    CHECK(ac_q16_binary_n((ac_q16_binary_op)4, 0, a, 1, a, 1, out, 1, AC_ROUND_FLOOR,
                          AC_OVERFLOW_SATURATE, NULL) == AC_STATUS_BAD_ARGUMENT
              && ac_q16_unary_n((ac_q16_unary_op)2, 0, a, 1, out, 1, AC_ROUND_FLOOR,
                                AC_OVERFLOW_SATURATE, NULL) == AC_STATUS_BAD_ARGUMENT,
          "an unknown op is refused even for an empty row");
}

/* Bad arguments are statuses (issue 17's fuzz target found the NULL tally;
 * issue 18 lists both): an unknown rounding or overflow value is
 * AC_STATUS_BAD_ARGUMENT, never read as another mode, and a NULL tally
 * means "do not count", on an event too. */
static void test_bad_arguments(void)
{
    ac_q16 a[4] = {AC_Q16_MAX, 3, -5, AC_Q16_MIN}, b[4] = {AC_Q16_MAX, 0, 7, -1}, out[4] = {0};
    const ac_rounding bad_rnd = (ac_rounding)2;
    const ac_overflow bad_ovf = (ac_overflow)3;
    ac_status st = AC_OK;
    uint64_t work[64];
    unsigned char keep[4] = {1, 1, 1, 1};
    ac_attention_masks masks = {0, 0, 0, keep, 2, 1};

    CHECK(ac_q16_binary_n(AC_Q16_OP_MUL, 4, a, 1, b, 1, out, 1, bad_rnd, AC_OVERFLOW_SATURATE,
                          NULL) == AC_STATUS_BAD_ARGUMENT, "binary_n rounding");
    CHECK(ac_q16_binary_n(AC_Q16_OP_ADD, 4, a, 1, b, 1, out, 1, AC_ROUND_FLOOR, bad_ovf, NULL)
          == AC_STATUS_BAD_ARGUMENT, "binary_n overflow");
    CHECK(ac_q16_unary_n(AC_Q16_OP_EXP, 4, a, 1, out, 1, bad_rnd, AC_OVERFLOW_SATURATE, NULL)
          == AC_STATUS_BAD_ARGUMENT, "unary_n rounding");
    CHECK(ac_q16_unary_n(AC_Q16_OP_SQRT, 4, a, 1, out, 1, AC_ROUND_FLOOR, bad_ovf, NULL)
          == AC_STATUS_BAD_ARGUMENT, "unary_n overflow");
    CHECK(ac_q16_matmul(2, 2, 2, a, 2, 1, b, 2, 1, out, 2, 1, bad_rnd, AC_OVERFLOW_WRAP, NULL)
          == AC_STATUS_BAD_ARGUMENT, "matmul rounding");
    CHECK(ac_q16_matmul_batch(1, 2, 2, 2, a, 4, 2, 1, b, 4, 2, 1, out, 4, 2, 1, AC_ROUND_FLOOR,
                              bad_ovf, NULL) == AC_STATUS_BAD_ARGUMENT, "matmul_batch overflow");
    CHECK(ac_q16_softmax_row(4, a, 1, NULL, 0, out, 1, bad_rnd, NULL) == AC_STATUS_BAD_ARGUMENT,
          "softmax rounding");
    CHECK(ac_q16_attention(2, 2, 1, 1, a, 1, 1, b, 1, 1, a, 1, 1, &masks, AC_Q16_ONE, out, 1, 1,
                           NULL, 0, 0, bad_rnd, work) == AC_STATUS_BAD_ARGUMENT,
          "attention rounding");
    double x[2] = {1.5, -2.25};
    float xf[2] = {1.5f, -2.25f};
    int64_t xi[2] = {1, -2};
    CHECK(ac_q16_from_double_n(2, x, 1, out, 1, bad_rnd, AC_OVERFLOW_SATURATE, NULL)
          == AC_STATUS_BAD_ARGUMENT, "from_double_n rounding");
    CHECK(ac_q16_from_float_n(2, xf, 1, out, 1, AC_ROUND_FLOOR, bad_ovf, NULL)
          == AC_STATUS_BAD_ARGUMENT, "from_float_n overflow");
    CHECK(ac_q16_from_int64_n(2, xi, 1, out, 1, bad_ovf, NULL) == AC_STATUS_BAD_ARGUMENT,
          "from_int64_n overflow");
    (void)ac_q16_div(AC_Q16_ONE, 3, bad_rnd, AC_OVERFLOW_SATURATE, &st);
    CHECK(st == AC_STATUS_BAD_ARGUMENT, "div rounding");
    (void)ac_q16_sqrt(AC_Q16_ONE, bad_rnd, &st);
    CHECK(st == AC_STATUS_BAD_ARGUMENT, "sqrt rounding");
    (void)ac_q16_exp(AC_Q16_ONE, AC_ROUND_FLOOR, bad_ovf, &st);
    CHECK(st == AC_STATUS_BAD_ARGUMENT, "exp overflow");
    (void)ac_q16_from_double(1.0, bad_rnd, AC_OVERFLOW_RAISE, &st);
    CHECK(st == AC_STATUS_BAD_ARGUMENT, "from_double rounding");

    /* a NULL tally on loops that meet events: saturated, not counted, no crash */
    CHECK(ac_q16_binary_n(AC_Q16_OP_ADD, 4, a, 1, b, 1, out, 1, AC_ROUND_FLOOR,
                          AC_OVERFLOW_SATURATE, NULL) == AC_OK && out[0] == AC_Q16_MAX,
          "binary_n with NULL tally");
    CHECK(ac_q16_binary_n(AC_Q16_OP_DIV, 4, a, 1, b, 1, out, 1, AC_ROUND_FLOOR,
                          AC_OVERFLOW_SATURATE, NULL) == AC_OK && out[1] == AC_Q16_MAX,
          "binary_n division by zero with NULL tally");
    CHECK(ac_q16_unary_n(AC_Q16_OP_EXP, 4, a, 1, out, 1, AC_ROUND_FLOOR, AC_OVERFLOW_SATURATE,
                         NULL) == AC_OK && out[0] == AC_Q16_MAX, "unary_n with NULL tally");
    CHECK(ac_q16_matmul(2, 2, 2, a, 2, 1, a, 2, 1, out, 2, 1, AC_ROUND_FLOOR,
                        AC_OVERFLOW_SATURATE, NULL) == AC_OK && out[0] == AC_Q16_MAX,
          "matmul with NULL tally");
    /* found by the fuzz target: add/sub read no rounding, yet an unknown
     * one is refused; an unknown unary op is refused for n = 0 too */
    CHECK(ac_q16_binary_n(AC_Q16_OP_ADD, 4, a, 1, b, 1, out, 1, bad_rnd, AC_OVERFLOW_SATURATE,
                          NULL) == AC_STATUS_BAD_ARGUMENT, "binary_n add rounding");
    CHECK(ac_q16_unary_n((ac_q16_unary_op)5, 0, a, 1, out, 1, AC_ROUND_FLOOR,
                         AC_OVERFLOW_SATURATE, NULL) == AC_STATUS_BAD_ARGUMENT,
          "unary_n unknown op, n = 0");
    /* an empty batch with broadcast inputs reads nothing (ASan: one element) */
    ac_q16 lone_a[1] = {1}, lone_b[1] = {2}, lone_c[1] = {7};
    CHECK(ac_q16_matmul_batch(0, 2, 2, 2, lone_a, 0, 2, 1, lone_b, 0, 2, 1, lone_c, 4, 2, 1,
                              AC_ROUND_FLOOR, AC_OVERFLOW_SATURATE, NULL) == AC_OK
              && lone_c[0] == 7, "matmul_batch count 0");
    x[0] = 1e300;
    CHECK(ac_q16_from_double_n(2, x, 1, out, 1, AC_ROUND_FLOOR, AC_OVERFLOW_SATURATE, NULL)
          == AC_OK && out[0] == AC_Q16_MAX, "from_double_n with NULL tally");
}

int main(void)
{
    test_bad_arguments();
    test_exact_ties();
    test_mul_div();
    test_sqrt();
    test_exp();
    test_wide_mul();
    test_convert();
    test_strided_loops();
    test_matmul();
    test_narrow_int64();
    test_narrow_wide();
    test_matmul_edges();
    test_matmul_small();
    test_matmul_batch_stops();
    test_softmax();
    test_softmax_sources();
    test_attention();
    test_exp_neg_q62();
    test_attention_small_weights();
    test_work_sizes();
    test_null_tally();
    test_bad_policies();
    return check_report(AC_HAVE_INT128 ? "test_q16 (__int128)" : "test_q16 (portable)");
}
