/*
 * The two parts of the Q16.16 softmax that its error bound rests on, tested
 * directly (the file includes src/q16/q16_softmax.c to reach its static
 * functions):
 *   - exp_neg_q40(d) is within 2^-41 + 2^-58 of exp(-d / 2^16) for every d
 *     below 31 * 2^16 (all 2,031,616 of them), is 0 from there on, and is
 *     exactly 2^40 at d = 0.  Reference: long double expl, whose own error
 *     (at most 2^-52 relative even where long double is double) is added to
 *     the tolerance;
 *   - divide(e, S, inv) is round(e 2^16 / S) exactly, under nearest-even and
 *     floor, for random operands and for every kind of hard case: quotients
 *     that are integers, exact ties, and one unit of e 2^16 on either side of
 *     both.  Reference: the quotient and remainder in 16-bit limbs.
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>

#include "../src/q16/q16_softmax.c"
#include "check.h"

static void test_exp_neg(void)
{
    const long double scale = 1099511627776.0L; /* 2^40 */
    const long double rel = ldexpl(1.0L, 1 - (LDBL_MANT_DIG < 53 ? LDBL_MANT_DIG : 53));
    long double worst = 0;
    uint32_t worst_d = 0;
    for (uint32_t d = 0; d < (uint32_t)31 << 16; ++d) {
        long double exact = expl(-(long double)d / 65536.0L);
        long double err = fabsl((long double)exp_neg_q40(d) / scale - exact);
        if (err > worst) {
            worst = err;
            worst_d = d;
        }
        CHECK(err <= ldexpl(1.0L, -41) + ldexpl(1.0L, -58) + exact * rel,
              "exp_neg_q40(%" PRIu32 ") off by %.3Le", d, err);
    }
    CHECK(exp_neg_q40(0) == (uint64_t)1 << 40, "exp(0) is exactly 1");
    CHECK(exp_neg_q40((uint32_t)31 << 16) == 0 && exp_neg_q40(UINT32_MAX) == 0,
          "exp(-31) and below round to 0");
    printf("exp_neg_q40: worst error %.4Lf units of 2^-40 at d = %" PRIu32 "\n",
           worst * scale, worst_d);
}

/* floor(e 2^16 / S) and the remainder, by long division in 16-bit limbs of
 * the numerator (an independent path: no reciprocal, no 64-bit division). */
static uint64_t ref_divide(uint64_t e, uint64_t s, uint64_t *rem)
{
    uint64_t num = e << 16; /* e <= 2^40 */
    uint64_t q = 0, r = 0;
    for (int bit = 63; bit >= 0; --bit) {
        r = (r << 1) | ((num >> bit) & 1u); /* r < 2 S <= 2^64 would overflow: S <= 2^63 */
        q <<= 1;
        if (r >= s) {
            r -= s;
            q |= 1u;
        }
    }
    *rem = r;
    return q;
}

static uint32_t ref_round(uint64_t e, uint64_t s, bool nearest)
{
    uint64_t r;
    uint64_t q = ref_divide(e, s, &r);
    if (nearest && (r > s - r || (r == s - r && (q & 1u)))) {
        q += 1;
    }
    return (uint32_t)q;
}

static void check_divide(uint64_t e, uint64_t s)
{
    const uint32_t inv = (uint32_t)(UINT64_MAX / ((s >> 8) + 1u));
    for (int m = 0; m < 2; ++m) {
        bool nearest = m == 0;
        uint32_t got = divide(e, s, inv, nearest);
        uint32_t want = ref_round(e, s, nearest);
        CHECK(got == want, "divide(%" PRIu64 ", %" PRIu64 ", %s) = %" PRIu32 ", want %" PRIu32,
              e, s, nearest ? "nearest" : "floor", got, want);
    }
}

static void test_divide(void)
{
    const uint64_t one = (uint64_t)1 << 40;
    /* random sums over the whole range and random e <= min(S, 2^40) */
    for (int i = 0; i < 400000; ++i) {
        uint64_t r = check_rng();
        unsigned bits = 40u + (unsigned)(r % 24u); /* S in [2^40, 2^63] */
        uint64_t s = (check_rng() >> (64u - bits)) | ((uint64_t)1 << 40);
        uint64_t e = check_rng() % (one + 1u);
        if (e > s) {
            e = s;
        }
        check_divide(e, s);
    }
    /* exact quotients k = e 2^16 / S (S = 2^16 m, e = k m) and exact ties
     * k + 1/2 (S = 2^17 m, e = (2k + 1) m), and their neighbours */
    for (int i = 0; i < 200000; ++i) {
        /* S >= 2^40 and e <= 2^40: m >= 2^24, k m <= 2^40 */
        uint64_t k = check_rng() % 65537u;
        uint64_t top = k == 0u ? one : one / k;
        uint64_t m = ((uint64_t)1 << 24) + check_rng() % (top - ((uint64_t)1 << 24) + 1u);
        uint64_t e = k * m, s16 = m << 16;
        check_divide(e, s16);
        check_divide(e, s16 + 1u);
        check_divide(e, s16 - 1u);
        if (e > 0u) {
            check_divide(e - 1u, s16);
        }
        if (e < one) {
            check_divide(e + 1u, s16);
        }
        /* m >= 2^23, (2k + 1) m <= 2^40 */
        uint64_t odd = 2u * (k % 32768u) + 1u;
        m = ((uint64_t)1 << 23) + check_rng() % (one / odd - ((uint64_t)1 << 23) + 1u);
        uint64_t e2 = odd * m, s17 = m << 17;
        check_divide(e2, s17);
        check_divide(e2, s17 + 1u);
        check_divide(e2, s17 - 1u);
        check_divide(e2 - 1u, s17);
        if (e2 < one) {
            check_divide(e2 + 1u, s17);
        }
    }
    /* the extremes: the largest row sum, a single entry, e = 0 */
    check_divide(one, one);
    check_divide(one, (uint64_t)1 << 63);
    check_divide(0, one);
    check_divide(1, (uint64_t)1 << 63);
    /* every quotient a row of equal entries gives: 2^56 / (n 2^40) */
    for (uint64_t n = 1; n <= 70000u; ++n) {
        check_divide(one, n * one);
    }
}

int main(void)
{
    test_exp_neg();
    test_divide();
    return check_report("test_softmax_parts");
}
