/* Semihosting for the test firmware: text output and exit status through
 * the debugger interface QEMU emulates (-semihosting-config enable=on). */
#ifndef ATTNCORE_TARGET_SEMIHOST_H
#define ATTNCORE_TARGET_SEMIHOST_H

#include <stdint.h>

void sh_puts(const char *s);
void sh_put_uint(uint32_t v);
void sh_put_int(int32_t v);
void sh_exit(int ok); /* QEMU exits with status 0 when ok, 1 otherwise */

#endif
