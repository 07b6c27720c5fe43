/*
 * Template body of the float attention tiles, included once per type by
 * fp_attention.c with AC_T, AC_SFX, AC_EXP and AC_INF defined.
 */
#define AC__CAT2(a, b) a##b
#define AC__CAT(a, b) AC__CAT2(a, b)

/* Masks one row of scores in place (masked -> -inf) and returns its max
 * (NaN ignored: exp(NaN - m) carries it on).  One loop per mask kind, so
 * each is compiled without a test per element and vectorizes. */
AC_INLINE_INTO_CLONES AC_T AC__CAT(mask_row_, AC_SFX)(size_t width, AC_T *p,
                                                      const unsigned char *keep, ptrdiff_t keep_col,
                                                      const AC_T *bias, ptrdiff_t bias_col)
{
    const AC_T neg_inf = -AC_INF;
    AC_T pm[8] = {neg_inf, neg_inf, neg_inf, neg_inf, neg_inf, neg_inf, neg_inf, neg_inf};
    size_t j = 0;
    if (keep != NULL) {
        for (j = 0; j < width; ++j) {
            p[j] = keep[(ptrdiff_t)j * keep_col] ? p[j] : neg_inf;
        }
    } else if (bias != NULL) {
        for (j = 0; j < width; ++j) {
            p[j] += bias[(ptrdiff_t)j * bias_col];
        }
    }
    for (j = 0; j + 8 <= width; j += 8) {
        for (int k = 0; k < 8; ++k) {
            pm[k] = p[j + (size_t)k] > pm[k] ? p[j + (size_t)k] : pm[k];
        }
    }
    for (; j < width; ++j) {
        pm[0] = p[j] > pm[0] ? p[j] : pm[0];
    }
    AC_T m = pm[0];
    for (int k = 1; k < 8; ++k) {
        m = pm[k] > m ? pm[k] : m;
    }
    return m;
}

/* Does the row hold a NaN?  Only asked when it has no other kept entry. */
static int AC__CAT(has_nan_, AC_SFX)(size_t width, const AC_T *p)
{
    for (size_t j = 0; j < width; ++j) {
        if (p[j] != p[j]) {
            return 1;
        }
    }
    return 0;
}

/* p_j = exp(p_j - m) for j < width, returning their sum over 8 partial sums
 * (a fixed order: results do not depend on the thread count).  Two loops:
 * fused, GCC vectorizes the exp across the partial sums with lane shuffles
 * and runs at half speed. */
AC_INLINE_INTO_CLONES AC_T AC__CAT(exp_row_, AC_SFX)(size_t width, AC_T *p, AC_T m)
{
    AC_T part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t j = 0;
    for (j = 0; j < width; ++j) {
        p[j] = AC_EXP(p[j] - m);
    }
    for (j = 0; j + 8 <= width; j += 8) {
        for (int k = 0; k < 8; ++k) {
            part[k] += p[j + (size_t)k];
        }
    }
    for (; j < width; ++j) {
        part[0] += p[j];
    }
    return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

AC_VECTOR_CLONES
void AC__CAT(ac_attention_tile_, AC_SFX)(size_t rows, size_t cols, AC_T *p, ptrdiff_t ldp,
                                         const ac_attention_masks *masks,
                                         const ac_attention_bias *bias, AC_T *row_max,
                                         AC_T *row_sum, AC_T *acc, ptrdiff_t ld_acc, size_t ev)
{
    const AC_T neg_inf = -AC_INF;
    const AC_T *bias_values = (const AC_T *)bias->values;
    for (size_t r = 0; r < rows; ++r) {
        AC_T *p_row = p + (ptrdiff_t)r * ldp;
        /* keys after this query are masked: the row's tail is dropped */
        size_t width = ac_attention_causal_width(masks, r, cols);
        const unsigned char *keep = masks->keep ? masks->keep + (ptrdiff_t)r * masks->keep_row : NULL;
        const AC_T *bias_row = bias_values ? bias_values + (ptrdiff_t)r * bias->row : NULL;
        AC_T m_tile = AC__CAT(mask_row_, AC_SFX)(width, p_row, keep, masks->keep_col, bias_row,
                                                 bias->col);
        AC_T m_old = row_max[r];
        AC_T m_new = m_tile > m_old ? m_tile : m_old;
        if (m_new == neg_inf && AC__CAT(has_nan_, AC_SFX)(width, p_row)) {
            m_new = (AC_T)(AC_INF - AC_INF); /* NaN: the row is NaN */
        }
        AC_T sum = 0;
        if (m_new != neg_inf) {
            sum = AC__CAT(exp_row_, AC_SFX)(width, p_row, m_new);
        } else {
            width = 0; /* nothing kept so far: every weight is 0 */
        }
        for (size_t j = width; j < cols; ++j) {
            p_row[j] = 0;
        }
        if (m_new == neg_inf) {
            continue;
        }
        AC_T corr = m_old == neg_inf ? (AC_T)0 : AC_EXP(m_old - m_new);
        row_max[r] = m_new;
        row_sum[r] = row_sum[r] * corr + sum;
        if (corr != (AC_T)1) {
            AC_T *acc_row = acc + (ptrdiff_t)r * ld_acc;
            for (size_t c = 0; c < ev; ++c) {
                acc_row[c] *= corr;
            }
        }
    }
}

void AC__CAT(ac_attention_finish_, AC_SFX)(size_t rows, size_t ev, const AC_T *acc,
                                           ptrdiff_t ld_acc, const AC_T *row_sum, AC_T *out,
                                           ptrdiff_t so_row, ptrdiff_t so_col)
{
    for (size_t r = 0; r < rows; ++r) {
        AC_T l = row_sum[r];
        AC_T inv = l == (AC_T)0 ? (AC_T)0 : (AC_T)1 / l;
        const AC_T *acc_row = acc + (ptrdiff_t)r * ld_acc;
        AC_T *out_row = out + (ptrdiff_t)r * so_row;
        for (size_t c = 0; c < ev; ++c) {
            out_row[(ptrdiff_t)c * so_col] = acc_row[c] * inv;
        }
    }
}

void AC__CAT(ac_attention_normalize_, AC_SFX)(size_t rows, size_t cols, AC_T *p, ptrdiff_t ldp,
                                              const AC_T *row_sum)
{
    for (size_t r = 0; r < rows; ++r) {
        AC_T l = row_sum[r];
        AC_T inv = l == (AC_T)0 ? (AC_T)0 : (AC_T)1 / l;
        AC_T *p_row = p + (ptrdiff_t)r * ldp;
        for (size_t j = 0; j < cols; ++j) {
            p_row[j] *= inv;
        }
    }
}

#undef AC__CAT
#undef AC__CAT2
