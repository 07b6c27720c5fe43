/*
 * Instruction counts of the Q16.16 kernels, one region per call (see
 * count_markers.h).  Inputs are deterministic (xorshift32) and "typical":
 * values of a few units, well-conditioned matrices (a random matrix plus
 * 2 sqrt(n) on the diagonal, as tests/golden_vectors.py makes them).
 *
 * Build: the core's objects + this file + count_support.c + the target's
 * start-up; run by count/count.py.
 */
#include <stddef.h>
#include <stdint.h>

#include "attncore/q16.h"
#include "attncore/q16_attention.h"
#include "attncore/q16_elementwise.h"
#include "attncore/q16_linalg.h"
#include "attncore/q16_matmul.h"
#include "attncore/q16_softmax.h"
#include "count_markers.h"

#define REPEATS 8

/* uniform raw value in [-range, range) units of 1.0 (range a power of 2) */
static ac_q16 uniform(uint32_t range_log2)
{
    uint32_t bits = 17u + range_log2; /* 2 * range * 2^16 values */
    return (ac_q16)((int32_t)(count_rng() >> (32u - bits)) - (int32_t)((uint32_t)1 << (bits - 1u)));
}

static void fill(ac_q16 *x, size_t n, uint32_t range_log2)
{
    for (size_t i = 0; i < n; ++i) {
        x[i] = uniform(range_log2);
    }
}

/* a random 4x4 in [-2, 2) plus 4 on the diagonal: well conditioned */
static void well_conditioned(ac_q16 *a, size_t n)
{
    fill(a, n * n, 1);
    for (size_t i = 0; i < n; ++i) {
        a[i * n + i] += (ac_q16)(n == 4 ? 4 : 2) * AC_Q16_ONE;
    }
}

/* s = a a^T + n I: symmetric positive definite */
static void spd(ac_q16 *s, size_t n)
{
    ac_q16 a[16];
    fill(a, n * n, 1);
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j) {
            int64_t acc = 0;
            for (size_t p = 0; p < n; ++p) {
                acc += (int64_t)a[i * n + p] * a[j * n + p];
            }
            s[i * n + j] = (ac_q16)(acc >> 16) + (i == j ? (ac_q16)n * AC_Q16_ONE : 0);
        }
    }
}

/* wrappers: the header's inline functions get a call of their own */
__attribute__((noinline)) static ac_q16 call_mul(ac_q16 a, ac_q16 b, ac_status *st)
{
    return ac_q16_mul(a, b, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, st);
}

static volatile ac_q16 sink;
static ac_q16 A[64], B[64], C[64], X[64], W[64];
/* One work area for every kernel (the M0+ has 16 KiB of RAM, half of it
 * the stack probe's): uint64 elements for softmax and attention, uint32_t
 * words for the linear algebra, whose n = 4 display factors are the only
 * calls here that use it (the exact paths get NULL, as firmware would pass). */
static union {
    uint64_t u64[512];
    uint32_t u32[AC_Q16_LINALG_WORK(4)];
} work_area;
static uint64_t *const work = work_area.u64;
static uint32_t *const linalg_work = work_area.u32;
static uint32_t factor[AC_Q16_FACTOR_WORDS(4)];
static int32_t piv[8];

int main(void)
{
    ac_status st;
    ac_tally tally = {0, 0, 0, AC_OK};
    /* the linear algebra regions check their status: a call that returned
     * early (a bad argument) would otherwise pass for a fast one */
    uint32_t failures = 0;

    for (int r = 0; r < 3; ++r) {
        COUNT_REGION("(markers)", (void)0);
    }

    for (int r = 0; r < REPEATS; ++r) {
        ac_q16 a = uniform(3), b = uniform(3);
        COUNT_REGION("mul", sink = call_mul(a, b, &st));
    }
    for (int r = 0; r < REPEATS; ++r) {
        ac_q16 a = uniform(3), b = uniform(3);
        COUNT_REGION("div", sink = ac_q16_div(a, b, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE,
                                              &st));
    }
    for (int r = 0; r < REPEATS; ++r) {
        ac_q16 a = uniform(6);
        a = a < 0 ? -a : a;
        COUNT_REGION("sqrt", sink = ac_q16_sqrt(a, AC_ROUND_NEAREST_EVEN, &st));
    }
    for (int r = 0; r < REPEATS; ++r) {
        /* [-11.5, 10): the range where exp is neither 0 nor saturated */
        ac_q16 a = (ac_q16)((int32_t)(count_rng() % (uint32_t)(21.5 * 65536)) - (int32_t)(11.5 * 65536));
        COUNT_REGION("exp", sink = ac_q16_exp(a, AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &st));
    }
    for (int r = 0; r < REPEATS; ++r) {
        fill(A, 16, 3);
        fill(B, 16, 3);
        COUNT_REGION("matmul 4x4 (ac_q16_matmul)",
                     ac_q16_matmul(4, 4, 4, A, 4, 1, B, 4, 1, C, 4, 1, AC_ROUND_NEAREST_EVEN,
                                   AC_OVERFLOW_SATURATE, &tally));
    }
    for (int r = 0; r < REPEATS; ++r) {
        /* the worst case: full-range entries fail the small-matrix bound */
        fill(A, 16, 15);
        fill(B, 16, 15);
        COUNT_REGION("matmul 4x4, full-range entries (ac_q16_matmul, worst case)",
                     ac_q16_matmul(4, 4, 4, A, 4, 1, B, 4, 1, C, 4, 1, AC_ROUND_NEAREST_EVEN,
                                   AC_OVERFLOW_SATURATE, &tally));
    }
    for (int r = 0; r < REPEATS; ++r) {
        fill(A, 16, 3);
        fill(B, 16, 3);
        COUNT_REGION("matmul 4x4 (ac_q16_matmul_batch, 1 item)",
                     ac_q16_matmul_batch(1, 4, 4, 4, A, 16, 4, 1, B, 16, 4, 1, C, 16, 4, 1,
                                         AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &tally));
    }
    for (int r = 0; r < REPEATS; ++r) {
        fill(A, 16, 3);
        fill(B, 4, 3);
        COUNT_REGION("matvec 4x4 . 4 (ac_q16_matmul)",
                     ac_q16_matmul(4, 1, 4, A, 4, 1, B, 1, 1, C, 1, 1, AC_ROUND_NEAREST_EVEN,
                                   AC_OVERFLOW_SATURATE, &tally));
    }
    for (int r = 0; r < REPEATS; ++r) {
        well_conditioned(A, 4);
        fill(B, 4, 7);
        COUNT_REGION("solve 4x4, 1 rhs (general)",
                     st = ac_q16_solve(4, 1, A, 4, 1, B, 1, 1, X, 0, AC_ROUND_NEAREST_EVEN,
                                       AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
    }
    for (int r = 0; r < REPEATS; ++r) {
        /* the exact engine's costliest inputs: full-range entries (the
         * widest integers), and a matrix one LSB from singular */
        fill(A, 16, 15);
        fill(B, 4, 15);
        COUNT_REGION("solve 4x4, 1 rhs (full-range entries, worst case)",
                     st = ac_q16_solve(4, 1, A, 4, 1, B, 1, 1, X, 0, AC_ROUND_NEAREST_EVEN,
                                       AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
        fill(A, 16, 1);
        for (int j = 0; j < 4; ++j) {
            A[12 + j] = A[8 + j];
        }
        A[12 + (r & 3)] += 1;
        fill(B, 4, 7);
        COUNT_REGION("solve 4x4, 1 rhs (one LSB from singular)",
                     st = ac_q16_solve(4, 1, A, 4, 1, B, 1, 1, X, 0, AC_ROUND_NEAREST_EVEN,
                                       AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
    }
    for (int r = 0; r < REPEATS; ++r) {
        spd(A, 4);
        fill(B, 4, 7);
        COUNT_REGION("solve 4x4, 1 rhs (positive definite)",
                     st = ac_q16_solve(4, 1, A, 4, 1, B, 1, 1, X, 1, AC_ROUND_NEAREST_EVEN,
                                       AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
    }
    for (int r = 0; r < REPEATS; ++r) {
        well_conditioned(A, 4);
        COUNT_REGION("lu_factor 4x4 (exact factor only)",
                     st = ac_q16_lu_factor(4, A, 4, 1, NULL, NULL, factor, AC_ROUND_NEAREST_EVEN,
                                           AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
        fill(B, 4, 7);
        COUNT_REGION("lu_solve 4x4 from the exact factor, 1 rhs",
                     st = ac_q16_lu_solve(4, 1, factor, B, 1, 1, X, AC_ROUND_NEAREST_EVEN,
                                          AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
    }
    for (int r = 0; r < REPEATS / 2; ++r) {
        well_conditioned(A, 4);
        COUNT_REGION("lu_factor 4x4 (display lu, piv and exact factor)",
                     st = ac_q16_lu_factor(4, A, 4, 1, C, piv, factor, AC_ROUND_NEAREST_EVEN,
                                           AC_OVERFLOW_SATURATE, &tally, linalg_work));
        failures += st != AC_OK;
    }
    for (int r = 0; r < REPEATS; ++r) {
        spd(A, 4);
        COUNT_REGION("cho_factor 4x4 (exact factor only)",
                     st = ac_q16_cho_factor(4, A, 4, 1, NULL, 1, NULL, NULL, factor,
                                            AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE, &tally,
                                            NULL));
        failures += st != AC_OK;
        fill(B, 4, 7);
        COUNT_REGION("cho_solve 4x4 from the exact factor, 1 rhs",
                     st = ac_q16_cho_solve(4, 1, factor, B, 1, 1, X, AC_ROUND_NEAREST_EVEN,
                                           AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
    }
    for (int r = 0; r < REPEATS; ++r) {
        well_conditioned(A, 4);
        COUNT_REGION("det 4x4", st = ac_q16_det(4, A, 4, 1, C, AC_ROUND_NEAREST_EVEN,
                                                AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
    }
    for (int r = 0; r < REPEATS / 2; ++r) {
        well_conditioned(A, 4);
        COUNT_REGION("inv 4x4", st = ac_q16_inv(4, A, 4, 1, C, AC_ROUND_NEAREST_EVEN,
                                                AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
    }
    for (int r = 0; r < REPEATS / 2; ++r) {
        well_conditioned(A, 4);
        for (int j = 0; j < 4; ++j) {
            A[12 + j] = j == 3 ? AC_Q16_ONE : 0;
        }
        COUNT_REGION("affine_inverse 4x4 (general)",
                     st = ac_q16_affine_inverse(4, A, 4, 1, C, 0, AC_ROUND_NEAREST_EVEN,
                                                AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
        COUNT_REGION("affine_inverse 4x4 (rigid)",
                     st = ac_q16_affine_inverse(4, A, 4, 1, C, 1, AC_ROUND_NEAREST_EVEN,
                                                AC_OVERFLOW_SATURATE, &tally, NULL));
        failures += st != AC_OK;
    }
    for (int r = 0; r < REPEATS / 2; ++r) {
        fill(X, 64, 3);
        COUNT_REGION("softmax 64 (work = NULL)",
                     ac_q16_softmax_row(64, X, 1, NULL, 1, C, 1, AC_ROUND_NEAREST_EVEN, NULL));
        /* in place the logits must survive the sum: a work buffer keeps
         * e_j, without one each e_j is evaluated twice */
        for (int j = 0; j < 64; ++j) {
            C[j] = X[j];
        }
        COUNT_REGION("softmax 64 in place (out = x), work buffer",
                     ac_q16_softmax_row(64, C, 1, NULL, 1, C, 1, AC_ROUND_NEAREST_EVEN, work));
        for (int j = 0; j < 64; ++j) {
            C[j] = X[j];
        }
        COUNT_REGION("softmax 64 in place (out = x), work = NULL",
                     ac_q16_softmax_row(64, C, 1, NULL, 1, C, 1, AC_ROUND_NEAREST_EVEN, NULL));
    }
    for (int r = 0; r < REPEATS / 2; ++r) {
        ac_attention_masks none = {0, 0, 0, NULL, 0, 0};
        fill(A, 16, 3);
        fill(B, 32, 3);
        fill(X, 32, 3);
        COUNT_REGION("attention l=4 s=8 e=4 ev=4",
                     ac_q16_attention(4, 8, 4, 4, A, 4, 1, B, 4, 1, X, 4, 1, &none,
                                      AC_Q16_ONE / 2, C, 4, 1, W, 8, 1, AC_ROUND_NEAREST_EVEN,
                                      work));
    }
    for (int r = 0; r < REPEATS / 2; ++r) {
        fill(A, 64, 3);
        fill(B, 64, 3);
        COUNT_REGION("binary_n mul, 64 elements",
                     ac_q16_binary_n(AC_Q16_OP_MUL, 64, A, 1, B, 1, C, 1, AC_ROUND_NEAREST_EVEN,
                                     AC_OVERFLOW_SATURATE, &tally));
    }
    if (failures != 0) {
        count_put_str("FAILED calls: ");
        count_put_uint(failures);
        count_put_str("\n");
        return 1;
    }
    count_put_str("DONE\n");
    return 0;
}
