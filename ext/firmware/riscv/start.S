/* Bare-metal RV32 entry for QEMU -M virt -bios none: gp and sp, then C. */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, _estack
    call rv_start
1:  j 1b
