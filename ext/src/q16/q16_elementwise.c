/*
 * Strided elementwise loops over the Q16.16 scalar operations.
 *
 * The policy switch sits outside the loop and the scalar functions are
 * inline, so each (operation, rounding, overflow) combination compiles to
 * its own branch-light loop; the contiguous case gets its own copy so the
 * compiler sees unit strides.
 */
#include "attncore/config.h"
#include "attncore/q16_elementwise.h"

/* Rows are processed in blocks: statuses go to a small byte buffer and are
 * summed, so the arithmetic loop has no data-dependent branch and the
 * compiler can unroll or vectorize it; the buffer is scanned for the first
 * event only in a block that had one. */
#define AC__BLOCK 512

static void note_block(ac_tally *tally, size_t start, const unsigned char *st, size_t len,
                       size_t events)
{
    size_t first = 0, last = len - 1;
    if (tally == NULL) { /* the caller does not count */
        return;
    }
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
            unsigned char block_st[AC__BLOCK];                                  \
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

AC_VECTOR_CLONES
ac_status ac_q16_binary_n(ac_q16_binary_op op, size_t n,
                          const ac_q16 *a, ptrdiff_t sa,
                          const ac_q16 *b, ptrdiff_t sb,
                          ac_q16 *out, ptrdiff_t so,
                          ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
{
    /* an unknown rounding would otherwise take the floor loops below */
    if (!ac_q16__valid_rounding(rnd) || !ac_q16__valid_overflow(ovf)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
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
    return AC_STATUS_BAD_ARGUMENT; /* unknown op or policy */
}

ac_status ac_q16_unary_n(ac_q16_unary_op op, size_t n,
                         const ac_q16 *a, ptrdiff_t sa,
                         ac_q16 *out, ptrdiff_t so,
                         ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
{
    /* an unknown op is refused for every n, as ac_q16_binary_n refuses it */
    if (!ac_q16__valid_rounding(rnd) || !ac_q16__valid_overflow(ovf)
        || (op != AC_Q16_OP_SQRT && op != AC_Q16_OP_EXP)) {
        return AC_STATUS_BAD_ARGUMENT;
    }
    for (size_t i = 0; i < n; ++i, a += sa, out += so) {
        ac_status st;
        if (op == AC_Q16_OP_SQRT) {
            *out = ac_q16_sqrt(*a, rnd, &st);
        } else if (op == AC_Q16_OP_EXP) {
            *out = ac_q16_exp(*a, rnd, ovf, &st);
        } else {
            return AC_STATUS_BAD_ARGUMENT;
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
