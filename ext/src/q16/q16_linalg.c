/*
 * Q16.16 linear algebra at 62-bit working precision (see
 * attncore/q16_linalg.h).  Integer only.
 */
#include "attncore/q16_linalg.h"
#include "q16_wide.h"
#include "q16_xf.h"

#define AT(w, n, i, j) ((w)[(size_t)(i) * (n) + (size_t)(j)])

static void load(size_t rows, size_t cols, const ac_q16 *a, ptrdiff_t s_row, ptrdiff_t s_col,
                 ac_xf *w)
{
    for (size_t i = 0; i < rows; ++i) {
        for (size_t j = 0; j < cols; ++j) {
            AT(w, cols, i, j) = ac_xf_from_q16(a[(ptrdiff_t)i * s_row + (ptrdiff_t)j * s_col]);
        }
    }
}

/* Round `count` working values into out (rounding point of every kernel). */
static ac_status store(size_t count, const ac_xf *w, ac_q16 *out, ac_rounding rnd,
                       ac_overflow ovf, ac_tally *tally)
{
    for (size_t i = 0; i < count; ++i) {
        ac_status st;
        out[i] = ac_xf_to_q16(w[i], rnd, ovf, &st);
        if (st != AC_OK) {
            ac_tally_note(tally, i, st);
            if (ovf == AC_OVERFLOW_RAISE) {
                return st;
            }
        }
    }
    return AC_OK;
}

/* In-place LU with partial pivoting (largest magnitude in the column). */
static ac_status lu_xf(size_t n, ac_xf *w, int32_t *piv)
{
    ac_status status = AC_OK;
    for (size_t c = 0; c < n; ++c) {
        size_t p = c;
        for (size_t i = c + 1; i < n; ++i) {
            if (ac_xf_less_mag(AT(w, n, p, c), AT(w, n, i, c))) {
                p = i;
            }
        }
        piv[c] = (int32_t)p;
        if (p != c) {
            for (size_t j = 0; j < n; ++j) {
                ac_xf t = AT(w, n, c, j);
                AT(w, n, c, j) = AT(w, n, p, j);
                AT(w, n, p, j) = t;
            }
        }
        ac_xf pivot = AT(w, n, c, c);
        if (pivot.m == 0) {
            status = AC_STATUS_SINGULAR; /* keep going: det and the factor stay defined */
            continue;
        }
        for (size_t i = c + 1; i < n; ++i) {
            ac_xf f = ac_xf_div(AT(w, n, i, c), pivot);
            AT(w, n, i, c) = f;
            for (size_t j = c + 1; j < n; ++j) {
                AT(w, n, i, j) = ac_xf_sub(AT(w, n, i, j), ac_xf_mul(f, AT(w, n, c, j)));
            }
        }
    }
    return status;
}

/* x (n x k) <- U^-1 L^-1 P x */
static void lu_solve_xf(size_t n, size_t k, const ac_xf *lu, const int32_t *piv, ac_xf *x)
{
    for (size_t i = 0; i < n; ++i) {
        size_t p = (size_t)piv[i];
        if (p != i) {
            for (size_t j = 0; j < k; ++j) {
                ac_xf t = AT(x, k, i, j);
                AT(x, k, i, j) = AT(x, k, p, j);
                AT(x, k, p, j) = t;
            }
        }
    }
    for (size_t j = 0; j < k; ++j) {
        for (size_t i = 0; i < n; ++i) {
            ac_xf s = AT(x, k, i, j);
            for (size_t p = 0; p < i; ++p) {
                s = ac_xf_sub(s, ac_xf_mul(AT(lu, n, i, p), AT(x, k, p, j)));
            }
            AT(x, k, i, j) = s;
        }
        for (size_t i = n; i-- > 0;) {
            ac_xf s = AT(x, k, i, j);
            for (size_t p = i + 1; p < n; ++p) {
                s = ac_xf_sub(s, ac_xf_mul(AT(lu, n, i, p), AT(x, k, p, j)));
            }
            AT(x, k, i, j) = ac_xf_div(s, AT(lu, n, i, i));
        }
    }
}

/* Lower Cholesky in place from the lower triangle; the upper becomes 0.
 * With perm: diagonal pivoting, stopping at *rank (see the header). */
static ac_status cho_xf(size_t n, ac_xf *w, int32_t *perm, size_t *rank)
{
    ac_xf tol = {0, 0};
    if (perm != NULL) {
        ac_xf biggest = {0, 0};
        for (size_t i = 0; i < n; ++i) {
            perm[i] = (int32_t)i;
            if (ac_xf_less_mag(biggest, AT(w, n, i, i)) && AT(w, n, i, i).m > 0) {
                biggest = AT(w, n, i, i);
            }
        }
        /* 2^-55, field by field: an aggregate constant would be a .rodata
         * object, which AVR's start-up copies to SRAM */
        ac_xf eps;
        eps.m = (int64_t)1 << 61;
        eps.e = -116;
        tol = ac_xf_mul(biggest, ac_xf_mul(ac_xf_from_int((int64_t)n), eps));
        *rank = n;
    }
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = i + 1; j < n; ++j) {
            AT(w, n, i, j).m = 0; /* only the lower triangle is read */
            AT(w, n, i, j).e = 0;
        }
    }
    for (size_t c = 0; c < n; ++c) {
        if (perm != NULL) {
            /* the largest remaining diagonal d_ii - sum_p l_ip^2 */
            size_t best = c;
            ac_xf best_d = {0, 0};
            for (size_t i = c; i < n; ++i) {
                ac_xf d = AT(w, n, i, i);
                for (size_t p = 0; p < c; ++p) {
                    d = ac_xf_sub(d, ac_xf_mul(AT(w, n, i, p), AT(w, n, i, p)));
                }
                if (i == c || (d.m > 0 && (best_d.m <= 0 || ac_xf_less_mag(best_d, d)))) {
                    best = i;
                    best_d = d;
                }
            }
            if (best_d.m <= 0 || !ac_xf_less_mag(tol, best_d)) {
                *rank = c;
                for (size_t i = c; i < n; ++i) {
                    for (size_t j = c; j <= i; ++j) {
                        AT(w, n, i, j).m = 0;
                        AT(w, n, i, j).e = 0;
                    }
                }
                return AC_OK;
            }
            if (best != c) {
                /* symmetric swap of rows/cols c and best in the lower triangle */
                int32_t t = perm[c];
                perm[c] = perm[best];
                perm[best] = t;
                for (size_t p = 0; p < c; ++p) {
                    ac_xf x = AT(w, n, c, p);
                    AT(w, n, c, p) = AT(w, n, best, p);
                    AT(w, n, best, p) = x;
                }
                ac_xf d = AT(w, n, c, c);
                AT(w, n, c, c) = AT(w, n, best, best);
                AT(w, n, best, best) = d;
                for (size_t i = c + 1; i < best; ++i) {
                    ac_xf x = AT(w, n, i, c);
                    AT(w, n, i, c) = AT(w, n, best, i);
                    AT(w, n, best, i) = x;
                }
                for (size_t i = best + 1; i < n; ++i) {
                    ac_xf x = AT(w, n, i, c);
                    AT(w, n, i, c) = AT(w, n, i, best);
                    AT(w, n, i, best) = x;
                }
            }
        }
        ac_xf d = AT(w, n, c, c);
        for (size_t p = 0; p < c; ++p) {
            d = ac_xf_sub(d, ac_xf_mul(AT(w, n, c, p), AT(w, n, c, p)));
        }
        if (d.m <= 0) {
            return AC_STATUS_NOT_POSITIVE_DEFINITE;
        }
        ac_xf l = ac_xf_sqrt(d);
        AT(w, n, c, c) = l;
        for (size_t i = c + 1; i < n; ++i) {
            ac_xf s = AT(w, n, i, c);
            for (size_t p = 0; p < c; ++p) {
                s = ac_xf_sub(s, ac_xf_mul(AT(w, n, i, p), AT(w, n, c, p)));
            }
            AT(w, n, i, c) = ac_xf_div(s, l);
        }
    }
    return AC_OK;
}

/* x <- L^-T L^-1 x for lower L (n x n), x (n x k). */
static void cho_solve_xf(size_t n, size_t k, const ac_xf *l, ac_xf *x)
{
    for (size_t j = 0; j < k; ++j) {
        for (size_t i = 0; i < n; ++i) {
            ac_xf s = AT(x, k, i, j);
            for (size_t p = 0; p < i; ++p) {
                s = ac_xf_sub(s, ac_xf_mul(AT(l, n, i, p), AT(x, k, p, j)));
            }
            AT(x, k, i, j) = ac_xf_div(s, AT(l, n, i, i));
        }
        for (size_t i = n; i-- > 0;) {
            ac_xf s = AT(x, k, i, j);
            for (size_t p = i + 1; p < n; ++p) {
                s = ac_xf_sub(s, ac_xf_mul(AT(l, n, p, i), AT(x, k, p, j)));
            }
            AT(x, k, i, j) = ac_xf_div(s, AT(l, n, i, i));
        }
    }
}

ac_status ac_q16_lu_factor(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                           ac_q16 *lu, int32_t *piv, ac_rounding rnd, ac_overflow ovf,
                           ac_tally *tally, uint64_t *work)
{
    ac_xf *w = (ac_xf *)work;
    load(n, n, a, sa_row, sa_col, w);
    ac_status st = lu_xf(n, w, piv);
    if (st != AC_OK) {
        return st;
    }
    return store(n * n, w, lu, rnd, ovf, tally);
}

ac_status ac_q16_lu_solve(size_t n, size_t k, const ac_q16 *lu, const int32_t *piv,
                          const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x,
                          ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint64_t *work)
{
    ac_xf *w = (ac_xf *)work, *xw = w + n * n;
    load(n, n, lu, (ptrdiff_t)n, 1, w);
    for (size_t i = 0; i < n; ++i) {
        if (w[i * n + i].m == 0) {
            return AC_STATUS_SINGULAR;
        }
        if (piv[i] < (int32_t)i || (size_t)piv[i] >= n) {
            return AC_STATUS_BAD_ARGUMENT;
        }
    }
    load(n, k, b, sb_row, sb_col, xw);
    lu_solve_xf(n, k, w, piv, xw);
    return store(n * k, xw, x, rnd, ovf, tally);
}

ac_status ac_q16_solve(size_t n, size_t k, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                       const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x,
                       int positive_definite, ac_rounding rnd, ac_overflow ovf, ac_tally *tally,
                       uint64_t *work)
{
    ac_xf *w = (ac_xf *)work, *xw = w + n * n;
    int32_t *piv = (int32_t *)(xw + n * k);
    load(n, n, a, sa_row, sa_col, w);
    ac_status st = positive_definite ? cho_xf(n, w, NULL, NULL) : lu_xf(n, w, piv);
    if (st != AC_OK) {
        return st;
    }
    load(n, k, b, sb_row, sb_col, xw);
    if (positive_definite) {
        cho_solve_xf(n, k, w, xw);
    } else {
        lu_solve_xf(n, k, w, piv, xw);
    }
    return store(n * k, xw, x, rnd, ovf, tally);
}

ac_status ac_q16_cho_factor(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                            ac_q16 *c, int lower, int32_t *perm, size_t *rank, ac_rounding rnd,
                            ac_overflow ovf, ac_tally *tally, uint64_t *work)
{
    ac_xf *w = (ac_xf *)work;
    load(n, n, a, sa_row, sa_col, w);
    ac_status st = cho_xf(n, w, perm, rank);
    if (st != AC_OK) {
        return st;
    }
    if (!lower) {
        for (size_t i = 0; i < n; ++i) {
            for (size_t j = i + 1; j < n; ++j) {
                AT(w, n, i, j) = AT(w, n, j, i);
                AT(w, n, j, i).m = 0;
                AT(w, n, j, i).e = 0;
            }
        }
    }
    return store(n * n, w, c, rnd, ovf, tally);
}

ac_status ac_q16_cho_solve(size_t n, size_t k, const ac_q16 *c, int lower, const int32_t *perm,
                           const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x,
                           ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint64_t *work)
{
    ac_xf *w = (ac_xf *)work, *xw = w + n * n, *tmp = xw + n * k;
    /* the lower factor: c itself, or the transpose of an upper one */
    load(n, n, c, lower ? (ptrdiff_t)n : 1, lower ? 1 : (ptrdiff_t)n, w);
    for (size_t i = 0; i < n; ++i) {
        if (w[i * n + i].m == 0) {
            return AC_STATUS_SINGULAR;
        }
    }
    load(n, k, b, sb_row, sb_col, xw);
    if (perm != NULL) {
        /* solve (P A P^T)(P x) = P b */
        for (size_t j = 0; j < k; ++j) {
            for (size_t i = 0; i < n; ++i) {
                tmp[i] = AT(xw, k, (size_t)perm[i], j);
            }
            for (size_t i = 0; i < n; ++i) {
                AT(xw, k, i, j) = tmp[i];
            }
        }
    }
    cho_solve_xf(n, k, w, xw);
    if (perm != NULL) {
        for (size_t j = 0; j < k; ++j) {
            for (size_t i = 0; i < n; ++i) {
                tmp[(size_t)perm[i]] = AT(xw, k, i, j);
            }
            for (size_t i = 0; i < n; ++i) {
                AT(xw, k, i, j) = tmp[i];
            }
        }
    }
    return store(n * k, xw, x, rnd, ovf, tally);
}

ac_status ac_q16_det(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col, ac_q16 *det,
                     ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint64_t *work)
{
    ac_xf *w = (ac_xf *)work;
    int32_t *piv = (int32_t *)(w + n * n);
    load(n, n, a, sa_row, sa_col, w);
    ac_xf d = ac_xf_from_int(1);
    if (lu_xf(n, w, piv) != AC_OK) {
        d.m = 0;
        d.e = 0;
    } else {
        for (size_t i = 0; i < n; ++i) {
            d = ac_xf_mul(d, AT(w, n, i, i));
            if (piv[i] != (int32_t)i) {
                d = ac_xf_neg(d);
            }
        }
    }
    return store(1, &d, det, rnd, ovf, tally);
}

/* xw <- A^-1 at working precision (LU of A in w, pivots in piv). */
static ac_status inverse_xf(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                            ac_xf *w, ac_xf *xw, int32_t *piv)
{
    load(n, n, a, sa_row, sa_col, w);
    ac_status st = lu_xf(n, w, piv);
    if (st != AC_OK) {
        return st;
    }
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j) {
            AT(xw, n, i, j) = ac_xf_from_int(i == j);
        }
    }
    lu_solve_xf(n, n, w, piv, xw);
    return AC_OK;
}

ac_status ac_q16_inv(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col, ac_q16 *inv,
                     ac_rounding rnd, ac_overflow ovf, ac_tally *tally, uint64_t *work)
{
    ac_xf *w = (ac_xf *)work, *xw = w + n * n;
    ac_status st = inverse_xf(n, a, sa_row, sa_col, w, xw, (int32_t *)(xw + n * n));
    return st != AC_OK ? st : store(n * n, xw, inv, rnd, ovf, tally);
}

/* round(-sum_p a[p] * t[p] / 2^16): exact products summed in two words, one
 * rounding, fitted under ovf. */
static ac_q16 neg_dot_rounded(size_t n, const ac_q16 *a, ptrdiff_t sa, const ac_q16 *t,
                              ptrdiff_t st_, ac_rounding rnd, ac_overflow ovf, ac_status *status)
{
    ac_q16__wide s = {0, 0};
    for (size_t p = 0; p < n; ++p) {
        ac_q16__wide_acc(&s, -((int64_t)a[(ptrdiff_t)p * sa] * t[(ptrdiff_t)p * st_]));
    }
    return ac_q16__wide_narrow(s, rnd, ovf, status);
}

ac_status ac_q16_affine_inverse(size_t dim, const ac_q16 *m, ptrdiff_t sm_row, ptrdiff_t sm_col,
                                ac_q16 *out, int rigid, ac_rounding rnd, ac_overflow ovf,
                                ac_tally *tally, uint64_t *work)
{
    size_t n = dim - 1;
    for (size_t j = 0; j < dim; ++j) {
        ac_q16 want = j == n ? AC_Q16_ONE : 0;
        if (m[(ptrdiff_t)n * sm_row + (ptrdiff_t)j * sm_col] != want) {
            return AC_STATUS_BAD_ARGUMENT;
        }
    }
    const ac_q16 *t = m + (ptrdiff_t)n * sm_col;
    for (size_t j = 0; j < dim; ++j) {
        out[n * dim + j] = j == n ? AC_Q16_ONE : 0;
    }
    if (rigid) {
        for (size_t i = 0; i < n; ++i) {
            for (size_t j = 0; j < n; ++j) {
                out[i * dim + j] = m[(ptrdiff_t)j * sm_row + (ptrdiff_t)i * sm_col];
            }
            ac_status st;
            /* row i of A^T is column i of A */
            out[i * dim + n] = neg_dot_rounded(n, m + (ptrdiff_t)i * sm_col, sm_row, t, sm_row,
                                               rnd, ovf, &st);
            if (st != AC_OK) {
                ac_tally_note(tally, i * dim + n, st);
                if (ovf == AC_OVERFLOW_RAISE) {
                    return st;
                }
            }
        }
        return AC_OK;
    }
    /* tw before piv: each region keeps the alignment of the one before it,
     * with no cast from int32_t * up to ac_xf * */
    ac_xf *w = (ac_xf *)work, *xw = w + n * n, *tw = xw + n * n;
    int32_t *piv = (int32_t *)(tw + n);
    ac_status st = inverse_xf(n, m, sm_row, sm_col, w, xw, piv);
    if (st != AC_OK) {
        return st;
    }
    for (size_t i = 0; i < n; ++i) {
        ac_xf s = {0, 0};
        for (size_t p = 0; p < n; ++p) {
            s = ac_xf_sub(s, ac_xf_mul(AT(xw, n, i, p), ac_xf_from_q16(t[(ptrdiff_t)p * sm_row])));
        }
        tw[i] = s;
    }
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < n; ++j) {
            ac_status s2;
            out[i * dim + j] = ac_xf_to_q16(AT(xw, n, i, j), rnd, ovf, &s2);
            if (s2 != AC_OK) {
                ac_tally_note(tally, i * dim + j, s2);
                if (ovf == AC_OVERFLOW_RAISE) {
                    return s2;
                }
            }
        }
        ac_status s3;
        out[i * dim + n] = ac_xf_to_q16(tw[i], rnd, ovf, &s3);
        if (s3 != AC_OK) {
            ac_tally_note(tally, i * dim + n, s3);
            if (ovf == AC_OVERFLOW_RAISE) {
                return s3;
            }
        }
    }
    return AC_OK;
}
