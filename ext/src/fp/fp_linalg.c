/*
 * float32 / float64 linear algebra (see attncore/fp_linalg.h): one template
 * body, fp_linalg.inc, instantiated per type.
 */
#include <float.h>

#include "attncore/config.h"
#include "attncore/fp_linalg.h"
#include "fp_math.h"

#define AC_T float
#define AC_SFX f32
#define AC_SQRT ac_f32__sqrt
#define AC_SAFE_MIN FLT_MIN
#include "fp_linalg.inc"

#define AC_T double
#define AC_SFX f64
#define AC_SQRT ac_f64__sqrt
#define AC_SAFE_MIN DBL_MIN
#include "fp_linalg.inc"
