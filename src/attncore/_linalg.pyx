# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Loops and dispatch for the small-matrix linear algebra.

The Python layer hands over broadcast operands (matrices ``(batch..., n,
n)``, right-hand sides ``(batch..., n, k)``, pivots ``(batch..., n)``) and
fresh contiguous outputs.  Batch items are split into contiguous ranges,
one per thread, with the GIL released once; every item gets its own status
(and, for Q16.16, its saturation count and first saturated element), so
the Python layer can name the failing batch indices.
"""
cimport numpy as cnp
from cython.parallel cimport prange, threadid
from libc.stdint cimport int32_t, uint64_t

from attncore._batch cimport *
from attncore._core cimport *

import numpy as np

cnp.import_array()

ctypedef fused real:
    float
    double

# operations (shared with _linalg_api.py)
OP_LU_FACTOR, OP_LU_SOLVE, OP_SOLVE, OP_CHO_FACTOR, OP_CHO_SOLVE, OP_DET, OP_INV, OP_AFFINE = \
    range(8)
cdef enum:
    C_LU_FACTOR, C_LU_SOLVE, C_SOLVE, C_CHO_FACTOR, C_CHO_SOLVE, C_DET, C_INV, C_AFFINE

cdef enum:
    MIN_ITEMS_PER_THREAD = 256


cdef struct Job:
    int op, kind               # kind: 0 float32, 1 float64, 2 Q16.16
    Py_ssize_t n, k
    int flag                   # positive_definite / lower / rigid
    bint pivoted               # perm operand present (cholesky)
    Py_ssize_t s_row, s_col    # strides of the input matrix (elements)
    Py_ssize_t sb_row, sb_col  # strides of the right-hand side
    ac_rounding rnd
    ac_overflow ovf


cdef inline Py_ssize_t _st(cnp.ndarray a, int axis_from_end):
    return a.strides[a.ndim - axis_from_end] // a.itemsize


cdef ac_status _fp_item(real *tag, const Job *jb, char **ptr, real *work) noexcept nogil:
    """operands: 0 matrix (a/lu/c), 1 pivots, 2 rhs, 3 out, 4 second out."""
    cdef size_t rank = 0
    cdef int32_t *pv = <int32_t *>ptr[1] if jb.pivoted or jb.op == C_LU_SOLVE else NULL
    if real is float:
        if jb.op == C_LU_FACTOR:
            return ac_f32_lu_factor(jb.n, <float *>ptr[0], jb.s_row, jb.s_col, <float *>ptr[3],
                                    <int32_t *>ptr[4])
        if jb.op == C_LU_SOLVE:
            return ac_f32_lu_solve(jb.n, jb.k, <float *>ptr[0], pv, <float *>ptr[2], jb.sb_row,
                                   jb.sb_col, <float *>ptr[3], work)
        if jb.op == C_SOLVE:
            return ac_f32_solve(jb.n, jb.k, <float *>ptr[0], jb.s_row, jb.s_col, <float *>ptr[2],
                                jb.sb_row, jb.sb_col, <float *>ptr[3], jb.flag, work)
        if jb.op == C_CHO_FACTOR:
            st = ac_f32_cho_factor(jb.n, <float *>ptr[0], jb.s_row, jb.s_col, <float *>ptr[3],
                                   jb.flag, <int32_t *>ptr[4] if jb.pivoted else NULL, &rank)
            if jb.pivoted:
                (<int32_t *>ptr[4])[jb.n] = <int32_t>rank
            return st
        if jb.op == C_CHO_SOLVE:
            return ac_f32_cho_solve(jb.n, jb.k, <float *>ptr[0], jb.flag, pv, <float *>ptr[2],
                                    jb.sb_row, jb.sb_col, <float *>ptr[3], work)
        if jb.op == C_DET:
            return ac_f32_det(jb.n, <float *>ptr[0], jb.s_row, jb.s_col, <float *>ptr[3], work)
        if jb.op == C_INV:
            return ac_f32_inv(jb.n, <float *>ptr[0], jb.s_row, jb.s_col, <float *>ptr[3], work)
        return ac_f32_affine_inverse(jb.n, <float *>ptr[0], jb.s_row, jb.s_col, <float *>ptr[3],
                                     jb.flag, work)
    else:
        if jb.op == C_LU_FACTOR:
            return ac_f64_lu_factor(jb.n, <double *>ptr[0], jb.s_row, jb.s_col,
                                    <double *>ptr[3], <int32_t *>ptr[4])
        if jb.op == C_LU_SOLVE:
            return ac_f64_lu_solve(jb.n, jb.k, <double *>ptr[0], pv, <double *>ptr[2], jb.sb_row,
                                   jb.sb_col, <double *>ptr[3], work)
        if jb.op == C_SOLVE:
            return ac_f64_solve(jb.n, jb.k, <double *>ptr[0], jb.s_row, jb.s_col,
                                <double *>ptr[2], jb.sb_row, jb.sb_col, <double *>ptr[3],
                                jb.flag, work)
        if jb.op == C_CHO_FACTOR:
            st = ac_f64_cho_factor(jb.n, <double *>ptr[0], jb.s_row, jb.s_col, <double *>ptr[3],
                                   jb.flag, <int32_t *>ptr[4] if jb.pivoted else NULL, &rank)
            if jb.pivoted:
                (<int32_t *>ptr[4])[jb.n] = <int32_t>rank
            return st
        if jb.op == C_CHO_SOLVE:
            return ac_f64_cho_solve(jb.n, jb.k, <double *>ptr[0], jb.flag, pv,
                                    <double *>ptr[2], jb.sb_row, jb.sb_col, <double *>ptr[3],
                                    work)
        if jb.op == C_DET:
            return ac_f64_det(jb.n, <double *>ptr[0], jb.s_row, jb.s_col, <double *>ptr[3], work)
        if jb.op == C_INV:
            return ac_f64_inv(jb.n, <double *>ptr[0], jb.s_row, jb.s_col, <double *>ptr[3], work)
        return ac_f64_affine_inverse(jb.n, <double *>ptr[0], jb.s_row, jb.s_col,
                                     <double *>ptr[3], jb.flag, work)


cdef ac_status _q16_item(const Job *jb, char **ptr, uint64_t *work, ac_tally *t) noexcept nogil:
    cdef size_t rank = 0
    cdef ac_status st
    cdef int32_t *pv = <int32_t *>ptr[1] if jb.pivoted or jb.op == C_LU_SOLVE else NULL
    if jb.op == C_LU_FACTOR:
        return ac_q16_lu_factor(jb.n, <ac_q16 *>ptr[0], jb.s_row, jb.s_col, <ac_q16 *>ptr[3],
                                <int32_t *>ptr[4], jb.rnd, jb.ovf, t, work)
    if jb.op == C_LU_SOLVE:
        return ac_q16_lu_solve(jb.n, jb.k, <ac_q16 *>ptr[0], pv, <ac_q16 *>ptr[2], jb.sb_row,
                               jb.sb_col, <ac_q16 *>ptr[3], jb.rnd, jb.ovf, t, work)
    if jb.op == C_SOLVE:
        return ac_q16_solve(jb.n, jb.k, <ac_q16 *>ptr[0], jb.s_row, jb.s_col, <ac_q16 *>ptr[2],
                            jb.sb_row, jb.sb_col, <ac_q16 *>ptr[3], jb.flag, jb.rnd, jb.ovf, t,
                            work)
    if jb.op == C_CHO_FACTOR:
        st = ac_q16_cho_factor(jb.n, <ac_q16 *>ptr[0], jb.s_row, jb.s_col, <ac_q16 *>ptr[3],
                               jb.flag, <int32_t *>ptr[4] if jb.pivoted else NULL, &rank,
                               jb.rnd, jb.ovf, t, work)
        if jb.pivoted:
            (<int32_t *>ptr[4])[jb.n] = <int32_t>rank
        return st
    if jb.op == C_CHO_SOLVE:
        return ac_q16_cho_solve(jb.n, jb.k, <ac_q16 *>ptr[0], jb.flag, pv, <ac_q16 *>ptr[2],
                                jb.sb_row, jb.sb_col, <ac_q16 *>ptr[3], jb.rnd, jb.ovf, t, work)
    if jb.op == C_DET:
        return ac_q16_det(jb.n, <ac_q16 *>ptr[0], jb.s_row, jb.s_col, <ac_q16 *>ptr[3], jb.rnd,
                          jb.ovf, t, work)
    if jb.op == C_INV:
        return ac_q16_inv(jb.n, <ac_q16 *>ptr[0], jb.s_row, jb.s_col, <ac_q16 *>ptr[3], jb.rnd,
                          jb.ovf, t, work)
    return ac_q16_affine_inverse(jb.n, <ac_q16 *>ptr[0], jb.s_row, jb.s_col, <ac_q16 *>ptr[3],
                                 jb.flag, jb.rnd, jb.ovf, t, work)


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
        if jb.kind == 0:
            status[item] = _fp_item(&f_tag, jb, ptr, <float *>work)
        elif jb.kind == 1:
            status[item] = _fp_item(&d_tag, jb, ptr, <double *>work)
        else:
            t.events = 0
            t.first_index = 0
            status[item] = _q16_item(jb, ptr, <uint64_t *>work, &t)
            events[item] = t.events
            first[item] = t.first_index
        batch_next(bt, idx, ptr)


def run(int op, int kind, tuple operands, tuple core, Py_ssize_t n, Py_ssize_t k, int flag,
        bint pivoted, int rnd, int ovf, int nthreads=1):
    """Run ``op`` over the batch.  operands: (matrix, pivots, rhs, out, out2)
    with identical batch shapes (unused slots hold any of the others), and
    ``core[i]`` the number of trailing non-batch dims of operand i.
    Returns ``(status, events, first)``: per-item arrays."""
    cdef Batch bt
    cdef Job jb
    cdef cnp.ndarray a = operands[0], b = operands[2], out = operands[3]
    jb.op, jb.kind, jb.n, jb.k, jb.flag, jb.pivoted = op, kind, n, k, flag, pivoted
    jb.s_row, jb.s_col = _st(a, 2), _st(a, 1)
    jb.sb_row = _st(b, 2) if b.ndim >= 2 else 0
    jb.sb_col = _st(b, 1) if b.ndim >= 2 else 0
    jb.rnd, jb.ovf = <ac_rounding>rnd, <ac_overflow>ovf
    batch_init_cores(&bt, operands, core)
    cdef Py_ssize_t count = bt.count, c
    cdef cnp.ndarray status = np.zeros(max(count, 1), dtype=np.intc)
    cdef cnp.ndarray events = np.zeros(max(count, 1), dtype=np.uint64)
    cdef cnp.ndarray first = np.zeros(max(count, 1), dtype=np.uint64)
    cdef Py_ssize_t per_item_bytes = 16 * max(<Py_ssize_t>AC_Q16_LINALG_WORK(n, max(k, n)), 1)
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
