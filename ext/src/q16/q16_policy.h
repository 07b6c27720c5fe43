/*
 * Which rounding modes and overflow policies this build of the Q16.16 core
 * accepts.  Private to src/q16.
 *
 * Every entry point checks its `rnd` / `ovf` here before touching memory,
 * and refuses with AC_STATUS_BAD_ARGUMENT a value that is not one of the
 * enumerators -- never taking it as floor or saturate -- and one that the
 * build left out.  Firmware that never uses a mode drops it with
 *   AC_Q16_NO_NEAREST, AC_Q16_NO_FLOOR,
 *   AC_Q16_NO_SATURATE, AC_Q16_NO_RAISE, AC_Q16_NO_WRAP
 * so that the loops compiled once per mode (q16_elementwise.c) cost no
 * flash; the results of the modes kept do not change.
 */
#ifndef ATTNCORE_Q16_POLICY_H
#define ATTNCORE_Q16_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "attncore/status.h"

#if defined(AC_Q16_NO_NEAREST) && defined(AC_Q16_NO_FLOOR)
#error "attncore: AC_Q16_NO_NEAREST and AC_Q16_NO_FLOOR leave no rounding mode"
#endif
#if defined(AC_Q16_NO_SATURATE) && defined(AC_Q16_NO_RAISE) && defined(AC_Q16_NO_WRAP)
#error "attncore: AC_Q16_NO_SATURATE, _RAISE and _WRAP leave no overflow policy"
#endif

static inline bool ac_q16__rounding_ok(ac_rounding rnd)
{
    switch (rnd) {
#ifndef AC_Q16_NO_NEAREST
    case AC_ROUND_NEAREST_EVEN:
        return true;
#endif
#ifndef AC_Q16_NO_FLOOR
    case AC_ROUND_FLOOR:
        return true;
#endif
    default:
        return false;
    }
}

static inline bool ac_q16__overflow_ok(ac_overflow ovf)
{
    switch (ovf) {
#ifndef AC_Q16_NO_SATURATE
    case AC_OVERFLOW_SATURATE:
        return true;
#endif
#ifndef AC_Q16_NO_RAISE
    case AC_OVERFLOW_RAISE:
        return true;
#endif
#ifndef AC_Q16_NO_WRAP
    case AC_OVERFLOW_WRAP:
        return true;
#endif
    default:
        return false;
    }
}

/* After element `index` of a strided loop came out with status st: note
 * an event, and say whether the loop stops there (a domain error always
 * stops it, a range event under RAISE). */
static inline bool ac_q16__note_stops(ac_tally *tally, size_t index, ac_status st,
                                      ac_overflow ovf)
{
    if (st == AC_OK) {
        return false;
    }
    ac_tally_note(tally, index, st);
    return st == AC_STATUS_DOMAIN || ovf == AC_OVERFLOW_RAISE;
}

#endif /* ATTNCORE_Q16_POLICY_H */
