/*
 * Markers of the instruction-count harness (count/count.py).
 *
 * count_begin() and count_end() are empty functions that are never inlined;
 * the harness runs the image under QEMU with one instruction per
 * translation block and an exec trace (-singlestep -d exec,nochain), and
 * counts the trace lines from the first instruction of count_begin to the
 * first instruction of count_end.  An empty region (COUNT_REGION of nothing)
 * measures the markers' own cost, which the harness subtracts.
 *
 * Each region prints "REGION <name>" first, so the host can name the i-th
 * region of the trace; regions with the same name are repeated calls on
 * different inputs (the table shows min / median / max).
 *
 * The stack each region uses is measured too: the free stack below the
 * caller is painted before the region and scanned after it.
 */
#ifndef COUNT_MARKERS_H
#define COUNT_MARKERS_H

#include <stddef.h>
#include <stdint.h>

void count_begin(void);
void count_end(void);
void count_name(const char *name);
void count_put_uint(uint32_t v);
void count_put_str(const char *s);

/* The input generator both harnesses share (xorshift32, fixed seed). */
uint32_t count_rng(void);

/* Stack probe: paint `bytes` below the current stack pointer; after the
 * region, how deep below that point the stack went. */
void count_stack_paint(void);
uint32_t count_stack_used(void);

#define COUNT_REGION(name, ...)                                                   \
    do {                                                                          \
        count_name(name);                                                         \
        count_stack_paint();                                                      \
        count_begin();                                                            \
        __VA_ARGS__;                                                              \
        count_end();                                                              \
        uint32_t count_used_ = count_stack_used(); /* before any other call */   \
        count_put_str("STACK ");                                                  \
        count_put_uint(count_used_);                                              \
        count_put_str("\n");                                                      \
    } while (0)

#endif
