/*
 * C tests of the exact Q16.16 linear algebra (src/q16/q16_linalg.c), run under
 * UBSan + ASan in four builds: the unsigned __int128 fast path and the
 * portable path (-DAC_NO_INT128), each with the fast n <= 4 engine and with
 * the general multiword engine forced for every n
 * (-DAC_Q16_LINALG_FAST_MAX=0).
 *
 * Where the host compiler has __int128 the tests carry their own small
 * oracle (cofactor expansion in signed 128-bit integers, exact while the
 * values fit: n <= 3 with any int32 entries, n = 4 with entries below
 * 2^26); the full-range n = 4 cases, the display factors and n >= 5 are
 * checked against the rational oracle of tests/test_linalg_exact.py.  Everything else
 * here is known answers, consistency between functions, argument checks and
 * fuzzed factor words.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "attncore/q16_linalg.h"

static long passed, failed;

#define CHECK(cond, ...)                                          \
    do {                                                          \
        if (cond) {                                               \
            ++passed;                                             \
        } else {                                                  \
            ++failed;                                             \
            if (failed <= 30) {                                   \
                printf("FAIL %s:%d: ", __FILE__, __LINE__);       \
                printf(__VA_ARGS__);                              \
                printf("\n");                                     \
            }                                                     \
        }                                                         \
    } while (0)

#define ONE ((int32_t)65536)
#define NEAR AC_ROUND_NEAREST_EVEN
#define FLOOR AC_ROUND_FLOOR
#define SAT AC_OVERFLOW_SATURATE
#define RAISE AC_OVERFLOW_RAISE
#define WRAP AC_OVERFLOW_WRAP
#define WORK_N 16
#define POISON ((int32_t)0x5A5A5A5A)

static uint32_t work[AC_Q16_LINALG_WORK(WORK_N)];

/* the n <= 4 engine needs no work buffer; the forced general engine does */
#if defined(AC_Q16_LINALG_FAST_MAX) && AC_Q16_LINALG_FAST_MAX < 4
#define NOWORK work
#else
#define NOWORK NULL
#endif

static uint64_t rng_state = 0x243F6A8885A308D3u;

static uint64_t rnd64(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int32_t from_bits(uint32_t u)
{
    return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(-(int32_t)(~u) - 1);
}

/* a random entry of one of several families */
static int32_t entry(int kind)
{
    static const int32_t edges[] = {INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1,
                                    0, 1, -1, 65536, -65536};
    uint64_t r = rnd64();
    switch (kind) {
    case 0:
        return from_bits((uint32_t)(r & 0xFFFFFFFFu));
    case 1:
        return edges[r % 9u];
    case 2:
        return (int32_t)(r % 393217u) - 196608; /* about +-3.0 */
    case 3:
        return (int32_t)(r % 81u) - 40;
    case 4:
        return ((int32_t)(r % 19u) - 9) * ONE;
    default:
        return (int32_t)(r % ((uint64_t)1 << 26)) - ((int32_t)1 << 25);
    }
}

/* ---- a 128-bit oracle ------------------------------------------------------ */

#if defined(__SIZEOF_INT128__)
#define HAVE_ORACLE 1
__extension__ typedef __int128 i128;

static i128 det_rec(int n, const i128 *m, int stride)
{
    if (n == 1) {
        return m[0];
    }
    i128 sum = 0;
    i128 sub[16];
    for (int j = 0; j < n; ++j) {
        int q = 0;
        for (int r = 1; r < n; ++r) {
            for (int c = 0; c < n; ++c) {
                if (c != j) {
                    sub[q++] = m[r * stride + c];
                }
            }
        }
        i128 minor = det_rec(n - 1, sub, n - 1);
        sum += (j % 2 ? -m[j] : m[j]) * minor;
    }
    return sum;
}

/* n x n with row stride n */
static i128 det128(int n, const i128 *m)
{
    return n == 0 ? 1 : det_rec(n, m, n);
}

/* num / den (den != 0) rounded once: nearest-even or floor */
static i128 round128(i128 num, i128 den, ac_rounding rnd)
{
    if (den < 0) {
        num = -num;
        den = -den;
    }
    i128 q = num / den, r = num % den;
    if (r < 0) {
        q -= 1;
        r += den;
    }
    /* q = floor; r in [0, den) */
    if (rnd == AC_ROUND_NEAREST_EVEN) {
        i128 twice = 2 * r;
        if (twice > den || (twice == den && (q & 1) != 0)) {
            q += 1;
        }
    }
    return q;
}

/* the rounded value fitted under ovf */
static int32_t fit(i128 v, ac_overflow ovf, int *event)
{
    *event = v > INT32_MAX || v < INT32_MIN;
    if (!*event) {
        return (int32_t)v;
    }
    if (ovf == WRAP) {
        return from_bits((uint32_t)((uint64_t)v & 0xFFFFFFFFu));
    }
    return v > 0 ? INT32_MAX : INT32_MIN;
}

/* x = 2^16 A^-1 b by Cramer's rule in 128 bits; returns 0 if singular */
static int oracle_solve(int n, const int32_t *a, const int32_t *b, ac_rounding rnd,
                        ac_overflow ovf, int32_t *x, int *events, int *first)
{
    i128 m[16];
    for (int i = 0; i < n * n; ++i) {
        m[i] = a[i];
    }
    i128 d = det128(n, m);
    *events = 0;
    *first = -1;
    if (d == 0) {
        return 0;
    }
    for (int i = 0; i < n; ++i) {
        for (int r = 0; r < n * n; ++r) {
            m[r] = (r % n == i) ? b[r / n] : a[r];
        }
        int ev;
        x[i] = fit(round128(det128(n, m) * 65536, d, rnd), ovf, &ev);
        if (ev) {
            if (*first < 0) {
                *first = i;
            }
            *events += 1;
        }
    }
    return 1;
}
#else
#define HAVE_ORACLE 0
#endif

/* ---- helpers ------------------------------------------------------------------ */

static ac_status solve1(size_t n, const int32_t *a, const int32_t *b, int32_t *x, int pd,
                        ac_rounding rnd, ac_overflow ovf, ac_tally *t)
{
    return ac_q16_solve(n, 1, a, (ptrdiff_t)n, 1, b, 1, 1, x, pd, rnd, ovf, t, work);
}

static void fill_poison(int32_t *x, size_t count)
{
    for (size_t i = 0; i < count; ++i) {
        x[i] = POISON;
    }
}

static int all_poison(const int32_t *x, size_t count)
{
    for (size_t i = 0; i < count; ++i) {
        if (x[i] != POISON) {
            return 0;
        }
    }
    return 1;
}

/* ---- tests -------------------------------------------------------------------- */

static void test_issue_cases(void)
{
    /* issue 15: det 1.0 exactly (the raw matrix is 65536 times this one) */
    static const int32_t m4[16] = {-7601, -28588, 19241, -3201, -30950, -10257, -6234, 10128,
                                   -28319, 11686, -20962, 9396, 29451, -17218, 11649, 30514};
    int32_t a[16], d = 0;
    ac_tally t = {0, 0, 0, AC_OK};
    for (int i = 0; i < 16; ++i) {
        a[i] = m4[i] * ONE;
    }
    CHECK(ac_q16_det(4, a, 4, 1, &d, NEAR, SAT, &t, work) == AC_OK && d == ONE,
          "issue det 1.0: got %" PRId32, d);
    CHECK(ac_q16_det(4, a, 4, 1, &d, FLOOR, SAT, &t, work) == AC_OK && d == ONE,
          "issue det 1.0 floor: got %" PRId32, d);
    /* det of [[1,30,22],[21,631,434],[35,1051,743]] (times ONE) is 1.0: floor gives ONE */
    static const int32_t m3[9] = {1, 30, 22, 21, 631, 434, 35, 1051, 743};
    for (int i = 0; i < 9; ++i) {
        a[i] = m3[i] * ONE;
    }
    CHECK(ac_q16_det(3, a, 3, 1, &d, FLOOR, SAT, &t, work) == AC_OK && d == ONE,
          "issue floor det: got %" PRId32, d);
    /* ties to even: x0 = 261556.5 exactly */
    static const int32_t at[4] = {-196608, -65536, -327680, 327680};
    static const int32_t bt[2] = {-901827, -721995};
    int32_t x[2];
    CHECK(solve1(2, at, bt, x, 0, NEAR, SAT, &t) == AC_OK && x[0] == 261556,
          "issue tie: got %" PRId32, x[0]);
    CHECK(solve1(2, at, bt, x, 0, FLOOR, SAT, &t) == AC_OK && x[0] == 261556,
          "issue tie floor: got %" PRId32, x[0]);
    /* factor once, solve many: [[3,1],[1,1]] and [[2,1],[1,1]] (raw) */
    static const int32_t f1[4] = {3, 1, 1, 1}, f2[4] = {2, 1, 1, 1}, b2[2] = {4, 2};
    const int32_t *mats[2] = {f1, f2};
    for (int k = 0; k < 2; ++k) {
        uint32_t f[AC_Q16_FACTOR_WORDS(2)];
        int32_t xs[2], xf[2], xc[2];
        CHECK(solve1(2, mats[k], b2, xs, 0, NEAR, SAT, &t) == AC_OK, "issue lu solve");
        CHECK(ac_q16_lu_factor(2, mats[k], 2, 1, NULL, NULL, f, NEAR, SAT, &t, work) == AC_OK,
              "issue lu factor %d", k);
        CHECK(ac_q16_lu_solve(2, 1, f, b2, 1, 1, xf, NEAR, SAT, &t, work) == AC_OK
                  && xf[0] == xs[0] && xf[1] == xs[1],
              "issue lu_solve %d", k);
        CHECK(ac_q16_cho_factor(2, mats[k], 2, 1, NULL, 1, NULL, NULL, f, NEAR, SAT, &t, work)
                  == AC_OK,
              "issue cho factor %d", k);
        CHECK(ac_q16_cho_solve(2, 1, f, b2, 1, 1, xc, NEAR, SAT, &t, work) == AC_OK
                  && xc[0] == xs[0] && xc[1] == xs[1],
              "issue cho_solve %d", k);
        /* [[3,1],[1,1]] x = [4,2]: x = [1, 1] exactly -> ONE */
        if (k == 0) {
            CHECK(xs[0] == ONE && xs[1] == ONE, "issue [[3,1],[1,1]]: %" PRId32 " %" PRId32,
                  xs[0], xs[1]);
        }
    }
}

/* solve / lu_solve / cho_solve / inv / det against the 128-bit oracle */
static void test_oracle(void)
{
#if HAVE_ORACLE
    for (int it = 0; it < 40000; ++it) {
        int n = 1 + (int)(rnd64() % 4u);
        int kind = (int)(rnd64() % 6u);
        if (n == 4 && kind < 2) {
            kind = 5; /* keep the 4 x 4 values within 128 bits */
        }
        if (n == 4 && kind == 0) {
            kind = 5;
        }
        int32_t a[16], b[4], x[4], y[4], want[4];
        for (int i = 0; i < n * n; ++i) {
            a[i] = entry(kind);
        }
        for (int i = 0; i < n; ++i) {
            b[i] = entry(n == 4 ? 5 : (int)(rnd64() % 6u));
        }
        ac_rounding rnd = (rnd64() & 1u) ? NEAR : FLOOR;
        ac_overflow ovf = (ac_overflow)(rnd64() % 3u);
        int events, first;
        int ok = oracle_solve(n, a, b, rnd, ovf, want, &events, &first);
        ac_tally t = {0, 0, 0, AC_OK};
        fill_poison(x, 4);
        ac_status st = solve1((size_t)n, a, b, x, 0, rnd, ovf, &t);
        if (!ok) {
            CHECK(st == AC_STATUS_SINGULAR && all_poison(x, 4), "singular n=%d st=%d", n, st);
            continue;
        }
        if (ovf == RAISE && events) {
            int good = st == AC_STATUS_RANGE && t.first_index == (size_t)first && t.events == 1;
            for (int i = 0; i < first; ++i) {
                good = good && x[i] == want[i];
            }
            CHECK(good, "raise n=%d first=%d st=%d", n, first, st);
        } else {
            int good = st == AC_OK && t.events == (size_t)events;
            for (int i = 0; i < n; ++i) {
                good = good && x[i] == want[i];
            }
            CHECK(good, "solve n=%d kind=%d rnd=%d ovf=%d: x0 %" PRId32 " want %" PRId32, n,
                  kind, rnd, ovf, x[0], want[0]);
        }
        /* the factored solves give the same bits and statuses */
        uint32_t f[AC_Q16_FACTOR_WORDS(4)];
        ac_tally t2 = {0, 0, 0, AC_OK};
        CHECK(ac_q16_lu_factor((size_t)n, a, n, 1, NULL, NULL, f, rnd, ovf, &t2, work) == AC_OK,
              "factor");
        ac_status st2 = ac_q16_lu_solve((size_t)n, 1, f, b, 1, 1, y, rnd, ovf, &t2, work);
        int same = st2 == st && t2.events == t.events;
        for (int i = 0; i < n && st == AC_OK; ++i) {
            same = same && y[i] == x[i];
        }
        CHECK(same, "lu_solve == solve, n=%d", n);
        /* det and inv */
        i128 m[16];
        for (int i = 0; i < n * n; ++i) {
            m[i] = a[i];
        }
        i128 d = det128(n, m);
        int ev;
        int32_t dw = fit(round128(d, (i128)1 << (16 * (n - 1)), rnd), ovf, &ev), dg = 0;
        ac_tally t3 = {0, 0, 0, AC_OK};
        ac_status st3 = ac_q16_det((size_t)n, a, n, 1, &dg, rnd, ovf, &t3, work);
        CHECK(dg == dw && t3.events == (size_t)ev && st3 == (ev && ovf == RAISE ? AC_STATUS_RANGE
                                                                                  : AC_OK),
              "det n=%d got %" PRId32 " want %" PRId32, n, dg, dw);
        if (n <= 3) {
            int32_t inv[9];
            ac_tally t4 = {0, 0, 0, AC_OK};
            ac_status st4 = ac_q16_inv((size_t)n, a, n, 1, inv, rnd, SAT, &t4, work);
            int good = st4 == AC_OK;
            for (int i = 0; i < n && good; ++i) {
                for (int j = 0; j < n; ++j) {
                    /* adj_ij = (-1)^(i+j) minor without row j, column i */
                    i128 sub[9];
                    int q = 0;
                    for (int r = 0; r < n; ++r) {
                        for (int c = 0; c < n; ++c) {
                            if (r != j && c != i) {
                                sub[q++] = a[r * n + c];
                            }
                        }
                    }
                    i128 adj = det128(n - 1, sub) * (((i + j) % 2) ? -1 : 1);
                    int e2;
                    int32_t w = fit(round128(adj * ((i128)1 << 32), d, rnd), SAT, &e2);
                    good = good && inv[i * n + j] == w;
                }
            }
            CHECK(good, "inv n=%d", n);
        }
    }
#endif
}

/* solve == lu_solve(lu_factor) == cho paths, for n up to 6 (the general
 * engine at 5 and 6), several right-hand sides, every mode */
static void test_consistency(void)
{
    for (int it = 0; it < 3000; ++it) {
        size_t n = 1 + (size_t)(rnd64() % 6u), k = 1 + (size_t)(rnd64() % 3u);
        int kind = (int)(rnd64() % 6u);
        int32_t a[36], b[18], x[18], y[18];
        for (size_t i = 0; i < n * n; ++i) {
            a[i] = entry(kind);
        }
        for (size_t i = 0; i < n * k; ++i) {
            b[i] = entry((int)(rnd64() % 6u));
        }
        int pd = (int)(rnd64() % 4u == 0);
        if (pd) {
            /* mostly positive definite: a strong diagonal */
            for (size_t i = 0; i < n; ++i) {
                a[i * n + i] = (int32_t)(rnd64() % 2u ? INT32_MAX / 2 : ONE * 64);
            }
        }
        ac_rounding rnd = (rnd64() & 1u) ? NEAR : FLOOR;
        ac_overflow ovf = (ac_overflow)(rnd64() % 3u);
        ac_tally t1 = {0, 0, 0, AC_OK}, t2 = {0, 0, 0, AC_OK};
        ac_status s1 = ac_q16_solve(n, k, a, (ptrdiff_t)n, 1, b, (ptrdiff_t)k, 1, x, pd, rnd, ovf,
                                    &t1, work);
        static uint32_t f[AC_Q16_FACTOR_WORDS(6)];
        ac_status sf = pd ? ac_q16_cho_factor(n, a, (ptrdiff_t)n, 1, NULL, 1, NULL, NULL, f, rnd,
                                              ovf, &t2, work)
                          : ac_q16_lu_factor(n, a, (ptrdiff_t)n, 1, NULL, NULL, f, rnd, ovf, &t2,
                                             work);
        if (s1 == AC_STATUS_SINGULAR || s1 == AC_STATUS_NOT_POSITIVE_DEFINITE) {
            CHECK(sf == s1, "factor status %d vs solve %d (n=%zu)", sf, s1, n);
            continue;
        }
        CHECK(sf == AC_OK, "factor failed %d", sf);
        ac_status s2 = pd ? ac_q16_cho_solve(n, k, f, b, (ptrdiff_t)k, 1, y, rnd, ovf, &t2, work)
                          : ac_q16_lu_solve(n, k, f, b, (ptrdiff_t)k, 1, y, rnd, ovf, &t2, work);
        int same = s1 == s2 && t1.events == t2.events && t1.first_index == t2.first_index;
        size_t upto = s1 == AC_OK ? n * k : t1.first_index;
        for (size_t i = 0; i < upto; ++i) {
            same = same && x[i] == y[i];
        }
        CHECK(same, "solve vs factored n=%zu k=%zu pd=%d st %d/%d", n, k, pd, s1, s2);
        /* strided input: the transpose read through swapped strides, the
         * right-hand side reversed through a negative stride */
        int32_t at[36], br[18], z[18];
        for (size_t i = 0; i < n; ++i) {
            for (size_t j = 0; j < n; ++j) {
                at[j * n + i] = a[i * n + j];
            }
            for (size_t j = 0; j < k; ++j) {
                br[(n - 1 - i) * k + j] = b[i * k + j];
            }
        }
        ac_tally t3 = {0, 0, 0, AC_OK};
        ac_status s3 = ac_q16_solve(n, k, at, 1, (ptrdiff_t)n, br + (n - 1) * k, -(ptrdiff_t)k, 1,
                                    z, pd, rnd, ovf, &t3, work);
        same = s3 == s1 && t3.events == t1.events;
        for (size_t i = 0; i < upto; ++i) {
            same = same && z[i] == x[i];
        }
        CHECK(same, "strided solve n=%zu", n);
    }
}

static void test_ties_and_grid(void)
{
    /* A = 2^17 M (small M), b = M h with h odd: x_raw = h / 2 exactly */
    for (int it = 0; it < 3000; ++it) {
        size_t n = 1 + (size_t)(rnd64() % 4u);
        int32_t m[16], a[16], b[4], x[4], h[4];
        for (size_t i = 0; i < n * n; ++i) {
            m[i] = (int32_t)(rnd64() % 7u) - 3;
            a[i] = m[i] * 131072;
        }
        for (size_t i = 0; i < n; ++i) {
            h[i] = 2 * (int32_t)(rnd64() % 20001u) - 20001;
        }
        for (size_t i = 0; i < n; ++i) {
            int64_t s = 0;
            for (size_t j = 0; j < n; ++j) {
                s += (int64_t)m[i * n + j] * h[j];
            }
            b[i] = (int32_t)s; /* |s| < 4 * 3 * 20001 */
        }
        ac_tally t = {0, 0, 0, AC_OK};
        ac_status st = solve1(n, a, b, x, 0, NEAR, SAT, &t);
        if (st == AC_STATUS_SINGULAR) {
            continue;
        }
        int good = st == AC_OK;
        for (size_t i = 0; i < n; ++i) {
            /* h/2 rounded to even, and floor */
            int32_t fl = h[i] >= 0 ? h[i] / 2 : -((-h[i] + 1) / 2); /* floor(h / 2) */
            int32_t even = (fl % 2 == 0) ? fl : fl + 1;
            good = good && x[i] == even;
        }
        CHECK(good, "tie n=%zu", n);
        st = solve1(n, a, b, x, 0, FLOOR, SAT, &t);
        good = st == AC_OK;
        for (size_t i = 0; i < n; ++i) {
            int32_t fl = h[i] >= 0 ? h[i] / 2 : -((-h[i] + 1) / 2);
            good = good && x[i] == fl;
        }
        CHECK(good, "tie floor n=%zu", n);
        /* on the grid: A = ONE M, b = M g: x_raw = g exactly, floor too */
        for (size_t i = 0; i < n * n; ++i) {
            a[i] = m[i] * ONE;
        }
        st = solve1(n, a, b, x, 0, FLOOR, SAT, &t);
        good = st == AC_OK;
        for (size_t i = 0; i < n; ++i) {
            good = good && x[i] == h[i];
        }
        CHECK(good, "grid floor n=%zu", n);
    }
}

static void test_singular_and_range(void)
{
    /* rank-deficient: row 2 = row 0 + row 1 */
    int32_t a[16] = {INT32_MAX / 4, 3, -5, 7, 11, INT32_MIN / 4, 13, 17, 0, 0, 0, 0, 19, 23, 29,
                     31};
    for (int j = 0; j < 4; ++j) {
        a[8 + j] = a[j] + a[4 + j];
    }
    int32_t b[4] = {1, 2, 3, 4}, x[16], d = 7;
    ac_tally t = {0, 0, 0, AC_OK};
    fill_poison(x, 16);
    CHECK(solve1(4, a, b, x, 0, NEAR, SAT, &t) == AC_STATUS_SINGULAR && all_poison(x, 4),
          "singular solve");
    CHECK(ac_q16_inv(4, a, 4, 1, x, NEAR, SAT, &t, work) == AC_STATUS_SINGULAR
              && all_poison(x, 16),
          "singular inv");
    CHECK(ac_q16_det(4, a, 4, 1, &d, NEAR, SAT, &t, work) == AC_OK && d == 0, "singular det");
    int32_t piv[4] = {-1, -1, -1, -1};
    uint32_t f[AC_Q16_FACTOR_WORDS(4)];
    CHECK(ac_q16_lu_factor(4, a, 4, 1, x, piv, f, NEAR, SAT, &t, work) == AC_STATUS_SINGULAR
              && all_poison(x, 16) && piv[0] == -1,
          "singular lu_factor writes nothing");
    /* zero row stride: every row the same, singular for n > 1 */
    CHECK(ac_q16_solve(3, 1, a, 0, 1, b, 1, 1, x, 0, NEAR, SAT, &t, work) == AC_STATUS_SINGULAR,
          "zero stride");
    /* range: x = 2^16 * MAX / 1 is far out of range */
    int32_t one_by_one = 1, big = INT32_MAX, y = 0;
    ac_tally t2 = {0, 0, 0, AC_OK};
    CHECK(solve1(1, &one_by_one, &big, &y, 0, NEAR, SAT, &t2) == AC_OK && y == INT32_MAX
              && t2.events == 1 && t2.first_index == 0,
          "saturate");
    CHECK(solve1(1, &one_by_one, &big, &y, 0, NEAR, WRAP, &t2) == AC_OK
              && y == from_bits((uint32_t)(((uint64_t)INT32_MAX << 16) & 0xFFFFFFFFu)),
          "wrap");
    ac_tally t3 = {0, 0, 0, AC_OK};
    CHECK(solve1(1, &one_by_one, &big, &y, 0, NEAR, RAISE, &t3) == AC_STATUS_RANGE
              && t3.first_index == 0,
          "raise");
    /* NULL tally is fine */
    CHECK(solve1(1, &one_by_one, &big, &y, 0, NEAR, SAT, NULL) == AC_OK, "null tally");
    /* the first event in row-major order under raise, k = 2: element (0,1) */
    int32_t a2[4] = {ONE, 0, 0, ONE}, b2[4] = {1, INT32_MIN, INT32_MAX, 5}, x2[4];
    int32_t a3[4] = {1, 0, 0, 1};
    ac_tally t4 = {0, 0, 0, AC_OK};
    CHECK(ac_q16_solve(2, 2, a2, 2, 1, b2, 2, 1, x2, 0, NEAR, RAISE, &t4, work) == AC_OK,
          "in range");
    CHECK(ac_q16_solve(2, 2, a3, 2, 1, b2, 2, 1, x2, 0, NEAR, RAISE, &t4, work)
              == AC_STATUS_RANGE && t4.first_index == 1,
          "raise order: first index %zu", t4.first_index);
}

static void test_cholesky(void)
{
    /* A = L L^T for integer L: the display factor is 2^8 L exactly */
    static const int32_t l[9] = {300, 0, 0, -120, 77, 0, 45, 1000, 9};
    int32_t a[9], c[9], perm[3];
    size_t rank = 0;
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
            int32_t s = 0;
            for (int k = 0; k < 3; ++k) {
                s += l[i * 3 + k] * l[j * 3 + k];
            }
            a[i * 3 + j] = s;
        }
    }
    ac_tally t = {0, 0, 0, AC_OK};
    CHECK(ac_q16_cho_factor(3, a, 3, 1, c, 1, NULL, &rank, NULL, NEAR, SAT, &t, work) == AC_OK
              && rank == 3,
          "cho spd");
    int good = 1;
    for (int i = 0; i < 9; ++i) {
        good = good && c[i] == l[i] * 256;
    }
    CHECK(good, "cho display = 2^8 L");
    CHECK(ac_q16_cho_factor(3, a, 3, 1, c, 0, NULL, NULL, NULL, FLOOR, SAT, &t, work) == AC_OK
              && c[1] == l[3] * 256 && c[3] == 0,
          "cho upper");
    /* ties: a00 = 2^18, a10 = h: L_10 raw = h / 2 */
    static const int32_t hs[6] = {1, -1, 3, 5, -3, 7};
    for (int k = 0; k < 6; ++k) {
        int32_t a2[4] = {262144, 0, hs[k], 1000000}, c2[4];
        int32_t fl = hs[k] >= 0 ? hs[k] / 2 : -((-hs[k] + 1) / 2);
        int32_t even = fl % 2 == 0 ? fl : fl + 1;
        CHECK(ac_q16_cho_factor(2, a2, 2, 1, c2, 1, NULL, NULL, NULL, NEAR, SAT, &t, work) == AC_OK
                  && c2[2] == even && c2[0] == 512 * 256,
              "cho tie h=%" PRId32 ": %" PRId32, hs[k], c2[2]);
        CHECK(ac_q16_cho_factor(2, a2, 2, 1, c2, 1, NULL, NULL, NULL, FLOOR, SAT, &t, work)
                  == AC_OK && c2[2] == fl,
              "cho tie floor h=%" PRId32, hs[k]);
    }
    /* not positive definite; semidefinite with pivoting */
    int32_t bad[4] = {ONE, 0, 2 * ONE, ONE};
    CHECK(ac_q16_cho_factor(2, bad, 2, 1, c, 1, NULL, NULL, NULL, NEAR, SAT, &t, work)
              == AC_STATUS_NOT_POSITIVE_DEFINITE,
          "not pd");
    int32_t x[2], b[2] = {ONE, ONE};
    CHECK(ac_q16_solve(2, 1, bad, 2, 1, b, 1, 1, x, 1, NEAR, SAT, &t, work)
              == AC_STATUS_NOT_POSITIVE_DEFINITE,
          "solve pd not pd");
    /* v v^T, v = (1, 2, 3): rank 1; the largest diagonal (9) is pivot 0 */
    int32_t psd[9] = {1, 2, 3, 2, 4, 6, 3, 6, 9};
    uint32_t f[AC_Q16_FACTOR_WORDS(3)];
    CHECK(ac_q16_cho_factor(3, psd, 3, 1, c, 1, perm, &rank, f, NEAR, SAT, &t, work) == AC_OK
              && rank == 1 && perm[0] == 2 && c[0] == 768 && c[3] == 512 && c[6] == 256
              && c[4] == 0 && c[8] == 0,
          "pivoted rank 1: rank %zu perm0 %" PRId32 " c0 %" PRId32, rank, perm[0], c[0]);
    int32_t b3[3] = {1, 2, 3}, x3[3];
    CHECK(ac_q16_cho_solve(3, 1, f, b3, 1, 1, x3, NEAR, SAT, &t, work) == AC_STATUS_SINGULAR,
          "semidefinite factor solves singular");
    psd[5] = 7; /* [[1,2,3],[2,4,7],[3,7,9]]: det -1, not semidefinite */
    psd[7] = 7;
    CHECK(ac_q16_cho_factor(3, psd, 3, 1, c, 1, perm, &rank, NULL, NEAR, SAT, &t, work)
              == AC_STATUS_NOT_POSITIVE_DEFINITE,
          "pivoted indefinite");
}

static void test_affine(void)
{
    /* identity block, t = MIN: -t = 2^31 is out of range */
    for (size_t dim = 3; dim <= 4; ++dim) {
        size_t n = dim - 1;
        int32_t m[16], out[16];
        for (size_t i = 0; i < dim; ++i) {
            for (size_t j = 0; j < dim; ++j) {
                m[i * dim + j] = i == j ? ONE : 0;
            }
            if (i < n) {
                m[i * dim + n] = INT32_MIN;
            }
        }
        for (int rigid = 0; rigid < 2; ++rigid) {
            ac_tally t = {0, 0, 0, AC_OK};
            ac_status st = ac_q16_affine_inverse(dim, m, (ptrdiff_t)dim, 1, out, rigid, NEAR, SAT,
                                                 &t, work);
            CHECK(st == AC_OK && out[n] == INT32_MAX && t.events == n && out[0] == ONE
                      && out[dim * dim - 1] == ONE,
                  "affine -t = 2^31 rigid=%d", rigid);
            st = ac_q16_affine_inverse(dim, m, (ptrdiff_t)dim, 1, out, rigid, NEAR, WRAP, &t,
                                       work);
            CHECK(st == AC_OK && out[n] == INT32_MIN, "affine wrap rigid=%d", rigid);
        }
        /* a 2x block: the translation -t / 2 = 2^30 exactly */
        for (size_t i = 0; i < n; ++i) {
            m[i * dim + i] = 2 * ONE;
        }
        ac_tally t = {0, 0, 0, AC_OK};
        CHECK(ac_q16_affine_inverse(dim, m, (ptrdiff_t)dim, 1, out, 0, FLOOR, SAT, &t, work)
                      == AC_OK
                  && out[n] == (int32_t)1 << 30 && out[0] == ONE / 2,
              "affine 2x block");
        m[n * dim] = 1; /* a bottom row other than [0 .. 0 ONE] */
        fill_poison(out, 16);
        CHECK(ac_q16_affine_inverse(dim, m, (ptrdiff_t)dim, 1, out, 0, NEAR, SAT, &t, work)
                      == AC_STATUS_BAD_ARGUMENT
                  && all_poison(out, 16),
              "affine bottom row");
    }
}

static void test_arguments(void)
{
    int32_t a[4] = {ONE, 0, 0, ONE}, b[2] = {1, 2}, x[2], d;
    uint32_t f[AC_Q16_FACTOR_WORDS(2)], g[AC_Q16_FACTOR_WORDS(3)];
    ac_tally t = {0, 0, 0, AC_OK};
    CHECK(ac_q16_solve(2, 1, a, 2, 1, b, 1, 1, x, 0, (ac_rounding)2, SAT, &t, work)
              == AC_STATUS_BAD_ARGUMENT,
          "bad rounding");
    CHECK(ac_q16_solve(2, 1, a, 2, 1, b, 1, 1, x, 0, NEAR, (ac_overflow)3, &t, work)
              == AC_STATUS_BAD_ARGUMENT,
          "bad overflow");
    CHECK(ac_q16_solve(2, 1, NULL, 2, 1, b, 1, 1, x, 0, NEAR, SAT, &t, work) == AC_STATUS_BAD_ARGUMENT,
          "null a");
    CHECK(ac_q16_det(AC_Q16_LINALG_MAX_N + 1, a, 1, 1, &d, NEAR, SAT, &t, work)
              == AC_STATUS_BAD_ARGUMENT,
          "n too large");
    CHECK(ac_q16_affine_inverse(0, a, 1, 1, x, 0, NEAR, SAT, &t, work) == AC_STATUS_BAD_ARGUMENT,
          "affine dim 0");
    CHECK(ac_q16_affine_inverse(2, a, 2, 1, x, 0, NEAR, SAT, &t, work) == AC_STATUS_BAD_ARGUMENT,
          "affine dim 2");
    CHECK(ac_q16_lu_factor(2, a, 2, 1, NULL, NULL, NULL, NEAR, SAT, &t, work) == AC_STATUS_BAD_ARGUMENT,
          "no output");
    CHECK(ac_q16_lu_factor(2, a, 2, 1, NULL, NULL, f, NEAR, SAT, &t, NOWORK) == AC_OK,
          "exact factor n <= 4 needs no work");
    CHECK(ac_q16_lu_solve(2, 1, f, b, 1, 1, x, NEAR, SAT, &t, NOWORK) == AC_OK && x[0] == 1,
          "lu_solve n <= 4 needs no work");
    CHECK(ac_q16_lu_solve(3, 1, f, b, 1, 1, x, NEAR, SAT, &t, work) == AC_STATUS_BAD_ARGUMENT,
          "factor of another n");
    memcpy(g, f, sizeof f);
    g[0] ^= 1u;
    CHECK(ac_q16_lu_solve(2, 1, g, b, 1, 1, x, NEAR, SAT, &t, work) == AC_STATUS_BAD_ARGUMENT,
          "damaged magic");
    /* n = 4: words beyond the bounds of a true factor */
    int32_t a4[16] = {ONE, 0, 0, 0, 0, ONE, 0, 0, 0, 0, ONE, 0, 0, 0, 0, ONE}, b4[4] = {1, 2, 3, 4},
            x4[4];
    uint32_t f4[AC_Q16_FACTOR_WORDS(4)];
    CHECK(ac_q16_lu_factor(4, a4, 4, 1, NULL, NULL, f4, NEAR, SAT, &t, NOWORK) == AC_OK, "f4");
    f4[4 + 5 + 3] = 1; /* adj_00 limb 3: |adj| >= 2^96 */
    CHECK(ac_q16_lu_solve(4, 1, f4, b4, 1, 1, x4, NEAR, SAT, &t, NULL) == AC_STATUS_BAD_ARGUMENT,
          "adj bound");
    f4[4 + 5 + 3] = 0;
    f4[4 + 4] = 1; /* det limb 4: |det| >= 2^128 */
    CHECK(ac_q16_lu_solve(4, 1, f4, b4, 1, 1, x4, NEAR, SAT, &t, NULL) == AC_STATUS_BAD_ARGUMENT,
          "det bound");
    /* n = 0 */
    CHECK(ac_q16_det(0, NULL, 0, 0, &d, NEAR, SAT, &t, NULL) == AC_OK && d == ONE, "det n=0");
    CHECK(ac_q16_solve(0, 3, NULL, 0, 0, NULL, 0, 0, NULL, 0, NEAR, SAT, &t, NULL) == AC_OK,
          "solve n=0");
    /* found by the fuzz target: n = 0, the display factor only */
    int32_t piv0[1] = {-7};
    CHECK(ac_q16_lu_factor(0, NULL, 0, 0, x, piv0, NULL, NEAR, SAT, &t, work) == AC_OK
              && piv0[0] == -7, "lu_factor n=0 display only");
    /* the size macros */
    uint64_t prev = 0;
    int mono = 1;
    for (unsigned n = 1; n <= AC_Q16_LINALG_MAX_N; ++n) {
        uint64_t w = AC_Q16_LINALG_WORK(n);
        mono = mono && w > prev && AC_Q16_XWORDS(n) >= 1u;
        prev = w;
    }
    CHECK(mono && AC_Q16_LINALG_WORK(AC_Q16_LINALG_MAX_N + 1u) == 0u
              && AC_Q16_LINALG_WORK(SIZE_MAX) == 0u && AC_Q16_XWORDS(4) == 5u
              && AC_Q16_XWORDS(3) == 4u && AC_Q16_XWORDS(2) == 2u && AC_Q16_XWORDS(1) == 1u,
          "size macros");
}

/* random factor words with a valid header: any status, never undefined
 * behaviour (the sanitizers watch) */
static void test_factor_fuzz(void)
{
    static uint32_t f[AC_Q16_FACTOR_WORDS(6)];
    for (int it = 0; it < 4000; ++it) {
        size_t n = 1 + (size_t)(rnd64() % 6u);
        size_t words = (size_t)AC_Q16_FACTOR_WORDS(n);
        f[0] = AC_Q16_FACTOR_MAGIC;
        f[1] = (uint32_t)n;
        f[2] = (uint32_t)AC_Q16_XWORDS(n);
        f[3] = (uint32_t)(rnd64() & 1u);
        int mode = (int)(rnd64() % 3u);
        for (size_t i = 4; i < words; ++i) {
            uint32_t r = (uint32_t)(rnd64() & 0xFFFFFFFFu);
            f[i] = mode == 0 ? r : (mode == 1 ? (r & 0x3u) * 0xFFFFFFFFu : (i % 5u ? r : 0u));
        }
        int32_t b[6], x[6];
        for (size_t i = 0; i < n; ++i) {
            b[i] = entry((int)(rnd64() % 6u));
        }
        ac_tally t = {0, 0, 0, AC_OK};
        ac_status st = ac_q16_lu_solve(n, 1, f, b, 1, 1, x, (rnd64() & 1u) ? NEAR : FLOOR,
                                       (ac_overflow)(rnd64() % 3u), &t, work);
        CHECK(st == AC_OK || st == AC_STATUS_RANGE || st == AC_STATUS_SINGULAR
                  || st == AC_STATUS_BAD_ARGUMENT,
              "fuzz status %d", st);
    }
}

/* the general engine at n = 8 and 16 against the fast-path identities:
 * det(2 I) = 2^n, inverse of a permutation, solve of a diagonal */
static void test_larger(void)
{
    for (size_t n = 5; n <= WORK_N; n += 11) {
        static int32_t a[WORK_N * WORK_N], inv[WORK_N * WORK_N];
        int32_t d = 0;
        for (size_t i = 0; i < n * n; ++i) {
            a[i] = 0;
        }
        for (size_t i = 0; i < n; ++i) {
            a[i * n + (i + 1) % n] = ONE; /* a cyclic permutation */
        }
        ac_tally t = {0, 0, 0, AC_OK};
        CHECK(ac_q16_inv(n, a, (ptrdiff_t)n, 1, inv, NEAR, SAT, &t, work) == AC_OK, "perm inv");
        int good = 1;
        for (size_t i = 0; i < n; ++i) {
            for (size_t j = 0; j < n; ++j) {
                good = good && inv[i * n + j] == a[j * n + i];
            }
        }
        CHECK(good, "permutation inverse is the transpose, n=%zu", n);
        CHECK(ac_q16_det(n, a, (ptrdiff_t)n, 1, &d, NEAR, SAT, &t, work) == AC_OK
                  && d == ((n % 2) ? ONE : -ONE),
              "det of a cyclic permutation n=%zu: %" PRId32, n, d);
    }
}

int main(void)
{
    test_issue_cases();
    test_oracle();
    test_consistency();
    test_ties_and_grid();
    test_singular_and_range();
    test_cholesky();
    test_affine();
    test_arguments();
    test_factor_fuzz();
    test_larger();
    printf("test_q16_linalg (%s, %s engine for n <= 4): %ld checks, %ld failed\n",
#if defined(__SIZEOF_INT128__) && !defined(AC_NO_INT128)
           "__int128",
#else
           "portable",
#endif
#if defined(AC_Q16_LINALG_FAST_MAX) && AC_Q16_LINALG_FAST_MAX < 4
           "general",
#else
           "fast",
#endif
           passed + failed, failed);
    return failed != 0;
}
