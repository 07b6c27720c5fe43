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

/* ---- small matrices (every dimension at most 4) ----------------------------
 *
 * The products firmware computes most (4x4 transforms, 4x4 . 4 vectors) in
 * dot order: each output's sum stays in one register pair, which a 32-bit
 * core with a 32 x 32 + 64 multiply-accumulate (SMLAL on Cortex-M3/M4)
 * adds in one instruction per product.  The bound that lets the sums live
 * in int64 is taken from the OR of the operands' magnitude bits, one
 * instruction per element; inputs that fail it go to the general kernels. */

#define AC__TINY 4
/* n is a constant in every instantiation; -O2 leaves the loop over it
 * rolled unless asked, and rolled it costs a counter and four pointers */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
#define AC__UNROLL_TINY _Pragma("GCC unroll 4")
#else
#define AC__UNROLL_TINY
#endif

/* x ^ (x >> 31) read as unsigned: |x| itself for x >= 0, |x| - 1 below. */
static inline uint32_t magnitude_bits(ac_q16 x)
{
    uint32_t u = (uint32_t)x;
    return u ^ (0u - (u >> 31));
}

/* The rare output the fast narrowing cannot fit: the general rule decides
 * its value and status (kept out of line, the loop stays small). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static ac_status tiny_event(int64_t sum, size_t index, ac_q16 *out, ac_rounding rnd,
                            ac_overflow ovf, ac_tally *tally)
{
    ac_status st;
    *out = ac_q16_narrow(sum, AC_Q16_FRAC_BITS, rnd, ovf, &st);
    note(tally, index, st);
    return ovf == AC_OVERFLOW_RAISE ? st : AC_OK;
}

/* C = A B for m, n <= 4 and a constant k = KK in 2..4, unit column strides.
 * The operands are read twice: once for the bound, OR-ing the magnitude
 * bits (one instruction per element where a maximum costs three): every
 * |x| <= bits + 1, so k (bits_a + 1)(bits_b + 1) <= 4 * 2^60 bounds every
 * |sum| by 2^62; inputs above it return AC_STATUS_BAD_ARGUMENT (never a
 * kernel result here) for the general kernels.
 * Narrowing: s + 2^62 is non-negative, so floor(s / 2^16) + 2^46 is a plain
 * unsigned shift; adding 0x7FFF plus the quotient's lowest bit first rounds
 * to nearest with ties to even; in range is one comparison of the biased
 * sum; and since 2^46 is a multiple of 2^32 the result is the shifted
 * word's low 32 bits.  The sums are written out explicitly because -O2 does
 * not unroll the loop over a constant k. */
AC_INLINE_INTO_CLONES ac_status matmul_tiny(size_t m, const size_t n, const int KK, const ac_q16 *a,
                                            ptrdiff_t sa_row, const ac_q16 *b, ptrdiff_t sb_row,
                                            ac_q16 *c, ptrdiff_t sc_row, ac_rounding rnd,
                                            ac_overflow ovf, ac_tally *tally)
{
    const ac_q16 *b0 = b, *b1 = b + sb_row, *b2 = b1 + (KK > 2 ? sb_row : 0),
                 *b3 = b2 + (KK > 3 ? sb_row : 0);
    uint32_t bits_a = 0, bits_b = 0;
    for (size_t i = 0; i < m; ++i) {
        const ac_q16 *a_row = a + (ptrdiff_t)i * sa_row;
        bits_a |= magnitude_bits(a_row[0]) | magnitude_bits(a_row[1])
                  | (KK > 2 ? magnitude_bits(a_row[2]) : 0u)
                  | (KK > 3 ? magnitude_bits(a_row[3]) : 0u);
    }
    for (size_t j = 0; j < n; ++j) {
        bits_b |= magnitude_bits(b0[j]) | magnitude_bits(b1[j])
                  | (KK > 2 ? magnitude_bits(b2[j]) : 0u)
                  | (KK > 3 ? magnitude_bits(b3[j]) : 0u);
    }
    if (((uint64_t)bits_a + 1u) * ((uint64_t)bits_b + 1u) > ((uint64_t)1 << 60)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    const uint64_t bias = (uint64_t)1 << 62;
    /* in range: u in [2^62 - 2^47, 2^62 + 2^47), high word in [2^30 - 2^15, 2^30 + 2^15) */
    const uint32_t low_edge_hi = 0x3FFF8000u;
    const uint32_t nearest = rnd == AC_ROUND_NEAREST_EVEN ? 0xFFFFFFFFu : 0u;
    for (size_t i = 0; i < m; ++i) {
        const ac_q16 *a_row = a + (ptrdiff_t)i * sa_row;
        int64_t x0 = a_row[0], x1 = a_row[1], x2 = KK > 2 ? a_row[2] : 0,
                x3 = KK > 3 ? a_row[3] : 0;
        ac_q16 *c_row = c + (ptrdiff_t)i * sc_row;
        AC__UNROLL_TINY
        for (size_t j = 0; j < n; ++j) {
            int64_t sum = x0 * b0[j] + x1 * b1[j];
            if (KK > 2) {
                sum += x2 * b2[j];
            }
            if (KK > 3) {
                sum += x3 * b3[j];
            }
            uint64_t u = (uint64_t)sum + bias;
            u += (0x7FFFu + ((uint32_t)u >> AC_Q16_FRAC_BITS & 1u)) & nearest;
            /* the test and the result on the two 32-bit halves of u: a
             * 32-bit core then needs no 64-bit compare or shift */
            uint32_t hi = (uint32_t)(u >> 32), lo = (uint32_t)u;
            if (hi - low_edge_hi < 0x10000u) {
                c_row[j] = ac_q16__from_bits((lo >> AC_Q16_FRAC_BITS) | (hi << 16));
                continue;
            }
            ac_status st = tiny_event(sum, i * n + j, &c_row[j], rnd, ovf, tally);
            if (st != AC_OK) {
                return st;
            }
        }
    }
    return AC_OK;
}

/* The tiny kernel for (m, n, k) if the shape, strides and bound allow it;
 * AC_STATUS_BAD_ARGUMENT when they do not. */
AC_INLINE_INTO_CLONES ac_status try_tiny(size_t m, size_t n, size_t k, const ac_q16 *a,
                                         ptrdiff_t sa_row, ptrdiff_t sa_col, const ac_q16 *b,
                                         ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *c,
                                         ptrdiff_t sc_row, ptrdiff_t sc_col, ac_rounding rnd,
                                         ac_overflow ovf, ac_tally *tally)
{
    if (m == 0 || m > AC__TINY || sa_col != 1 || sb_col != 1 || sc_col != 1) {
        return AC_STATUS_BAD_ARGUMENT;
    }
#define AC__TINY_SHAPE(NN, KK)                                                             \
    if (n == NN && k == KK) {                                                              \
        return matmul_tiny(m, NN, KK, a, sa_row, b, sb_row, c, sc_row, rnd, ovf, tally);   \
    }
    AC__TINY_SHAPE(4, 4)
    AC__TINY_SHAPE(1, 4)
    AC__TINY_SHAPE(3, 3)
    AC__TINY_SHAPE(1, 3)
    AC__TINY_SHAPE(2, 2)
    AC__TINY_SHAPE(1, 2)
#undef AC__TINY_SHAPE
    return AC_STATUS_BAD_ARGUMENT;
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
    ac_status tiny = try_tiny(m, n, k, a, sa_row, sa_col, b, sb_row, sb_col, c, sc_row, sc_col,
                              rnd, ovf, tally);
    if (tiny != AC_STATUS_BAD_ARGUMENT) {
        return tiny;
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

#if UINTPTR_MAX > 0xFFFFFFFFu
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

#endif /* UINTPTR_MAX > 0xFFFFFFFFu */

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
#if UINTPTR_MAX > 0xFFFFFFFFu
    /* The fixed-size kernels below are written for vector units (AVX2 on
     * the host): a 32-bit core has none wide enough for 64-bit sums and runs
     * each item faster through ac_q16_matmul's small-matrix kernel, so they
     * are compiled for 64-bit targets only.  One item goes there anyway, and
     * so does a batch under RAISE: the fixed kernels write a whole item
     * before they look at its statuses, and a raising call must write
     * nothing after its first event. */
    bool packed = count > 1 && ovf != AC_OVERFLOW_RAISE && sa_col == 1 && sb_col == 1
                  && sc_col == 1 && sa_row == (ptrdiff_t)k && sb_row == (ptrdiff_t)n && sc_row == (ptrdiff_t)n;
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
#endif
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
