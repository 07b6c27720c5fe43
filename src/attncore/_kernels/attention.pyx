# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Loops and dispatch for scaled dot-product attention.

The Python layer hands over ``q (batch..., L, E)``, ``k (batch..., S, E)``,
``v (batch..., S, Ev)``, ``out (batch..., L, Ev)``, an optional mask
``(batch..., L, S)`` (uint8 keep flags, or additive values of the float
dtype) and optional ``weights (batch..., L, S)``, all with identical
(broadcast) batch shapes.  Work units are blocks of query rows of one batch
item; threads take them dynamically, and each output row is computed by one
thread in a fixed order, so results do not depend on the thread count.

Float: per block, the keys are walked in tiles; two gemm calls per tile
(scores = scale * Q K^T, acc += P V) bracket the C core's online-softmax
step, so only a block of scores exists at a time.  Q16.16: the C core's
exact kernel per block of rows.
"""
cimport numpy as cnp
from cython.parallel cimport prange, threadid
from libc.math cimport INFINITY

from attncore._kernels.batch cimport *
from attncore._kernels.blas cimport blas_rows, gemm, pin_blas, unpin_blas
from attncore._kernels.core cimport *

import numpy as np

cnp.import_array()

cdef enum:
    # Query rows per work unit and keys per tile: a 256 x 256 float32 score
    # tile (256 KiB) stays in L2 between its two gemm calls, and 256 query
    # rows halve how often gemm repacks each K and V tile (128 x 512 was
    # 10-20% slower on this 2-core Xeon; 64 rows: packing dominates).
    FP_BLOCK_ROWS = 256
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
    Py_ssize_t sq, sk, sv, so_row, so_col     # row strides (elements); q/k/v columns are unit
    Py_ssize_t sm_row, sm_col, sw_row          # mask (elements of its type), weights
    Py_ssize_t sq_col, sk_col, sv_col, sw_col  # q16 reads any strides


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

cdef void _fp_unit(real *tag, const Batch *bt, const Dims *dm, Py_ssize_t unit,
                   Py_ssize_t blocks, int mask_kind, bint causal, real scale,
                   bint with_weights, real *ws) noexcept nogil:
    """Query rows [row0, row0 + rows) of one batch item.  mask_kind: 0 none,
    1 bool keep flags, 2 additive."""
    cdef Py_ssize_t idx[BATCH_MAX_DIMS]
    cdef char *ptr[BATCH_MAX_OPERANDS]
    cdef Py_ssize_t item = unit // blocks
    cdef Py_ssize_t row0 = (unit % blocks) * FP_BLOCK_ROWS
    cdef Py_ssize_t rows = min(<Py_ssize_t>FP_BLOCK_ROWS, dm.l - row0)
    cdef Py_ssize_t tile = dm.s if with_weights else FP_TILE_KEYS
    cdef Py_ssize_t keys = dm.s, col0, cols, r
    cdef real *p
    cdef int ldp
    cdef int ld_acc = <int>max(dm.ev, 1)
    cdef real *acc = ws
    cdef real *row_max = acc + FP_BLOCK_ROWS * ld_acc
    cdef real *row_sum = row_max + FP_BLOCK_ROWS
    cdef ac_attention_masks masks
    cdef ac_attention_bias bias
    cdef char op_t = b'T', op_n = b'N'
    cdef real zero = 0, one = 1
    cdef real neg_inf = -INFINITY
    batch_seek(bt, item, idx, ptr)
    if with_weights:
        p = <real *>ptr[OP_WEIGHTS] + row0 * dm.sw_row
        ldp = <int>max(dm.sw_row, 1)
    else:
        p = row_sum + FP_BLOCK_ROWS
        ldp = FP_TILE_KEYS
        if causal:
            # the block's last query sees keys up to its own index: later
            # tiles are fully masked and skipped
            keys = min(dm.s, row0 + rows)
    for r in range(rows):
        row_max[r] = neg_inf
        row_sum[r] = 0
    for r in range(rows * ld_acc):
        acc[r] = 0
    masks.row0 = <size_t>row0
    masks.causal = causal
    masks.keep = NULL
    masks.keep_row = dm.sm_row
    masks.keep_col = dm.sm_col
    bias.values = NULL
    bias.row = dm.sm_row
    bias.col = dm.sm_col
    col0 = 0
    while col0 < keys:
        cols = min(tile, keys - col0)
        masks.col0 = <size_t>col0
        if mask_kind == 1:
            masks.keep = <const unsigned char *>ptr[OP_MASK] + row0 * dm.sm_row + col0 * dm.sm_col
        elif mask_kind == 2:
            bias.values = <real *>ptr[OP_MASK] + row0 * dm.sm_row + col0 * dm.sm_col
        # scores (row-major rows x cols) = scale * Q K^T, as the column-major
        # cols x rows product K Q^T
        gemm(op_t, op_n, <int>cols, <int>rows, <int>dm.e, scale,
             <real *>ptr[OP_K] + col0 * dm.sk, <int>max(dm.sk, max(dm.e, 1)),
             <real *>ptr[OP_Q] + row0 * dm.sq, <int>max(dm.sq, max(dm.e, 1)), zero, p, ldp)
        if real is float:
            ac_f32_attention_tile(rows, cols, p, ldp, &masks, &bias, row_max, row_sum, acc,
                                  ld_acc, dm.ev)
        else:
            ac_f64_attention_tile(rows, cols, p, ldp, &masks, &bias, row_max, row_sum, acc,
                                  ld_acc, dm.ev)
        # acc (row-major rows x ev) += P V, as the column-major ev x rows V^T P^T
        gemm(op_n, op_n, <int>dm.ev, <int>rows, <int>cols, one,
             <real *>ptr[OP_V] + col0 * dm.sv, <int>max(dm.sv, max(dm.ev, 1)), p, ldp, one,
             acc, ld_acc)
        col0 += cols
    if real is float:
        ac_f32_attention_finish(rows, dm.ev, acc, ld_acc, row_sum,
                                <float *>ptr[OP_OUT] + row0 * dm.so_row, dm.so_row, dm.so_col)
        if with_weights:
            ac_f32_attention_normalize(rows, dm.s, p, ldp, row_sum)
    else:
        ac_f64_attention_finish(rows, dm.ev, acc, ld_acc, row_sum,
                                <double *>ptr[OP_OUT] + row0 * dm.so_row, dm.so_row, dm.so_col)
        if with_weights:
            ac_f64_attention_normalize(rows, dm.s, p, ldp, row_sum)


cdef _fp_run(real *tag, cnp.ndarray q, cnp.ndarray k, cnp.ndarray v, cnp.ndarray out,
             mask, int mask_kind, bint causal, double scale, weights, int nthreads):
    cdef Batch bt
    cdef Dims dm = _dims(q, k, v, out, mask, weights)
    cdef Py_ssize_t blocks = (dm.l + FP_BLOCK_ROWS - 1) // FP_BLOCK_ROWS
    cdef Py_ssize_t units, u, ws_size
    cdef bint with_weights = weights is not None
    cdef real scale_t = <real>scale
    cdef int nt
    batch_init(&bt, _operands(q, k, v, out, mask, weights), 2)
    units = bt.count * blocks
    nt = <int>max(1, min(<Py_ssize_t>nthreads, units, BATCH_MAX_THREADS))
    # per thread: acc, row max, row sum, and (without weights) one score tile
    ws_size = FP_BLOCK_ROWS * (max(dm.ev, 1) + 2 + (0 if with_weights else FP_TILE_KEYS))
    cdef cnp.ndarray workspace = np.empty(nt * ws_size, dtype=out.dtype)
    cdef real *ws = <real *>cnp.PyArray_DATA(workspace)
    pin_blas()
    try:
        with nogil:
            if nt == 1:
                for u in range(units):
                    _fp_unit(tag, &bt, &dm, u, blocks, mask_kind, causal, scale_t, with_weights,
                             ws)
            else:
                for u in prange(units, num_threads=nt, schedule="dynamic", chunksize=1):
                    _fp_unit(tag, &bt, &dm, u, blocks, mask_kind, causal, scale_t, with_weights,
                             ws + threadid() * ws_size)
    finally:
        unpin_blas()


def fp(cnp.ndarray q, cnp.ndarray k, cnp.ndarray v, cnp.ndarray out, mask, int mask_kind,
       bint causal, double scale, weights, int nthreads=1):
    """Float attention into ``out`` (and ``weights`` when given).  q, k and v
    go to BLAS as stored when it can read their rows, else as C-contiguous
    copies; out, mask and weights may have any strides, except that weights
    rows must be contiguous."""
    cdef float f_tag = 0
    cdef double d_tag = 0
    q, k, v = blas_rows(q), blas_rows(k), blas_rows(v)
    if weights is not None and weights.strides[weights.ndim - 1] != weights.itemsize:
        raise ValueError("attention weights are written as contiguous rows")
    if out.dtype.num == cnp.NPY_FLOAT:
        _fp_run(&f_tag, q, k, v, out, mask, mask_kind, causal, scale, weights, nthreads)
    else:
        _fp_run(&d_tag, q, k, v, out, mask, mask_kind, causal, scale, weights, nthreads)


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


def q16(cnp.ndarray q, cnp.ndarray k, cnp.ndarray v, cnp.ndarray out, mask, bint causal,
        int scale, weights, int rnd, int nthreads=1):
    """Q16.16 attention into ``out`` (and ``weights``); any strides.  Returns
    the C status of the first unit that failed (AC_OK when none did)."""
    cdef Batch bt
    cdef Dims dm = _dims(q, k, v, out, mask, weights)
    cdef Py_ssize_t block_rows = max(1, min(dm.l, <Py_ssize_t>Q16_BLOCK_ROWS))
    cdef Py_ssize_t blocks = (dm.l + block_rows - 1) // block_rows
    cdef Py_ssize_t units, u
    cdef bint has_mask = mask is not None, with_weights = weights is not None
    cdef int nt
    cdef ac_status status = AC_OK
    batch_init(&bt, _operands(q, k, v, out, mask, weights), 2)
    units = bt.count * blocks
    nt = <int>max(1, min(<Py_ssize_t>nthreads, units, BATCH_MAX_THREADS))
    cdef size_t work_size = AC_Q16_ATTENTION_WORK(dm.s, dm.ev)
    cdef cnp.ndarray work = np.empty(nt * max(work_size, 1), dtype=np.uint64)
    cdef uint64_t *wp = <uint64_t *>cnp.PyArray_DATA(work)
    cdef cnp.ndarray statuses = np.zeros(units, dtype=np.intc)
    cdef int *st = <int *>cnp.PyArray_DATA(statuses)
    with nogil:
        if nt == 1:
            for u in range(units):
                st[u] = _q16_unit(&bt, &dm, u, blocks, block_rows, has_mask, causal,
                                  <ac_q16>scale, with_weights, <ac_rounding>rnd, wp)
        else:
            for u in prange(units, num_threads=nt, schedule="dynamic", chunksize=1):
                st[u] = _q16_unit(&bt, &dm, u, blocks, block_rows, has_mask, causal,
                                  <ac_q16>scale, with_weights, <ac_rounding>rnd,
                                  wp + threadid() * work_size)
    bad = np.flatnonzero(statuses)
    return (int(statuses[bad[0]]), int(bad[0] // blocks)) if bad.size else (0, 0)
