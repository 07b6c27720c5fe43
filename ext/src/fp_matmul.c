/*
 * float32 / float64 small-matrix products: one template body
 * (fp_matmul_body.h) instantiated per type.
 */
#include <stdbool.h>

#include "attncore/config.h"
#include "attncore/fp_matmul.h"

#define AC_T float
#define AC_SFX f32
#include "fp_matmul_body.h"
#undef AC_T
#undef AC_SFX

#define AC_T double
#define AC_SFX f64
#include "fp_matmul_body.h"
#undef AC_T
#undef AC_SFX
