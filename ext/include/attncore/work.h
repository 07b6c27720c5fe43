/*
 * attncore/work.h -- sizes of caller-owned work memory that never wrap.
 *
 * The core never allocates: kernels that need scratch memory take a
 * `uint64_t *work` of a size given by a macro of their header
 * (AC_Q16_ATTENTION_WORK, AC_F32_LINALG_WORK, ...).  Those macros are sums
 * and products built from AC_WORK_ADD and AC_WORK_MUL below, so for every
 * argument they give the exact number of elements when it is at most
 * AC_WORK_MAX (its size in 8-byte elements fits in size_t), and
 * AC_WORK_OVERFLOW (SIZE_MAX) when it is larger -- never a wrapped value.
 * No buffer can hold SIZE_MAX uint64 elements, so a caller that allocates
 * compares with AC_WORK_OVERFLOW first; a static buffer sized by a macro
 * that overflowed does not compile.  Where size_t has 16 bits (AVR, MSP430)
 * AC_WORK_MAX is 8,191 elements.
 *
 * The macros are constant expressions when their arguments are, and
 * evaluate their arguments more than once: pass plain sizes, not calls.
 */
#ifndef ATTNCORE_WORK_H
#define ATTNCORE_WORK_H

#include <stddef.h>
#include <stdint.h>

/* The most uint64 elements whose byte count fits in size_t. */
#define AC_WORK_MAX (SIZE_MAX / sizeof(uint64_t))
/* What a work-size macro gives when the work cannot exist. */
#define AC_WORK_OVERFLOW SIZE_MAX

/* x + y and x * y of sizes: the exact value when it is at most AC_WORK_MAX,
 * AC_WORK_OVERFLOW when it is larger.  An operand above AC_WORK_MAX (such
 * as an overflowed term) stands for a value above AC_WORK_MAX, and the
 * result still follows that rule (x * 0 = 0 for any x), so any sum of
 * products built from these is exact or AC_WORK_OVERFLOW. */
#define AC_WORK_ADD(x, y)                                                     \
    ((size_t)(x) <= AC_WORK_MAX && (size_t)(y) <= AC_WORK_MAX - (size_t)(x) \
         ? (size_t)(x) + (size_t)(y)                                          \
         : AC_WORK_OVERFLOW)
#define AC_WORK_MUL(x, y)                                                     \
    ((size_t)(y) == 0 || (size_t)(x) <= AC_WORK_MAX / (size_t)(y)             \
         ? (size_t)(x) * (size_t)(y)                                          \
         : AC_WORK_OVERFLOW)

#endif /* ATTNCORE_WORK_H */
