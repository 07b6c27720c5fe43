# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Loops and dispatch for the elementwise Q16.16 kernels and conversions.

The Python layer hands over operands already broadcast to one shape (and
aligned); this module walks them row by row without the GIL on the runtime
(units: elements in C order), calls the C core's strided row kernels, and
returns what the core reported as
``(status, events, first_index, first_status, stop_index)`` (flat C-order
indices: the first range event, and the element an error stopped at).  It
raises nothing itself: turning a status into an exception is the Python
layer's job.
"""
cimport numpy as cnp
from libc.stdint cimport int64_t

from attncore._kernels.batch cimport *
from attncore._kernels.core cimport *
from attncore._kernels.costs cimport *
from attncore._kernels.runtime cimport threads_arg

cnp.import_array()

# The kernels' names for the C ops, the one place that maps them.
BINARY_OPS = {"add": AC_Q16_OP_ADD, "sub": AC_Q16_OP_SUB,
              "mul": AC_Q16_OP_MUL, "div": AC_Q16_OP_DIV}
UNARY_OPS = {"sqrt": AC_Q16_OP_SQRT, "exp": AC_Q16_OP_EXP}

cdef enum RowKind:
    ROW_BINARY
    ROW_UNARY
    ROW_FROM_F64
    ROW_FROM_F32
    ROW_FROM_I64
    ROW_TO_F64

cdef ac_status _row(RowKind kind, int op, size_t n, char **p, const ptrdiff_t *s,
                    ac_rounding rnd, ac_overflow ovf, ac_tally *tally) noexcept nogil:
    if kind == ROW_BINARY:
        return ac_q16_binary_n(<ac_q16_binary_op>op, n, <ac_q16 *>p[0], s[0],
                               <ac_q16 *>p[1], s[1], <ac_q16 *>p[2], s[2], rnd, ovf, tally)
    if kind == ROW_UNARY:
        return ac_q16_unary_n(<ac_q16_unary_op>op, n, <ac_q16 *>p[0], s[0],
                              <ac_q16 *>p[1], s[1], rnd, ovf, tally)
    if kind == ROW_FROM_F64:
        return ac_q16_from_double_n(n, <double *>p[0], s[0], <ac_q16 *>p[1], s[1],
                                    rnd, ovf, tally)
    if kind == ROW_FROM_F32:
        return ac_q16_from_float_n(n, <float *>p[0], s[0], <ac_q16 *>p[1], s[1],
                                   rnd, ovf, tally)
    if kind == ROW_FROM_I64:
        return ac_q16_from_int64_n(n, <int64_t *>p[0], s[0], <ac_q16 *>p[1], s[1],
                                   ovf, tally)
    ac_q16_to_double_n(n, <ac_q16 *>p[0], s[0], <double *>p[1], s[1])
    return AC_OK


cdef ac_status _run_range(const Batch *rows, const ptrdiff_t *inner, RowKind kind, int op,
                          ac_rounding rnd, ac_overflow ovf, Py_ssize_t start,
                          Py_ssize_t stop, ac_tally *total) noexcept nogil:
    """Elements [start, stop) in C order of the coalesced operands (a Batch
    over all dims); segments may begin and end mid-row.  ``inner``: the last
    dim's stride of each operand, in elements.  Tally indices are flat."""
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef int last = rows.ndim - 1
    cdef Py_ssize_t inner_n = rows.shape[last]
    cdef Py_ssize_t pos = start, seg
    cdef int d, k
    cdef ac_tally tally
    cdef ac_status st
    if start >= stop:
        return AC_OK  # also keeps an empty shape out of the seek below
    batch_seek(rows, start, idx, ptr)
    while pos < stop:
        seg = inner_n - idx[last]
        if seg > stop - pos:
            seg = stop - pos
        tally.events = 0
        st = _row(kind, op, <size_t>seg, ptr, inner, rnd, ovf, &tally)
        ac_tally_add(total, &tally, <size_t>pos)
        if st != AC_OK:
            return st
        pos += seg
        idx[last] += seg
        for k in range(rows.nops):
            ptr[k] += seg * rows.strides[k][last]
        d = last
        while d > 0 and idx[d] == rows.shape[d]:
            for k in range(rows.nops):
                ptr[k] += rows.strides[k][d - 1] - rows.shape[d] * rows.strides[k][d]
            idx[d] = 0
            idx[d - 1] += 1
            d -= 1
    return AC_OK


cdef struct Job:
    const Batch *rows
    const ptrdiff_t *inner
    RowKind kind
    int op
    ac_rounding rnd
    ac_overflow ovf
    Chunks *chunks


cdef int _chunk(void *ctx, size_t chunk, size_t begin, size_t end, int worker) noexcept nogil:
    cdef Job *jb = <Job *>ctx
    cdef ac_status st = _run_range(jb.rows, jb.inner, jb.kind, jb.op, jb.rnd, jb.ovf,
                                   <Py_ssize_t>begin, <Py_ssize_t>end, &jb.chunks.tallies[chunk])
    jb.chunks.statuses[chunk] = st
    return st != AC_OK


cdef double _ps_per_element(RowKind kind, int op) noexcept nogil:
    if kind == ROW_BINARY:
        return (PS_EW_ADD if op == AC_Q16_OP_ADD else PS_EW_SUB if op == AC_Q16_OP_SUB
                else PS_EW_MUL if op == AC_Q16_OP_MUL else PS_EW_DIV)
    if kind == ROW_UNARY:
        return PS_EW_SQRT if op == AC_Q16_OP_SQRT else PS_EW_EXP
    return (PS_EW_FROM_F64 if kind == ROW_FROM_F64 else PS_EW_FROM_F32 if kind == ROW_FROM_F32
            else PS_EW_FROM_I64 if kind == ROW_FROM_I64 else PS_EW_TO_F64)


cdef tuple _go(tuple arrays, RowKind kind, int op, int rnd, int ovf, nthreads):
    """Run the whole operand set on the runtime, in chunks of consecutive
    elements; reports merge in chunk order (see batch.pxd), so they and
    every output are independent of the thread count."""
    cdef Batch rows
    cdef ptrdiff_t inner[BATCH_MAX_OPERANDS]
    cdef Chunks chunks
    cdef Job jb
    cdef bint ok
    cdef long long threads = threads_arg(nthreads)
    cdef int k
    batch_init(&rows, arrays, 0)
    for k in range(rows.nops):
        inner[k] = rows.strides[k][rows.ndim - 1] // (<cnp.ndarray>arrays[k]).itemsize
    jb.rows, jb.inner, jb.kind, jb.op = &rows, inner, kind, op
    jb.rnd, jb.ovf, jb.chunks = <ac_rounding>rnd, <ac_overflow>ovf, &chunks
    cdef double est = ps(<double>rows.count, _ps_per_element(kind, op))
    with nogil:
        ok = chunks_run(&chunks, <size_t>rows.count, 0, est, threads, _chunk, &jb)
    return chunks_report(&chunks, ok)


def binary(str name, cnp.ndarray a, cnp.ndarray b, cnp.ndarray out, int rnd, int ovf,
           nthreads=1):
    """out = a (op) b elementwise; int32 operands of one shape."""
    return _go((a, b, out), ROW_BINARY, BINARY_OPS[name], rnd, ovf, nthreads)


def unary(str name, cnp.ndarray a, cnp.ndarray out, int rnd, int ovf, nthreads=1):
    """out = op(a) elementwise; int32 operands of one shape."""
    return _go((a, out), ROW_UNARY, UNARY_OPS[name], rnd, ovf, nthreads)


def from_real(cnp.ndarray x, cnp.ndarray out, int rnd, int ovf, nthreads=1):
    """out = Q16.16 of x; x float64, float32 or int64 (exact integers)."""
    cdef RowKind kind
    if x.dtype.num == cnp.NPY_DOUBLE:
        kind = ROW_FROM_F64
    elif x.dtype.num == cnp.NPY_FLOAT:
        kind = ROW_FROM_F32
    elif x.dtype.num == cnp.NPY_INT64:
        kind = ROW_FROM_I64
    else:
        raise AssertionError(f"from_real got {x.dtype}; the Python layer converts first")
    return _go((x, out), kind, 0, rnd, ovf, nthreads)


def to_double(cnp.ndarray q, cnp.ndarray out, nthreads=1):
    """out = q / 2^16 exactly."""
    return _go((q, out), ROW_TO_F64, 0, 0, 0, nthreads)
