/*
 * Template body of the float linear algebra, included once per type by
 * fp_linalg.c with AC_T and AC_SFX defined.  Every routine has an
 * always-inline body taking n; the dispatchers call it with n = 2, 3, 4 as
 * constants (so those sizes compile to straight-line code) or with n.
 */
#define AC__CAT2(a, b) a##b
#define AC__CAT(a, b) AC__CAT2(a, b)
#define FN(name) AC__CAT(name, AC_SFX)
#define AT(w, n, i, j) ((w)[(size_t)(i) * (n) + (size_t)(j)])
#define ABS(x) ((x) < 0 ? -(x) : (x))
/* GCC does not unroll the triangular loops of a constant-size n on its own
 * (the inner trip counts are only constant once the outer loop is); with
 * n <= 4 fully unrolled, the matrix lives in registers. */
#if defined(__GNUC__) && !defined(__clang__)
#define AC__UNROLL _Pragma("GCC unroll 4")
#else
#define AC__UNROLL
#endif

/* Run body(n, ...) with n a compile-time constant for 2, 3, 4. */
#define AC__BY_SIZE(n, call)      \
    switch (n) {                  \
    case 2: {                     \
        const size_t nn = 2;      \
        call;                     \
    }                             \
    case 3: {                     \
        const size_t nn = 3;      \
        call;                     \
    }                             \
    case 4: {                     \
        const size_t nn = 4;      \
        call;                     \
    }                             \
    default: {                    \
        const size_t nn = n;      \
        call;                     \
    }                             \
    }

AC_INLINE_INTO_CLONES void FN(load_)(size_t rows, size_t cols, const AC_T *a, ptrdiff_t s_row,
                                     ptrdiff_t s_col, AC_T *w)
{
    AC__UNROLL
    for (size_t i = 0; i < rows; ++i) {
        AC__UNROLL
        for (size_t j = 0; j < cols; ++j) {
            AT(w, cols, i, j) = a[(ptrdiff_t)i * s_row + (ptrdiff_t)j * s_col];
        }
    }
}

/* Swap rows c and p (p >= c) of an n x m row-major block.  For n <= 4 (a
 * constant in the unrolled callers) as selects over every row, so the block
 * stays in registers: a swap through memory at an index known only at run
 * time stalls every later load on store forwarding. */
AC_INLINE_INTO_CLONES void FN(swap_rows_)(size_t n, size_t m, AC_T *w, size_t c, size_t p)
{
    if (n <= 4) {
        AC__UNROLL
        for (size_t j = 0; j < m; ++j) {
            AC_T top = AT(w, m, c, j);
            AC_T picked = top;
            AC__UNROLL
            for (size_t i = c + 1; i < n; ++i) {
                picked = i == p ? AT(w, m, i, j) : picked;
            }
            AC__UNROLL
            for (size_t i = c + 1; i < n; ++i) {
                AT(w, m, i, j) = i == p ? top : AT(w, m, i, j);
            }
            AT(w, m, c, j) = picked;
        }
        return;
    }
    if (p != c) {
        AC__UNROLL
        for (size_t j = 0; j < m; ++j) {
            AC_T t = AT(w, m, c, j);
            AT(w, m, c, j) = AT(w, m, p, j);
            AT(w, m, p, j) = t;
        }
    }
}

/* In-place LU with partial pivoting; SINGULAR on an exactly zero pivot
 * (the factorization still completes, so det stays defined).  inv_diag, if
 * not NULL, receives 1 / U_ii for the substitution that follows. */
AC_INLINE_INTO_CLONES ac_status FN(lu_body_)(size_t n, AC_T *w, int32_t *piv, AC_T *inv_diag)
{
    ac_status status = AC_OK;
    AC__UNROLL
    for (size_t c = 0; c < n; ++c) {
        /* selects, not branches: with random data the pivot row is
         * unpredictable, and mispredictions cost more than a 4 x 4
         * elimination */
        size_t p = c;
        AC_T best = ABS(AT(w, n, c, c));
        AC__UNROLL
        for (size_t i = c + 1; i < n; ++i) {
            AC_T v = ABS(AT(w, n, i, c));
            int larger = v > best;
            best = larger ? v : best;
            p = larger ? i : p;
        }
        piv[c] = (int32_t)p;
        FN(swap_rows_)(n, n, w, c, p);
        AC_T pivot = AT(w, n, c, c);
        if (pivot == 0) {
            status = AC_STATUS_SINGULAR;
            if (inv_diag != NULL) {
                inv_diag[c] = 0;
            }
            continue;
        }
        AC_T inv = (AC_T)1 / pivot;
        if (inv_diag != NULL) {
            inv_diag[c] = inv;
        }
        AC__UNROLL
        for (size_t i = c + 1; i < n; ++i) {
            AC_T f = AT(w, n, i, c) * inv;
            AT(w, n, i, c) = f;
            AC__UNROLL
            for (size_t j = c + 1; j < n; ++j) {
                AT(w, n, i, j) -= f * AT(w, n, c, j);
            }
        }
    }
    return status;
}

/* x <- U^-1 L^-1 P x.  inv_diag: 1 / U_ii from lu_body_, or NULL to divide. */
AC_INLINE_INTO_CLONES void FN(lu_solve_body_)(size_t n, size_t k, const AC_T *lu,
                                              const int32_t *piv, AC_T *x, const AC_T *inv_diag)
{
    AC__UNROLL
    for (size_t i = 0; i < n; ++i) {
        FN(swap_rows_)(n, k, x, i, (size_t)piv[i]);
    }
    AC__UNROLL
    for (size_t i = 0; i < n; ++i) {
        AC__UNROLL
        for (size_t p = 0; p < i; ++p) {
            AC_T f = AT(lu, n, i, p);
            AC__UNROLL
            for (size_t j = 0; j < k; ++j) {
                AT(x, k, i, j) -= f * AT(x, k, p, j);
            }
        }
    }
    AC__UNROLL
    for (size_t i = n; i-- > 0;) {
        AC__UNROLL
        for (size_t p = i + 1; p < n; ++p) {
            AC_T f = AT(lu, n, i, p);
            AC__UNROLL
            for (size_t j = 0; j < k; ++j) {
                AT(x, k, i, j) -= f * AT(x, k, p, j);
            }
        }
        AC_T d_inv = inv_diag != NULL ? inv_diag[i] : (AC_T)1 / AT(lu, n, i, i);
        AC__UNROLL
        for (size_t j = 0; j < k; ++j) {
            AT(x, k, i, j) *= d_inv;
        }
    }
}

/* Lower Cholesky in place from the lower triangle (upper set to 0); with
 * perm, diagonal pivoting that stops at *rank when the largest remaining
 * diagonal is <= n * eps * max diag. */
AC_INLINE_INTO_CLONES ac_status FN(cho_body_)(size_t n, AC_T *w, int32_t *perm, size_t *rank,
                                              AC_T eps)
{
    AC_T tol = 0;
    if (perm != NULL) {
        AC_T biggest = 0;
        AC__UNROLL
        for (size_t i = 0; i < n; ++i) {
            perm[i] = (int32_t)i;
            biggest = AT(w, n, i, i) > biggest ? AT(w, n, i, i) : biggest;
        }
        tol = (AC_T)n * eps * biggest;
        *rank = n;
    }
    AC__UNROLL
    for (size_t i = 0; i < n; ++i) {
        AC__UNROLL
        for (size_t j = i + 1; j < n; ++j) {
            AT(w, n, i, j) = 0;
        }
    }
    AC__UNROLL
    for (size_t c = 0; c < n; ++c) {
        if (perm != NULL) {
            size_t best = c;
            AC_T best_d = 0;
            AC__UNROLL
            for (size_t i = c; i < n; ++i) {
                AC_T d = AT(w, n, i, i);
                AC__UNROLL
                for (size_t p = 0; p < c; ++p) {
                    d -= AT(w, n, i, p) * AT(w, n, i, p);
                }
                if (i == c || d > best_d) {
                    best = i;
                    best_d = d;
                }
            }
            if (!(best_d > tol)) {
                *rank = c;
                AC__UNROLL
                for (size_t i = c; i < n; ++i) {
                    AC__UNROLL
                    for (size_t j = c; j <= i; ++j) {
                        AT(w, n, i, j) = 0;
                    }
                }
                return AC_OK;
            }
            if (best != c) {
                int32_t t = perm[c];
                perm[c] = perm[best];
                perm[best] = t;
                AC__UNROLL
                for (size_t p = 0; p < c; ++p) {
                    AC_T x = AT(w, n, c, p);
                    AT(w, n, c, p) = AT(w, n, best, p);
                    AT(w, n, best, p) = x;
                }
                AC_T d = AT(w, n, c, c);
                AT(w, n, c, c) = AT(w, n, best, best);
                AT(w, n, best, best) = d;
                AC__UNROLL
                for (size_t i = c + 1; i < best; ++i) {
                    AC_T x = AT(w, n, i, c);
                    AT(w, n, i, c) = AT(w, n, best, i);
                    AT(w, n, best, i) = x;
                }
                AC__UNROLL
                for (size_t i = best + 1; i < n; ++i) {
                    AC_T x = AT(w, n, i, c);
                    AT(w, n, i, c) = AT(w, n, i, best);
                    AT(w, n, i, best) = x;
                }
            }
        }
        AC_T d = AT(w, n, c, c);
        AC__UNROLL
        for (size_t p = 0; p < c; ++p) {
            d -= AT(w, n, c, p) * AT(w, n, c, p);
        }
        if (!(d > 0)) {
            return AC_STATUS_NOT_POSITIVE_DEFINITE;
        }
        AC_T l = AC_SQRT(d);
        AT(w, n, c, c) = l;
        AC_T inv = (AC_T)1 / l;
        AC__UNROLL
        for (size_t i = c + 1; i < n; ++i) {
            AC_T s = AT(w, n, i, c);
            AC__UNROLL
            for (size_t p = 0; p < c; ++p) {
                s -= AT(w, n, i, p) * AT(w, n, c, p);
            }
            AT(w, n, i, c) = s * inv;
        }
    }
    return AC_OK;
}

AC_INLINE_INTO_CLONES void FN(cho_solve_body_)(size_t n, size_t k, const AC_T *l, AC_T *x)
{
    AC__UNROLL
    for (size_t i = 0; i < n; ++i) {
        AC__UNROLL
        for (size_t p = 0; p < i; ++p) {
            AC_T f = AT(l, n, i, p);
            AC__UNROLL
            for (size_t j = 0; j < k; ++j) {
                AT(x, k, i, j) -= f * AT(x, k, p, j);
            }
        }
        AC_T d = AT(l, n, i, i);
        AC__UNROLL
        for (size_t j = 0; j < k; ++j) {
            AT(x, k, i, j) /= d;
        }
    }
    AC__UNROLL
    for (size_t i = n; i-- > 0;) {
        AC__UNROLL
        for (size_t p = i + 1; p < n; ++p) {
            AC_T f = AT(l, n, p, i);
            AC__UNROLL
            for (size_t j = 0; j < k; ++j) {
                AT(x, k, i, j) -= f * AT(x, k, p, j);
            }
        }
        AC_T d = AT(l, n, i, i);
        AC__UNROLL
        for (size_t j = 0; j < k; ++j) {
            AT(x, k, i, j) /= d;
        }
    }
}

ac_status FN(ac_lu_factor_)(size_t n, const AC_T *a, ptrdiff_t sa_row, ptrdiff_t sa_col, AC_T *lu,
                            int32_t *piv)
{
    AC__BY_SIZE(n, FN(load_)(nn, nn, a, sa_row, sa_col, lu); return FN(lu_body_)(nn, lu, piv, NULL))
}

ac_status FN(ac_lu_solve_)(size_t n, size_t k, const AC_T *lu, const int32_t *piv, const AC_T *b,
                           ptrdiff_t sb_row, ptrdiff_t sb_col, AC_T *x, AC_T *work)
{
    (void)work;
    AC__UNROLL
    for (size_t i = 0; i < n; ++i) {
        if (AT(lu, n, i, i) == 0) {
            return AC_STATUS_SINGULAR;
        }
        if (piv[i] < (int32_t)i || (size_t)piv[i] >= n) {
            return AC_STATUS_DOMAIN;
        }
    }
    FN(load_)(n, k, b, sb_row, sb_col, x);
    AC__BY_SIZE(n, FN(lu_solve_body_)(nn, k, lu, piv, x, NULL); return AC_OK)
}

/* Factor and substitute in one call: n <= 4 with one right-hand side (the
 * common "transform a point" case) compiles to straight-line code. */
AC_INLINE_INTO_CLONES ac_status FN(solve_body_)(size_t n, size_t k, const AC_T *a,
                                                ptrdiff_t sa_row, ptrdiff_t sa_col, const AC_T *b,
                                                ptrdiff_t sb_row, ptrdiff_t sb_col, AC_T *x,
                                                int positive_definite, AC_T *work, int32_t *pv)
{
    if (n <= 4 && k == 1) {
        /* local arrays, indexed by constants once unrolled: the compiler
         * keeps them in registers (through `work` and `x` it could not, as
         * they might alias the inputs) */
        AC_T lw[16], lx[4], ld[4];
        int32_t lp[4];
        FN(load_)(n, n, a, sa_row, sa_col, lw);
        FN(load_)(n, 1, b, sb_row, 0, lx);
        ac_status st = positive_definite ? FN(cho_body_)(n, lw, NULL, NULL, 0)
                                         : FN(lu_body_)(n, lw, lp, ld);
        if (st != AC_OK) {
            return st;
        }
        if (positive_definite) {
            FN(cho_solve_body_)(n, 1, lw, lx);
        } else {
            FN(lu_solve_body_)(n, 1, lw, lp, lx, ld);
        }
        AC__UNROLL
        for (size_t i = 0; i < n; ++i) {
            x[i] = lx[i];
        }
        return AC_OK;
    }
    FN(load_)(n, n, a, sa_row, sa_col, work);
    AC_T *inv_diag = work + n * n;
    ac_status st = positive_definite ? FN(cho_body_)(n, work, NULL, NULL, 0)
                                     : FN(lu_body_)(n, work, pv, inv_diag);
    if (st != AC_OK) {
        return st;
    }
    FN(load_)(n, k, b, sb_row, sb_col, x);
    if (positive_definite) {
        FN(cho_solve_body_)(n, k, work, x);
    } else {
        FN(lu_solve_body_)(n, k, work, pv, x, inv_diag);
    }
    return AC_OK;
}

ac_status FN(ac_solve_)(size_t n, size_t k, const AC_T *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                        const AC_T *b, ptrdiff_t sb_row, ptrdiff_t sb_col, AC_T *x,
                        int positive_definite, AC_T *work)
{
    int32_t piv[64];
    int32_t *pv = n <= 64 ? piv : (int32_t *)(work + n * n + n); /* after inv_diag */
    if (k == 1) {
        AC__BY_SIZE(n, return FN(solve_body_)(nn, 1, a, sa_row, sa_col, b, sb_row, 0, x,
                                              positive_definite, work, pv))
    }
    AC__BY_SIZE(n, return FN(solve_body_)(nn, k, a, sa_row, sa_col, b, sb_row, sb_col, x,
                                          positive_definite, work, pv))
}

AC_INLINE_INTO_CLONES ac_status FN(cho_factor_body_)(size_t n, const AC_T *a, ptrdiff_t sa_row,
                                                     ptrdiff_t sa_col, AC_T *c, int lower,
                                                     int32_t *perm, size_t *rank)
{
    const AC_T eps = (AC_T)1 / ((AC_T)(sizeof(AC_T) == 4 ? 8388608.0 : 4503599627370496.0));
    FN(load_)(n, n, a, sa_row, sa_col, c);
    ac_status st = FN(cho_body_)(n, c, perm, rank, eps);
    if (st == AC_OK && !lower) {
        for (size_t i = 0; i < n; ++i) {
            for (size_t j = i + 1; j < n; ++j) {
                AT(c, n, i, j) = AT(c, n, j, i);
                AT(c, n, j, i) = 0;
            }
        }
    }
    return st;
}

ac_status FN(ac_cho_factor_)(size_t n, const AC_T *a, ptrdiff_t sa_row, ptrdiff_t sa_col, AC_T *c,
                             int lower, int32_t *perm, size_t *rank)
{
    if (perm != NULL) {
        return FN(cho_factor_body_)(n, a, sa_row, sa_col, c, lower, perm, rank);
    }
    AC__BY_SIZE(n, return FN(cho_factor_body_)(nn, a, sa_row, sa_col, c, lower, NULL, NULL))
}

AC_INLINE_INTO_CLONES ac_status FN(cho_solve_outer_)(size_t n, size_t k, const AC_T *c, int lower,
                                                     const int32_t *perm, const AC_T *b,
                                                     ptrdiff_t sb_row, ptrdiff_t sb_col, AC_T *x,
                                                     AC_T *work)
{
    AC_T *l = work, *tmp = work + n * n;
    FN(load_)(n, n, c, lower ? (ptrdiff_t)n : 1, lower ? 1 : (ptrdiff_t)n, l);
    for (size_t i = 0; i < n; ++i) {
        if (AT(l, n, i, i) == 0) {
            return AC_STATUS_SINGULAR;
        }
    }
    FN(load_)(n, k, b, sb_row, sb_col, x);
    if (perm != NULL) {
        for (size_t j = 0; j < k; ++j) {
            for (size_t i = 0; i < n; ++i) {
                tmp[i] = AT(x, k, (size_t)perm[i], j);
            }
            for (size_t i = 0; i < n; ++i) {
                AT(x, k, i, j) = tmp[i];
            }
        }
    }
    FN(cho_solve_body_)(n, k, l, x);
    if (perm != NULL) {
        for (size_t j = 0; j < k; ++j) {
            for (size_t i = 0; i < n; ++i) {
                tmp[(size_t)perm[i]] = AT(x, k, i, j);
            }
            for (size_t i = 0; i < n; ++i) {
                AT(x, k, i, j) = tmp[i];
            }
        }
    }
    return AC_OK;
}

ac_status FN(ac_cho_solve_)(size_t n, size_t k, const AC_T *c, int lower, const int32_t *perm,
                            const AC_T *b, ptrdiff_t sb_row, ptrdiff_t sb_col, AC_T *x,
                            AC_T *work)
{
    if (perm == NULL && k == 1) {
        AC__BY_SIZE(n, return FN(cho_solve_outer_)(nn, 1, c, lower, NULL, b, sb_row, 0, x, work))
    }
    return FN(cho_solve_outer_)(n, k, c, lower, perm, b, sb_row, sb_col, x, work);
}

ac_status FN(ac_det_)(size_t n, const AC_T *a, ptrdiff_t sa_row, ptrdiff_t sa_col, AC_T *det,
                      AC_T *work)
{
    int32_t piv[64];
    int32_t *pv = n <= 64 ? piv : (int32_t *)(work + n * n);
    AC__BY_SIZE(n, {
        FN(load_)(nn, nn, a, sa_row, sa_col, work);
        FN(lu_body_)(nn, work, pv, NULL);
        AC_T d = 1;
        AC__UNROLL
        for (size_t i = 0; i < nn; ++i) {
            d *= AT(work, nn, i, i);
            d = pv[i] != (int32_t)i ? -d : d;
        }
        *det = d;
        return AC_OK;
    })
}

/* inv <- A^-1 by LU (into lu) and solves against the identity. */
AC_INLINE_INTO_CLONES ac_status FN(inverse_body_)(size_t n, const AC_T *a, ptrdiff_t sa_row,
                                                  ptrdiff_t sa_col, AC_T *lu, AC_T *inv,
                                                  int32_t *pv, AC_T *inv_diag)
{
    FN(load_)(n, n, a, sa_row, sa_col, lu);
    ac_status st = FN(lu_body_)(n, lu, pv, inv_diag);
    if (st != AC_OK) {
        return st;
    }
    AC__UNROLL
    for (size_t i = 0; i < n; ++i) {
        AC__UNROLL
        for (size_t j = 0; j < n; ++j) {
            AT(inv, n, i, j) = i == j ? (AC_T)1 : (AC_T)0;
        }
    }
    FN(lu_solve_body_)(n, n, lu, pv, inv, inv_diag);
    return AC_OK;
}

ac_status FN(ac_inv_)(size_t n, const AC_T *a, ptrdiff_t sa_row, ptrdiff_t sa_col, AC_T *inv,
                      AC_T *work)
{
    int32_t piv[64];
    int32_t *pv = n <= 64 ? piv : (int32_t *)(work + 2 * n * n);
    AC__BY_SIZE(n, return FN(inverse_body_)(nn, a, sa_row, sa_col, work, inv, pv,
                                            work + nn * nn))
}

/* [A t; 0 1]^-1 for an n x n linear block, n = dim - 1 (2 or 3). */
AC_INLINE_INTO_CLONES ac_status FN(affine_body_)(size_t n, const AC_T *m, ptrdiff_t sm_row,
                                                 ptrdiff_t sm_col, AC_T *out, int rigid,
                                                 AC_T *work)
{
    size_t dim = n + 1;
    AC__UNROLL
    for (size_t j = 0; j < dim; ++j) {
        if (m[(ptrdiff_t)n * sm_row + (ptrdiff_t)j * sm_col] != (j == n ? (AC_T)1 : (AC_T)0)) {
            return AC_STATUS_DOMAIN;
        }
    }
    AC_T *ainv = work; /* n x n */
    if (rigid) {
        AC__UNROLL
        for (size_t i = 0; i < n; ++i) {
            AC__UNROLL
            for (size_t j = 0; j < n; ++j) {
                AT(ainv, n, i, j) = m[(ptrdiff_t)j * sm_row + (ptrdiff_t)i * sm_col];
            }
        }
    } else {
        int32_t piv[3];
        AC_T inv_diag[3];
        ac_status st = FN(inverse_body_)(n, m, sm_row, sm_col, work + n * n, ainv, piv,
                                         inv_diag);
        if (st != AC_OK) {
            return st;
        }
    }
    AC__UNROLL
    for (size_t i = 0; i < n; ++i) {
        AC_T s = 0;
        AC__UNROLL
        for (size_t p = 0; p < n; ++p) {
            AT(out, dim, i, p) = AT(ainv, n, i, p);
            s -= AT(ainv, n, i, p) * m[(ptrdiff_t)p * sm_row + (ptrdiff_t)n * sm_col];
        }
        AT(out, dim, i, n) = s;
    }
    AC__UNROLL
    for (size_t j = 0; j < dim; ++j) {
        AT(out, dim, n, j) = j == n ? (AC_T)1 : (AC_T)0;
    }
    return AC_OK;
}

ac_status FN(ac_affine_inverse_)(size_t dim, const AC_T *m, ptrdiff_t sm_row, ptrdiff_t sm_col,
                                 AC_T *out, int rigid, AC_T *work)
{
    if (dim == 4) {
        return FN(affine_body_)(3, m, sm_row, sm_col, out, rigid, work);
    }
    return FN(affine_body_)(2, m, sm_row, sm_col, out, rigid, work);
}

#undef AC__BY_SIZE
#undef ABS
#undef AC__UNROLL
#undef AT
#undef FN
#undef AC__CAT
#undef AC__CAT2
