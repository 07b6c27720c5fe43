/*
 * Stress and property tests of the parallel runtime
 * (src/attncore/_kernels/pool.c), built and run by tests/test_runtime.py:
 * natively, under ThreadSanitizer, under ASan + UBSan and with the
 * condition-variable fallback (-DAC_RT_NO_FUTEX).
 *
 *   every unit runs exactly once; worker indices stay below the plan's
 *   threads and no two chunks share one at a time; the chunking does not
 *   depend on the thread count; a failing chunk stops the loop exactly where
 *   one thread would have; nested calls and several calling threads work;
 *   forked children (also while another thread is inside a loop) can run
 *   loops; per-thread scratch is aligned and private.
 *
 * "quick" as the first argument skips the informative timing.
 */
#define _GNU_SOURCE 1
#include "pool.h"

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures = 0;
#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);      \
            ++failures;                                                                    \
        }                                                                                  \
    } while (0)

/* ---- a job that records who did what ------------------------------------ */

typedef struct visit {
    unsigned char *seen;     /* per unit: times visited */
    int *worker_busy;        /* per worker: 1 while inside a chunk */
    size_t *chunk_ran;       /* per chunk: times run */
    int threads;
    size_t fail_chunk;       /* chunks >= this whose index % 3 == 0 fail (SIZE_MAX: none) */
    int bad;                 /* set on a broken invariant */
    int nested;              /* run a small nested loop inside each chunk */
} visit;

static int nested_fn(void *ctx, size_t chunk, size_t begin, size_t end, int worker)
{
    size_t *sum = ctx;
    (void)chunk;
    (void)worker;
    /* per-thread scratch: private to this thread, so plain writes are safe */
    size_t *scratch = ac_rt_thread_scratch((end - begin + 1) * sizeof(size_t) + 4096 * (chunk % 7));
    size_t local = 0;
    for (size_t i = begin; i < end; ++i) {
        if (scratch != NULL) {
            scratch[i - begin] = i;
        }
        local += scratch != NULL ? scratch[i - begin] : i;
    }
    if (((uintptr_t)scratch & 63u) != 0) {
        local += 1; /* misaligned scratch: the sum check fails */
    }
    __atomic_fetch_add(sum, local, __ATOMIC_RELAXED);
    return 0;
}

static int visit_fn(void *ctx, size_t chunk, size_t begin, size_t end, int worker)
{
    visit *v = ctx;
    if (worker < 0 || worker >= v->threads) {
        __atomic_store_n(&v->bad, 1, __ATOMIC_RELAXED);
        return 0;
    }
    if (__atomic_exchange_n(&v->worker_busy[worker], 1, __ATOMIC_ACQUIRE) != 0) {
        __atomic_store_n(&v->bad, 2, __ATOMIC_RELAXED); /* two chunks share a worker slot */
    }
    for (size_t i = begin; i < end; ++i) {
        v->seen[i]++; /* plain: each unit belongs to one chunk */
    }
    v->chunk_ran[chunk]++;
    if (v->nested) {
        size_t sum = 0;
        ac_rt_parallel_for(100, 10000000, 8, nested_fn, &sum);
        if (sum != 4950) {
            __atomic_store_n(&v->bad, 3, __ATOMIC_RELAXED);
        }
    }
    __atomic_store_n(&v->worker_busy[worker], 0, __ATOMIC_RELEASE);
    return chunk >= v->fail_chunk && chunk % 3 == 0;
}

/* One loop; checks every invariant. */
static void one_loop(size_t n_units, uint64_t est, long long threads, size_t fail_from,
                     int nested)
{
    ac_rt_plan p = ac_rt_plan_loop(n_units, est, threads);
    visit v;
    memset(&v, 0, sizeof v);
    v.seen = calloc(n_units + 1, 1);
    v.worker_busy = calloc(AC_RT_HARD_MAX_THREADS, sizeof(int));
    v.chunk_ran = calloc(p.n_chunks + 1, sizeof(size_t));
    v.threads = p.threads;
    v.fail_chunk = fail_from;
    v.nested = nested;
    size_t first = ac_rt_run(&p, visit_fn, &v);
    CHECK(v.bad == 0);
    size_t expect_first = p.n_chunks;
    if (fail_from < p.n_chunks) {
        expect_first = fail_from + (3 - fail_from % 3) % 3;
        if (expect_first >= p.n_chunks) {
            expect_first = p.n_chunks;
        }
    }
    CHECK(first == expect_first);
    for (size_t c = 0; c < p.n_chunks; ++c) {
        if (c <= expect_first || expect_first == p.n_chunks) {
            CHECK(v.chunk_ran[c] == 1);
        } else {
            CHECK(v.chunk_ran[c] <= 1);
        }
    }
    if (expect_first == p.n_chunks) {
        for (size_t i = 0; i < n_units; ++i) {
            if (v.seen[i] != 1) {
                CHECK(v.seen[i] == 1);
                break;
            }
        }
    }
    free(v.seen);
    free(v.worker_busy);
    free(v.chunk_ran);
}

static uint64_t rng_state = 88172645463325252u;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_plans(void)
{
    /* chunking never depends on the thread count */
    for (int i = 0; i < 2000; ++i) {
        size_t n = (size_t)(rng() % 100000);
        uint64_t est = rng() % UINT64_C(100000000);
        ac_rt_plan a = ac_rt_plan_loop(n, est, 1);
        ac_rt_plan b = ac_rt_plan_loop(n, est, 8);
        ac_rt_plan c = ac_rt_plan_loop(n, est, (long long)1 << 40);
        CHECK(a.chunk_units == b.chunk_units && b.chunk_units == c.chunk_units);
        CHECK(a.n_chunks == b.n_chunks && b.n_chunks == c.n_chunks);
        CHECK(a.n_chunks <= AC_RT_MAX_CHUNKS);
        CHECK(n == 0 || (a.n_chunks - 1) * a.chunk_units < n);
        CHECK(a.threads == 1);
        CHECK(c.threads >= 1 && c.threads <= ac_rt_cpu_count());
    }
    CHECK(ac_rt_clamp_threads((long long)1 << 31) == ac_rt_cpu_count());
    CHECK(ac_rt_clamp_threads(0) == 1);
    CHECK(ac_rt_clamp_threads(-5) == 1);
    ac_rt_plan z = ac_rt_plan_loop(0, 12345, 8);
    CHECK(z.n_chunks == 0 && z.threads == 1);
    /* below the grain: one thread */
    ac_rt_set_grain_ns(100000);
    CHECK(ac_rt_plan_loop(1000, 99999, 8).threads == 1);
    CHECK(ac_rt_plan_loop(1000, 100000, 8).threads == (ac_rt_cpu_count() >= 2 ? 2 : 1));
}

static void test_loops(void)
{
    ac_rt_set_grain_ns(1000); /* use helpers even for small loops */
    for (int i = 0; i < 3000; ++i) {
        size_t n = (size_t)(rng() % 5000);
        uint64_t est = rng() % UINT64_C(2000000);
        long long threads = (long long)(rng() % 10);
        size_t fail = (rng() % 4 == 0) ? (size_t)(rng() % 64) : SIZE_MAX;
        one_loop(n, est, threads, fail, i % 50 == 0);
    }
}

/* ---- concurrent callers ------------------------------------------------- */

static void *caller_thread(void *arg)
{
    int loops = *(int *)arg;
    for (int i = 0; i < loops; ++i) {
        size_t n = 1 + (size_t)(i * 37 % 3000);
        size_t sum = 0;
        ac_rt_parallel_for(n, 2000000, 4, nested_fn, &sum);
        if (sum != n * (n - 1) / 2) {
            __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

static void test_concurrent(int loops)
{
    pthread_t t[4];
    ac_rt_set_grain_ns(1000);
    for (int i = 0; i < 4; ++i) {
        pthread_create(&t[i], NULL, caller_thread, &loops);
    }
    for (int i = 0; i < 4; ++i) {
        pthread_join(t[i], NULL);
    }
}

/* ---- fork --------------------------------------------------------------- */

static int child_work(void)
{
    alarm(20); /* a hang fails the test instead of blocking it */
    for (int i = 0; i < 200; ++i) {
        size_t sum = 0;
        ac_rt_parallel_for(1000, 5000000, 2, nested_fn, &sum);
        if (sum != 499500) {
            return 1;
        }
    }
    return 0;
}

static void test_fork(int while_busy)
{
    pthread_t bg;
    int loops = 300;
    ac_rt_set_grain_ns(1000);
    caller_thread(&loops); /* the parent uses the pool first */
    if (while_busy) {
        pthread_create(&bg, NULL, caller_thread, &loops);
    }
    for (int k = 0; k < 5; ++k) {
        pid_t pid = fork();
        if (pid == 0) {
            _exit(child_work());
        }
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    if (while_busy) {
        pthread_join(bg, NULL);
    }
}

/* ---- timing (informative) ----------------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static int spin_fn(void *ctx, size_t chunk, size_t begin, size_t end, int worker)
{
    /* ~4 ns of dependent arithmetic per step, in a per-worker cache line */
    double *slot = (double *)ctx + (size_t)worker * 16;
    double x = *slot;
    (void)chunk;
    for (size_t i = begin; i < end; ++i) {
        for (int k = 0; k < 20; ++k) {
            x = x * 1.0000001 + 1e-9;
        }
    }
    *slot = x;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void time_regime(const char *name, size_t units, long long threads, int sleep_us)
{
    enum { N = 41 };
    uint64_t t[N];
    static double x[16 * AC_RT_HARD_MAX_THREADS];
    ac_rt_plan p = ac_rt_plan_loop(units, (uint64_t)units * 80u, threads);
    for (int i = 0; i < N; ++i) {
        if (sleep_us) {
            struct timespec s = {0, (long)sleep_us * 1000};
            nanosleep(&s, NULL);
        }
        uint64_t t0 = now_ns();
        ac_rt_run(&p, spin_fn, x);
        t[i] = now_ns() - t0;
    }
    qsort(t, N, sizeof t[0], cmp_u64);
    printf("  %-9s units=%7zu threads=%d chunks=%4zu  median %8.1f us  [p10 %8.1f, p90 %8.1f]\n",
           name, units, p.threads, p.n_chunks, (double)t[N / 2] / 1e3, (double)t[N / 10] / 1e3,
           (double)t[N - 1 - N / 10] / 1e3);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    printf("cpus %d, measured grain %" PRIu64 " ns\n", ac_rt_cpu_count(), ac_rt_grain_ns());
    test_plans();
    test_loops();
    test_concurrent(quick ? 300 : 3000);
    test_fork(0);
    test_fork(1);
    ac_rt_stats st;
    ac_rt_get_stats(&st);
    printf("stats: pooled %" PRIu64 " inline %" PRIu64 " busy %" PRIu64 " helper chunks %" PRIu64
           " joins %" PRIu64 " wakes %" PRIu64 " caller sleeps %" PRIu64 " helpers %d wake %" PRIu64
           " ns\n",
           st.jobs_pooled, st.jobs_inline, st.jobs_busy, st.chunks_by_helpers, st.helper_joins,
           st.futex_wakes, st.caller_sleeps, st.helpers, st.wake_ns_median);
    if (!quick) {
        ac_rt_set_grain_ns(0);
        printf("timing (shared machine: indicative only), grain %" PRIu64 " ns:\n",
               ac_rt_grain_ns());
        size_t sizes[] = {1000, 5000, 20000, 100000};
        for (size_t i = 0; i < 4; ++i) {
            time_regime("hot/1", sizes[i], 1, 0);
            time_regime("hot/2", sizes[i], 2, 0);
            time_regime("sporadic/1", sizes[i], 1, 20000);
            time_regime("sporadic/2", sizes[i], 2, 20000);
        }
    }
    printf("%s (%d failures)\n", failures ? "FAIL" : "ok", failures);
    return failures != 0;
}
