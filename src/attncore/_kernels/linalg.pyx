# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Loops and dispatch for the small-matrix linear algebra: one entry point
per operation.

The Python layer hands over broadcast operands (matrices ``(batch..., n,
n)``, right-hand sides ``(batch..., n, k)``, pivots ``(batch..., n)``,
Q16.16 exact factors ``(batch..., words)`` of uint32) and fresh
C-contiguous outputs (checked here, as is the packed layout the C core
reads factors in); the dtype of the first operand picks the arithmetic
(float32, float64, or int32 / uint32 exact factor words for Q16.16).  Batch items are split
into contiguous ranges, one per thread, with the GIL released once.  Every
entry point returns ``(status, events, first)``, per-item arrays: the C
status of each item and, for Q16.16, its saturation count and first
saturated element, so the Python layer can name the failing batch indices.
"""
cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdint cimport int32_t, uint32_t, uint64_t

from attncore._kernels.batch cimport *
from attncore._kernels.core cimport *

import numpy as np

cnp.import_array()

cdef enum Op:
    LU_FACTOR, LU_SOLVE, SOLVE, CHO_FACTOR, CHO_SOLVE, DET, INV, AFFINE

cdef enum Kind:
    F32, F64, Q16

cdef enum:
    MIN_ITEMS_PER_THREAD = 256


cdef struct Job:
    Op op
    Kind kind
    Py_ssize_t n, k
    int flag                   # positive_definite / lower / rigid
    bint pivoted               # cho_factor / cho_solve with a permutation (the last operand)
    Py_ssize_t s_row, s_col    # strides of the input matrix (elements)
    Py_ssize_t sb_row, sb_col  # strides of the right-hand side
    ac_rounding rnd
    ac_overflow ovf


# Operands per op, in order (ptr[0] is the input matrix, or the exact factor):
#   LU_FACTOR a, lu, piv[, exact]     LU_SOLVE lu, piv, b, x (float) / exact, b, x (Q16.16)
#   CHO_FACTOR a, c[, perm][, exact]  CHO_SOLVE c, b, x[, perm] (float) / exact, b, x (Q16.16)
#   SOLVE a, b, x    DET a, det    INV a, inv    AFFINE m, out
# perm of cho_factor has n + 1 entries: the rank goes last.

cdef ac_status _fp_item(real *tag, const Job *jb, char **ptr, real *work) noexcept nogil:
    cdef size_t rank = 0
    cdef ac_status st
    cdef Py_ssize_t n = jb.n, k = jb.k
    cdef real *a = <real *>ptr[0]
    cdef int32_t *perm = <int32_t *>ptr[2] if jb.pivoted and jb.op == CHO_FACTOR else (
        <int32_t *>ptr[3] if jb.pivoted else NULL)
    if real is float:
        if jb.op == LU_FACTOR:
            return ac_f32_lu_factor(n, a, jb.s_row, jb.s_col, <real *>ptr[1], <int32_t *>ptr[2])
        if jb.op == LU_SOLVE:
            return ac_f32_lu_solve(n, k, a, <int32_t *>ptr[1], <real *>ptr[2], jb.sb_row,
                                   jb.sb_col, <real *>ptr[3], work)
        if jb.op == SOLVE:
            return ac_f32_solve(n, k, a, jb.s_row, jb.s_col, <real *>ptr[1], jb.sb_row,
                                jb.sb_col, <real *>ptr[2], jb.flag, work)
        if jb.op == CHO_FACTOR:
            st = ac_f32_cho_factor(n, a, jb.s_row, jb.s_col, <real *>ptr[1], jb.flag, perm, &rank)
        elif jb.op == CHO_SOLVE:
            return ac_f32_cho_solve(n, k, a, jb.flag, perm, <real *>ptr[1], jb.sb_row, jb.sb_col,
                                    <real *>ptr[2], work)
        elif jb.op == DET:
            return ac_f32_det(n, a, jb.s_row, jb.s_col, <real *>ptr[1], work)
        elif jb.op == INV:
            return ac_f32_inv(n, a, jb.s_row, jb.s_col, <real *>ptr[1], work)
        else:
            return ac_f32_affine_inverse(n, a, jb.s_row, jb.s_col, <real *>ptr[1], jb.flag, work)
    else:
        if jb.op == LU_FACTOR:
            return ac_f64_lu_factor(n, a, jb.s_row, jb.s_col, <real *>ptr[1], <int32_t *>ptr[2])
        if jb.op == LU_SOLVE:
            return ac_f64_lu_solve(n, k, a, <int32_t *>ptr[1], <real *>ptr[2], jb.sb_row,
                                   jb.sb_col, <real *>ptr[3], work)
        if jb.op == SOLVE:
            return ac_f64_solve(n, k, a, jb.s_row, jb.s_col, <real *>ptr[1], jb.sb_row,
                                jb.sb_col, <real *>ptr[2], jb.flag, work)
        if jb.op == CHO_FACTOR:
            st = ac_f64_cho_factor(n, a, jb.s_row, jb.s_col, <real *>ptr[1], jb.flag, perm, &rank)
        elif jb.op == CHO_SOLVE:
            return ac_f64_cho_solve(n, k, a, jb.flag, perm, <real *>ptr[1], jb.sb_row, jb.sb_col,
                                    <real *>ptr[2], work)
        elif jb.op == DET:
            return ac_f64_det(n, a, jb.s_row, jb.s_col, <real *>ptr[1], work)
        elif jb.op == INV:
            return ac_f64_inv(n, a, jb.s_row, jb.s_col, <real *>ptr[1], work)
        else:
            return ac_f64_affine_inverse(n, a, jb.s_row, jb.s_col, <real *>ptr[1], jb.flag, work)
    if perm != NULL:
        perm[n] = <int32_t>rank
    return st


cdef ac_status _q16_item(const Job *jb, char **ptr, uint32_t *work, ac_tally *t) noexcept nogil:
    cdef size_t rank = 0
    cdef ac_status st
    cdef Py_ssize_t n = jb.n, k = jb.k
    cdef ac_q16 *a = <ac_q16 *>ptr[0]
    cdef int32_t *perm = <int32_t *>ptr[2] if jb.pivoted else NULL
    if jb.op == LU_FACTOR:
        return ac_q16_lu_factor(n, a, jb.s_row, jb.s_col, <ac_q16 *>ptr[1], <int32_t *>ptr[2],
                                <uint32_t *>ptr[3], jb.rnd, jb.ovf, t, work)
    if jb.op == LU_SOLVE or jb.op == CHO_SOLVE:
        return ac_q16_lu_solve(n, k, <uint32_t *>ptr[0], <ac_q16 *>ptr[1], jb.sb_row, jb.sb_col,
                               <ac_q16 *>ptr[2], jb.rnd, jb.ovf, t, work)
    if jb.op == SOLVE:
        return ac_q16_solve(n, k, a, jb.s_row, jb.s_col, <ac_q16 *>ptr[1], jb.sb_row, jb.sb_col,
                            <ac_q16 *>ptr[2], jb.flag, jb.rnd, jb.ovf, t, work)
    if jb.op == DET:
        return ac_q16_det(n, a, jb.s_row, jb.s_col, <ac_q16 *>ptr[1], jb.rnd, jb.ovf, t, work)
    if jb.op == INV:
        return ac_q16_inv(n, a, jb.s_row, jb.s_col, <ac_q16 *>ptr[1], jb.rnd, jb.ovf, t, work)
    if jb.op == AFFINE:
        return ac_q16_affine_inverse(n, a, jb.s_row, jb.s_col, <ac_q16 *>ptr[1], jb.flag, jb.rnd,
                                     jb.ovf, t, work)
    st = ac_q16_cho_factor(n, a, jb.s_row, jb.s_col, <ac_q16 *>ptr[1], jb.flag, perm, &rank,
                           <uint32_t *>ptr[3 if jb.pivoted else 2], jb.rnd, jb.ovf, t, work)
    if perm != NULL:
        perm[n] = <int32_t>rank
    return st


cdef void _range(const Job *jb, const Batch *bt, Py_ssize_t start, Py_ssize_t stop,
                 char *work, int *status, uint64_t *events, uint64_t *first) noexcept nogil:
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef Py_ssize_t item
    cdef ac_tally t
    cdef float f_tag = 0
    cdef double d_tag = 0
    if start >= stop:
        return
    batch_seek(bt, start, idx, ptr)
    for item in range(start, stop):
        if jb.kind == F32:
            status[item] = _fp_item(&f_tag, jb, ptr, <float *>work)
        elif jb.kind == F64:
            status[item] = _fp_item(&d_tag, jb, ptr, <double *>work)
        else:
            t.events = 0
            t.first_index = 0
            status[item] = _q16_item(jb, ptr, <uint32_t *>work, &t)
            events[item] = t.events
            first[item] = t.first_index
        batch_next(bt, idx, ptr)


cdef cnp.ndarray _packed(cnp.ndarray m):
    """Factors are read as packed n x n matrices."""
    cdef int nd = m.ndim
    if m.strides[nd - 1] == m.itemsize and m.strides[nd - 2] == m.shape[nd - 1] * m.itemsize:
        return m
    return np.ascontiguousarray(m)


cdef cnp.ndarray _pivots(cnp.ndarray p):
    """Pivots and permutations are read as packed int32 rows."""
    if p.dtype.num == cnp.NPY_INT32 and p.strides[p.ndim - 1] == 4:
        return p
    return np.ascontiguousarray(p, dtype=np.int32)


cdef cnp.ndarray _words(cnp.ndarray f):
    """Exact factors are read as packed uint32 words."""
    if f.dtype.num == cnp.NPY_UINT32 and f.strides[f.ndim - 1] == 4:
        return f
    return np.ascontiguousarray(f, dtype=np.uint32)


cdef cnp.ndarray _out(cnp.ndarray x):
    """Outputs are written as packed items."""
    if not x.flags.c_contiguous:
        raise ValueError("linalg kernels write C-contiguous outputs")
    return x


cdef tuple _run(Op op, tuple operands, tuple core, cnp.ndarray rhs, Py_ssize_t k, int flag,
                bint pivoted, int rnd, int ovf, int nthreads, Py_ssize_t n=-1):
    """``op`` over the batch of ``operands`` (identical batch shapes; operand
    i has ``core[i]`` trailing non-batch dims).  ``n`` is the matrix size
    when ``operands[0]`` is an exact factor rather than a matrix."""
    cdef Batch bt
    cdef Job jb
    cdef cnp.ndarray a = operands[0]
    jb.op, jb.n, jb.k, jb.flag, jb.pivoted = op, a.shape[a.ndim - 1] if n < 0 else n, k, flag, \
        pivoted
    if a.dtype.num not in (cnp.NPY_FLOAT, cnp.NPY_DOUBLE, cnp.NPY_INT32, cnp.NPY_UINT32):
        raise TypeError(f"linalg kernels take float32, float64, int32 or uint32 exact factors, "
                        f"got {a.dtype}")
    jb.kind = F32 if a.dtype.num == cnp.NPY_FLOAT else (F64 if a.dtype.num == cnp.NPY_DOUBLE
                                                        else Q16)
    if jb.kind == Q16 and not 0 <= jb.n <= AC_Q16_LINALG_MAX_N:
        raise ValueError(f"Q16.16 linear algebra takes n <= {AC_Q16_LINALG_MAX_N}, got {jb.n}")
    jb.s_row, jb.s_col = elem_stride(a, 2), elem_stride(a, 1)
    jb.sb_row = elem_stride(rhs, 2) if rhs is not None else 0
    jb.sb_col = elem_stride(rhs, 1) if rhs is not None else 0
    jb.rnd, jb.ovf = <ac_rounding>rnd, <ac_overflow>ovf
    batch_init_cores(&bt, operands, core)
    cdef Py_ssize_t count = bt.count, c
    cdef cnp.ndarray status = np.zeros(max(count, 1), dtype=np.intc)
    cdef cnp.ndarray events = np.zeros(max(count, 1), dtype=np.uint64)
    cdef cnp.ndarray first = np.zeros(max(count, 1), dtype=np.uint64)
    cdef Py_ssize_t per_item_bytes = max(
        4 * <Py_ssize_t>AC_Q16_LINALG_WORK(jb.n) if jb.kind == Q16 else
        8 * <Py_ssize_t>AC_F64_LINALG_WORK(jb.n, max(k, jb.n)), 8)
    cdef Py_ssize_t nranges = max(1, min(nthreads, count // MIN_ITEMS_PER_THREAD,
                                         BATCH_MAX_THREADS))
    cdef Py_ssize_t per = (count + nranges - 1) // nranges
    cdef cnp.ndarray work = np.empty(nranges * per_item_bytes, dtype=np.uint8)
    cdef char *wp = <char *>cnp.PyArray_DATA(work)
    cdef int *sp = <int *>cnp.PyArray_DATA(status)
    cdef uint64_t *ep = <uint64_t *>cnp.PyArray_DATA(events)
    cdef uint64_t *fp = <uint64_t *>cnp.PyArray_DATA(first)
    with nogil:
        if nranges == 1:
            _range(&jb, &bt, 0, count, wp, sp, ep, fp)
        else:
            for c in prange(nranges, num_threads=nranges, schedule="static"):
                _range(&jb, &bt, c * per, min((c + 1) * per, count), wp + c * per_item_bytes,
                       sp, ep, fp)
    return status[:count], events[:count], first[:count]


def lu_factor(a, lu, piv, exact, int rnd, int ovf, int nthreads=1):
    """lu (..., n, n) and piv (..., n) of a (..., n, n); for Q16.16 also the
    exact factor words (..., AC_Q16_FACTOR_WORDS(n)) (``exact``, None for
    float)."""
    operands = (a, _out(lu), _out(piv)) + (() if exact is None else (_out(exact),))
    return _run(LU_FACTOR, operands, (2, 2, 1, 1)[:len(operands)], None, 0, 0, False, rnd, ovf,
                nthreads)


def lu_solve(lu, piv, b, x, int rnd, int ovf, int nthreads=1):
    """x (..., n, k) from float lu (..., n, n), piv (..., n) and b (..., n, k)."""
    return _run(LU_SOLVE, (_packed(lu), _pivots(piv), b, _out(x)), (2, 1, 2, 2), b,
                b.shape[b.ndim - 1], 0, False, rnd, ovf, nthreads)


def solve_exact(exact, Py_ssize_t n, b, x, int rnd, int ovf, int nthreads=1):
    """x (..., n, k) from Q16.16 exact factor words (..., words) of
    q16 lu_factor or cho_factor and b (..., n, k): the same bits as solve."""
    return _run(LU_SOLVE, (_words(exact), b, _out(x)), (1, 2, 2), b, b.shape[b.ndim - 1], 0,
                False, rnd, ovf, nthreads, n)


def solve(a, b, x, bint positive_definite, int rnd, int ovf, int nthreads=1):
    """x (..., n, k) of a x = b, by LU or (positive_definite) Cholesky."""
    return _run(SOLVE, (a, b, _out(x)), (2, 2, 2), b, b.shape[b.ndim - 1], positive_definite,
                False, rnd, ovf, nthreads)


def cho_factor(a, c, perm, exact, bint lower, int rnd, int ovf, int nthreads=1):
    """c (..., n, n); with perm (..., n + 1) diagonal pivoting, the rank
    last; for Q16.16 also the exact factor words (``exact``, None for
    float)."""
    operands = (a, _out(c)) + (() if perm is None else (_out(perm),)) + (
        () if exact is None else (_out(exact),))
    return _run(CHO_FACTOR, operands, (2, 2, 1, 1)[:len(operands)], None, 0, lower,
                perm is not None, rnd, ovf, nthreads)


def cho_solve(c, perm, b, x, bint lower, int rnd, int ovf, int nthreads=1):
    """x (..., n, k) from a float factor c (..., n, n) and perm (..., n) or None."""
    operands = (_packed(c), b, _out(x)) + (() if perm is None else (_pivots(perm),))
    return _run(CHO_SOLVE, operands, (2, 2, 2, 1)[:len(operands)], b, b.shape[b.ndim - 1],
                lower, perm is not None, rnd, ovf, nthreads)


def det(a, d, int rnd, int ovf, int nthreads=1):
    """d (...) = det(a)."""
    return _run(DET, (a, _out(d)), (2, 0), None, 0, 0, False, rnd, ovf, nthreads)


def inv(a, out, int rnd, int ovf, int nthreads=1):
    """out (..., n, n) = a^-1."""
    return _run(INV, (a, _out(out)), (2, 2), None, a.shape[a.ndim - 1], 0, False, rnd, ovf,
                nthreads)


def affine_inverse(m, out, bint rigid, int rnd, int ovf, int nthreads=1):
    """out (..., d, d) = the inverse of homogeneous m (..., d, d), d = 3 or 4."""
    return _run(AFFINE, (m, _out(out)), (2, 2), None, m.shape[m.ndim - 1], rigid, False, rnd,
                ovf, nthreads)
