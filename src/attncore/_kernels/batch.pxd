# Walking the broadcast batch dimensions of several operands: every batched
# kernel (matmul, softmax, attention, linear algebra) shares this description;
# and running a loop on the runtime with one report per chunk, merged in
# chunk order (Chunks).
cimport numpy as cnp
from libc.stdlib cimport calloc, free

from attncore._kernels.core cimport AC_OK, ac_status, ac_tally
from attncore._kernels.runtime cimport ac_rt_chunk_fn, ac_rt_plan, plan_chunks, plan_loop, run

cdef enum:
    BATCH_MAX_OPERANDS = 8
    BATCH_MAX_DIMS = 64

cdef struct Batch:
    int nops
    int ndim                                            # coalesced batch dims (>= 1)
    Py_ssize_t count                                    # number of batch items
    Py_ssize_t shape[BATCH_MAX_DIMS]
    Py_ssize_t strides[BATCH_MAX_OPERANDS][BATCH_MAX_DIMS]   # bytes
    char *data[BATCH_MAX_OPERANDS]


cdef inline Py_ssize_t elem_stride(cnp.ndarray a, int axis_from_end):
    """Stride of dim ``ndim - axis_from_end`` in elements (0 when a lacks it)."""
    return a.strides[a.ndim - axis_from_end] // a.itemsize if a.ndim >= axis_from_end else 0


cdef inline Py_ssize_t _batch_stride(cnp.ndarray arr, int d, int core):
    """Byte stride of batch dim d, or 0 when the operand lacks that dim."""
    return arr.strides[d] if d < arr.ndim - core else 0


cdef inline int batch_init_cores(Batch *bt, tuple arrays, tuple core) except -1:
    """Describe the leading dims of ``arrays[0]`` (all but its ``core[0]``
    trailing ones) for every operand, operand k having ``core[k]`` trailing
    non-batch dims (identical batch dims, already broadcast); dims that are
    contiguous with their neighbour in every operand are merged.  Item order
    stays C order."""
    cdef cnp.ndarray first = arrays[0]
    cdef int nd = first.ndim - <int>core[0]
    cdef int k, d
    cdef Py_ssize_t extent
    bt.nops = len(arrays)
    bt.ndim = 0
    bt.count = 1
    for k in range(bt.nops):
        bt.data[k] = <char *>cnp.PyArray_DATA(arrays[k])
    for d in range(nd):
        extent = first.shape[d]
        bt.count *= extent
        if extent == 1:
            continue
        if bt.ndim > 0:
            for k in range(bt.nops):
                if _batch_stride(arrays[k], d, core[k]) * extent != bt.strides[k][bt.ndim - 1]:
                    break
            else:
                bt.shape[bt.ndim - 1] *= extent
                for k in range(bt.nops):
                    bt.strides[k][bt.ndim - 1] = _batch_stride(arrays[k], d, core[k])
                continue
        bt.shape[bt.ndim] = extent
        for k in range(bt.nops):
            bt.strides[k][bt.ndim] = _batch_stride(arrays[k], d, core[k])
        bt.ndim += 1
    if bt.ndim == 0:
        bt.ndim = 1
        bt.shape[0] = 1
        for k in range(bt.nops):
            bt.strides[k][0] = 0
    return 0


cdef inline int batch_init(Batch *bt, tuple arrays, int core_dims) except -1:
    """batch_init_cores with ``core_dims`` trailing dims in every operand."""
    return batch_init_cores(bt, arrays, (core_dims,) * len(arrays))


cdef inline void batch_seek(const Batch *bt, Py_ssize_t item, Py_ssize_t *idx,
                            char **ptr) noexcept nogil:
    """Pointers to batch item ``item`` (C order)."""
    cdef int d, k
    for k in range(bt.nops):
        ptr[k] = bt.data[k]
    for d in range(bt.ndim - 1, -1, -1):
        idx[d] = item % bt.shape[d]
        item = item // bt.shape[d]
        for k in range(bt.nops):
            ptr[k] += idx[d] * bt.strides[k][d]


cdef inline void batch_next(const Batch *bt, Py_ssize_t *idx, char **ptr) noexcept nogil:
    """Advance ``idx``/``ptr`` to the next batch item."""
    cdef int d = bt.ndim - 1, k
    while d >= 0:
        idx[d] += 1
        for k in range(bt.nops):
            ptr[k] += bt.strides[k][d]
        if idx[d] < bt.shape[d] or d == 0:
            return
        for k in range(bt.nops):
            ptr[k] -= bt.shape[d] * bt.strides[k][d]
        idx[d] = 0
        d -= 1


cdef inline tuple merge_reports(ac_tally *tallies, ac_status *statuses, Py_ssize_t nchunks):
    """Combine per-range reports, in range order, into
    ``(status, events, first_index, first_status, stop_index)``: the result
    depends on where events are, never on how the work was split."""
    cdef ac_status status = AC_OK
    cdef size_t events = 0, first = 0, stop = 0
    cdef ac_status first_status = AC_OK
    cdef Py_ssize_t c
    for c in range(nchunks):
        if tallies[c].events:
            if events == 0:
                first = tallies[c].first_index
                first_status = tallies[c].first_status
            events += tallies[c].events
        if statuses[c] != AC_OK:
            status = statuses[c]
            stop = tallies[c].last_index
            break
    return (<int>status, events, first, <int>first_status, stop)


cdef struct Chunks:
    # a loop on the runtime whose chunks each leave a report
    ac_rt_plan plan
    ac_tally *tallies       # per chunk, zeroed (a chunk that never ran reports nothing)
    ac_status *statuses
    size_t failed           # first failing chunk in chunk order, or plan.n_chunks


cdef inline void chunks_free(Chunks *ch) noexcept nogil:
    free(ch.tallies)
    free(ch.statuses)
    ch.tallies = NULL
    ch.statuses = NULL


cdef inline bint chunks_run(Chunks *ch, size_t n_units, size_t chunk_units, double est_ns,
                            long long threads, ac_rt_chunk_fn fn, void *ctx) noexcept nogil:
    """Plan (chunk_units 0: the runtime's ~20 us chunks; else fixed chunks),
    give every chunk a zeroed report, run.  False when the reports could not
    be allocated (nothing ran).  Call chunks_report afterwards, with the GIL."""
    if chunk_units == 0:
        ch.plan = plan_loop(n_units, est_ns, threads)
    else:
        ch.plan = plan_chunks(n_units, chunk_units, est_ns, threads)
    ch.tallies = <ac_tally *>calloc(ch.plan.n_chunks + 1, sizeof(ac_tally))
    ch.statuses = <ac_status *>calloc(ch.plan.n_chunks + 1, sizeof(ac_status))
    if ch.tallies == NULL or ch.statuses == NULL:
        chunks_free(ch)
        return False
    ch.failed = run(&ch.plan, fn, ctx)
    return True


cdef inline tuple chunks_report(Chunks *ch, bint ok):
    """The merged report of a chunks_run (see merge_reports); frees it."""
    if not ok:
        raise MemoryError("attncore: no memory for the per-chunk reports")
    try:
        return merge_reports(ch.tallies, ch.statuses, <Py_ssize_t>ch.plan.n_chunks)
    finally:
        chunks_free(ch)
