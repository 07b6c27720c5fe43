/*
 * attncore/convert.h -- conversion between real numbers (float, double)
 * and Q16.16.  This is host-side float code, kept out of the fixed-point
 * files so the Q16.16 path stays free of floating point.
 *
 * from_*: x * 2^16 is exact in double, so the only rounding point is the
 * conversion of that product to an integer (nearest-even or floor).  NaN,
 * and +-inf under AC_OVERFLOW_WRAP, give AC_STATUS_DOMAIN and 0; values out
 * of range follow the overflow policy (wrap is modulo 2^32 of the exactly
 * rounded integer).  to_double is exact.
 */
#ifndef ATTNCORE_CONVERT_H
#define ATTNCORE_CONVERT_H

#include "attncore/q16.h"

#ifdef __cplusplus
extern "C" {
#endif

ac_q16 ac_q16_from_double(double x, ac_rounding rnd, ac_overflow ovf, ac_status *status);

static inline double ac_q16_to_double(ac_q16 q)
{
    return (double)q * (1.0 / 65536.0);
}

/* Strided loops (strides in elements); same tally and stop rules as
 * attncore/q16_elementwise.h: NaN always stops, range stops under RAISE. */
ac_status ac_q16_from_double_n(size_t n, const double *x, ptrdiff_t sx, ac_q16 *out,
                               ptrdiff_t so, ac_rounding rnd, ac_overflow ovf,
                               ac_tally *tally);
ac_status ac_q16_from_float_n(size_t n, const float *x, ptrdiff_t sx, ac_q16 *out,
                              ptrdiff_t so, ac_rounding rnd, ac_overflow ovf,
                              ac_tally *tally);
ac_status ac_q16_from_int64_n(size_t n, const int64_t *x, ptrdiff_t sx, ac_q16 *out,
                              ptrdiff_t so, ac_overflow ovf, ac_tally *tally);
void ac_q16_to_double_n(size_t n, const ac_q16 *q, ptrdiff_t sq, double *out, ptrdiff_t so);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_CONVERT_H */
