# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Loops and dispatch for batched matmul.

The Python layer hands over ``a (batch..., m, k)``, ``b (batch..., k, n)``
and ``out (batch..., m, n)`` with identical (broadcast) batch shapes.  Batch
items are split into contiguous ranges, one per thread, with the GIL
released once for the whole call.  Q16.16 goes to the C core's exact
kernel; float goes to the C small-matrix kernels, or to BLAS (through
SciPy's cython_blas) when a product is large enough for BLAS to win.
"""
cimport numpy as cnp
from cython.parallel cimport prange

from attncore._kernels.batch cimport *
from attncore._kernels.blas cimport (blas_operand, blas_threads_pinnable, gemm, pin_blas,
                                     unpin_blas)
from attncore._kernels.core cimport *

cnp.import_array()

cdef enum:
    # Multiply-adds per product from which BLAS beats the C kernels (its
    # call and packing overhead dominates below about 32^3).
    BLAS_MIN_WORK = 32 * 32 * 32
    # Multiply-adds a thread should get before another one is worth starting.
    MIN_WORK_PER_THREAD = 1 << 16

cdef struct Dims:
    Py_ssize_t m, n, k
    Py_ssize_t sa_row, sa_col, sb_row, sb_col, sc_row, sc_col   # elements


cdef Dims _dims(cnp.ndarray a, cnp.ndarray b, cnp.ndarray out):
    cdef Dims d
    d.m, d.k, d.n = a.shape[a.ndim - 2], a.shape[a.ndim - 1], b.shape[b.ndim - 1]
    d.sa_row, d.sa_col = elem_stride(a, 2), elem_stride(a, 1)
    d.sb_row, d.sb_col = elem_stride(b, 2), elem_stride(b, 1)
    d.sc_row, d.sc_col = elem_stride(out, 2), elem_stride(out, 1)
    # A unit dim's stride is never used to step; give it the packed value so
    # views from broadcast_to or slicing still take the packed fast paths.
    if d.k == 1:
        d.sa_col = 1
        d.sb_row = d.n
    if d.n == 1:
        d.sb_col = 1
        d.sc_col = 1
    if d.m == 1:
        d.sa_row = d.k
        d.sc_row = d.n
    return d


cdef Py_ssize_t _ranges_for(const Batch *bt, const Dims *dm, int nthreads,
                            ac_tally *tallies):
    cdef Py_ssize_t work = dm.m * dm.n * (dm.k if dm.k > 0 else 1)
    cdef Py_ssize_t per_range = MIN_WORK_PER_THREAD // work if work < MIN_WORK_PER_THREAD else 1
    return split_ranges(bt.count, per_range, nthreads, tallies)


# ---- Q16.16 ---------------------------------------------------------------

cdef ac_status _q16_range(const Batch *bt, const Dims *dm, Py_ssize_t start, Py_ssize_t stop,
                          ac_rounding rnd, ac_overflow ovf, ac_tally *total) noexcept nogil:
    """Batch items [start, stop)."""
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef ac_tally t
    cdef ac_status st
    cdef Py_ssize_t item
    cdef size_t per_item = <size_t>(dm.m * dm.n)
    if start >= stop:
        return AC_OK
    batch_seek(bt, start, idx, ptr)
    if bt.ndim == 1:
        # one coalesced batch dim: one call walks the range (fixed-size paths)
        t.events = 0
        st = ac_q16_matmul_batch(
            stop - start, dm.m, dm.n, dm.k,
            <ac_q16 *>ptr[0], bt.strides[0][0] // 4, dm.sa_row, dm.sa_col,
            <ac_q16 *>ptr[1], bt.strides[1][0] // 4, dm.sb_row, dm.sb_col,
            <ac_q16 *>ptr[2], bt.strides[2][0] // 4, dm.sc_row, dm.sc_col, rnd, ovf, &t)
        ac_tally_add(total, &t, <size_t>start * per_item)
        return st
    for item in range(start, stop):
        t.events = 0
        st = ac_q16_matmul_batch(1, dm.m, dm.n, dm.k,
                                 <ac_q16 *>ptr[0], 0, dm.sa_row, dm.sa_col,
                                 <ac_q16 *>ptr[1], 0, dm.sb_row, dm.sb_col,
                                 <ac_q16 *>ptr[2], 0, dm.sc_row, dm.sc_col, rnd, ovf, &t)
        ac_tally_add(total, &t, <size_t>item * per_item)
        if st != AC_OK:
            return st
        batch_next(bt, idx, ptr)
    return AC_OK


cdef ac_status _q16_rows(const Batch *bt, const Dims *dm, Py_ssize_t unit, Py_ssize_t blocks,
                         ac_rounding rnd, ac_overflow ovf, ac_tally *total) noexcept nogil:
    """One block of rows of one batch item: unit = item * blocks + block."""
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef Py_ssize_t item = unit // blocks, block = unit % blocks
    cdef Py_ssize_t per = (dm.m + blocks - 1) // blocks
    cdef Py_ssize_t row0 = block * per, row1 = min(dm.m, row0 + per)
    cdef ac_status st
    cdef ac_tally t
    if row0 >= row1:
        return AC_OK
    batch_seek(bt, item, idx, ptr)
    t.events = 0
    st = ac_q16_matmul(row1 - row0, dm.n, dm.k,
                       <ac_q16 *>ptr[0] + row0 * dm.sa_row, dm.sa_row, dm.sa_col,
                       <ac_q16 *>ptr[1], dm.sb_row, dm.sb_col,
                       <ac_q16 *>ptr[2] + row0 * dm.sc_row, dm.sc_row, dm.sc_col,
                       rnd, ovf, &t)
    # the kernel counted from this block's first row
    ac_tally_add(total, &t, <size_t>(item * dm.m * dm.n + row0 * dm.n))
    return st


def q16(cnp.ndarray a, cnp.ndarray b, cnp.ndarray out, int rnd, int ovf, int nthreads=1):
    """out = a @ b in Q16.16; returns the report tuple of the C core.

    Work is split into contiguous ranges of batch items, or, when there are
    fewer items than threads and enough work, into blocks of rows of each
    item.  Reports merge in C order either way."""
    cdef Batch bt
    cdef Dims dm = _dims(a, b, out)
    cdef ac_tally tallies[BATCH_MAX_THREADS]
    cdef ac_status statuses[BATCH_MAX_THREADS]
    cdef Py_ssize_t nranges, per, c, blocks = 1
    batch_init(&bt, (a, b, out), 2)
    if bt.count < nthreads and dm.m > 1 and dm.m * dm.n * dm.k >= 2 * MIN_WORK_PER_THREAD:
        blocks = min(dm.m, max(1, min(nthreads, BATCH_MAX_THREADS) // bt.count))
    if blocks > 1:
        nranges = split_ranges(bt.count * blocks, 1, bt.count * blocks, tallies)
        with nogil:
            for c in prange(nranges, num_threads=min(nthreads, nranges), schedule="static"):
                statuses[c] = _q16_rows(&bt, &dm, c, blocks, <ac_rounding>rnd,
                                        <ac_overflow>ovf, &tallies[c])
        return merge_reports(tallies, statuses, nranges)
    nranges = _ranges_for(&bt, &dm, nthreads, tallies)
    per = (bt.count + nranges - 1) // nranges
    with nogil:
        if nranges == 1:
            statuses[0] = _q16_range(&bt, &dm, 0, bt.count, <ac_rounding>rnd,
                                     <ac_overflow>ovf, &tallies[0])
        else:
            for c in prange(nranges, num_threads=nranges, schedule="static"):
                statuses[c] = _q16_range(&bt, &dm, c * per, min((c + 1) * per, bt.count),
                                         <ac_rounding>rnd, <ac_overflow>ovf, &tallies[c])
    return merge_reports(tallies, statuses, nranges)


# ---- float ----------------------------------------------------------------

cdef void _gemm(real *c, const real *a, const real *b, const Dims *dm) noexcept nogil:
    """Row-major C = A B as column-major C^T = B^T A^T."""
    cdef char op_a, op_b
    cdef int lda, ldb
    blas_operand(dm.m, dm.k, dm.sa_row, dm.sa_col, &op_a, &lda)
    blas_operand(dm.k, dm.n, dm.sb_row, dm.sb_col, &op_b, &ldb)
    gemm(op_b, op_a, <int>dm.n, <int>dm.m, <int>dm.k, <real>1, b, ldb, a, lda, <real>0, c,
         <int>max(dm.sc_row, 1))


cdef void _fp_small(real *c, const real *a, const real *b, const Dims *dm, Py_ssize_t count,
                    Py_ssize_t sa_t, Py_ssize_t sb_t, Py_ssize_t sc_t) noexcept nogil:
    if real is float:
        ac_f32_matmul_batch(count, dm.m, dm.n, dm.k, a, sa_t, dm.sa_row, dm.sa_col,
                            b, sb_t, dm.sb_row, dm.sb_col, c, sc_t, dm.sc_row, dm.sc_col)
    else:
        ac_f64_matmul_batch(count, dm.m, dm.n, dm.k, a, sa_t, dm.sa_row, dm.sa_col,
                            b, sb_t, dm.sb_row, dm.sb_col, c, sc_t, dm.sc_row, dm.sc_col)


cdef void _fp_range(real *tag, const Batch *bt, const Dims *dm, Py_ssize_t start,
                    Py_ssize_t stop, bint use_blas) noexcept nogil:
    """Batch items [start, stop)."""
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef Py_ssize_t item
    if start >= stop:
        return
    batch_seek(bt, start, idx, ptr)
    if not use_blas and bt.ndim == 1:
        # one coalesced batch dim: a single call walks the whole range
        _fp_small(<real *>ptr[2], <real *>ptr[0], <real *>ptr[1], dm, stop - start,
                  bt.strides[0][0] // <Py_ssize_t>sizeof(real),
                  bt.strides[1][0] // <Py_ssize_t>sizeof(real),
                  bt.strides[2][0] // <Py_ssize_t>sizeof(real))
        return
    for item in range(start, stop):
        if use_blas:
            _gemm(<real *>ptr[2], <real *>ptr[0], <real *>ptr[1], dm)
        else:
            _fp_small(<real *>ptr[2], <real *>ptr[0], <real *>ptr[1], dm, 1, 0, 0, 0)
        batch_next(bt, idx, ptr)


cdef _fp_run(real *tag, cnp.ndarray a, cnp.ndarray b, cnp.ndarray out, int nthreads):
    cdef Batch bt
    cdef Dims dm = _dims(a, b, out)
    cdef ac_tally tallies[BATCH_MAX_THREADS]
    cdef Py_ssize_t nranges, per, c
    cdef char op
    cdef int ld
    cdef bint use_blas = dm.m * dm.n * dm.k >= BLAS_MIN_WORK
    # BLAS needs one contiguous axis per operand and row-contiguous output;
    # anything else runs in the strided C kernel.
    if use_blas and not (blas_operand(dm.m, dm.k, dm.sa_row, dm.sa_col, &op, &ld)
                         and blas_operand(dm.k, dm.n, dm.sb_row, dm.sb_col, &op, &ld)
                         and (dm.sc_col == 1 or dm.n == 1) and dm.sc_row >= dm.n):
        use_blas = False
    batch_init(&bt, (a, b, out), 2)
    # Without a per-thread BLAS setting, gemm calls from several threads
    # serialize on BLAS's own pool: then BLAS items go one after another and
    # BLAS threads each of them.
    nranges = _ranges_for(&bt, &dm, nthreads if not use_blas or blas_threads_pinnable()
                          else 1, tallies)
    per = (bt.count + nranges - 1) // nranges
    cdef bint pinned = use_blas and nranges > 1
    if pinned:
        pin_blas()
    with nogil:
        if nranges == 1:
            _fp_range(tag, &bt, &dm, 0, bt.count, use_blas)
        else:
            for c in prange(nranges, num_threads=nranges, schedule="static"):
                _fp_range(tag, &bt, &dm, c * per, min((c + 1) * per, bt.count), use_blas)
    if pinned:
        unpin_blas()


def fp(cnp.ndarray a, cnp.ndarray b, cnp.ndarray out, int nthreads=1):
    """out = a @ b for float32 or float64 operands of one dtype."""
    cdef float f_tag = 0
    cdef double d_tag = 0
    if out.dtype.num == cnp.NPY_FLOAT:
        _fp_run(&f_tag, a, b, out, nthreads)
    else:
        _fp_run(&d_tag, a, b, out, nthreads)
