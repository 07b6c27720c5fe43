/*
 * exp(-d) in Q0.40 for the Q16.16 kernels that normalize by a sum of
 * exponentials (softmax, attention).  Integer only.
 */
#include "attncore/q16_wide.h"
#include "q16_exp_tables.h"

/* floor(a * b / 2^63) for a, b <= 2^63 (products of Q0.63 values <= 1). */
static uint64_t mul_q63(uint64_t a, uint64_t b)
{
    uint64_t hi, lo;
    ac_q16__mul_u64(a, b, &hi, &lo);
    return (hi << 1) | (lo >> 63);
}

uint64_t ac_q16__exp_neg_q40(uint64_t d)
{
    if (d >= (uint64_t)31 << 32) {
        return 0; /* exp(-31) < 2^-44: below the last bit */
    }
    uint64_t u = d >> 16; /* the Q16.16 part: three table factors */
    uint64_t e = mul_q63(ac_q16__exp_neg_int[u >> 16], ac_q16__exp_neg_hi[(u >> 8) & 255u]);
    e = mul_q63(e, ac_q16__exp_neg_lo[u & 255u]);
    uint64_t fine = d & 0xFFFFu;
    if (fine != 0) {
        /* exp(-x) for x = fine / 2^32 < 2^-16 as 1 - x + x^2/2 in Q0.63: the
         * dropped x^3/6 is below 2^-50 relative, far under the Q0.40 result */
        uint64_t factor = ((uint64_t)1 << 63) - (fine << 31) + ((fine * fine) >> 2);
        e = mul_q63(e, factor);
    }
    return e >> 23;
}
