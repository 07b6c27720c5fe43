/*
 * float32 / float64 attention tiles: one template body
 * (fp_attention_body.h) instantiated per type.
 */
#include <stdint.h>

#include "attncore/config.h"
#include "attncore/fp_attention.h"
#include "fp_math.h"

#define AC_T float
#define AC_SFX f32
#define AC_EXP ac__exp_nonpos_f32
#define AC_INF ac__bits_to_f32(0x7F800000u)
#include "fp_attention_body.h"
#undef AC_T
#undef AC_SFX
#undef AC_EXP
#undef AC_INF

#define AC_T double
#define AC_SFX f64
#define AC_EXP ac__exp_nonpos_f64
#define AC_INF ac__bits_to_f64(UINT64_C(0x7FF0000000000000))
#include "fp_attention_body.h"
