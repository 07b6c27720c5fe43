/*
 * Cortex-M startup for the test, count and example firmware (any v6-M /
 * v7-M / v8-M core): vector table, .data copied from its load address in
 * flash, .bss cleared, the free stack painted so gr_stack_peak() can tell
 * the deepest stack use, then main().  Symbols come from cortex_m.ld.
 */
#include <stddef.h>
#include <stdint.h>

#include "gr_platform.h"
#include "gr_stack.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;
int main(void);
void reset_handler(void);
static void fault_handler(void);

#define PAINT 0xA5C3A5C3u

__attribute__((section(".vectors"), used))
static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&_estack, reset_handler,
    fault_handler, fault_handler, fault_handler, fault_handler, fault_handler,
};

void reset_handler(void)
{
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata) {
        *dst++ = *src++;
    }
    for (dst = &_sbss; dst < &_ebss; ++dst) {
        *dst = 0;
    }
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (dst = &_sstack; (uintptr_t)dst + 64u < sp; ++dst) {
        *dst = PAINT;
    }
    gr_exit(main() == 0);
}

size_t gr_stack_peak(void)
{
    const uint32_t *p = &_sstack;
    while (p < &_estack && *p == PAINT) {
        ++p;
    }
    return (size_t)((uintptr_t)&_estack - (uintptr_t)p);
}

static void fault_handler(void)
{
    const char *s = "FAULT\n";
    while (*s) {
        gr_putc(*s++);
    }
    gr_exit(0);
}
