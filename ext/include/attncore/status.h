/*
 * attncore/status.h -- rounding and overflow policies, and how kernels
 * report what happened.  Kernels never abort and never print: they return
 * a status and fill an ac_tally, and the caller (the Python layer, or
 * firmware) decides what to do with it.
 */
#ifndef ATTNCORE_STATUS_H
#define ATTNCORE_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ac_rounding {
    AC_ROUND_NEAREST_EVEN = 0,
    AC_ROUND_FLOOR = 1
} ac_rounding;

typedef enum ac_overflow {
    AC_OVERFLOW_SATURATE = 0,
    AC_OVERFLOW_RAISE = 1,
    AC_OVERFLOW_WRAP = 2
} ac_overflow;

typedef enum ac_status {
    AC_OK = 0,
    AC_STATUS_RANGE = 1,       /* result outside int32: saturated or wrapped */
    AC_STATUS_DIV_BY_ZERO = 2, /* divisor 0: result saturated by the dividend's sign */
    AC_STATUS_DOMAIN = 3,      /* no result for this input: sqrt of a negative; NaN, or an
                                  infinity under AC_OVERFLOW_WRAP, converted to Q16.16 */
    AC_STATUS_SINGULAR = 4,    /* zero pivot at working precision */
    AC_STATUS_NOT_POSITIVE_DEFINITE = 5, /* Cholesky met a pivot <= 0 */
    AC_STATUS_TOO_LONG = 6,    /* a row keeps more entries than its exact sums can hold */
    AC_STATUS_BAD_ARGUMENT = 7 /* an argument breaks the call's precondition: an unknown op,
                                  pivot indices out of range, an affine bottom row other
                                  than [0 ... 0 1] */
} ac_status;

/* What a strided kernel saw: how many elements had a non-OK status, where
 * the first one was, and where the last one was (when a kernel stops on an
 * error, the element it stopped at).  Callers zero-initialise it; kernels
 * add to it. */
typedef struct ac_tally {
    size_t events;
    size_t first_index;
    size_t last_index;
    ac_status first_status;
} ac_tally;

static inline void ac_tally_note(ac_tally *tally, size_t index, ac_status status)
{
    if (tally == NULL) { /* the caller does not count */
        return;
    }
    if (tally->events == 0) {
        tally->first_index = index;
        tally->first_status = status;
    }
    tally->last_index = index;
    tally->events += 1;
}

/* Add the tally of a sub-range that starts at element `offset` of the
 * caller's range: how a batch or a split row merges its parts' tallies. */
static inline void ac_tally_add(ac_tally *total, const ac_tally *part, size_t offset)
{
    if (total != NULL && part->events) {
        if (total->events == 0) {
            total->first_index = offset + part->first_index;
            total->first_status = part->first_status;
        }
        total->last_index = offset + part->last_index;
        total->events += part->events;
    }
}

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_STATUS_H */
