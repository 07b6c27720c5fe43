/*
 * float32 / float64 small-matrix products (see attncore/fp_matmul.h): one
 * template body, fp_matmul.inc, instantiated per type.
 */
#include <stdbool.h>

#include "attncore/config.h"
#include "attncore/fp_matmul.h"

#define AC_T float
#define AC_SFX f32
#include "fp_matmul.inc"

#define AC_T double
#define AC_SFX f64
#include "fp_matmul.inc"
