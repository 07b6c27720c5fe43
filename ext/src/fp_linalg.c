/*
 * float32 / float64 linear algebra: one template body (fp_linalg_body.h)
 * instantiated per type.
 */
#include "attncore/config.h"
#include "attncore/fp_linalg.h"
#include "fp_math.h"

#define AC_T float
#define AC_SFX f32
#define AC_SQRT ac__sqrt_f32
#include "fp_linalg_body.h"
#undef AC_T
#undef AC_SFX
#undef AC_SQRT

#define AC_T double
#define AC_SFX f64
#define AC_SQRT ac__sqrt_f64
#include "fp_linalg_body.h"
