/*
 * Template body of the float softmax, included once per type by
 * fp_softmax.c with AC_T, AC_SFX, AC_EXP, AC_LOG, AC_INF and AC_NAN defined.
 */
#define AC__CAT2(a, b) a##b
#define AC__CAT(a, b) AC__CAT2(a, b)

void AC__CAT(ac_softmax_row_, AC_SFX)(size_t n, const AC_T *x, ptrdiff_t sx,
                                      const unsigned char *mask, ptrdiff_t sm, AC_T *out,
                                      ptrdiff_t so, int log_output)
{
    AC_T m = -AC_INF;
    int kept = 0, nan = 0;
    for (size_t j = 0; j < n; ++j) {
        if (mask == NULL || mask[(ptrdiff_t)j * sm]) {
            AC_T v = x[(ptrdiff_t)j * sx];
            kept = 1;
            nan |= v != v;
            m = v > m ? v : m;
        }
    }
    AC_T masked = log_output ? -AC_INF : (AC_T)0;
    if (!kept) {
        for (size_t j = 0; j < n; ++j) {
            out[(ptrdiff_t)j * so] = masked;
        }
        return;
    }
    if (nan) {
        m = AC_NAN; /* as NumPy: a NaN logit makes the whole row NaN */
    }
    AC_T sum = 0;
    for (size_t j = 0; j < n; ++j) {
        if (mask == NULL || mask[(ptrdiff_t)j * sm]) {
            AC_T e = AC_EXP(x[(ptrdiff_t)j * sx] - m);
            if (!log_output) {
                out[(ptrdiff_t)j * so] = e;
            }
            sum += e;
        } else {
            out[(ptrdiff_t)j * so] = masked;
        }
    }
    if (log_output) {
        AC_T log_sum = AC_LOG(sum);
        for (size_t j = 0; j < n; ++j) {
            if (mask == NULL || mask[(ptrdiff_t)j * sm]) {
                out[(ptrdiff_t)j * so] = (x[(ptrdiff_t)j * sx] - m) - log_sum;
            }
        }
        return;
    }
    AC_T inv = (AC_T)1 / sum;
    for (size_t j = 0; j < n; ++j) {
        if (mask == NULL || mask[(ptrdiff_t)j * sm]) {
            out[(ptrdiff_t)j * so] *= inv;
        }
    }
}

#undef AC__CAT
#undef AC__CAT2
