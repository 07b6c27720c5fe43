/*
 * pool.c -- the parallel loop runtime described in pool.h.
 *
 * Protocol (one job slot per process):
 *
 *   caller                                   helper
 *   ------                                   ------
 *   busy 0 -> 1 (CAS; else run inline)
 *   write job fields, next_chunk = 0
 *   state = OPEN | max_helpers               wait: spin <= HELPER_SPIN_NS on
 *   wake_seq += 1; FUTEX_WAKE if sleepers      wake_seq, then FUTEX_WAIT
 *   take chunks (fetch_add next_chunk)       join: CAS state (needs OPEN and
 *                                              joined < max_helpers); worker =
 *                                              joined + 1
 *                                            take chunks; leave: active -= 1;
 *   close: clear OPEN                          the last one out of a closed job
 *   wait until active == 0 (spin, then         bumps done_seq (+ FUTEX_WAKE if
 *     FUTEX_WAIT on done_seq)                  the caller sleeps)
 *   busy = 0
 *
 * A helper touches the job only between a successful join and its leave;
 * the caller changes the job only while no helper is inside and none can
 * join (OPEN clear, active 0), so job fields need no atomics.  Ordering:
 * job fields -> (release) state -> (acquire) join; chunk outputs ->
 * (release) leave -> (acquire) the caller's final read of state.
 */
#if defined(__linux__)
#define _GNU_SOURCE 1
#elif defined(__APPLE__)
#define _DARWIN_C_SOURCE 1
#endif

#include "pool.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__) && !defined(AC_RT_NO_FUTEX)
#include <linux/futex.h>
#include <sys/syscall.h>
#define AC_RT_USE_FUTEX 1
#else
#define AC_RT_USE_FUTEX 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#define AC_RT_ALIGNED __attribute__((aligned(64)))
#else
#define AC_RT_ALIGNED
#endif

/* Idle helpers poll for a new job this long before sleeping; a caller
 * polls this long for helpers' last chunks before sleeping. */
#define HELPER_SPIN_NS 50000u
#define CALLER_SPIN_NS 30000u
/* Stall defence: a caller that had to wait W ns for helpers' chunks (a
 * helper preempted on a busy core) makes helpers unavailable to loops of
 * less than STALL_FACTOR * W single-thread ns; W halves every
 * STALL_HALF_LIFE_NS, so an idle machine is back to the plain grain soon. */
#define STALL_FACTOR 4u
#define STALL_HALF_LIFE_NS UINT64_C(500000000)
/* Grain used until the measurement has run. */
#define GRAIN_DEFAULT_NS 150000u
#define WAKE_SAMPLES 9

/* ---- atomics (GCC/Clang builtins: C99 has none) ------------------------- */

#define LOAD(p, mo) __atomic_load_n((p), __ATOMIC_##mo)
#define STORE(p, v, mo) __atomic_store_n((p), (v), __ATOMIC_##mo)
#define FETCH_ADD(p, v, mo) __atomic_fetch_add((p), (v), __ATOMIC_##mo)
#define FETCH_SUB(p, v, mo) __atomic_fetch_sub((p), (v), __ATOMIC_##mo)
#define FETCH_AND(p, v, mo) __atomic_fetch_and((p), (v), __ATOMIC_##mo)
#define CAS(p, expected, desired, mo_ok, mo_fail)                                          \
    __atomic_compare_exchange_n((p), (expected), (desired), 0, __ATOMIC_##mo_ok,           \
                                __ATOMIC_##mo_fail)

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

/* ---- state word --------------------------------------------------------- */

#define ST_ACTIVE_ONE UINT64_C(1)
#define ST_ACTIVE_MASK UINT64_C(0xFFFF)
#define ST_JOINED_ONE (UINT64_C(1) << 16)
#define ST_JOINED_SHIFT 16
#define ST_MAX_SHIFT 32
#define ST_OPEN (UINT64_C(1) << 48)

static unsigned st_active(uint64_t s) { return (unsigned)(s & ST_ACTIVE_MASK); }
static unsigned st_joined(uint64_t s) { return (unsigned)((s >> ST_JOINED_SHIFT) & 0xFFFFu); }
static unsigned st_max(uint64_t s) { return (unsigned)((s >> ST_MAX_SHIFT) & 0xFFFFu); }

/* ---- the pool ----------------------------------------------------------- */

typedef struct job {
    ac_rt_chunk_fn fn; /* NULL: a wake-up probe (helpers note the time and leave) */
    void *ctx;
    size_t n_units, chunk_units, n_chunks;
} job;

static struct pool {
    /* written by the owning caller, read by joined helpers */
    job jb;
    uint64_t probe_join_ns; /* probe jobs: when the first helper joined */

    uint64_t state AC_RT_ALIGNED;   /* see ST_* */
    size_t next_chunk AC_RT_ALIGNED; /* the chunk counter */
    size_t stop_at;                  /* first failing chunk so far (n_chunks: none) */
    uint32_t wake_seq AC_RT_ALIGNED; /* helpers wait for it to change */
    uint32_t sleepers;               /* helpers inside (or entering) a futex wait */
    uint32_t done_seq AC_RT_ALIGNED; /* the caller waits for it to change */
    uint32_t caller_sleeping;

    uint32_t busy AC_RT_ALIGNED; /* a caller owns the job slot */
    int helpers;                 /* helper threads of this process */
    int cpus;                    /* 0: not read yet */
    uint64_t grain_ns;           /* 0: not measured */
    uint64_t grain_set_ns;       /* set by the user (0: none) */
    uint64_t wake_ns;
    uint64_t stall_ns;           /* last recorded wait for helpers ... */
    uint64_t stall_stamp_ns;     /* ... and when */

    ac_rt_stats stats;
} pool;

/* Spawning helpers, measuring the grain and fork() exclude each other. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

#define STAT_ADD(field, v) ((void)FETCH_ADD(&pool.stats.field, (v), RELAXED))
#define STAT_WAIT_MAX_NS(st) LOAD(&(st).max_wait_ns, RELAXED)

/* ---- sleeping and waking ------------------------------------------------ */

#if AC_RT_USE_FUTEX
static void word_wait(uint32_t *word, uint32_t expected)
{
    /* returns on a wake, a value change, or a signal: callers loop */
    (void)syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void word_wake(uint32_t *word, int n)
{
    (void)syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static void word_lock_for_fork(void) {}
static void word_unlock_after_fork(void) {}
static void word_reset_in_child(void) {}
#else
/* One mutex + condition variable for all words: waits are rare and short. */
static pthread_mutex_t word_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t word_cond = PTHREAD_COND_INITIALIZER;

static void word_wait(uint32_t *word, uint32_t expected)
{
    pthread_mutex_lock(&word_lock);
    if (LOAD(word, SEQ_CST) == expected) {
        pthread_cond_wait(&word_cond, &word_lock);
    }
    pthread_mutex_unlock(&word_lock);
}

static void word_wake(uint32_t *word, int n)
{
    (void)word;
    (void)n;
    /* taking the lock orders this wake after any waiter's check */
    pthread_mutex_lock(&word_lock);
    pthread_mutex_unlock(&word_lock);
    pthread_cond_broadcast(&word_cond);
}

static void word_lock_for_fork(void) { pthread_mutex_lock(&word_lock); }
static void word_unlock_after_fork(void) { pthread_mutex_unlock(&word_lock); }

/* The condition variable may count waiters (helpers) that do not exist in
 * the child: start it afresh. */
static void word_reset_in_child(void)
{
    pthread_mutex_unlock(&word_lock);
    pthread_cond_init(&word_cond, NULL);
}
#endif

/* ---- CPU count ---------------------------------------------------------- */

static int read_cpu_count(void)
{
    long n = 0;
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        n = CPU_COUNT(&set);
    }
#endif
    if (n <= 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
    }
    if (n < 1) {
        n = 1;
    }
    if (n > AC_RT_HARD_MAX_THREADS) {
        n = AC_RT_HARD_MAX_THREADS;
    }
    return (int)n;
}

int ac_rt_cpu_count(void)
{
    int n = LOAD(&pool.cpus, RELAXED);
    if (n == 0) {
        n = read_cpu_count();
        STORE(&pool.cpus, n, RELAXED);
    }
    return n;
}

int ac_rt_clamp_threads(long long requested)
{
    int cpus = ac_rt_cpu_count();
    if (requested < 1) {
        return 1;
    }
    return requested > (long long)cpus ? cpus : (int)requested;
}

/* ---- fork --------------------------------------------------------------- */

static void atfork_prepare(void)
{
    pthread_mutex_lock(&pool_lock);
    word_lock_for_fork();
}

static void atfork_parent(void)
{
    word_unlock_after_fork();
    pthread_mutex_unlock(&pool_lock);
}

/* The child has only the forking thread: no helpers, no job in flight (a
 * job of another parent thread is gone with that thread).  Start empty;
 * the first call that wants helpers spawns new ones.  The measured grain
 * and CPU count stay (the same machine). */
static void atfork_child(void)
{
    pool.helpers = 0;
    pool.state = 0;
    pool.next_chunk = 0;
    pool.stop_at = 0;
    pool.sleepers = 0;
    pool.caller_sleeping = 0;
    pool.busy = 0;
    pool.cpus = 0;
    pool.stall_ns = 0;
    memset(&pool.jb, 0, sizeof pool.jb);
    word_reset_in_child();
    /* this thread took the lock in atfork_prepare */
    pthread_mutex_unlock(&pool_lock);
}

static void register_atfork(void)
{
    (void)pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* ---- helpers ------------------------------------------------------------ */

static void run_chunks(const job *jb, int worker, int count_helper_chunks)
{
    for (;;) {
        size_t c = FETCH_ADD(&pool.next_chunk, 1, RELAXED);
        if (c >= jb->n_chunks || c > LOAD(&pool.stop_at, RELAXED)) {
            return;
        }
        size_t begin = c * jb->chunk_units;
        size_t end = jb->n_units - begin > jb->chunk_units ? begin + jb->chunk_units : jb->n_units;
        if (jb->fn(jb->ctx, c, begin, end, worker) != 0) {
            size_t s = LOAD(&pool.stop_at, RELAXED);
            while (c < s && !CAS(&pool.stop_at, &s, c, RELAXED, RELAXED)) {
            }
        }
        if (count_helper_chunks) {
            STAT_ADD(chunks_by_helpers, 1);
        }
    }
}

/* Join the open job if there is room, work, leave. */
static void try_join(void)
{
    uint64_t s = LOAD(&pool.state, ACQUIRE);
    for (;;) {
        if (!(s & ST_OPEN) || st_joined(s) >= st_max(s)) {
            return;
        }
        if (CAS(&pool.state, &s, s + ST_ACTIVE_ONE + ST_JOINED_ONE, ACQ_REL, ACQUIRE)) {
            break;
        }
    }
    int worker = (int)st_joined(s) + 1;
    STAT_ADD(helper_joins, 1);
    if (pool.jb.fn == NULL) {
        uint64_t zero = 0;
        (void)CAS(&pool.probe_join_ns, &zero, now_ns(), RELAXED, RELAXED);
    } else {
        run_chunks(&pool.jb, worker, 1);
    }
    uint64_t left = FETCH_SUB(&pool.state, ST_ACTIVE_ONE, SEQ_CST) - ST_ACTIVE_ONE;
    if (st_active(left) == 0 && !(left & ST_OPEN)) {
        /* the last one out of a closed job: let the caller go */
        (void)FETCH_ADD(&pool.done_seq, 1u, SEQ_CST);
        if (LOAD(&pool.caller_sleeping, SEQ_CST)) {
            word_wake(&pool.done_seq, 1);
        }
    }
}

static void *helper_main(void *arg)
{
    (void)arg;
    for (;;) {
        uint32_t seen = LOAD(&pool.wake_seq, ACQUIRE);
        try_join();
        /* wait for the next job: poll briefly, then sleep */
        uint64_t t0 = now_ns();
        unsigned spins = 0;
        while (LOAD(&pool.wake_seq, ACQUIRE) == seen) {
            cpu_relax();
            if ((++spins & 63u) == 0 && now_ns() - t0 > HELPER_SPIN_NS) {
                (void)FETCH_ADD(&pool.sleepers, 1u, SEQ_CST);
                while (LOAD(&pool.wake_seq, SEQ_CST) == seen) {
                    word_wait(&pool.wake_seq, seen);
                }
                (void)FETCH_SUB(&pool.sleepers, 1u, SEQ_CST);
                break;
            }
        }
    }
    return NULL;
}

/* Grow the pool to `want` helpers (fewer if threads cannot be made).
 * The caller owns the job slot, so no job is open meanwhile. */
static int ensure_helpers(int want)
{
    int have = LOAD(&pool.helpers, ACQUIRE);
    if (have >= want) {
        return have;
    }
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&pool_lock);
    have = pool.helpers;
    if (have < want) {
        pthread_attr_t attr;
        sigset_t all, old;
        size_t stack = 0;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_attr_getstacksize(&attr, &stack) == 0 && stack < ((size_t)2 << 20)) {
            (void)pthread_attr_setstacksize(&attr, (size_t)2 << 20);
        }
        /* helpers inherit a full signal mask: signals go to the program's threads */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        while (have < want) {
            pthread_t t;
            if (pthread_create(&t, &attr, helper_main, NULL) != 0) {
                break;
            }
            ++have;
        }
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        pthread_attr_destroy(&attr);
        STORE(&pool.helpers, have, RELEASE);
    }
    pthread_mutex_unlock(&pool_lock);
    return have;
}

/* ---- one pooled job ----------------------------------------------------- */

static void open_job(unsigned max_helpers)
{
    STORE(&pool.state, ST_OPEN | ((uint64_t)max_helpers << ST_MAX_SHIFT), RELEASE);
    (void)FETCH_ADD(&pool.wake_seq, 1u, SEQ_CST);
    unsigned sleeping = LOAD(&pool.sleepers, SEQ_CST);
    if (sleeping > 0) {
        unsigned awake = (unsigned)LOAD(&pool.helpers, RELAXED) - sleeping;
        unsigned need = max_helpers > awake ? max_helpers - awake : 0;
        if (need > sleeping) {
            need = sleeping;
        }
        if (need > 0) {
            word_wake(&pool.wake_seq, (int)need);
            STAT_ADD(futex_wakes, 1);
        }
    }
}

/* The recorded wait, halved for every STALL_HALF_LIFE_NS since. */
static uint64_t decayed_stall(uint64_t now)
{
    uint64_t w = LOAD(&pool.stall_ns, RELAXED);
    if (w == 0) {
        return 0;
    }
    uint64_t stamp = LOAD(&pool.stall_stamp_ns, RELAXED);
    uint64_t halvings = now > stamp ? (now - stamp) / STALL_HALF_LIFE_NS : 0;
    return halvings >= 64 ? 0 : w >> halvings;
}

/* Called by the job's owner only (one writer). */
static void note_stall(uint64_t waited)
{
    uint64_t now = now_ns();
    if (waited > decayed_stall(now)) {
        STORE(&pool.stall_ns, waited, RELAXED);
        STORE(&pool.stall_stamp_ns, now, RELAXED);
    }
    if (waited > STAT_WAIT_MAX_NS(pool.stats)) {
        STORE(&pool.stats.max_wait_ns, waited, RELAXED);
    }
}

/* Close the job and wait for the helpers inside it to leave. */
static void close_job(void)
{
    uint64_t s = FETCH_AND(&pool.state, ~ST_OPEN, ACQ_REL) & ~ST_OPEN;
    if (st_active(s) == 0) {
        return;
    }
    uint64_t t0 = now_ns();
    unsigned spins = 0;
    for (;;) {
        s = LOAD(&pool.state, ACQUIRE);
        if (st_active(s) == 0) {
            note_stall(now_ns() - t0);
            return;
        }
        cpu_relax();
        if ((++spins & 63u) == 0 && now_ns() - t0 > CALLER_SPIN_NS) {
            break;
        }
    }
    STAT_ADD(caller_sleeps, 1);
    for (;;) {
        uint32_t seq = LOAD(&pool.done_seq, SEQ_CST);
        STORE(&pool.caller_sleeping, 1u, SEQ_CST);
        s = LOAD(&pool.state, SEQ_CST);
        if (st_active(s) == 0) {
            break;
        }
        word_wait(&pool.done_seq, seq);
    }
    STORE(&pool.caller_sleeping, 0u, RELAXED);
    (void)LOAD(&pool.state, ACQUIRE); /* pairs with the helpers' leave */
    note_stall(now_ns() - t0);
}

static size_t run_inline(const ac_rt_plan *plan, ac_rt_chunk_fn fn, void *ctx)
{
    size_t c, begin = 0;
    for (c = 0; c < plan->n_chunks; ++c, begin += plan->chunk_units) {
        size_t end = plan->n_units - begin > plan->chunk_units ? begin + plan->chunk_units
                                                               : plan->n_units;
        if (fn(ctx, c, begin, end, 0) != 0) {
            return c;
        }
    }
    return plan->n_chunks;
}

size_t ac_rt_run(const ac_rt_plan *plan, ac_rt_chunk_fn fn, void *ctx)
{
    if (plan->threads <= 1 || plan->n_chunks <= 1) {
        STAT_ADD(jobs_inline, 1);
        return run_inline(plan, fn, ctx);
    }
    uint32_t idle = 0;
    if (!CAS(&pool.busy, &idle, 1u, ACQUIRE, RELAXED)) {
        STAT_ADD(jobs_busy, 1);
        return run_inline(plan, fn, ctx);
    }
    int helpers = ensure_helpers(plan->threads - 1);
    if (helpers < 1) {
        STORE(&pool.busy, 0u, RELEASE);
        STAT_ADD(jobs_inline, 1);
        return run_inline(plan, fn, ctx);
    }
    int max_helpers = plan->threads - 1 < helpers ? plan->threads - 1 : helpers;
    pool.jb.fn = fn;
    pool.jb.ctx = ctx;
    pool.jb.n_units = plan->n_units;
    pool.jb.chunk_units = plan->chunk_units;
    pool.jb.n_chunks = plan->n_chunks;
    STORE(&pool.next_chunk, (size_t)0, RELAXED);
    STORE(&pool.stop_at, plan->n_chunks, RELAXED);
    STAT_ADD(jobs_pooled, 1);
    open_job((unsigned)max_helpers);
    run_chunks(&pool.jb, 0, 0);
    close_job();
    size_t first_failed = LOAD(&pool.stop_at, RELAXED);
    STORE(&pool.busy, 0u, RELEASE);
    return first_failed;
}

/* ---- the grain ---------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Median time from publishing a job to a sleeping helper joining it. */
static uint64_t measure_wake_ns(void)
{
    uint64_t samples[WAKE_SAMPLES];
    int n = 0;
    for (int i = 0; i < WAKE_SAMPLES; ++i) {
        /* let every helper fall asleep (their spin is HELPER_SPIN_NS) */
        uint64_t t0 = now_ns();
        while (LOAD(&pool.sleepers, ACQUIRE) < (unsigned)LOAD(&pool.helpers, RELAXED)) {
            struct timespec pause = {0, 20000};
            nanosleep(&pause, NULL);
            if (now_ns() - t0 > UINT64_C(20000000)) {
                break;
            }
        }
        pool.jb.fn = NULL;
        pool.jb.n_chunks = 0;
        STORE(&pool.probe_join_ns, UINT64_C(0), RELAXED);
        uint64_t start = now_ns();
        open_job(1);
        uint64_t joined = 0;
        while ((joined = LOAD(&pool.probe_join_ns, RELAXED)) == 0) {
            if (now_ns() - start > UINT64_C(20000000)) {
                break;
            }
            sched_yield(); /* on a shared core, let the helper run */
        }
        close_job();
        if (joined > start) {
            samples[n++] = joined - start;
        }
    }
    if (n == 0) {
        return 0;
    }
    qsort(samples, (size_t)n, sizeof samples[0], cmp_u64);
    return samples[n / 2];
}

static uint64_t grain_from_wake(uint64_t wake)
{
    uint64_t g = wake * AC_RT_GRAIN_PER_WAKE;
    if (g < AC_RT_GRAIN_MIN_NS) {
        g = AC_RT_GRAIN_MIN_NS;
    }
    if (g > AC_RT_GRAIN_MAX_NS) {
        g = AC_RT_GRAIN_MAX_NS;
    }
    return g;
}

uint64_t ac_rt_grain_ns(void)
{
    uint64_t set = LOAD(&pool.grain_set_ns, RELAXED);
    if (set != 0) {
        return set;
    }
    uint64_t g = LOAD(&pool.grain_ns, RELAXED);
    if (g != 0) {
        return g;
    }
    if (ac_rt_cpu_count() < 2) {
        return GRAIN_DEFAULT_NS;
    }
    uint32_t idle = 0;
    if (!CAS(&pool.busy, &idle, 1u, ACQUIRE, RELAXED)) {
        return GRAIN_DEFAULT_NS; /* someone else is running: measure later */
    }
    g = GRAIN_DEFAULT_NS;
    if (ensure_helpers(1) >= 1) {
        uint64_t wake = measure_wake_ns();
        if (wake != 0) {
            STORE(&pool.wake_ns, wake, RELAXED);
            g = grain_from_wake(wake);
        }
    }
    STORE(&pool.grain_ns, g, RELAXED);
    STORE(&pool.busy, 0u, RELEASE);
    return g;
}

void ac_rt_set_grain_ns(uint64_t ns)
{
    STORE(&pool.grain_set_ns, ns, RELAXED);
    if (ns == 0) {
        STORE(&pool.grain_ns, UINT64_C(0), RELAXED);
    }
}

/* ---- per-thread scratch ------------------------------------------------- */

typedef struct scratch {
    void *base;     /* what malloc returned */
    void *aligned;
    size_t size;    /* usable bytes from aligned */
} scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_ok = 0;

static void scratch_free(void *p)
{
    scratch *s = p;
    free(s->base);
    free(s);
}

static void scratch_init(void)
{
    scratch_key_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

void *ac_rt_thread_scratch(size_t bytes)
{
    pthread_once(&scratch_once, scratch_init);
    if (!scratch_key_ok || bytes > SIZE_MAX - 128) {
        return NULL;
    }
    scratch *s = pthread_getspecific(scratch_key);
    if (s != NULL && s->size >= bytes) {
        return s->aligned;
    }
    if (s == NULL) {
        s = calloc(1, sizeof *s);
        if (s == NULL || pthread_setspecific(scratch_key, s) != 0) {
            free(s);
            return NULL;
        }
    }
    /* grow geometrically, never shrink */
    size_t want = bytes < 2 * s->size ? 2 * s->size : bytes;
    void *p = malloc(want + 64);
    if (p == NULL) {
        return NULL;
    }
    free(s->base);
    s->base = p;
    s->aligned = (void *)(((uintptr_t)p + 63u) & ~(uintptr_t)63u);
    s->size = want;
    return s->aligned;
}

/* ---- planning ----------------------------------------------------------- */

ac_rt_plan ac_rt_plan_chunks(size_t n_units, size_t chunk_units, uint64_t est_ns_total,
                             long long max_threads)
{
    ac_rt_plan p;
    p.n_units = n_units;
    p.chunk_units = chunk_units == 0 ? 1 : chunk_units;
    p.n_chunks = n_units == 0 ? 0 : (n_units - 1) / p.chunk_units + 1;
    p.threads = ac_rt_clamp_threads(max_threads);
    if (p.threads > 1) {
        uint64_t grain = ac_rt_grain_ns();
        uint64_t stall = LOAD(&pool.grain_set_ns, RELAXED) ? 0 : decayed_stall(now_ns());
        if (stall > 0 && stall * STALL_FACTOR > grain) {
            grain = stall * STALL_FACTOR;
        }
        uint64_t want = 1 + est_ns_total / grain;
        if (want < (uint64_t)p.threads) {
            p.threads = (int)want;
        }
        if (p.n_chunks < (size_t)p.threads) {
            p.threads = p.n_chunks < 1 ? 1 : (int)p.n_chunks;
        }
    }
    return p;
}

ac_rt_plan ac_rt_plan_loop(size_t n_units, uint64_t est_ns_total, long long max_threads)
{
    size_t chunk = n_units;
    if (n_units > 0 && est_ns_total > AC_RT_CHUNK_TARGET_NS) {
        /* units per AC_RT_CHUNK_TARGET_NS of estimated work (a function of
         * the problem only), at least 1, at most AC_RT_MAX_CHUNKS chunks */
        double per = (double)n_units * (double)AC_RT_CHUNK_TARGET_NS / (double)est_ns_total;
        size_t fewest = (n_units - 1) / AC_RT_MAX_CHUNKS + 1;
        chunk = per < 1.0 ? 1 : (per >= (double)n_units ? n_units : (size_t)per);
        if (chunk < fewest) {
            chunk = fewest;
        }
    }
    return ac_rt_plan_chunks(n_units, chunk, est_ns_total, max_threads);
}

size_t ac_rt_parallel_for(size_t n_units, uint64_t est_ns_total, long long max_threads,
                          ac_rt_chunk_fn fn, void *ctx)
{
    ac_rt_plan p = ac_rt_plan_loop(n_units, est_ns_total, max_threads);
    return ac_rt_run(&p, fn, ctx);
}

void ac_rt_get_stats(ac_rt_stats *out)
{
    out->jobs_pooled = LOAD(&pool.stats.jobs_pooled, RELAXED);
    out->jobs_inline = LOAD(&pool.stats.jobs_inline, RELAXED);
    out->jobs_busy = LOAD(&pool.stats.jobs_busy, RELAXED);
    out->chunks_by_helpers = LOAD(&pool.stats.chunks_by_helpers, RELAXED);
    out->helper_joins = LOAD(&pool.stats.helper_joins, RELAXED);
    out->futex_wakes = LOAD(&pool.stats.futex_wakes, RELAXED);
    out->caller_sleeps = LOAD(&pool.stats.caller_sleeps, RELAXED);
    out->helpers = LOAD(&pool.helpers, RELAXED);
    out->wake_ns_median = LOAD(&pool.wake_ns, RELAXED);
    out->max_wait_ns = LOAD(&pool.stats.max_wait_ns, RELAXED);
    out->stall_ns_now = decayed_stall(now_ns());
}
