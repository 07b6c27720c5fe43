/*
 * Strided elementwise loops over the Q16.16 scalar operations.
 *
 * The policy switch sits outside the loop and the scalar functions are
 * inline, so each (operation, rounding, overflow) combination compiles to
 * its own branch-light loop; the contiguous case gets its own copy so the
 * compiler sees unit strides.  Each of those copies can be left out at
 * compile time (q16_elementwise.h, q16_policy.h).
 */
#include "attncore/config.h"
#include "attncore/q16_elementwise.h"
#include "q16_policy.h"

/* Contiguous rows are processed in blocks: statuses go to a byte buffer of
 * AC_Q16_ELEMENTWISE_BLOCK entries on the stack and are summed, so the
 * arithmetic loop has no data-dependent branch and the compiler can unroll
 * or vectorize it; the buffer is scanned for the first event only in a
 * block that had one.  The block size changes stack use and speed, never
 * results or tallies. */
#ifndef AC_Q16_ELEMENTWISE_BLOCK
#define AC_Q16_ELEMENTWISE_BLOCK 512
#endif
#if AC_Q16_ELEMENTWISE_BLOCK < 1
#error "attncore: AC_Q16_ELEMENTWISE_BLOCK must be at least 1"
#endif
#define AC__BLOCK ((size_t)AC_Q16_ELEMENTWISE_BLOCK)

static void note_block(ac_tally *tally, size_t start, const unsigned char *st, size_t len,
                       size_t events)
{
    if (tally == NULL) {
        return;
    }
    size_t first = 0, last = len - 1;
    while (st[first] == AC_OK) {
        ++first;
    }
    while (st[last] == AC_OK) {
        --last;
    }
    if (tally->events == 0) {
        tally->first_index = start + first;
        tally->first_status = (ac_status)st[first];
    }
    tally->last_index = start + last;
    tally->events += events;
}

/* One loop body; EXPR is an expression of x (and y) yielding the result and
 * writing `st`.  STOP says whether an event ends the row (overflow=raise). */
#define AC__LOOP2(EXPR, STOP)                                                   \
    do {                                                                        \
        if (!(STOP) && sa == 1 && sb == 1 && so == 1) {                         \
            unsigned char block_st[AC_Q16_ELEMENTWISE_BLOCK];                   \
            for (size_t start = 0; start < n; start += AC__BLOCK) {             \
                size_t len = n - start < AC__BLOCK ? n - start : AC__BLOCK;     \
                size_t events = 0;                                              \
                const ac_q16 *pa = a + start, *pb = b + start;                  \
                ac_q16 *po = out + start;                                       \
                for (size_t j = 0; j < len; ++j) {                              \
                    ac_status st;                                               \
                    ac_q16 x = pa[j], y = pb[j];                                \
                    po[j] = (EXPR);                                             \
                    block_st[j] = (unsigned char)st;                            \
                    events += st != AC_OK;                                      \
                }                                                               \
                if (events) {                                                   \
                    note_block(tally, start, block_st, len, events);            \
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
        return AC_OK;                                                           \
    } while (0)

/* The loops of one operation, one per policy pair this build keeps.  The
 * policies were checked on entry, so every switch finds its case; the
 * AC__IF_* wrappers drop the cases a build leaves out. */
#ifdef AC_Q16_NO_NEAREST
#define AC__IF_NEAREST(...)
#else
#define AC__IF_NEAREST(...) __VA_ARGS__
#endif
#ifdef AC_Q16_NO_FLOOR
#define AC__IF_FLOOR(...)
#else
#define AC__IF_FLOOR(...) __VA_ARGS__
#endif
#ifdef AC_Q16_NO_SATURATE
#define AC__IF_SATURATE(...)
#else
#define AC__IF_SATURATE(...) __VA_ARGS__
#endif
#ifdef AC_Q16_NO_RAISE
#define AC__IF_RAISE(...)
#else
#define AC__IF_RAISE(...) __VA_ARGS__
#endif
#ifdef AC_Q16_NO_WRAP
#define AC__IF_WRAP(...)
#else
#define AC__IF_WRAP(...) __VA_ARGS__
#endif

#define AC__BINARY_OVERFLOWS(CALL, R)                                           \
    switch (ovf) {                                                              \
    AC__IF_SATURATE(case AC_OVERFLOW_SATURATE:                                  \
                    AC__LOOP2(CALL(R, AC_OVERFLOW_SATURATE), 0);)               \
    AC__IF_RAISE(case AC_OVERFLOW_RAISE:                                        \
                 AC__LOOP2(CALL(R, AC_OVERFLOW_RAISE), 1);)                     \
    AC__IF_WRAP(case AC_OVERFLOW_WRAP:                                          \
                AC__LOOP2(CALL(R, AC_OVERFLOW_WRAP), 0);)                       \
    default:                                                                    \
        break;                                                                  \
    }

#define AC__BINARY_POLICIES(CALL)                                               \
    do {                                                                        \
        if (rnd == AC_ROUND_NEAREST_EVEN) {                                     \
            AC__IF_NEAREST(AC__BINARY_OVERFLOWS(CALL, AC_ROUND_NEAREST_EVEN))   \
        } else {                                                                \
            AC__IF_FLOOR(AC__BINARY_OVERFLOWS(CALL, AC_ROUND_FLOOR))            \
        }                                                                       \
    } while (0)

#define AC__CALL_ADD(R, O) ac_q16_add(x, y, (O), &st)
#define AC__CALL_SUB(R, O) ac_q16_sub(x, y, (O), &st)
#define AC__CALL_MUL(R, O) ac_q16_mul(x, y, (R), (O), &st)
#define AC__CALL_DIV(R, O) ac_q16_div(x, y, (R), (O), &st)

AC_VECTOR_CLONES
ac_status ac_q16_binary_n(ac_q16_binary_op op, size_t n,
                          const ac_q16 *a, ptrdiff_t sa,
                          const ac_q16 *b, ptrdiff_t sb,
                          ac_q16 *out, ptrdiff_t so,
                          ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
{
    if (!ac_q16__rounding_ok(rnd) || !ac_q16__overflow_ok(ovf)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    switch (op) {
#ifndef AC_Q16_NO_ADD
    case AC_Q16_OP_ADD:
        AC__BINARY_POLICIES(AC__CALL_ADD);
        break;
#endif
#ifndef AC_Q16_NO_SUB
    case AC_Q16_OP_SUB:
        AC__BINARY_POLICIES(AC__CALL_SUB);
        break;
#endif
#ifndef AC_Q16_NO_MUL
    case AC_Q16_OP_MUL:
        AC__BINARY_POLICIES(AC__CALL_MUL);
        break;
#endif
#ifndef AC_Q16_NO_DIV
    case AC_Q16_OP_DIV:
        AC__BINARY_POLICIES(AC__CALL_DIV);
        break;
#endif
    default:
        break;
    }
    return AC_STATUS_BAD_ARGUMENT; /* an unknown operation, or one this build left out */
}

/* A domain error (sqrt of a negative) always ends the row; range events do
 * under overflow=raise. */
#define AC__LOOP1(EXPR)                                                         \
    for (size_t i = 0; i < n; ++i, a += sa, out += so) {                        \
        ac_status st;                                                           \
        ac_q16 x = *a;                                                          \
        *out = (EXPR);                                                          \
        if (ac_q16__note_stops(tally, i, st, ovf)) {                            \
            return st;                                                          \
        }                                                                       \
    }                                                                           \
    return AC_OK

ac_status ac_q16_unary_n(ac_q16_unary_op op, size_t n,
                         const ac_q16 *a, ptrdiff_t sa,
                         ac_q16 *out, ptrdiff_t so,
                         ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
{
    if (!ac_q16__rounding_ok(rnd) || !ac_q16__overflow_ok(ovf)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    switch (op) {
#ifndef AC_Q16_NO_SQRT
    case AC_Q16_OP_SQRT:
        AC__LOOP1(ac_q16_sqrt(x, rnd, &st));
#endif
#ifndef AC_Q16_NO_EXP
    case AC_Q16_OP_EXP:
        AC__LOOP1(ac_q16_exp(x, rnd, ovf, &st));
#endif
    default:
        return AC_STATUS_BAD_ARGUMENT; /* unknown, or left out of this build */
    }
}
