/* Minimal Cortex-M startup: vector table, .data copy, .bss clear, main. */
#include <stdint.h>

#include "semihost.h"

extern uint32_t _etext, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);
void reset_handler(void);
static void fault_handler(void);

__attribute__((section(".vectors"), used))
static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&_estack, reset_handler,
    fault_handler, fault_handler, fault_handler, fault_handler, fault_handler,
};

void reset_handler(void)
{
    uint32_t *src = &_etext, *dst = &_sdata;
    while (dst < &_edata) {
        *dst++ = *src++;
    }
    for (dst = &_sbss; dst < &_ebss; ++dst) {
        *dst = 0;
    }
    sh_exit(main() == 0);
}

static void fault_handler(void)
{
    sh_puts("FAULT\n");
    sh_exit(0);
}
