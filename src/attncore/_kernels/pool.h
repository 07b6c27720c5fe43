/*
 * pool.h -- attncore's parallel loop runtime (pthreads, no OpenMP).
 *
 * Part of the kernels layer, not of the C core (ext/): it keeps globals and
 * allocates, which the core never does.  It is compiled into exactly one
 * extension module, attncore._kernels.runtime, so a process has one pool
 * whatever number of kernel modules use it; the others reach it through
 * that module's cdef functions (runtime.pxd), never by linking this file.
 *
 * One parallel loop: `n_units` work units (batch items, rows, elements:
 * whatever the kernel cannot split) are cut into chunks of `chunk_units`
 * consecutive units.  The chunking depends only on the problem (the unit
 * count and the kernel's cost model), never on the thread count, so any
 * result that depends on how the work is cut (a float BLAS call per block,
 * a report merged per chunk) is the same for every thread count.
 *
 * Chunks are handed out one at a time from an atomic counter.  The calling
 * thread takes chunks too and starts at once: it never waits for a helper
 * to wake up, only for chunks a helper has already started.  A call whose
 * estimated single-thread time is below the measured grain runs inline on
 * the calling thread with no synchronisation at all.
 *
 * One job runs on the pool at a time; a call that finds the pool busy (a
 * second Python thread, a nested call from inside a chunk) runs inline.
 * A forked child starts with no pool and builds one when it first needs it.
 *
 * Workers are numbered 0 (the calling thread) to threads - 1, so a caller
 * can give each worker its own scratch space.
 */
#ifndef ATTNCORE_KERNELS_POOL_H
#define ATTNCORE_KERNELS_POOL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most threads (caller included) one call may use. */
#define AC_RT_HARD_MAX_THREADS 256

/* Single-thread work per chunk the chunking rule aims at, and the most
 * chunks a loop is cut into (so per-chunk report arrays stay small). */
#define AC_RT_CHUNK_TARGET_NS 20000u
#define AC_RT_MAX_CHUNKS 1024u

/* The grain (single-thread work per thread) is measured once per process
 * from the wake-up latency of a sleeping helper and kept within these. */
#define AC_RT_GRAIN_MIN_NS 100000u
#define AC_RT_GRAIN_MAX_NS 1000000u
#define AC_RT_GRAIN_PER_WAKE 6u

/*
 * A chunk: units [begin, end) of the loop, chunk index `chunk`, run by
 * worker `worker` (0 = the calling thread).  Return 0 to go on; non-zero
 * means "this chunk failed": chunks after it in order need not run (they
 * may or may not), every chunk before it does run, so the first failing
 * chunk reported is the one a single thread would have stopped at.
 */
typedef int (*ac_rt_chunk_fn)(void *ctx, size_t chunk, size_t begin, size_t end, int worker);

typedef struct ac_rt_plan {
    size_t n_units;
    size_t chunk_units;
    size_t n_chunks;
    int threads; /* participants, caller included: 1 .. AC_RT_HARD_MAX_THREADS */
} ac_rt_plan;

/*
 * Plan a loop of n_units whose whole single-thread cost is about
 * est_ns_total.  est_ns_total must come from a fixed cost model (sizes
 * times constants), never from a clock, because the chunking derives from
 * it.  max_threads is any value (<= 0 reads as 1); it is clamped to the
 * CPUs this process may use and AC_RT_HARD_MAX_THREADS.
 */
ac_rt_plan ac_rt_plan_loop(size_t n_units, uint64_t est_ns_total, long long max_threads);

/* The same with the chunk size given by the kernel (e.g. one attention
 * block per chunk); chunk_units 0 reads as 1. */
ac_rt_plan ac_rt_plan_chunks(size_t n_units, size_t chunk_units, uint64_t est_ns_total,
                             long long max_threads);

/*
 * Run the plan.  Returns the index of the first chunk (in chunk order) that
 * returned non-zero, or plan->n_chunks when none did.  Worker indices stay
 * below plan->threads.  Safe to call from any thread, concurrently, and
 * from inside a chunk (that call runs inline).
 */
size_t ac_rt_run(const ac_rt_plan *plan, ac_rt_chunk_fn fn, void *ctx);

/* Plan and run in one call. */
size_t ac_rt_parallel_for(size_t n_units, uint64_t est_ns_total, long long max_threads,
                          ac_rt_chunk_fn fn, void *ctx);

/*
 * Scratch memory of the calling thread: at least `bytes`, 64-byte aligned,
 * kept for the thread's life (freed at its exit) and reused by its next
 * call, so a chunk's workspace costs no allocation or page faults after
 * the first use.  A chunk may call this for its own thread (worker).
 * Returns NULL when memory runs out; the contents are undefined.
 */
void *ac_rt_thread_scratch(size_t bytes);

/* CPUs this process may run on (affinity mask), 1 .. AC_RT_HARD_MAX_THREADS. */
int ac_rt_cpu_count(void);

/* max_threads as a call will use it: 1 .. ac_rt_cpu_count(). */
int ac_rt_clamp_threads(long long requested);

/* The grain in ns: measured on first use (a few helper wake-ups), or the
 * value set here; ns == 0 forgets the setting and measures again.  A set
 * grain also turns the stall defence off (tests use it to force the pool). */
uint64_t ac_rt_grain_ns(void);
void ac_rt_set_grain_ns(uint64_t ns);

/* Counters for tests and benchmarks (monotonic, approximate under races
 * only in the sense that they are read without stopping the pool). */
typedef struct ac_rt_stats {
    uint64_t jobs_pooled;     /* calls that published a job to helpers */
    uint64_t jobs_inline;     /* calls run inline because of the grain */
    uint64_t jobs_busy;       /* calls run inline because the pool was busy */
    uint64_t chunks_by_helpers;
    uint64_t helper_joins;    /* helper arrivals in a job */
    uint64_t futex_wakes;     /* wake system calls made by callers */
    uint64_t caller_sleeps;   /* times a caller slept waiting for a helper's chunk */
    int helpers;              /* helper threads alive in this process */
    uint64_t wake_ns_median;  /* the measured wake-up latency (0: not measured) */
    uint64_t max_wait_ns;     /* longest a caller waited for helpers' chunks */
    uint64_t stall_ns_now;    /* the stall defence's current value (see plan) */
} ac_rt_stats;

void ac_rt_get_stats(ac_rt_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_KERNELS_POOL_H */
