/*
 * float32 / float64 softmax rows (see attncore/fp_softmax.h): one template
 * body, fp_softmax.inc, instantiated per type.
 */
#include <stdint.h>

#include "attncore/config.h"
#include "attncore/fp_softmax.h"
#include "fp_math.h"

#define AC_T float
#define AC_SFX f32
#define AC_EXP ac_f32__exp
#define AC_EXP_NONPOS ac_f32__exp_nonpos
#define AC_LOG ac_f32__log
#define AC_INF ac_f32__from_bits(0x7F800000u)
#define AC_NAN ac_f32__from_bits(0x7FC00000u)
#include "fp_softmax.inc"

#define AC_T double
#define AC_SFX f64
#define AC_EXP ac_f64__exp
#define AC_EXP_NONPOS ac_f64__exp_nonpos
#define AC_LOG ac_f64__log
#define AC_INF ac_f64__from_bits(UINT64_C(0x7FF0000000000000))
#define AC_NAN ac_f64__from_bits(UINT64_C(0x7FF8000000000000))
#include "fp_softmax.inc"
