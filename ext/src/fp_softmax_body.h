/*
 * Template body of the float softmax, included once per type by
 * fp_softmax.c with AC_T, AC_SFX, AC_EXP, AC_LOG, AC_INF and AC_NAN defined.
 */
#define AC__CAT2(a, b) a##b
#define AC__CAT(a, b) AC__CAT2(a, b)

/* The common case -- contiguous row, contiguous or no mask -- as passes the
 * compiler can vectorize: a masked entry enters as -inf (exp gives exactly
 * 0), max over 8 partial maxima, exp into out, a sum over 8 partial sums (a
 * fixed order, so results are deterministic), and a scaling pass.  Returns
 * 0, leaving the row to the general path, when it holds a NaN (seen in the
 * sum: a NaN check inside the max loop would keep it from vectorizing) or
 * keeps nothing. */
AC_INLINE_INTO_CLONES int AC__CAT(contiguous_row_, AC_SFX)(size_t n, const AC_T *x,
                                                          const unsigned char *mask, AC_T *out,
                                                          int log_output)
{
    const AC_T neg_inf = -AC_INF;
    AC_T pm[8];
    size_t j = 0;
    for (int k = 0; k < 8; ++k) {
        pm[k] = neg_inf;
    }
    for (; j + 8 <= n; j += 8) {
        for (int k = 0; k < 8; ++k) {
            AC_T v = (mask == NULL || mask[j + (size_t)k]) ? x[j + (size_t)k] : neg_inf;
            pm[k] = v > pm[k] ? v : pm[k];
        }
    }
    for (; j < n; ++j) {
        AC_T v = (mask == NULL || mask[j]) ? x[j] : neg_inf;
        pm[0] = v > pm[0] ? v : pm[0];
    }
    AC_T m = pm[0];
    for (int k = 1; k < 8; ++k) {
        m = pm[k] > m ? pm[k] : m;
    }
    if (m == neg_inf) {
        return 0;
    }
    for (j = 0; j < n; ++j) {
        AC_T v = (mask == NULL || mask[j]) ? x[j] : neg_inf;
        out[j] = AC_EXP_NONPOS(v - m);
    }
    AC_T part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    j = 0;
    for (; j + 8 <= n; j += 8) {
        for (int k = 0; k < 8; ++k) {
            part[k] += out[j + (size_t)k];
        }
    }
    for (; j < n; ++j) {
        part[0] += out[j];
    }
    AC_T sum = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    if (sum != sum) {
        return 0; /* a NaN logit (or +inf): the general path makes the row NaN */
    }
    if (log_output) {
        AC_T log_sum = AC_LOG(sum);
        for (j = 0; j < n; ++j) {
            out[j] = (mask == NULL || mask[j]) ? (x[j] - m) - log_sum : neg_inf;
        }
        return 1;
    }
    AC_T inv = (AC_T)1 / sum;
    for (j = 0; j < n; ++j) {
        out[j] *= inv;
    }
    return 1;
}

/* Two instantiations, so each loop is compiled knowing whether a mask is
 * read (a test inside the loop would stop it vectorizing). */
AC_VECTOR_CLONES
static int AC__CAT(unmasked_row_, AC_SFX)(size_t n, const AC_T *x, AC_T *out, int log_output)
{
    return AC__CAT(contiguous_row_, AC_SFX)(n, x, NULL, out, log_output);
}

AC_VECTOR_CLONES
static int AC__CAT(masked_row_, AC_SFX)(size_t n, const AC_T *x, const unsigned char *mask,
                                        AC_T *out, int log_output)
{
    return AC__CAT(contiguous_row_, AC_SFX)(n, x, mask, out, log_output);
}

void AC__CAT(ac_softmax_row_, AC_SFX)(size_t n, const AC_T *x, ptrdiff_t sx,
                                      const unsigned char *mask, ptrdiff_t sm, AC_T *out,
                                      ptrdiff_t so, int log_output)
{
    if (sx == 1 && so == 1 && n > 0 && x != out
        && (mask == NULL ? AC__CAT(unmasked_row_, AC_SFX)(n, x, out, log_output)
                         : sm == 1 && AC__CAT(masked_row_, AC_SFX)(n, x, mask, out, log_output))) {
        return;
    }
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

/* Rows handled per exp pass: 8 KiB of float32 stays in L1 across passes. */
#define AC__PACKED_BLOCK 2048u

AC_VECTOR_CLONES
void AC__CAT(ac_softmax_packed_rows_, AC_SFX)(size_t rows, size_t n, const AC_T *x, AC_T *out)
{
    if (n == 0) {
        return;
    }
    size_t per_block = AC__PACKED_BLOCK / n ? AC__PACKED_BLOCK / n : 1;
    for (size_t r0 = 0; r0 < rows; r0 += per_block) {
        size_t count = rows - r0 < per_block ? rows - r0 : per_block;
        const AC_T *xb = x + r0 * n;
        AC_T *ob = out + r0 * n;
        for (size_t r = 0; r < count; ++r) {
            const AC_T *xr = xb + r * n;
            AC_T m = xr[0];
            for (size_t j = 1; j < n; ++j) {
                m = xr[j] > m ? xr[j] : m;
            }
            for (size_t j = 0; j < n; ++j) {
                ob[r * n + j] = xr[j] - m;
            }
        }
        /* one vectorized pass over the whole block; every argument is <= 0
         * except in rows the general path redoes below */
        for (size_t i = 0; i < count * n; ++i) {
            ob[i] = AC_EXP_NONPOS(ob[i]);
        }
        for (size_t r = 0; r < count; ++r) {
            AC_T *orow = ob + r * n;
            AC_T sum = 0;
            for (size_t j = 0; j < n; ++j) {
                sum += orow[j];
            }
            if (!(sum == sum)) {
                /* NaN or infinite logits (x - max is NaN): the general path's rules */
                AC__CAT(ac_softmax_row_, AC_SFX)(n, xb + r * n, 1, NULL, 0, orow, 1, 0);
                continue;
            }
            AC_T inv = (AC_T)1 / sum;
            for (size_t j = 0; j < n; ++j) {
                orow[j] *= inv;
            }
        }
    }
}

#undef AC__PACKED_BLOCK
#undef AC__CAT
#undef AC__CAT2
