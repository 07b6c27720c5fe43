/*
 * Tests of the float kernels' private exp / log (src/fp/fp_math.h) against the
 * host's libm, in ulp, plus the float softmax rows.
 */
#include <math.h>
#include <stdint.h>

#include "attncore/fp_softmax.h"
#include "check.h"
#include "fp_math.h"

static double ulp_error_f32(float got, float want)
{
    if (want == 0.0f) {
        return got == 0.0f ? 0.0 : 1e9;
    }
    return fabs((double)got - (double)want) / (double)(nextafterf(fabsf(want), INFINITY) - fabsf(want));
}

static double ulp_error_f64(double got, double want)
{
    if (want == 0.0) {
        return got == 0.0 ? 0.0 : 1e9;
    }
    return fabs(got - want) / (nextafter(fabs(want), INFINITY) - fabs(want));
}

static double uniform(double lo, double hi)
{
    return lo + (hi - lo) * (double)(check_rng() >> 11) / 9007199254740992.0;
}

int main(void)
{
    double worst32 = 0, worst64 = 0, worst_log = 0;
    for (int i = 0; i < 2000000; ++i) {
        float x = (float)uniform(-87.3, 88.7);
        double e32 = ulp_error_f32(ac_f32__exp(x), expf(x));
        worst32 = e32 > worst32 ? e32 : worst32;
        double y = uniform(-708.3, 709.7);
        double e64 = ulp_error_f64(ac_f64__exp(y), exp(y));
        worst64 = e64 > worst64 ? e64 : worst64;
        double z = exp(uniform(-700, 700));
        double el = ulp_error_f64(ac_f64__log(z), log(z));
        worst_log = el > worst_log ? el : worst_log;
    }
    CHECK(worst32 <= 2.0, "exp f32 worst %.3f ulp", worst32);
    CHECK(worst64 <= 2.0, "exp f64 worst %.3f ulp", worst64);
    CHECK(worst_log <= 2.0, "log f64 worst %.3f ulp", worst_log);
    printf("exp f32 %.3f ulp, exp f64 %.3f ulp, log f64 %.3f ulp (worst)\n", worst32, worst64,
           worst_log);
    CHECK(isnan(ac_f32__exp(NAN)) && isnan(ac_f64__exp(NAN)), "NaN propagates");
    CHECK(ac_f32__exp(-INFINITY) == 0.0f && ac_f64__exp(-1000.0) == 0.0, "underflow to 0");
    CHECK(isinf(ac_f32__exp(100.0f)) && isinf(ac_f64__exp(INFINITY)), "overflow to inf");
    CHECK(ac_f64__exp(0.0) == 1.0 && ac_f32__exp(0.0f) == 1.0f, "exp(0) = 1");
    /* the subnormal range is kept, as libm and NumPy keep it: within one
     * subnormal spacing (2^-149, 2^-1074) of libm, and 0 only below half
     * of the smallest subnormal */
    for (int i = 0; i <= 20000; ++i) {
        float x = -87.0f - 17.0f * (float)i / 20000.0f;      /* [-104, -87] */
        double y = -708.0 - 37.2 * (double)i / 20000.0;       /* [-745.2, -708] */
        float ref32 = expf(x);
        double ref64 = exp(y);
        CHECK(fabsf(ac_f32__exp(x) - ref32) <= 1.5e-45f && fabsf(ac_f32__exp_nonpos(x) - ref32)
                  <= 1.5e-45f, "f32 exp(%.6f) = %g, libm %g", (double)x,
              (double)ac_f32__exp_nonpos(x), (double)ref32);
        CHECK(fabs(ac_f64__exp(y) - ref64) <= 4.95e-324 && fabs(ac_f64__exp_nonpos(y) - ref64)
                  <= 4.95e-324, "f64 exp(%.6f) = %g, libm %g", y, ac_f64__exp_nonpos(y), ref64);
    }
    CHECK(ac_f64__exp_nonpos(-740.0) > 0.0 && ac_f32__exp_nonpos(-100.0f) > 0.0f,
          "subnormal results are not flushed");
    CHECK(isinf(ac_f64__log(0.0)) && ac_f64__log(0.0) < 0 && isnan(ac_f64__log(-1.0))
              && isinf(ac_f64__log(INFINITY)) && ac_f64__log(1.0) == 0.0, "log specials");
    CHECK(ulp_error_f64(ac_f64__log(4.9e-324), log(4.9e-324)) <= 2.0, "log of a subnormal");

    double row[5] = {1.0, 2.0, 3.0, -INFINITY, 0.5}, out[5];
    unsigned char mask[5] = {1, 1, 0, 1, 1};
    ac_f64_softmax_row(5, row, 1, mask, 1, out, 1, 0);
    double sum = out[0] + out[1] + out[3] + out[4];
    CHECK(fabs(sum - 1.0) < 1e-15 && out[2] == 0.0 && out[3] == 0.0, "masked softmax row");
    ac_f64_softmax_row(5, row, 1, mask, 1, out, 1, 1);
    CHECK(isinf(out[2]) && out[2] < 0 && fabs(out[1] - (2.0 - log(exp(1.0) + exp(2.0) + exp(0.5)))) < 1e-14,
          "log-softmax row");
    return check_report("test_fp");
}
