# cython: language_level=3
"""The process's one parallel runtime (runtime.c is compiled into this
module only): the cdef functions declared in runtime.pxd for the kernel
modules, and a few Python functions for tests and benchmarks."""
from libc.stdint cimport uint64_t

cdef extern from "pool.h" nogil:
    ac_rt_plan ac_rt_plan_loop(size_t n_units, uint64_t est_ns_total, long long max_threads)
    ac_rt_plan ac_rt_plan_chunks(size_t n_units, size_t chunk_units, uint64_t est_ns_total,
                                 long long max_threads)
    size_t ac_rt_run(const ac_rt_plan *plan, ac_rt_chunk_fn fn, void *ctx)
    void *ac_rt_thread_scratch(size_t nbytes)
    int ac_rt_cpu_count()
    int ac_rt_clamp_threads(long long requested)
    uint64_t ac_rt_grain_ns()
    void ac_rt_set_grain_ns(uint64_t ns)
    ctypedef struct ac_rt_stats:
        uint64_t jobs_pooled
        uint64_t jobs_inline
        uint64_t jobs_busy
        uint64_t chunks_by_helpers
        uint64_t helper_joins
        uint64_t futex_wakes
        uint64_t caller_sleeps
        int helpers
        uint64_t wake_ns_median
        uint64_t max_wait_ns
        uint64_t stall_ns_now
    void ac_rt_get_stats(ac_rt_stats *out)


cdef inline uint64_t _ns(double est_ns) noexcept nogil:
    # the cost model's estimate, saturated (a huge shape must not wrap to a
    # small estimate); NaN cannot occur (sizes times positive constants)
    if est_ns <= 0:
        return 0
    if est_ns >= 1.8e19:
        return <uint64_t>18000000000000000000ULL
    return <uint64_t>est_ns


cdef ac_rt_plan plan_loop(size_t n_units, double est_ns, long long threads) noexcept nogil:
    return ac_rt_plan_loop(n_units, _ns(est_ns), threads)


cdef ac_rt_plan plan_chunks(size_t n_units, size_t chunk_units, double est_ns,
                            long long threads) noexcept nogil:
    return ac_rt_plan_chunks(n_units, chunk_units, _ns(est_ns), threads)


cdef size_t run(const ac_rt_plan *plan, ac_rt_chunk_fn fn, void *ctx) noexcept nogil:
    return ac_rt_run(plan, fn, ctx)


cdef void *thread_scratch(size_t nbytes) noexcept nogil:
    return ac_rt_thread_scratch(nbytes)


cdef long long threads_arg(object requested) except -1:
    return min(int(requested), <long long>AC_RT_HARD_MAX_THREADS)


# ---- for tests and benchmarks ---------------------------------------------

HARD_MAX_THREADS = AC_RT_HARD_MAX_THREADS
MAX_CHUNKS = AC_RT_MAX_CHUNKS


def cpu_count():
    """CPUs this process may run on (its affinity mask), capped at
    HARD_MAX_THREADS: the most threads a call uses."""
    return ac_rt_cpu_count()


def clamp_threads(requested):
    """The thread count a call asked for ``requested`` threads may use."""
    return ac_rt_clamp_threads(threads_arg(requested))


def grain_ns():
    """Single-thread nanoseconds of work per thread below which a loop runs
    on the calling thread (measured once per process on first use)."""
    cdef uint64_t g
    with nogil:
        g = ac_rt_grain_ns()
    return g


def set_grain_ns(uint64_t ns):
    """Pin the grain (tests use a tiny one to force threads on small work);
    0 forgets the setting.  A pinned grain also turns the stall defence off."""
    ac_rt_set_grain_ns(ns)


def plan(size_t n_units, double est_ns, threads):
    """``(chunk_units, n_chunks, threads)`` for a loop of ``n_units`` units
    costing ``est_ns`` single-thread nanoseconds."""
    cdef long long t = threads_arg(threads)
    cdef ac_rt_plan p
    with nogil:
        p = plan_loop(n_units, est_ns, t)
    return p.chunk_units, p.n_chunks, p.threads


def stats():
    """Counters of this process's pool (monotonic): how many calls used
    helpers, ran inline, found the pool busy, and so on."""
    cdef ac_rt_stats s
    ac_rt_get_stats(&s)
    return dict(jobs_pooled=s.jobs_pooled, jobs_inline=s.jobs_inline, jobs_busy=s.jobs_busy,
                chunks_by_helpers=s.chunks_by_helpers, helper_joins=s.helper_joins,
                futex_wakes=s.futex_wakes, caller_sleeps=s.caller_sleeps, helpers=s.helpers,
                wake_ns_median=s.wake_ns_median, max_wait_ns=s.max_wait_ns,
                stall_ns_now=s.stall_ns_now)
