/*
 * gr_putc / gr_exit over semihosting, for Cortex-M (BKPT 0xAB) and RISC-V
 * (the slli / ebreak / srai sequence).  QEMU: -semihosting-config
 * enable=on,target=native.  Output is buffered per line (SYS_WRITE0), and
 * SYS_EXIT ends the emulator with status 0 for ApplicationExit, 1 otherwise.
 * Also the memcpy/memset the compiler may emit: these images link no libc.
 */
#include <stddef.h>
#include <stdint.h>

#include "gr_platform.h"

#define SYS_WRITE0 0x04u
#define SYS_EXIT 0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR 0x20023u

static uintptr_t semihost(uintptr_t op, uintptr_t arg)
{
#if defined(__arm__)
    register uintptr_t r0 __asm__("r0") = op;
    register uintptr_t r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
#elif defined(__riscv)
    register uintptr_t a0 __asm__("a0") = op;
    register uintptr_t a1 __asm__("a1") = arg;
    __asm__ volatile(".option push\n\t.option norvc\n\t.balign 16\n\t"
                     "slli zero, zero, 0x1f\n\tebreak\n\tsrai zero, zero, 7\n\t.option pop"
                     : "+r"(a0)
                     : "r"(a1)
                     : "memory");
    return a0;
#else
#error "semihosting: unknown architecture"
#endif
}

static char line[96];
static unsigned used;

static void flush(void)
{
    if (used != 0u) {
        line[used] = '\0';
        semihost(SYS_WRITE0, (uintptr_t)line);
        used = 0;
    }
}

void gr_putc(char c)
{
    line[used++] = c;
    if (c == '\n' || used == sizeof line - 1u) {
        flush();
    }
}

void gr_exit(int ok)
{
    flush();
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
