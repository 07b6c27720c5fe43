/* A tiny assert harness: CHECK counts failures and keeps going, so one run
 * shows every broken case; main() returns non-zero if any failed. */
#ifndef ATTNCORE_TESTS_CHECK_H
#define ATTNCORE_TESTS_CHECK_H

#include <stdio.h>

static long check_failures = 0;
static long check_count = 0;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        ++check_count;                                                           \
        if (!(cond)) {                                                           \
            if (++check_failures <= 20) {                                        \
                fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, \
                        #cond);                                                  \
                fprintf(stderr, __VA_ARGS__);                                    \
                fputc('\n', stderr);                                             \
            }                                                                    \
        }                                                                        \
    } while (0)

/* xorshift64*: deterministic test inputs without libc rand(). */
static unsigned long long check_rng_state = 0x9E3779B97F4A7C15ull;
static unsigned long long check_rng(void)
{
    unsigned long long x = check_rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    check_rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static int check_report(const char *name)
{
    printf("%s: %ld checks, %ld failed\n", name, check_count, check_failures);
    return check_failures == 0 ? 0 : 1;
}

#endif
