/*
 * gr_putc / gr_exit for AVR (ATmega2560 as QEMU's -M mega2560 emulates it):
 * polled USART0, which QEMU connects to -serial.  QEMU has no semihosting
 * for AVR, so gr_exit prints an end marker ("@@END 0" ok / "@@END 1"
 * failed) that the host script waits for, then sleeps with interrupts off.
 */
#include <avr/io.h>

#include "gr_platform.h"

static void uart_init(void)
{
    static unsigned char ready;
    if (!ready) {
        UBRR0H = 0;
        UBRR0L = 8; /* 115200 baud at 16 MHz; QEMU ignores it */
        UCSR0B = (unsigned char)(1u << TXEN0);
        UCSR0C = (unsigned char)((1u << UCSZ01) | (1u << UCSZ00));
        ready = 1;
    }
}

void gr_putc(char c)
{
    uart_init();
    while (!(UCSR0A & (1u << UDRE0))) {
    }
    UDR0 = (unsigned char)c;
}

void gr_exit(int ok)
{
    /* in flash: this image has no .data (see NOTES.md, QEMU 7.2 ELPM) */
    static const __flash char end_ok[] = "@@END 0\n", end_fail[] = "@@END 1\n";
    const __flash char *s = ok ? end_ok : end_fail;
    while (*s) {
        gr_putc(*s++);
    }
    __asm__ volatile("cli");
    for (;;) {
        __asm__ volatile("sleep");
    }
}
