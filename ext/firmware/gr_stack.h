/* Deepest stack use since reset, in bytes (the startup code paints the free
 * stack; targets without painting return 0). */
#ifndef GR_STACK_H
#define GR_STACK_H

#include <stddef.h>

size_t gr_stack_peak(void);

#endif
