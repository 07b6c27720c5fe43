# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Loops and dispatch for softmax: the Python layer hands over ``x`` with
the softmax axis last, an optional uint8 ``mask`` broadcast to ``x``'s
shape, and ``out``; rows are split into contiguous ranges, one per thread,
with the GIL released once."""
cimport numpy as cnp
from cython.parallel cimport prange
from libc.stdint cimport uint64_t

import numpy as np

from attncore._kernels.batch cimport *
from attncore._kernels.core cimport *

cnp.import_array()

cdef enum:
    MIN_ELEMENTS_PER_THREAD = 1 << 15
    # Rows up to this long, packed and unmasked, go to the C core's
    # many-rows kernel (per-row calls dominate short rows).
    PACKED_MAX_ROW = 32
    # Q16.16 rows up to this long keep their exponentials in a per-thread
    # buffer (8 bytes each) instead of evaluating them twice.
    Q16_CACHED_MAX_ROW = 1 << 16


cdef ac_status _rows(int kind, const Batch *bt, Py_ssize_t n, ptrdiff_t sx, ptrdiff_t sm,
                     ptrdiff_t so, bint has_mask, int log_output, ac_rounding rnd,
                     bint packed, uint64_t *work, Py_ssize_t start, Py_ssize_t stop,
                     ac_tally *tally) noexcept nogil:
    """Rows [start, stop).  kind: 0 float32, 1 float64, 2 Q16.16."""
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef Py_ssize_t row
    cdef const unsigned char *mask
    cdef ac_status st
    if start >= stop:
        return AC_OK
    batch_seek(bt, start, idx, ptr)
    if packed and kind == 0:
        ac_f32_softmax_packed_rows(stop - start, n, <float *>ptr[0], <float *>ptr[1])
        return AC_OK
    if packed and kind == 1:
        ac_f64_softmax_packed_rows(stop - start, n, <double *>ptr[0], <double *>ptr[1])
        return AC_OK
    for row in range(start, stop):
        mask = <const unsigned char *>ptr[2] if has_mask else NULL
        if kind == 0:
            ac_f32_softmax_row(n, <float *>ptr[0], sx, mask, sm, <float *>ptr[1], so, log_output)
        elif kind == 1:
            ac_f64_softmax_row(n, <double *>ptr[0], sx, mask, sm, <double *>ptr[1], so,
                               log_output)
        else:
            st = ac_q16_softmax_row(n, <ac_q16 *>ptr[0], sx, mask, sm, <ac_q16 *>ptr[1], so, rnd,
                                    work)
            if st != AC_OK:
                ac_tally_note(tally, <size_t>row, st)
                return st
        batch_next(bt, idx, ptr)
    return AC_OK


def softmax_rows(cnp.ndarray x, cnp.ndarray out, mask, int log_output, int rnd, int nthreads=1):
    """Softmax along the last axis of ``x`` into ``out``; returns the report
    tuple (a non-OK status names the row that failed)."""
    cdef Batch bt
    cdef ac_tally tallies[BATCH_MAX_THREADS]
    cdef ac_status statuses[BATCH_MAX_THREADS]
    cdef int kind = 2 if x.dtype.num == cnp.NPY_INT32 else (0 if x.dtype.num == cnp.NPY_FLOAT else 1)
    cdef bint has_mask = mask is not None
    cdef Py_ssize_t n = x.shape[x.ndim - 1] if x.ndim else 1
    cdef ptrdiff_t sx = elem_stride(x, 1), so = elem_stride(out, 1), sm = 0
    cdef Py_ssize_t nranges, per, c
    if has_mask:
        sm = elem_stride(mask, 1)
        batch_init(&bt, (x, out, mask), 1)
    else:
        batch_init(&bt, (x, out), 1)
    # rows back to back in x and out, one coalesced batch dim: the packed kernel
    cdef bint packed = (kind != 2 and not has_mask and not log_output and n <= PACKED_MAX_ROW
                        and sx == 1 and so == 1 and bt.ndim == 1
                        and bt.strides[0][0] == n * x.itemsize
                        and bt.strides[1][0] == n * out.itemsize
                        and x.data != out.data)
    nranges = split_ranges(bt.count, max(1, MIN_ELEMENTS_PER_THREAD // max(n, 1)), nthreads,
                           tallies)
    per = (bt.count + nranges - 1) // nranges
    cdef bint cached = kind == 2 and n <= Q16_CACHED_MAX_ROW
    cdef cnp.ndarray work = np.empty(nranges * n if cached else 0, dtype=np.uint64)
    cdef uint64_t *wp = <uint64_t *>cnp.PyArray_DATA(work) if cached else NULL
    with nogil:
        if nranges == 1:
            statuses[0] = _rows(kind, &bt, n, sx, sm, so, has_mask, log_output,
                                <ac_rounding>rnd, packed, wp, 0, bt.count, &tallies[0])
        else:
            for c in prange(nranges, num_threads=nranges, schedule="static"):
                statuses[c] = _rows(kind, &bt, n, sx, sm, so, has_mask, log_output,
                                    <ac_rounding>rnd, packed, wp + c * n if cached else NULL,
                                    c * per, min((c + 1) * per, bt.count), &tallies[c])
    return merge_reports(tallies, statuses, nranges)
