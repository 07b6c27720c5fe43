# The parallel runtime (pool.h, runtime.c): how every kernel module runs a
# loop over threads.  runtime.c is compiled into the runtime module alone, so
# a process has one pool and one set of globals however many kernel modules
# there are; they call it through the cdef functions below (Cython shares
# them through the module's C-API capsule), never through the C symbols.
#
# The pattern (see any kernel module): units = what a kernel does not split
# (elements, rows, batch items, blocks of query rows); est_ns = single-thread
# nanoseconds from the cost model in costs.pxd (never a clock); plan and run
# inside one `with nogil:`; the chunk callback is noexcept nogil and writes
# its report into a per-chunk slot; reports merge in chunk order up to the
# chunk `run` returns.  The chunking depends on (units, est_ns) only, so
# every result and report is the same for any thread count.
from libc.stdint cimport uint64_t

cdef extern from "pool.h" nogil:
    # types only: the functions are reached through the cdef functions below
    enum:
        AC_RT_HARD_MAX_THREADS
        AC_RT_MAX_CHUNKS
    ctypedef int (*ac_rt_chunk_fn)(void *ctx, size_t chunk, size_t begin, size_t end,
                                   int worker) noexcept nogil
    ctypedef struct ac_rt_plan:
        size_t n_units
        size_t chunk_units
        size_t n_chunks
        int threads

# Chunks of about 20 us of estimated work each, at most AC_RT_MAX_CHUNKS.
cdef ac_rt_plan plan_loop(size_t n_units, double est_ns, long long threads) noexcept nogil
# Chunks of chunk_units units each (a kernel's own blocks).
cdef ac_rt_plan plan_chunks(size_t n_units, size_t chunk_units, double est_ns,
                            long long threads) noexcept nogil
# Runs every chunk; returns the first (in chunk order) whose callback returned
# non-zero, or plan.n_chunks.  Every chunk before it has run.
cdef size_t run(const ac_rt_plan *plan, ac_rt_chunk_fn fn, void *ctx) noexcept nogil
# The calling thread's scratch: >= nbytes, 64-byte aligned, kept for the
# thread's life (NULL when memory runs out).  For chunk workspace.
cdef void *thread_scratch(size_t nbytes) noexcept nogil
# A thread-count setting (any Python int; the public setter checked it is
# >= 1) as the C runtime takes it: clamped to the hard cap before conversion,
# so 2**31 or 10**30 never overflow.
cdef long long threads_arg(object requested) except -1
