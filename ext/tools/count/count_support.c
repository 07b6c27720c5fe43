/* Markers, region names and the stack probe of the count harness (see
 * count_markers.h).  Compiled with -fno-inline-functions-called-once etc.
 * implied by the noinline attributes below. */
#include <stdint.h>

#include "count_markers.h"
#include "gr_platform.h"

#define PAINT 0xC3A5C3A5u
#define PROBE_BYTES 8192u

static uintptr_t mark;

__attribute__((noinline)) void count_begin(void)
{
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) void count_end(void)
{
    __asm__ volatile("" ::: "memory");
}

void count_put_str(const char *s)
{
    while (*s) {
        gr_putc(*s++);
    }
}

void count_put_uint(uint32_t v)
{
    char d[11];
    int i = 0;
    do {
        d[i++] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    while (i > 0) {
        gr_putc(d[--i]);
    }
}

void count_name(const char *name)
{
    count_put_str("REGION ");
    count_put_str(name);
    count_put_str("\n");
}

static uintptr_t stack_pointer(void)
{
    uintptr_t sp;
#if defined(__arm__)
    __asm__ volatile("mov %0, sp" : "=r"(sp));
#elif defined(__riscv)
    __asm__ volatile("mv %0, sp" : "=r"(sp));
#else
    sp = (uintptr_t)&sp;
#endif
    return sp;
}

/* A leaf that pushes nothing at -O2, so its sp is the caller's. */
__attribute__((noinline)) void count_stack_paint(void)
{
    mark = stack_pointer();
    volatile uint32_t *p = (volatile uint32_t *)(mark - PROBE_BYTES);
    while ((uintptr_t)p < mark) {
        *p++ = PAINT;
    }
}

uint32_t count_stack_used(void)
{
    const volatile uint32_t *p = (const volatile uint32_t *)(mark - PROBE_BYTES);
    while ((uintptr_t)p < mark && *p == PAINT) {
        ++p;
    }
    return (uint32_t)(mark - (uintptr_t)p);
}

/* xorshift32: both harnesses draw their inputs from the same sequence */
static uint32_t rng_state = 0x2545F491u;

uint32_t count_rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}
