/* ARM semihosting calls (bkpt 0xAB in Thumb state), plus the memcpy/memset
 * the compiler may emit: the firmware links no C library. */
#include <stddef.h>
#include <stdint.h>

#include "semihost.h"

#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define ADP_STOPPED_RUNTIME_ERROR 0x20023

static uint32_t semihost(uint32_t op, uint32_t arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register uint32_t r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sh_puts(const char *s)
{
    semihost(SYS_WRITE0, (uint32_t)(uintptr_t)s);
}

void sh_put_uint(uint32_t v)
{
    char buf[12];
    int i = 11;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    sh_puts(&buf[i]);
}

void sh_put_int(int32_t v)
{
    if (v < 0) {
        sh_puts("-");
        sh_put_uint((uint32_t)0 - (uint32_t)v);
    } else {
        sh_put_uint((uint32_t)v);
    }
}

void sh_exit(int ok)
{
    semihost(SYS_EXIT, ok ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR);
    for (;;) {
    }
}

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) {
        *d++ = *s++;
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--) {
        *d++ = (unsigned char)c;
    }
    return dst;
}
