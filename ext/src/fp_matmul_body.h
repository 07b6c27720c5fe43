/*
 * Template body of the float matrix products, included once per type by
 * fp_matmul.c with AC_T (float or double) and AC_SFX (f32 or f64) defined.
 */
#define AC__CAT2(a, b) a##b
#define AC__CAT(a, b) AC__CAT2(a, b)
#define AC__NAME(base) AC__CAT(base, AC_SFX)

/* Fixed-size product of C-contiguous operands: the sizes are compile-time
 * constants, so the compiler keeps the accumulators in registers. */
#define AC__FIXED(MM, NN, KK)                                                        \
    AC_VECTOR_CLONES                                                                 \
    static void AC__NAME(fixed_##MM##NN##KK##_)(size_t count, const AC_T *a,          \
                                                ptrdiff_t sa_t, const AC_T *b,        \
                                                ptrdiff_t sb_t, AC_T *c, ptrdiff_t sc_t) \
    {                                                                                \
        for (size_t t = 0; t < count; ++t, a += sa_t, b += sb_t, c += sc_t) {        \
            AC_T acc[MM][NN];                                                        \
            for (int i = 0; i < MM; ++i) {                                           \
                for (int j = 0; j < NN; ++j) {                                       \
                    acc[i][j] = a[i * KK] * b[j];                                    \
                }                                                                    \
            }                                                                        \
            for (int p = 1; p < KK; ++p) {                                           \
                for (int i = 0; i < MM; ++i) {                                       \
                    for (int j = 0; j < NN; ++j) {                                   \
                        acc[i][j] += a[i * KK + p] * b[p * NN + j];                  \
                    }                                                                \
                }                                                                    \
            }                                                                        \
            for (int i = 0; i < MM; ++i) {                                           \
                for (int j = 0; j < NN; ++j) {                                       \
                    c[i * NN + j] = acc[i][j];                                       \
                }                                                                    \
            }                                                                        \
        }                                                                            \
    }

AC__FIXED(2, 2, 2)
AC__FIXED(3, 3, 3)
AC__FIXED(4, 4, 4)
AC__FIXED(3, 1, 3)
AC__FIXED(4, 1, 4)

/* Not inlined into its caller, so it carries its own AVX2 clone. */
AC_VECTOR_CLONES
static void AC__NAME(general_)(size_t m, size_t n, size_t k, const AC_T *a, ptrdiff_t sa_row,
                               ptrdiff_t sa_col, const AC_T *b, ptrdiff_t sb_row,
                               ptrdiff_t sb_col, AC_T *c, ptrdiff_t sc_row, ptrdiff_t sc_col)
{
    for (size_t i = 0; i < m; ++i) {
        AC_T *c_row = c + (ptrdiff_t)i * sc_row;
        /* Start from the p = 0 product, as the fixed-size paths do, so every
         * path gives the same bits (0 + -0.0 would lose the sign). */
        AC_T x0 = k ? a[(ptrdiff_t)i * sa_row] : 0;
        for (size_t j = 0; j < n; ++j) {
            c_row[(ptrdiff_t)j * sc_col] = k ? x0 * b[(ptrdiff_t)j * sb_col] : 0;
        }
        for (size_t p = 1; p < k; ++p) {
            AC_T x = a[(ptrdiff_t)i * sa_row + (ptrdiff_t)p * sa_col];
            const AC_T *b_row = b + (ptrdiff_t)p * sb_row;
            for (size_t j = 0; j < n; ++j) {
                c_row[(ptrdiff_t)j * sc_col] += x * b_row[(ptrdiff_t)j * sb_col];
            }
        }
    }
}

AC_VECTOR_CLONES
void AC__NAME(ac_matmul_batch_)(size_t count, size_t m, size_t n, size_t k, const AC_T *a,
                                ptrdiff_t sa_t, ptrdiff_t sa_row, ptrdiff_t sa_col,
                                const AC_T *b, ptrdiff_t sb_t, ptrdiff_t sb_row,
                                ptrdiff_t sb_col, AC_T *c, ptrdiff_t sc_t, ptrdiff_t sc_row,
                                ptrdiff_t sc_col)
{
    bool packed = sa_col == 1 && sb_col == 1 && sc_col == 1 && sa_row == (ptrdiff_t)k
                  && sb_row == (ptrdiff_t)n && sc_row == (ptrdiff_t)n;
    if (packed && k != 0) {
#define AC__TRY(MM, NN, KK)                                                            \
    if (m == MM && n == NN && k == KK) {                                               \
        AC__NAME(fixed_##MM##NN##KK##_)(count, a, sa_t, b, sb_t, c, sc_t);             \
        return;                                                                        \
    }
        AC__TRY(4, 4, 4)
        AC__TRY(4, 1, 4)
        AC__TRY(3, 3, 3)
        AC__TRY(3, 1, 3)
        AC__TRY(2, 2, 2)
#undef AC__TRY
    }
    for (size_t t = 0; t < count; ++t) {
        AC__NAME(general_)(m, n, k, a + (ptrdiff_t)t * sa_t, sa_row, sa_col,
                           b + (ptrdiff_t)t * sb_t, sb_row, sb_col, c + (ptrdiff_t)t * sc_t,
                           sc_row, sc_col);
    }
}

#undef AC__FIXED
#undef AC__NAME
#undef AC__CAT
#undef AC__CAT2
