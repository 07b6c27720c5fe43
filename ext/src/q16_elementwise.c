/*
 * Strided elementwise loops over the Q16.16 scalar operations.
 *
 * The policy switch sits outside the loop and the scalar functions are
 * inline, so each (operation, rounding, overflow) combination compiles to
 * its own branch-light loop; the contiguous case gets its own copy so the
 * compiler sees unit strides.
 */
#include "attncore/q16_elementwise.h"

/* One loop body; OP is an expression of x (and y) yielding the result and
 * writing `st`.  STOP says whether an event ends the row. */
#define AC__LOOP2(EXPR, STOP)                                                   \
    do {                                                                        \
        if (sa == 1 && sb == 1 && so == 1) {                                    \
            for (size_t i = 0; i < n; ++i) {                                    \
                ac_status st;                                                   \
                ac_q16 x = a[i], y = b[i];                                      \
                out[i] = (EXPR);                                                \
                if (st != AC_OK) {                                              \
                    ac_tally_note(tally, i, st);                                \
                    if (STOP) return st;                                        \
                }                                                               \
            }                                                                   \
        } else {                                                                \
            for (size_t i = 0; i < n; ++i, a += sa, b += sb, out += so) {       \
                ac_status st;                                                   \
                ac_q16 x = *a, y = *b;                                          \
                *out = (EXPR);                                                  \
                if (st != AC_OK) {                                              \
                    ac_tally_note(tally, i, st);                                \
                    if (STOP) return st;                                        \
                }                                                               \
            }                                                                   \
        }                                                                       \
    } while (0)

#define AC__BINARY_POLICIES(CALL)                                               \
    do {                                                                        \
        if (rnd == AC_ROUND_NEAREST_EVEN) {                                     \
            switch (ovf) {                                                      \
            case AC_OVERFLOW_SATURATE:                                          \
                AC__LOOP2(CALL(AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_SATURATE), 0);\
                return AC_OK;                                                   \
            case AC_OVERFLOW_RAISE:                                             \
                AC__LOOP2(CALL(AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_RAISE), 1);   \
                return AC_OK;                                                   \
            case AC_OVERFLOW_WRAP:                                              \
                AC__LOOP2(CALL(AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_WRAP), 0);    \
                return AC_OK;                                                   \
            }                                                                   \
        } else {                                                                \
            switch (ovf) {                                                      \
            case AC_OVERFLOW_SATURATE:                                          \
                AC__LOOP2(CALL(AC_ROUND_FLOOR, AC_OVERFLOW_SATURATE), 0);       \
                return AC_OK;                                                   \
            case AC_OVERFLOW_RAISE:                                             \
                AC__LOOP2(CALL(AC_ROUND_FLOOR, AC_OVERFLOW_RAISE), 1);          \
                return AC_OK;                                                   \
            case AC_OVERFLOW_WRAP:                                              \
                AC__LOOP2(CALL(AC_ROUND_FLOOR, AC_OVERFLOW_WRAP), 0);           \
                return AC_OK;                                                   \
            }                                                                   \
        }                                                                       \
    } while (0)

#define AC__CALL_ADD(R, O) ac_q16_add(x, y, (O), &st)
#define AC__CALL_SUB(R, O) ac_q16_sub(x, y, (O), &st)
#define AC__CALL_MUL(R, O) ac_q16_mul(x, y, (R), (O), &st)
#define AC__CALL_DIV(R, O) ac_q16_div(x, y, (R), (O), &st)

ac_status ac_q16_binary_n(ac_q16_binary_op op, size_t n,
                          const ac_q16 *a, ptrdiff_t sa,
                          const ac_q16 *b, ptrdiff_t sb,
                          ac_q16 *out, ptrdiff_t so,
                          ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
{
    switch (op) {
    case AC_Q16_OP_ADD:
        AC__BINARY_POLICIES(AC__CALL_ADD);
        break;
    case AC_Q16_OP_SUB:
        AC__BINARY_POLICIES(AC__CALL_SUB);
        break;
    case AC_Q16_OP_MUL:
        AC__BINARY_POLICIES(AC__CALL_MUL);
        break;
    case AC_Q16_OP_DIV:
        AC__BINARY_POLICIES(AC__CALL_DIV);
        break;
    }
    return AC_STATUS_DOMAIN; /* unknown op or policy */
}

ac_status ac_q16_unary_n(ac_q16_unary_op op, size_t n,
                         const ac_q16 *a, ptrdiff_t sa,
                         ac_q16 *out, ptrdiff_t so,
                         ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
{
    for (size_t i = 0; i < n; ++i, a += sa, out += so) {
        ac_status st;
        if (op == AC_Q16_OP_SQRT) {
            *out = ac_q16_sqrt(*a, rnd, &st);
        } else if (op == AC_Q16_OP_EXP) {
            *out = ac_q16_exp(*a, rnd, ovf, &st);
        } else {
            return AC_STATUS_DOMAIN;
        }
        if (st != AC_OK) {
            ac_tally_note(tally, i, st);
            if (st == AC_STATUS_DOMAIN || ovf == AC_OVERFLOW_RAISE) {
                return st;
            }
        }
    }
    return AC_OK;
}
