/*
 * float32 / float64 attention tiles (see attncore/fp_attention.h): one
 * template body, fp_attention.inc, instantiated per type.
 */
#include <stdint.h>

#include "attncore/config.h"
#include "attncore/fp_attention.h"
#include "fp_math.h"

#define AC_T float
#define AC_SFX f32
#define AC_EXP ac_f32__exp_nonpos
#define AC_INF ac_f32__from_bits(0x7F800000u)
#include "fp_attention.inc"

#define AC_T double
#define AC_SFX f64
#define AC_EXP ac_f64__exp_nonpos
#define AC_INF ac_f64__from_bits(UINT64_C(0x7FF0000000000000))
#include "fp_attention.inc"
