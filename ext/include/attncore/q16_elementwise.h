/*
 * attncore/q16_elementwise.h -- strided loops applying the Q16.16 scalar
 * operations to arrays.  Strides are in elements (ptrdiff_t, may be 0 for a
 * broadcast operand or negative).  Each loop notes every element whose
 * status is not AC_OK in `tally`; under AC_OVERFLOW_RAISE it stops at the
 * first range or division-by-zero event and returns that status (the
 * output past that point is unspecified), otherwise it returns AC_OK after
 * the whole row.  Domain errors (sqrt of a negative) always stop the loop.
 * `tally` may be NULL (nothing is counted; the return value is the same).
 *
 * An operation, rounding mode or overflow policy that is not one of the
 * enumerators returns AC_STATUS_BAD_ARGUMENT before anything is read or
 * written.  So does one that the build left out: each (operation, rounding,
 * overflow) triple is its own loop, and firmware keeps only the ones it uses
 * by defining, when compiling src/q16/,
 *   AC_Q16_NO_ADD, AC_Q16_NO_SUB, AC_Q16_NO_MUL, AC_Q16_NO_DIV (binary ops;
 *     the division loops also bring in 64-bit division helpers),
 *   AC_Q16_NO_SQRT, AC_Q16_NO_EXP (unary ops; exp brings in its tables),
 *   AC_Q16_NO_NEAREST, AC_Q16_NO_FLOOR, AC_Q16_NO_SATURATE, AC_Q16_NO_RAISE,
 *   AC_Q16_NO_WRAP (modes),
 *   AC_Q16_ELEMENTWISE_BLOCK = the status block of contiguous binary rows,
 *     in bytes of stack (default 512; any value >= 1 gives the same results).
 * The kept combinations give the same bits as in a full build.
 */
#ifndef ATTNCORE_Q16_ELEMENTWISE_H
#define ATTNCORE_Q16_ELEMENTWISE_H

#include "attncore/q16.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ac_q16_binary_op {
    AC_Q16_OP_ADD = 0,
    AC_Q16_OP_SUB = 1,
    AC_Q16_OP_MUL = 2,
    AC_Q16_OP_DIV = 3
} ac_q16_binary_op;

typedef enum ac_q16_unary_op {
    AC_Q16_OP_SQRT = 0,
    AC_Q16_OP_EXP = 1
} ac_q16_unary_op;

ac_status ac_q16_binary_n(ac_q16_binary_op op, size_t n,
                          const ac_q16 *a, ptrdiff_t sa,
                          const ac_q16 *b, ptrdiff_t sb,
                          ac_q16 *out, ptrdiff_t so,
                          ac_rounding rnd, ac_overflow ovf, ac_tally *tally);

ac_status ac_q16_unary_n(ac_q16_unary_op op, size_t n,
                         const ac_q16 *a, ptrdiff_t sa,
                         ac_q16 *out, ptrdiff_t so,
                         ac_rounding rnd, ac_overflow ovf, ac_tally *tally);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_Q16_ELEMENTWISE_H */
