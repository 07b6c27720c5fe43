# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Loops and dispatch for batched matmul.

The Python layer hands over ``a (batch..., m, k)``, ``b (batch..., k, n)``
and ``out (batch..., m, n)`` with identical (broadcast) batch shapes.  The
runtime's units are batch items, or blocks of rows of an item when one item
is enough work for several threads; the GIL is released once for the call.
Q16.16 goes to the C core's exact kernel.  Float goes to the C core's
small-matrix kernels below GEMM_MIN_MACS (10^3) multiply-adds per product, else to
its GEMM (attncore/fp_gemm.h), whose arithmetic per element does not depend
on how the rows are split; which of the two runs depends on (m, n, k) only.
So no result depends on the thread count, and any strides work (ptrdiff_t
throughout: no BLAS int leading dimensions).
"""
cimport numpy as cnp
from libc.stdlib cimport free, malloc

from attncore._kernels.batch cimport *
from attncore._kernels.core cimport *
from attncore._kernels.costs cimport *
from attncore._kernels.runtime cimport ac_rt_plan, plan_loop, run, thread_scratch, threads_arg

cnp.import_array()

cdef enum:
    # Multiply-adds per product from which the GEMM beats the small-matrix
    # kernels (packing and edge tiles dominate below): minima of both on
    # batches of 8^3 .. 32^3 products, f32 and f64 (the GEMM is 0.9-1.5x
    # at 8^3, 1.6x at 12^3, 2.4-3.3x at 16^3).
    GEMM_MIN_MACS = 10 * 10 * 10
    # Rows per unit when one product is split (a multiple of the GEMM's
    # 6-row tile), and the single-thread ns above which a product is split.
    GEMM_BLOCK_ROWS = 96
    Q16_BLOCK_ROWS = 16
    SPLIT_ITEM_NS = 100000

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


cdef Py_ssize_t _blocks(Py_ssize_t m, Py_ssize_t block_rows, double item_ns) noexcept:
    """Row blocks per product: 1, or m / block_rows when a product alone is
    worth several threads (a function of the shape only)."""
    if item_ns < SPLIT_ITEM_NS or m < 2 * block_rows:
        return 1
    return (m + block_rows - 1) // block_rows


# ---- Q16.16 ---------------------------------------------------------------

cdef struct Q16Job:
    const Batch *bt
    const Dims *dm
    Py_ssize_t blocks
    ac_rounding rnd
    ac_overflow ovf
    Chunks *chunks


cdef ac_status _q16_items(const Batch *bt, const Dims *dm, Py_ssize_t start, Py_ssize_t stop,
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


cdef ac_status _q16_block(const Batch *bt, const Dims *dm, Py_ssize_t unit, Py_ssize_t blocks,
                          ac_rounding rnd, ac_overflow ovf, ac_tally *total) noexcept nogil:
    """One block of Q16_BLOCK_ROWS rows of one batch item: unit = item * blocks + block."""
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef Py_ssize_t item = unit // blocks
    cdef Py_ssize_t row0 = (unit % blocks) * Q16_BLOCK_ROWS
    cdef Py_ssize_t row1 = min(dm.m, row0 + Q16_BLOCK_ROWS)
    cdef ac_status st
    cdef ac_tally t
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


cdef int _q16_chunk(void *ctx, size_t chunk, size_t begin, size_t end,
                    int worker) noexcept nogil:
    cdef Q16Job *jb = <Q16Job *>ctx
    cdef ac_tally *tally = &jb.chunks.tallies[chunk]
    cdef ac_status st = AC_OK
    cdef size_t u
    if jb.blocks == 1:
        st = _q16_items(jb.bt, jb.dm, <Py_ssize_t>begin, <Py_ssize_t>end, jb.rnd, jb.ovf, tally)
    else:
        for u in range(begin, end):
            st = _q16_block(jb.bt, jb.dm, <Py_ssize_t>u, jb.blocks, jb.rnd, jb.ovf, tally)
            if st != AC_OK:
                break
    jb.chunks.statuses[chunk] = st
    return st != AC_OK


def q16(cnp.ndarray a, cnp.ndarray b, cnp.ndarray out, int rnd, int ovf, nthreads=1):
    """out = a @ b in Q16.16; returns the report tuple of the C core.

    Units are batch items, or blocks of rows of each item when one item is
    enough work to share; reports merge in chunk order, which is C order of
    the output, whatever the thread count."""
    cdef Batch bt
    cdef Dims dm = _dims(a, b, out)
    cdef Q16Job jb
    cdef Chunks chunks
    cdef bint ok
    cdef long long threads = threads_arg(nthreads)
    batch_init(&bt, (a, b, out), 2)
    cdef double item_ns = q16_matmul_ns(1, <double>dm.m, <double>dm.n, <double>dm.k)
    jb.bt, jb.dm, jb.rnd, jb.ovf, jb.chunks = &bt, &dm, <ac_rounding>rnd, <ac_overflow>ovf, &chunks
    jb.blocks = _blocks(dm.m, Q16_BLOCK_ROWS, item_ns)
    cdef size_t units = <size_t>(bt.count * jb.blocks)
    with nogil:
        ok = chunks_run(&chunks, units, 0, item_ns * <double>bt.count, threads, _q16_chunk, &jb)
    return chunks_report(&chunks, ok)


# ---- float ----------------------------------------------------------------

cdef struct FpJob:
    const Batch *bt
    const Dims *dm
    Py_ssize_t blocks       # row blocks per item (GEMM path)
    Py_ssize_t rows         # rows per unit (GEMM path)
    bint use_gemm
    const void *packed_b    # B packed once for every unit, or NULL


cdef void _small(real *c, const real *a, const real *b, const Dims *dm, Py_ssize_t count,
                 Py_ssize_t sa_t, Py_ssize_t sb_t, Py_ssize_t sc_t) noexcept nogil:
    if real is float:
        ac_f32_matmul_batch(count, dm.m, dm.n, dm.k, a, sa_t, dm.sa_row, dm.sa_col,
                            b, sb_t, dm.sb_row, dm.sb_col, c, sc_t, dm.sc_row, dm.sc_col)
    else:
        ac_f64_matmul_batch(count, dm.m, dm.n, dm.k, a, sa_t, dm.sa_row, dm.sa_col,
                            b, sb_t, dm.sb_row, dm.sb_col, c, sc_t, dm.sc_row, dm.sc_col)


cdef void _gemm(const real *a, const real *b, const void *packed_b, real *c, Py_ssize_t rows,
                const Dims *dm, void *work) noexcept nogil:
    if real is float:
        if packed_b != NULL:
            ac_f32_gemm_packed(rows, dm.n, dm.k, 1, a, dm.sa_row, dm.sa_col, packed_b, 0,
                               c, dm.sc_row, dm.sc_col, work)
        else:
            ac_f32_gemm(rows, dm.n, dm.k, 1, a, dm.sa_row, dm.sa_col, b, dm.sb_row, dm.sb_col,
                        0, c, dm.sc_row, dm.sc_col, work)
    else:
        if packed_b != NULL:
            ac_f64_gemm_packed(rows, dm.n, dm.k, 1, a, dm.sa_row, dm.sa_col, packed_b, 0,
                               c, dm.sc_row, dm.sc_col, work)
        else:
            ac_f64_gemm(rows, dm.n, dm.k, 1, a, dm.sa_row, dm.sa_col, b, dm.sb_row, dm.sb_col,
                        0, c, dm.sc_row, dm.sc_col, work)


cdef int _fp_units(real *tag, FpJob *jb, size_t begin, size_t end) noexcept nogil:
    """Units [begin, end): batch items (small kernels), or row blocks of
    items (GEMM).  Non-zero when there was no workspace."""
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef const Batch *bt = jb.bt
    cdef const Dims *dm = jb.dm
    cdef Py_ssize_t u, item, row0, rows
    cdef void *work
    if not jb.use_gemm:
        batch_seek(bt, <Py_ssize_t>begin, idx, ptr)
        if bt.ndim == 1:
            # one coalesced batch dim: a single call walks the whole range
            _small(<real *>ptr[2], <real *>ptr[0], <real *>ptr[1], dm, <Py_ssize_t>(end - begin),
                   bt.strides[0][0] // <Py_ssize_t>sizeof(real),
                   bt.strides[1][0] // <Py_ssize_t>sizeof(real),
                   bt.strides[2][0] // <Py_ssize_t>sizeof(real))
            return 0
        for u in range(<Py_ssize_t>begin, <Py_ssize_t>end):
            _small(<real *>ptr[2], <real *>ptr[0], <real *>ptr[1], dm, 1, 0, 0, 0)
            batch_next(bt, idx, ptr)
        return 0
    work = thread_scratch(AC_GEMM_WORK_BYTES)
    if work == NULL:
        return 1
    for u in range(<Py_ssize_t>begin, <Py_ssize_t>end):
        item = u // jb.blocks
        row0 = (u % jb.blocks) * jb.rows
        rows = min(jb.rows, dm.m - row0)
        batch_seek(bt, item, idx, ptr)
        _gemm(<real *>ptr[0] + row0 * dm.sa_row, <real *>ptr[1], jb.packed_b,
              <real *>ptr[2] + row0 * dm.sc_row, rows, dm, work)
    return 0


cdef int _fp_chunk_f32(void *ctx, size_t chunk, size_t begin, size_t end,
                       int worker) noexcept nogil:
    return _fp_units(<float *>NULL, <FpJob *>ctx, begin, end)


cdef int _fp_chunk_f64(void *ctx, size_t chunk, size_t begin, size_t end,
                       int worker) noexcept nogil:
    return _fp_units(<double *>NULL, <FpJob *>ctx, begin, end)


cdef bint _b_shared(const Batch *bt) noexcept:
    """Whether every batch item has the same B (stride 0 in every batch dim)."""
    cdef int d
    for d in range(bt.ndim):
        if bt.shape[d] > 1 and bt.strides[1][d] != 0:
            return False
    return True


def fp(cnp.ndarray a, cnp.ndarray b, cnp.ndarray out, nthreads=1):
    """out = a @ b for float32 or float64 operands of one dtype."""
    cdef Batch bt
    cdef Dims dm = _dims(a, b, out)
    cdef FpJob jb
    cdef ac_rt_plan plan
    cdef size_t failed, units, packed_bytes = 0
    cdef long long threads = threads_arg(nthreads)
    cdef bint f32 = out.dtype.num == cnp.NPY_FLOAT
    cdef CostKind kind = COST_F32 if f32 else COST_F64
    cdef double item_ns
    cdef void *packed = NULL
    cdef Py_ssize_t itemsize = 4 if f32 else 8
    batch_init(&bt, (a, b, out), 2)
    jb.use_gemm = dm.m * dm.n * dm.k >= GEMM_MIN_MACS
    jb.blocks, jb.rows, jb.packed_b = 1, dm.m, NULL
    if not jb.use_gemm:
        item_ns = fp_small_matmul_ns(kind, 1, <double>dm.m, <double>dm.n, <double>dm.k)
        units = <size_t>bt.count
    else:
        if _b_shared(&bt) and bt.ndim == 1 and bt.count > 1 \
                and bt.strides[0][0] == dm.m * dm.sa_row * itemsize \
                and bt.strides[2][0] == dm.m * dm.sc_row * itemsize:
            # one B for every item and the items' rows evenly spaced in A and
            # C: one product of count * m rows (the same bits: rows never mix)
            dm.m *= bt.count
            bt.count = 1
        item_ns = gemm_ns(kind, 1, <double>dm.m, <double>dm.n, <double>dm.k)
        jb.blocks = _blocks(dm.m, GEMM_BLOCK_ROWS, item_ns)
        jb.rows = GEMM_BLOCK_ROWS if jb.blocks > 1 else dm.m
        units = <size_t>(bt.count * jb.blocks)
        if units > 1 and _b_shared(&bt):
            # every unit reads the same B: pack it once
            packed_bytes = (ac_f32_gemm_packed_b_bytes(dm.n, dm.k) if f32
                            else ac_f64_gemm_packed_b_bytes(dm.n, dm.k))
    jb.bt, jb.dm = &bt, &dm
    with nogil:
        if packed_bytes:
            packed = malloc(packed_bytes)   # NULL: every unit packs B itself
            if packed != NULL:
                if f32:
                    ac_f32_gemm_pack_b(dm.n, dm.k, <float *>bt.data[1], dm.sb_row, dm.sb_col,
                                       packed)
                else:
                    ac_f64_gemm_pack_b(dm.n, dm.k, <double *>bt.data[1], dm.sb_row, dm.sb_col,
                                       packed)
                jb.packed_b = packed
        plan = plan_loop(units, item_ns * <double>bt.count, threads)
        failed = run(&plan, _fp_chunk_f32 if f32 else _fp_chunk_f64, &jb)
        free(packed)
    if failed != plan.n_chunks:
        raise MemoryError("fp.matmul: no memory for the GEMM workspace")
