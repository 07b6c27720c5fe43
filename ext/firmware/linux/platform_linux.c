/* gr_putc / gr_exit for Linux user-mode targets (qemu-aarch64, qemu-ppc, ...). */
#include <stdio.h>
#include <stdlib.h>

#include "gr_platform.h"

void gr_putc(char c)
{
    putchar(c);
}

void gr_exit(int ok)
{
    fflush(stdout);
    exit(ok ? 0 : 1);
}
