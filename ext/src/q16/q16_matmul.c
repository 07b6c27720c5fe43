/*
 * Q16.16 matrix product with exact accumulation (see attncore/q16_matmul.h).
 */
#include "attncore/config.h"
#include "attncore/q16_matmul.h"
#include "q16_wide.h"
#include "q16_policy.h"

/* Output columns accumulated at once on the int64 path: a stack buffer of
 * 8 * AC_Q16_MATMUL_COL_BLOCK bytes (the core never allocates).  Firmware
 * with a small stack can build with a smaller block; results do not change. */
#ifndef AC_Q16_MATMUL_COL_BLOCK
#define AC_Q16_MATMUL_COL_BLOCK 128
#endif
#define AC__COL_BLOCK AC_Q16_MATMUL_COL_BLOCK

/* max |x| over `count` packed items of `size` elements, `stride` apart:
 * one long contiguous run when the items are back to back (the common case,
 * and the one that vectorizes), one item when they are broadcast. */
static uint64_t batch_max_magnitude(size_t count, size_t size, const ac_q16 *x, ptrdiff_t stride)
{
    if (count == 0) { /* no item: nothing may be read, not even a broadcast one */
        return 0;
    }
    if (stride == (ptrdiff_t)size) {
        return ac_q16__max_magnitude(1, count * size, x, 0, 1);
    }
    if (stride == 0) {
        return ac_q16__max_magnitude(1, size, x, 0, 1);
    }
    return ac_q16__max_magnitude(count, size, x, stride, 1);
}

/* Does k * max|a| * max|b| stay below 2^63?  Then every partial sum fits int64. */
static bool int64_sums_are_exact(size_t k, uint64_t max_a, uint64_t max_b)
{
    if (max_a == 0 || max_b == 0) {
        return true;
    }
    uint64_t product = max_a * max_b; /* each <= 2^31: product <= 2^62 */
    return (uint64_t)k <= (uint64_t)INT64_MAX / product;
}

static void note(ac_tally *tally, size_t index, ac_status st)
{
    if (st != AC_OK) {
        ac_tally_note(tally, index, st);
    }
}

/* Not inlined into its caller, so it carries its own AVX2 clone. */
AC_VECTOR_CLONES
static ac_status matmul_int64(size_t m, size_t n, size_t k, const ac_q16 *a, ptrdiff_t sa_row,
                              ptrdiff_t sa_col, const ac_q16 *b, ptrdiff_t sb_row,
                              ptrdiff_t sb_col, ac_q16 *c, ptrdiff_t sc_row, ptrdiff_t sc_col,
                              ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
{
    int64_t acc[AC__COL_BLOCK];
    for (size_t i = 0; i < m; ++i) {
        const ac_q16 *a_row = a + (ptrdiff_t)i * sa_row;
        for (size_t j0 = 0; j0 < n; j0 += AC__COL_BLOCK) {
            size_t width = n - j0 < AC__COL_BLOCK ? n - j0 : AC__COL_BLOCK;
            for (size_t j = 0; j < width; ++j) {
                acc[j] = 0;
            }
            for (size_t p = 0; p < k; ++p) {
                /* int32 x int32 widened to int64: the form compilers map to
                 * a vector widening multiply */
                ac_q16 x = a_row[(ptrdiff_t)p * sa_col];
                const ac_q16 *b_row = b + (ptrdiff_t)p * sb_row + (ptrdiff_t)j0 * sb_col;
                if (sb_col == 1) {
                    for (size_t j = 0; j < width; ++j) {
                        acc[j] += (int64_t)x * (int64_t)b_row[j];
                    }
                } else {
                    for (size_t j = 0; j < width; ++j) {
                        acc[j] += (int64_t)x * (int64_t)b_row[(ptrdiff_t)j * sb_col];
                    }
                }
            }
            ac_q16 *c_row = c + (ptrdiff_t)i * sc_row + (ptrdiff_t)j0 * sc_col;
            for (size_t j = 0; j < width; ++j) {
                ac_status st;
                c_row[(ptrdiff_t)j * sc_col] = ac_q16_narrow(acc[j], AC_Q16_FRAC_BITS, rnd, ovf, &st);
                if (st != AC_OK) {
                    note(tally, i * n + j0 + j, st);
                    if (ovf == AC_OVERFLOW_RAISE) {
                        return st;
                    }
                }
            }
        }
    }
    return AC_OK;
}

static ac_status matmul_wide(size_t m, size_t n, size_t k, const ac_q16 *a, ptrdiff_t sa_row,
                             ptrdiff_t sa_col, const ac_q16 *b, ptrdiff_t sb_row,
                             ptrdiff_t sb_col, ac_q16 *c, ptrdiff_t sc_row, ptrdiff_t sc_col,
                             ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
{
    for (size_t i = 0; i < m; ++i) {
        for (size_t j = 0; j < n; ++j) {
            ac_q16__wide s = {0, 0};
            for (size_t p = 0; p < k; ++p) {
                int64_t x = a[(ptrdiff_t)i * sa_row + (ptrdiff_t)p * sa_col];
                int64_t y = b[(ptrdiff_t)p * sb_row + (ptrdiff_t)j * sb_col];
                ac_q16__wide_acc(&s, x * y);
            }
            ac_status st;
            c[(ptrdiff_t)i * sc_row + (ptrdiff_t)j * sc_col] =
                ac_q16__wide_narrow(s, rnd, ovf, &st);
            if (st != AC_OK) {
                note(tally, i * n + j, st);
                if (ovf == AC_OVERFLOW_RAISE) {
                    return st;
                }
            }
        }
    }
    return AC_OK;
}

AC_VECTOR_CLONES
ac_status ac_q16_matmul(size_t m, size_t n, size_t k,
                        const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                        const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col,
                        ac_q16 *c, ptrdiff_t sc_row, ptrdiff_t sc_col,
                        ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
{
    if (!ac_q16__rounding_ok(rnd) || !ac_q16__overflow_ok(ovf)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    uint64_t max_a = ac_q16__max_magnitude(m, k, a, sa_row, sa_col);
    uint64_t max_b = ac_q16__max_magnitude(k, n, b, sb_row, sb_col);
    if (int64_sums_are_exact(k, max_a, max_b)) {
        return matmul_int64(m, n, k, a, sa_row, sa_col, b, sb_row, sb_col, c, sc_row, sc_col,
                            rnd, ovf, tally);
    }
    return matmul_wide(m, n, k, a, sa_row, sa_col, b, sb_row, sb_col, c, sc_row, sc_col, rnd,
                       ovf, tally);
}

/* ---- fixed small shapes --------------------------------------------------
 *
 * Each 62-bit product p is split as p = hi * 2^32 + lo with lo = p mod 2^32
 * (unsigned) and hi = floor(p / 2^32); the two halves are summed separately,
 * which cannot overflow for k < 2^31, so the sum is exact with no bound scan
 * and no 128-bit type; hi_sum * 2^32 + lo_sum is then narrowed as every
 * other exact sum (ac_q16__wide_narrow): one rounding, as everywhere. */

static inline ac_q16 split_narrow(int64_t hi, uint64_t lo, ac_rounding rnd, ac_overflow ovf,
                                  ac_status *status)
{
    return ac_q16__wide_narrow(ac_q16__wide_from_split(hi, lo), rnd, ovf, status);
}

/* Note the events of item t (statuses in item_st); under RAISE, the status
 * that stops the batch. */
static ac_status note_item(ac_tally *tally, size_t t, const unsigned char *item_st, size_t size,
                           ac_overflow ovf)
{
    for (size_t e = 0; e < size; ++e) {
        if (item_st[e] != AC_OK) {
            ac_tally_note(tally, t * size + e, (ac_status)item_st[e]);
            if (ovf == AC_OVERFLOW_RAISE) {
                return (ac_status)item_st[e];
            }
        }
    }
    return AC_OK;
}

/* One fixed-size kernel body in axpy order (a row of NN sums updated per p,
 * the form that maps onto vector widening multiplies).  DECLARE(NN) declares
 * the NN zeroed sums, ACCUMULATE(j) adds `prod` to sum j, NARROW(j) rounds
 * sum j once.  A whole item is computed with its statuses kept in a byte
 * buffer and inspected afterwards, so the arithmetic has no branch. */
#define AC__Q16_FIXED(NAME, MM, NN, KK, DECLARE, ACCUMULATE, NARROW)                    \
    AC_VECTOR_CLONES                                                                    \
    static ac_status NAME(size_t count, const ac_q16 *a, ptrdiff_t sa_t,                \
                          const ac_q16 *b, ptrdiff_t sb_t, ac_q16 *c, ptrdiff_t sc_t,     \
                          ac_rounding rnd, ac_overflow ovf, ac_tally *tally)              \
    {                                                                                   \
        for (size_t t = 0; t < count; ++t, a += sa_t, b += sb_t, c += sc_t) {           \
            unsigned char item_st[MM * NN];                                             \
            unsigned events = 0;                                                        \
            for (int i = 0; i < MM; ++i) {                                              \
                DECLARE(NN)                                                             \
                for (int p = 0; p < KK; ++p) {                                          \
                    ac_q16 x = a[i * KK + p];                                           \
                    for (int j = 0; j < NN; ++j) {                                      \
                        int64_t prod = (int64_t)x * (int64_t)b[p * NN + j];             \
                        ACCUMULATE(j)                                                   \
                    }                                                                   \
                }                                                                       \
                for (int j = 0; j < NN; ++j) {                                          \
                    ac_status st;                                                       \
                    c[i * NN + j] = NARROW(j);                                          \
                    item_st[i * NN + j] = (unsigned char)st;                            \
                    events += st != AC_OK;                                              \
                }                                                                       \
            }                                                                           \
            if (events) {                                                               \
                ac_status stop = note_item(tally, t, item_st, MM * NN, ovf);            \
                if (stop != AC_OK) {                                                    \
                    return stop;                                                        \
                }                                                                       \
            }                                                                           \
        }                                                                               \
        return AC_OK;                                                                   \
    }

/* Split sums: exact for any inputs (see above). */
#define AC__SPLIT_DECLARE(N) int64_t hi[N] = {0}; uint64_t lo[N] = {0};
#define AC__SPLIT_ADD(j) hi[j] += ac_q16__floor_shift(prod, 32); lo[j] += (uint64_t)prod & 0xFFFFFFFFu;
#define AC__SPLIT_NARROW(j) split_narrow(hi[j], lo[j], rnd, ovf, &st)
/* Plain int64 sums: exact when the batch's bound says they cannot overflow. */
#define AC__I64_DECLARE(N) int64_t acc[N] = {0};
#define AC__I64_ADD(j) acc[j] += prod;
#define AC__I64_NARROW(j) ac_q16_narrow(acc[j], AC_Q16_FRAC_BITS, rnd, ovf, &st)

#define AC__Q16_FIXED_BOTH(MM, NN, KK)                                                  \
    AC__Q16_FIXED(fixed_split_##MM##NN##KK, MM, NN, KK, AC__SPLIT_DECLARE, AC__SPLIT_ADD, \
                  AC__SPLIT_NARROW)                                                     \
    AC__Q16_FIXED(fixed_i64_##MM##NN##KK, MM, NN, KK, AC__I64_DECLARE, AC__I64_ADD,     \
                  AC__I64_NARROW)

AC__Q16_FIXED_BOTH(2, 2, 2)
AC__Q16_FIXED_BOTH(3, 3, 3)
AC__Q16_FIXED_BOTH(4, 4, 4)
AC__Q16_FIXED_BOTH(3, 1, 3)
AC__Q16_FIXED_BOTH(4, 1, 4)

AC_VECTOR_CLONES
ac_status ac_q16_matmul_batch(size_t count, size_t m, size_t n, size_t k,
                              const ac_q16 *a, ptrdiff_t sa_t, ptrdiff_t sa_row, ptrdiff_t sa_col,
                              const ac_q16 *b, ptrdiff_t sb_t, ptrdiff_t sb_row, ptrdiff_t sb_col,
                              ac_q16 *c, ptrdiff_t sc_t, ptrdiff_t sc_row, ptrdiff_t sc_col,
                              ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
{
    if (!ac_q16__rounding_ok(rnd) || !ac_q16__overflow_ok(ovf)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    bool packed = sa_col == 1 && sb_col == 1 && sc_col == 1 && sa_row == (ptrdiff_t)k
                  && sb_row == (ptrdiff_t)n && sc_row == (ptrdiff_t)n;
    if (packed) {
        /* One bound for the whole batch (a pass over the inputs, cheap next
         * to the products) picks the int64 kernels for all items at once. */
        bool exact64 = 0;
        if ((m == 4 || m == 3 || m == 2) && (k == m) && (n == m || n == 1)) {
            exact64 = int64_sums_are_exact(k, batch_max_magnitude(count, m * k, a, sa_t),
                                           batch_max_magnitude(count, k * n, b, sb_t));
        }
#define AC__TRY(MM, NN, KK)                                                                \
    if (m == MM && n == NN && k == KK) {                                                   \
        return exact64                                                                     \
                   ? fixed_i64_##MM##NN##KK(count, a, sa_t, b, sb_t, c, sc_t, rnd, ovf, tally)  \
                   : fixed_split_##MM##NN##KK(count, a, sa_t, b, sb_t, c, sc_t, rnd, ovf, tally); \
    }
        AC__TRY(4, 4, 4)
        AC__TRY(4, 1, 4)
        AC__TRY(3, 3, 3)
        AC__TRY(3, 1, 3)
        AC__TRY(2, 2, 2)
#undef AC__TRY
    }
    for (size_t t = 0; t < count; ++t) {
        ac_tally item = {0, 0, 0, AC_OK};
        ac_status st = ac_q16_matmul(m, n, k, a + (ptrdiff_t)t * sa_t, sa_row, sa_col,
                                     b + (ptrdiff_t)t * sb_t, sb_row, sb_col,
                                     c + (ptrdiff_t)t * sc_t, sc_row, sc_col, rnd, ovf, &item);
        ac_tally_add(tally, &item, t * m * n);
        if (st != AC_OK) {
            return st;
        }
    }
    return AC_OK;
}
