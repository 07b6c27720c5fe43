/* RV32 bare-metal C start: .bss cleared (the ELF loader placed .data in
 * RAM already), free stack painted for gr_stack_peak(), main(), exit. */
#include <stddef.h>
#include <stdint.h>

#include "gr_platform.h"
#include "gr_stack.h"

extern uint32_t _sbss, _ebss, _sstack, _estack;
int main(void);
void rv_start(void);

#define PAINT 0xA5C3A5C3u

void rv_start(void)
{
    for (uint32_t *p = &_sbss; p < &_ebss; ++p) {
        *p = 0;
    }
    uintptr_t sp;
    __asm__ volatile("mv %0, sp" : "=r"(sp));
    for (uint32_t *p = &_sstack; (uintptr_t)p + 64u < sp; ++p) {
        *p = PAINT;
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
