/*
 * Private exp / log for the float kernels, so ext/ needs no libm and builds
 * freestanding.  exp is branch-free (clamp, compute, select), so loops over
 * it vectorize; log runs once per softmax row and may branch.
 *
 * exp(x) = 2^n * p(r), n = round(x / ln 2), r = x - n ln 2 (Cody-Waite, two
 * constants), |r| <= ln2 / 2, p a Taylor polynomial whose truncation error is
 * below the type's epsilon.  n is read from the bits of x/ln2 + 1.5*2^(p-1)
 * (no float-to-int conversion, which would be undefined for NaN), and 2^n is
 * built as two normal powers so the whole finite range is covered.
 * Results in the subnormal range are subnormal, as libm's and NumPy's are
 * (2^n as two powers, so the last multiply rounds once into that range);
 * below half the smallest subnormal they are 0.  Error within 2 ulp of
 * normal results, within 1 ulp of the subnormal spacing below (tested
 * against libm in ext/tests).
 */
#ifndef ATTNCORE_FP_MATH_H
#define ATTNCORE_FP_MATH_H

#include <stdint.h>

/* Bit casts through a union (C99 TC3 makes this defined; no <string.h>,
 * which a freestanding build does not have). */
typedef union { float f; uint32_t u; } ac_f32__bits;
typedef union { double f; uint64_t u; } ac_f64__bits;

static inline float ac_f32__from_bits(uint32_t u)
{
    ac_f32__bits b;
    b.u = u;
    return b.f;
}

static inline uint32_t ac_f32__to_bits(float f)
{
    ac_f32__bits b;
    b.f = f;
    return b.u;
}

static inline double ac_f64__from_bits(uint64_t u)
{
    ac_f64__bits b;
    b.u = u;
    return b.f;
}

static inline uint64_t ac_f64__to_bits(double d)
{
    ac_f64__bits b;
    b.f = d;
    return b.u;
}

static inline float ac_f32__exp(float x)
{
    const float lo = -103.972084f, hi = 88.72283f, shifter = 12582912.0f; /* 1.5 * 2^23 */
    float xc = x < lo ? lo : (x > hi ? hi : x);
    xc = xc == xc ? xc : 0.0f;
    float t = xc * 1.44269504088896341f + shifter;
    float n = t - shifter;
    int32_t ni = (int32_t)(ac_f32__to_bits(t) - ac_f32__to_bits(shifter));
    float r = (xc - n * 0.693359375f) + n * 2.12194440e-4f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666672e-1f + r * (4.16666679e-2f
              + r * (8.33333377e-3f + r * (1.38888892e-3f + r * 1.98412701e-4f))))));
    int32_t n1 = ni / 2, n2 = ni - n1;
    float s1 = ac_f32__from_bits((uint32_t)(n1 + 127) << 23);
    float s2 = ac_f32__from_bits((uint32_t)(n2 + 127) << 23);
    float y = p * s1 * s2;
    y = x < lo ? 0.0f : y;
    y = x > hi ? ac_f32__from_bits(0x7F800000u) : y;
    return x == x ? y : x;
}

static inline double ac_f64__exp(double x)
{
    const double lo = -745.1332191019412, hi = 709.782712893384;
    const double shifter = 6755399441055744.0; /* 1.5 * 2^52 */
    double xc = x < lo ? lo : (x > hi ? hi : x);
    xc = xc == xc ? xc : 0.0;
    double t = xc * 1.4426950408889634 + shifter;
    double n = t - shifter;
    int64_t ni = (int64_t)(ac_f64__to_bits(t) - ac_f64__to_bits(shifter));
    double r = (xc - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
    double p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120
               + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880
               + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600
               + r * (1.0 / 6227020800.0)))))))))))));
    int64_t n1 = ni / 2, n2 = ni - n1;
    double s1 = ac_f64__from_bits((uint64_t)(n1 + 1023) << 52);
    double s2 = ac_f64__from_bits((uint64_t)(n2 + 1023) << 52);
    double y = p * s1 * s2;
    y = x < lo ? 0.0 : y;
    y = x > hi ? ac_f64__from_bits(UINT64_C(0x7FF0000000000000)) : y;
    return x == x ? y : x;
}

/* exp(x) for x <= 0 (and -inf, NaN): what softmax and attention need, as
 * every exponent there is a score minus its row maximum.  The same
 * reduction and polynomial as ac_f32__exp and ac_f64__exp, with less work: no
 * overflow side, and NaN needs no select (it flows through the
 * arithmetic).  Subnormal results are kept (2^n as two normal powers).
 * x > 0 is not handled. */
static inline float ac_f32__exp_nonpos(float x)
{
    /* below ln(2^-150), exp(x) rounds to 0 */
    const float lo = -103.972084f, shifter = 12582912.0f; /* 1.5 * 2^23 */
    float xc = x < lo ? lo : x;
    float t = xc * 1.44269504088896341f + shifter;
    float n = t - shifter;
    int32_t ni = (int32_t)(ac_f32__to_bits(t) - ac_f32__to_bits(shifter));
    float r = (xc - n * 0.693359375f) + n * 2.12194440e-4f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666672e-1f + r * (4.16666679e-2f
              + r * (8.33333377e-3f + r * (1.38888892e-3f + r * 1.98412701e-4f))))));
    int32_t n1 = ni / 2, n2 = ni - n1; /* both >= -75 */
    float y = p * ac_f32__from_bits((uint32_t)(n1 + 127) << 23)
              * ac_f32__from_bits((uint32_t)(n2 + 127) << 23);
    return x < lo ? 0.0f : y;
}

static inline double ac_f64__exp_nonpos(double x)
{
    /* below ln(2^-1075), exp(x) rounds to 0 */
    const double lo = -745.1332191019412, shifter = 6755399441055744.0; /* 1.5 * 2^52 */
    double xc = x < lo ? lo : x;
    double t = xc * 1.4426950408889634 + shifter;
    double n = t - shifter;
    int64_t ni = (int64_t)(ac_f64__to_bits(t) - ac_f64__to_bits(shifter));
    double r = (xc - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
    double p = 1.0 + r * (1.0 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120
               + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880
               + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600
               + r * (1.0 / 6227020800.0)))))))))))));
    int64_t n1 = ni / 2, n2 = ni - n1; /* both >= -538 */
    double y = p * ac_f64__from_bits((uint64_t)(n1 + 1023) << 52)
               * ac_f64__from_bits((uint64_t)(n2 + 1023) << 52);
    return x < lo ? 0.0 : y;
}

/* sqrt(x) for x > 0 finite and normal, without a division: the bit-level
 * 1/sqrt estimate (within 3.5%), four Newton steps for 1/sqrt (each
 * squares the relative error), then one Newton correction of x * (1/sqrt x)
 * (within 1 ulp).  Only the Cholesky pivots use it. */
static inline double ac_f64__sqrt(double x)
{
#if defined(__GNUC__) && defined(__SSE2_MATH__) && defined(__NO_MATH_ERRNO__)
    return __builtin_sqrt(x); /* one instruction (sqrtsd): no libm call without errno */
#endif
    double y = ac_f64__from_bits(UINT64_C(0x5FE6EB50C7B537A9) - (ac_f64__to_bits(x) >> 1));
    for (int i = 0; i < 4; ++i) {
        y = y * (1.5 - 0.5 * x * y * y);
    }
    double r = x * y;
    return r + 0.5 * y * (x - r * r);
}

static inline float ac_f32__sqrt(float x)
{
    return (float)ac_f64__sqrt((double)x);
}

/* log(x) = e ln 2 + 2 atanh(s), s = (m - 1) / (m + 1), m in [sqrt(1/2), sqrt(2)). */
static inline double ac_f64__log(double x)
{
    if (!(x > 0.0) || x - x != 0.0) { /* NaN, <= 0, or +inf */
        return x == 0.0 ? -ac_f64__from_bits(UINT64_C(0x7FF0000000000000))
                        : (x > 0.0 ? x : ac_f64__from_bits(UINT64_C(0x7FF8000000000000)));
    }
    uint64_t bits = ac_f64__to_bits(x);
    int64_t e = (int64_t)(bits >> 52) - 1023;
    if (e == -1023) { /* subnormal: renormalize */
        bits = ac_f64__to_bits(x * 18014398509481984.0); /* 2^54 */
        e = (int64_t)(bits >> 52) - 1023 - 54;
    }
    double m = ac_f64__from_bits((bits & UINT64_C(0x000FFFFFFFFFFFFF)) | UINT64_C(0x3FF0000000000000));
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e += 1;
    }
    double s = (m - 1.0) / (m + 1.0), s2 = s * s;
    double series = 1.0 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9
                    + s2 * (1.0 / 11 + s2 * (1.0 / 13 + s2 * (1.0 / 15 + s2 * (1.0 / 17
                    + s2 * (1.0 / 19 + s2 * (1.0 / 21))))))))));
    double ed = (double)e;
    return ed * 1.90821492927058770002e-10 + 2.0 * s * series + ed * 6.93147180369123816490e-01;
}

static inline float ac_f32__log(float x)
{
    return (float)ac_f64__log((double)x); /* once per row: double is exact enough */
}

#endif /* ATTNCORE_FP_MATH_H */
