/*
 * What a target gives the golden runner and the count harness: one output
 * character and an exit.  Implemented per target (ARM and RISC-V
 * semihosting, a UART on AVR, stdio on Linux user mode).
 */
#ifndef GR_PLATFORM_H
#define GR_PLATFORM_H

void gr_putc(char c);
/* Flushes, then ends the run: the emulator exits 0 when ok, non-zero
 * otherwise (AVR: prints the end marker the host script waits for). */
void gr_exit(int ok);

#endif
