# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Loops and dispatch for softmax: the Python layer hands over ``x`` with
the softmax axis last, an optional uint8 ``mask`` broadcast to ``x``'s
shape, and ``out``; rows are the runtime's units (chunks of consecutive
rows), with the GIL released once."""
cimport numpy as cnp
from libc.stdint cimport uint64_t

from attncore._kernels.batch cimport *
from attncore._kernels.core cimport *
from attncore._kernels.costs cimport *
from attncore._kernels.runtime cimport thread_scratch, threads_arg

cnp.import_array()

cdef enum:
    # Rows up to this long, packed and unmasked, go to the C core's
    # many-rows kernel (per-row calls dominate short rows).
    PACKED_MAX_ROW = 32
    # Q16.16 rows up to this long keep their exponentials in the thread's
    # scratch (8 bytes each) instead of evaluating them twice.
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


cdef struct Job:
    int kind
    const Batch *bt
    Py_ssize_t n
    ptrdiff_t sx, sm, so
    bint has_mask, packed, cached
    int log_output
    ac_rounding rnd
    Chunks *chunks


cdef int _chunk(void *ctx, size_t chunk, size_t begin, size_t end, int worker) noexcept nogil:
    cdef Job *jb = <Job *>ctx
    cdef uint64_t *work = NULL
    cdef ac_status st
    if jb.cached:
        work = <uint64_t *>thread_scratch(<size_t>jb.n * sizeof(uint64_t))
    # without scratch the q16 kernel evaluates each exponential twice: same result
    st = _rows(jb.kind, jb.bt, jb.n, jb.sx, jb.sm, jb.so, jb.has_mask, jb.log_output, jb.rnd,
               jb.packed, work, <Py_ssize_t>begin, <Py_ssize_t>end, &jb.chunks.tallies[chunk])
    jb.chunks.statuses[chunk] = st
    return st != AC_OK


def softmax_rows(cnp.ndarray x, cnp.ndarray out, mask, int log_output, int rnd, nthreads=1):
    """Softmax along the last axis of ``x`` into ``out``; returns the report
    tuple (a non-OK status names the row that failed)."""
    cdef Batch bt
    cdef Job jb
    cdef Chunks chunks
    cdef bint ok
    cdef long long threads = threads_arg(nthreads)
    cdef int kind = 2 if x.dtype.num == cnp.NPY_INT32 else (0 if x.dtype.num == cnp.NPY_FLOAT else 1)
    cdef bint has_mask = mask is not None
    cdef Py_ssize_t n = x.shape[x.ndim - 1] if x.ndim else 1
    cdef ptrdiff_t sx = elem_stride(x, 1), so = elem_stride(out, 1), sm = 0
    if has_mask:
        sm = elem_stride(mask, 1)
        batch_init(&bt, (x, out, mask), 1)
    else:
        batch_init(&bt, (x, out), 1)
    # rows back to back in x and out, one coalesced batch dim: the packed kernel
    jb.packed = (kind != 2 and not has_mask and not log_output and n <= PACKED_MAX_ROW
                 and sx == 1 and so == 1 and bt.ndim == 1
                 and bt.strides[0][0] == n * x.itemsize
                 and bt.strides[1][0] == n * out.itemsize
                 and x.data != out.data)
    jb.kind, jb.bt, jb.n, jb.sx, jb.sm, jb.so = kind, &bt, n, sx, sm, so
    jb.has_mask, jb.log_output, jb.rnd, jb.chunks = has_mask, log_output, <ac_rounding>rnd, &chunks
    jb.cached = kind == 2 and n <= Q16_CACHED_MAX_ROW
    cdef double est = softmax_ns(COST_Q16 if kind == 2 else COST_F32 if kind == 0 else COST_F64,
                                 <double>bt.count, <double>n)
    with nogil:
        ok = chunks_run(&chunks, <size_t>bt.count, 0, est, threads, _chunk, &jb)
    return chunks_report(&chunks, ok)
