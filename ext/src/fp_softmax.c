/*
 * float32 / float64 softmax rows: one template body (fp_softmax_body.h)
 * instantiated per type.
 */
#include <stdint.h>

#include "attncore/config.h"
#include "attncore/fp_softmax.h"
#include "fp_math.h"

#define AC_T float
#define AC_SFX f32
#define AC_EXP ac__exp_f32
#define AC_EXP_NONPOS ac__exp_nonpos_f32
#define AC_LOG ac__log_f32
#define AC_INF ac__bits_to_f32(0x7F800000u)
#define AC_NAN ac__bits_to_f32(0x7FC00000u)
#include "fp_softmax_body.h"
#undef AC_T
#undef AC_SFX
#undef AC_EXP
#undef AC_EXP_NONPOS
#undef AC_LOG
#undef AC_INF
#undef AC_NAN

#define AC_T double
#define AC_SFX f64
#define AC_EXP ac__exp_f64
#define AC_EXP_NONPOS ac__exp_nonpos_f64
#define AC_LOG ac__log_f64
#define AC_INF ac__bits_to_f64(UINT64_C(0x7FF0000000000000))
#define AC_NAN ac__bits_to_f64(UINT64_C(0x7FF8000000000000))
#include "fp_softmax_body.h"
