# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Loops and dispatch for scaled dot-product attention.

The Python layer hands over ``q (batch..., L, E)``, ``k (batch..., S, E)``,
``v (batch..., S, Ev)``, ``out (batch..., L, Ev)``, an optional mask
``(batch..., L, S)`` (uint8 keep flags, or additive values of the float
dtype) and optional ``weights (batch..., L, S)``, all with identical
(broadcast) batch shapes and any strides.  The runtime's units are blocks of
query rows of one batch item; each output row is computed by one thread in
a fixed order, so results do not depend on the thread count.

Float: per block, the keys are walked in tiles of FP_TILE_KEYS; two GEMM
calls per tile (scores = scale * Q K^T, acc += P V, attncore/fp_gemm.h)
bracket the C core's online-softmax step, so only a block of scores exists
at a time.  A row's operations depend on the tiles (fixed) and not on the
rows beside it (the GEMM's contract; with causality, each tile is applied
only to the rows that see one of its keys), so the block size changes no
result either.  Q16.16: the C core's exact kernel per block of rows.
"""
cimport numpy as cnp
from libc.math cimport INFINITY
from libc.stdint cimport uint64_t

from attncore._kernels.batch cimport *
from attncore._kernels.core cimport *
from attncore._kernels.costs cimport *
from attncore._kernels.runtime cimport ac_rt_plan, plan_loop, run, thread_scratch, threads_arg

import numpy as np

cnp.import_array()

cdef enum:
    # Query rows per float work unit (a multiple of the GEMM's 6-row tile)
    # and keys per tile: a 96 x 256 score tile stays in L2 between its two
    # GEMM calls, and each K and V tile is packed once per 96 rows.
    FP_BLOCK_ROWS = 96
    FP_TILE_KEYS = 256
    # Query rows per Q16.16 work unit: the kernel scans K once per call for
    # its exact-path bound, which must stay small next to the rows' dots.
    Q16_BLOCK_ROWS = 32

cdef enum:
    OP_Q = 0
    OP_K = 1
    OP_V = 2
    OP_OUT = 3
    OP_MASK = 4
    OP_WEIGHTS = 5


cdef struct Dims:
    Py_ssize_t l, s, e, ev
    Py_ssize_t sq, sk, sv, so_row, so_col      # row strides (elements)
    Py_ssize_t sm_row, sm_col, sw_row, sw_col  # mask (elements of its type), weights
    Py_ssize_t sq_col, sk_col, sv_col          # column strides


cdef Dims _dims(cnp.ndarray q, cnp.ndarray k, cnp.ndarray v, cnp.ndarray out, mask, weights):
    cdef Dims d
    d.l = q.shape[q.ndim - 2]
    d.e = q.shape[q.ndim - 1]
    d.s = k.shape[k.ndim - 2]
    d.ev = v.shape[v.ndim - 1]
    d.sq, d.sq_col = elem_stride(q, 2), elem_stride(q, 1)
    d.sk, d.sk_col = elem_stride(k, 2), elem_stride(k, 1)
    d.sv, d.sv_col = elem_stride(v, 2), elem_stride(v, 1)
    d.so_row, d.so_col = elem_stride(out, 2), elem_stride(out, 1)
    d.sm_row = d.sm_col = d.sw_row = d.sw_col = 0
    if mask is not None:
        d.sm_row, d.sm_col = elem_stride(mask, 2), elem_stride(mask, 1)
    if weights is not None:
        d.sw_row, d.sw_col = elem_stride(weights, 2), elem_stride(weights, 1)
    return d


cdef tuple _operands(q, k, v, out, mask, weights):
    # absent operands are stood in for by `out` (never read through)
    return (q, k, v, out, mask if mask is not None else out,
            weights if weights is not None else out)


# ---- float ----------------------------------------------------------------

cdef struct FpJob:
    const Batch *bt
    const Dims *dm
    Py_ssize_t blocks
    int mask_kind            # 0 none, 1 bool keep flags, 2 additive
    bint causal
    bint with_weights
    double scale


cdef void _scores(const real *q, const real *k, real *p, Py_ssize_t rows, Py_ssize_t cols,
                  Py_ssize_t ldp, const Dims *dm, real scale, void *work) noexcept nogil:
    """p (rows x cols) = scale * Q K^T for the block's rows and the tile's keys."""
    if real is float:
        ac_f32_gemm(rows, cols, dm.e, scale, q, dm.sq, dm.sq_col, k, dm.sk_col, dm.sk, 0,
                    p, ldp, 1, work)
    else:
        ac_f64_gemm(rows, cols, dm.e, scale, q, dm.sq, dm.sq_col, k, dm.sk_col, dm.sk, 0,
                    p, ldp, 1, work)


cdef void _accumulate(const real *p, Py_ssize_t ldp, const real *v, real *acc, Py_ssize_t rows,
                      Py_ssize_t cols, Py_ssize_t ld_acc, const Dims *dm,
                      void *work) noexcept nogil:
    """acc (rows x ev) += P V for the tile's keys."""
    if real is float:
        ac_f32_gemm(rows, dm.ev, cols, 1, p, ldp, 1, v, dm.sv, dm.sv_col, 1, acc, ld_acc, 1,
                    work)
    else:
        ac_f64_gemm(rows, dm.ev, cols, 1, p, ldp, 1, v, dm.sv, dm.sv_col, 1, acc, ld_acc, 1,
                    work)


cdef int _fp_unit(real *tag, const FpJob *jb, Py_ssize_t unit) noexcept nogil:
    """Query rows [row0, row0 + rows) of one batch item.  Non-zero when there
    was no workspace."""
    cdef const Dims *dm = jb.dm
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef Py_ssize_t item = unit // jb.blocks
    cdef Py_ssize_t row0 = (unit % jb.blocks) * FP_BLOCK_ROWS
    cdef Py_ssize_t rows = min(<Py_ssize_t>FP_BLOCK_ROWS, dm.l - row0)
    cdef Py_ssize_t tile = dm.s if jb.with_weights else FP_TILE_KEYS
    cdef Py_ssize_t keys = dm.s, col0, cols, r, skip, nr
    cdef Py_ssize_t ld_acc = max(dm.ev, 1)
    cdef Py_ssize_t ldp
    cdef real *p
    cdef ac_attention_masks masks
    cdef ac_attention_bias bias
    cdef real scale = <real>jb.scale
    cdef real neg_inf = -INFINITY
    # the thread's scratch: the GEMM's work, then acc, row max, row sum, the score tile
    cdef size_t gemm_bytes = (<size_t>AC_GEMM_WORK_BYTES + 63) // 64 * 64
    cdef size_t n_real = <size_t>(FP_BLOCK_ROWS * (ld_acc + 2 + (0 if jb.with_weights
                                                                  else FP_TILE_KEYS)))
    cdef char *ws = <char *>thread_scratch(gemm_bytes + n_real * sizeof(real))
    if ws == NULL:
        return 1
    cdef real *acc = <real *>(ws + gemm_bytes)
    cdef real *row_max = acc + FP_BLOCK_ROWS * ld_acc
    cdef real *row_sum = row_max + FP_BLOCK_ROWS
    batch_seek(jb.bt, item, idx, ptr)
    if jb.with_weights:
        p = <real *>ptr[OP_WEIGHTS] + row0 * dm.sw_row
        ldp = max(dm.sw_row, 1)
    else:
        p = row_sum + FP_BLOCK_ROWS
        ldp = FP_TILE_KEYS
        if jb.causal:
            # the block's last query sees keys up to its own index: later
            # tiles are fully masked and skipped
            keys = min(dm.s, row0 + rows)
    for r in range(rows):
        row_max[r] = neg_inf
        row_sum[r] = 0
    for r in range(rows * ld_acc):
        acc[r] = 0
    masks.causal = jb.causal
    masks.keep = NULL
    masks.keep_row = dm.sm_row
    masks.keep_col = dm.sm_col
    bias.values = NULL
    bias.row = dm.sm_row
    bias.col = dm.sm_col
    col0 = 0
    while col0 < keys:
        cols = min(tile, keys - col0)
        # causal: rows before the tile's first key see none of it and are
        # left alone, so a row's result never depends on its block
        skip = min(rows, col0 - row0) if jb.causal and col0 > row0 else 0
        nr = rows - skip
        masks.row0 = <size_t>(row0 + skip)
        masks.col0 = <size_t>col0
        if jb.mask_kind == 1:
            masks.keep = (<const unsigned char *>ptr[OP_MASK] + (row0 + skip) * dm.sm_row
                          + col0 * dm.sm_col)
        elif jb.mask_kind == 2:
            bias.values = <real *>ptr[OP_MASK] + (row0 + skip) * dm.sm_row + col0 * dm.sm_col
        _scores(<real *>ptr[OP_Q] + (row0 + skip) * dm.sq, <real *>ptr[OP_K] + col0 * dm.sk,
                p + skip * ldp, nr, cols, ldp, dm, scale, ws)
        if real is float:
            ac_f32_attention_tile(nr, cols, p + skip * ldp, ldp, &masks, &bias, row_max + skip,
                                  row_sum + skip, acc + skip * ld_acc, ld_acc, dm.ev)
        else:
            ac_f64_attention_tile(nr, cols, p + skip * ldp, ldp, &masks, &bias, row_max + skip,
                                  row_sum + skip, acc + skip * ld_acc, ld_acc, dm.ev)
        _accumulate(p + skip * ldp, ldp, <real *>ptr[OP_V] + col0 * dm.sv, acc + skip * ld_acc,
                    nr, cols, ld_acc, dm, ws)
        col0 += cols
    if real is float:
        ac_f32_attention_finish(rows, dm.ev, acc, ld_acc, row_sum,
                                <float *>ptr[OP_OUT] + row0 * dm.so_row, dm.so_row, dm.so_col)
        if jb.with_weights:
            ac_f32_attention_normalize(rows, dm.s, p, ldp, row_sum)
    else:
        ac_f64_attention_finish(rows, dm.ev, acc, ld_acc, row_sum,
                                <double *>ptr[OP_OUT] + row0 * dm.so_row, dm.so_row, dm.so_col)
        if jb.with_weights:
            ac_f64_attention_normalize(rows, dm.s, p, ldp, row_sum)
    return 0


cdef int _fp_chunk_f32(void *ctx, size_t chunk, size_t begin, size_t end,
                       int worker) noexcept nogil:
    cdef size_t u
    for u in range(begin, end):
        if _fp_unit(<float *>NULL, <FpJob *>ctx, <Py_ssize_t>u):
            return 1
    return 0


cdef int _fp_chunk_f64(void *ctx, size_t chunk, size_t begin, size_t end,
                       int worker) noexcept nogil:
    cdef size_t u
    for u in range(begin, end):
        if _fp_unit(<double *>NULL, <FpJob *>ctx, <Py_ssize_t>u):
            return 1
    return 0


def fp(cnp.ndarray q, cnp.ndarray k, cnp.ndarray v, cnp.ndarray out, mask, int mask_kind,
       bint causal, double scale, weights, nthreads=1):
    """Float attention into ``out`` (and ``weights`` when given).  Any
    strides, except that weights rows must be contiguous."""
    cdef Batch bt
    cdef Dims dm = _dims(q, k, v, out, mask, weights)
    cdef FpJob jb
    cdef ac_rt_plan plan
    cdef size_t failed
    cdef long long threads = threads_arg(nthreads)
    cdef bint f32 = out.dtype.num == cnp.NPY_FLOAT
    if weights is not None and dm.s > 1 and dm.sw_col != 1:
        raise ValueError("attention weights are written as contiguous rows")
    batch_init(&bt, _operands(q, k, v, out, mask, weights), 2)
    jb.bt, jb.dm, jb.mask_kind, jb.causal, jb.scale = &bt, &dm, mask_kind, causal, scale
    jb.with_weights = weights is not None
    jb.blocks = (dm.l + FP_BLOCK_ROWS - 1) // FP_BLOCK_ROWS
    cdef double est = fp_attention_ns(COST_F32 if f32 else COST_F64, <double>bt.count,
                                      <double>dm.l, <double>dm.s, <double>dm.e, <double>dm.ev)
    with nogil:
        plan = plan_loop(<size_t>(bt.count * jb.blocks), est, threads)
        failed = run(&plan, _fp_chunk_f32 if f32 else _fp_chunk_f64, &jb)
    if failed != plan.n_chunks:
        raise MemoryError("fp.scaled_dot_product_attention: no memory for the workspace")


# ---- Q16.16 ---------------------------------------------------------------

cdef ac_status _q16_unit(const Batch *bt, const Dims *dm, Py_ssize_t unit, Py_ssize_t blocks,
                         Py_ssize_t block_rows, bint has_mask, bint causal, ac_q16 scale,
                         bint with_weights, ac_rounding rnd, uint64_t *work) noexcept nogil:
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef Py_ssize_t item = unit // blocks
    cdef Py_ssize_t row0 = (unit % blocks) * block_rows
    cdef Py_ssize_t rows = min(block_rows, dm.l - row0)
    cdef ac_attention_masks masks
    batch_seek(bt, item, idx, ptr)
    masks.row0 = <size_t>row0
    masks.col0 = 0
    masks.causal = causal
    masks.keep = <const unsigned char *>ptr[OP_MASK] + row0 * dm.sm_row if has_mask else NULL
    masks.keep_row = dm.sm_row
    masks.keep_col = dm.sm_col
    return ac_q16_attention(
        rows, dm.s, dm.e, dm.ev,
        <ac_q16 *>ptr[OP_Q] + row0 * dm.sq, dm.sq, dm.sq_col,
        <ac_q16 *>ptr[OP_K], dm.sk, dm.sk_col,
        <ac_q16 *>ptr[OP_V], dm.sv, dm.sv_col,
        &masks, scale,
        <ac_q16 *>ptr[OP_OUT] + row0 * dm.so_row, dm.so_row, dm.so_col,
        <ac_q16 *>ptr[OP_WEIGHTS] + row0 * dm.sw_row if with_weights else NULL,
        dm.sw_row, dm.sw_col, rnd, work)


cdef struct Q16Job:
    const Batch *bt
    const Dims *dm
    Py_ssize_t blocks, block_rows
    bint has_mask, causal, with_weights
    ac_q16 scale
    ac_rounding rnd
    size_t work_bytes
    int *statuses            # per unit
    bint no_memory


cdef int _q16_chunk(void *ctx, size_t chunk, size_t begin, size_t end,
                    int worker) noexcept nogil:
    cdef Q16Job *jb = <Q16Job *>ctx
    cdef size_t u
    cdef uint64_t *work = <uint64_t *>thread_scratch(jb.work_bytes)
    if work == NULL:
        jb.no_memory = True
        return 1
    for u in range(begin, end):
        jb.statuses[u] = _q16_unit(jb.bt, jb.dm, <Py_ssize_t>u, jb.blocks, jb.block_rows,
                                   jb.has_mask, jb.causal, jb.scale, jb.with_weights, jb.rnd,
                                   work)
        if jb.statuses[u] != AC_OK:
            return 1
    return 0


def q16(cnp.ndarray q, cnp.ndarray k, cnp.ndarray v, cnp.ndarray out, mask, bint causal,
        int scale, weights, int rnd, nthreads=1):
    """Q16.16 attention into ``out`` (and ``weights``); any strides.  Returns
    the C status of the first unit that failed (AC_OK when none did) and its
    batch item."""
    cdef Batch bt
    cdef Dims dm = _dims(q, k, v, out, mask, weights)
    cdef Q16Job jb
    cdef ac_rt_plan plan
    cdef long long threads = threads_arg(nthreads)
    batch_init(&bt, _operands(q, k, v, out, mask, weights), 2)
    jb.bt, jb.dm, jb.has_mask, jb.causal = &bt, &dm, mask is not None, causal
    jb.with_weights, jb.scale, jb.rnd = weights is not None, <ac_q16>scale, <ac_rounding>rnd
    jb.block_rows = max(1, min(dm.l, <Py_ssize_t>Q16_BLOCK_ROWS))
    jb.blocks = (dm.l + jb.block_rows - 1) // jb.block_rows
    jb.work_bytes = max(<size_t>AC_Q16_ATTENTION_WORK(dm.s, dm.ev), 1) * sizeof(uint64_t)
    jb.no_memory = False
    cdef Py_ssize_t units = bt.count * jb.blocks
    cdef cnp.ndarray statuses = np.zeros(units, dtype=np.intc)
    jb.statuses = <int *>cnp.PyArray_DATA(statuses)
    cdef double est = q16_attention_ns(<double>bt.count, <double>dm.l, <double>dm.s,
                                       <double>dm.e, <double>dm.ev)
    with nogil:
        plan = plan_loop(<size_t>units, est, threads)
        run(&plan, _q16_chunk, &jb)
    if jb.no_memory:
        raise MemoryError("q16.scaled_dot_product_attention: no memory for the workspace")
    # every unit before the first failing chunk ran: the first failure in
    # unit order is the one a single thread stops at
    bad = np.flatnonzero(statuses)
    return (int(statuses[bad[0]]), int(bad[0] // jb.blocks)) if bad.size else (0, 0)
