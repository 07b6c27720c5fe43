/*
 * Vendoring example: the smallest program that uses attncore's Q16.16 core
 * on a target.  Transforms a point by a 4x4 matrix and scales the result,
 * with saturation counted through the tally.  Build it with the core's
 * flags (see ext/README.md); it needs no libc, heap or FPU.
 */
#include "attncore/q16.h"
#include "attncore/q16_elementwise.h"
#include "attncore/q16_matmul.h"

#define Q(x) ((ac_q16)((x) * AC_Q16_ONE)) /* integer constants only */

int transform_point(ac_q16 out[4]);

int transform_point(ac_q16 out[4])
{
    static const ac_q16 m[16] = {Q(1), 0, 0, Q(2),
                                 0, Q(1), 0, Q(-3),
                                 0, 0, Q(1), Q(5),
                                 0, 0, 0, Q(1)};
    static const ac_q16 p[4] = {Q(10), Q(20), Q(30), Q(1)};
    static const ac_q16 half[1] = {AC_Q16_ONE / 2};
    ac_tally tally = {0, 0, 0, AC_OK};

    /* out = m @ p, each entry an exact dot product rounded once */
    ac_status st = ac_q16_matmul(4, 1, 4, m, 4, 1, p, 1, 1, out, 1, 1,
                                 AC_ROUND_NEAREST_EVEN, AC_OVERFLOW_RAISE, &tally);
    if (st != AC_OK) {
        return -1; /* out of range: the first offending entry is tally.first_index */
    }
    /* out *= 0.5, broadcast with stride 0; saturations are counted, not fatal */
    ac_q16_binary_n(AC_Q16_OP_MUL, 4, out, 1, half, 0, out, 1, AC_ROUND_NEAREST_EVEN,
                    AC_OVERFLOW_SATURATE, &tally);
    return (int)tally.events;
}
