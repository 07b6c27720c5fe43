/*
 * Instruction counts of the CMSIS-DSP routines that firmware uses today for
 * what attncore's Q16.16 kernels do, with the same markers and input
 * generator as count_attncore.c.  Built (by count/count.py) from the C
 * sources of the cmsisdsp sdist on PyPI, for measurement only: nothing of
 * CMSIS-DSP is kept in this repository.  Float routines run in soft float
 * (-mfloat-abi=soft), as on an FPU-less part; expf is newlib's.
 *
 * Semantics differ, which is the point of the comparison: arm_mat_mult_q31
 * truncates (>> 31) and wraps, the float routines round at every step.
 */
#include <stdint.h>

#include "arm_math.h"
#include "count_markers.h"

#define REPEATS 8

/* q31 in [-1, 1) scaled down by 2^shift, so products and sums stay small */
static q31_t q31_value(unsigned shift)
{
    return (q31_t)(int32_t)count_rng() >> shift;
}

/* float in [-2^range_log2, 2^range_log2), from the same generator as the Q16.16 inputs */
static float f32_value(uint32_t range_log2)
{
    uint32_t bits = 17u + range_log2;
    int32_t raw = (int32_t)(count_rng() >> (32u - bits)) - (int32_t)((uint32_t)1 << (bits - 1u));
    return (float)raw / 65536.0f;
}

static volatile float fsink;
static q31_t qa[64], qb[64], qc[64];
static q15_t ha[16], hb[16], hc[16], hstate[16];
static float fa[64], fb[64], fc[64], fx[64], fl[16], flt[16], ftmp[16];

int main(void)
{
    arm_matrix_instance_q31 mq_a, mq_b, mq_c;
    arm_matrix_instance_q15 mh_a, mh_b, mh_c;
    arm_matrix_instance_f32 mf_a, mf_b, mf_c, mf_l, mf_lt, mf_tmp;

    for (int r = 0; r < 3; ++r) {
        COUNT_REGION("(markers)", (void)0);
    }
    for (int r = 0; r < REPEATS; ++r) {
        q31_t a = q31_value(2), b = q31_value(2), out;
        COUNT_REGION("mul q31 (arm_mult_q31, 1 element)", arm_mult_q31(&a, &b, &out, 1));
        qc[0] = out;
    }
    for (int r = 0; r < REPEATS; ++r) {
        q31_t a = q31_value(4), b = q31_value(1), q;
        int16_t shift;
        COUNT_REGION("div q31 (arm_divide_q31)", arm_divide_q31(a, b, &q, &shift));
        qc[0] = q;
    }
    for (int r = 0; r < REPEATS; ++r) {
        q31_t a = (q31_t)(count_rng() >> 1), s;
        COUNT_REGION("sqrt q31 (arm_sqrt_q31)", arm_sqrt_q31(a, &s));
        qc[0] = s;
    }
    for (int r = 0; r < REPEATS; ++r) {
        float x = f32_value(3), y;
        COUNT_REGION("exp f32 (arm_vexp_f32 = newlib expf, 1 element)", arm_vexp_f32(&x, &y, 1));
        fsink = y;
    }
    for (int r = 0; r < REPEATS; ++r) {
        for (int i = 0; i < 16; ++i) {
            qa[i] = q31_value(3);
            qb[i] = q31_value(3);
        }
        arm_mat_init_q31(&mq_a, 4, 4, qa);
        arm_mat_init_q31(&mq_b, 4, 4, qb);
        arm_mat_init_q31(&mq_c, 4, 4, qc);
        COUNT_REGION("matmul 4x4 q31 (arm_mat_mult_q31)", arm_mat_mult_q31(&mq_a, &mq_b, &mq_c));
        COUNT_REGION("matmul 4x4 q31 (arm_mat_mult_fast_q31)",
                     arm_mat_mult_fast_q31(&mq_a, &mq_b, &mq_c));
        COUNT_REGION("matvec 4x4 . 4 q31 (arm_mat_vec_mult_q31)",
                     arm_mat_vec_mult_q31(&mq_a, qb, qc));
    }
    for (int r = 0; r < REPEATS; ++r) {
        for (int i = 0; i < 16; ++i) {
            ha[i] = (q15_t)(q31_value(3) >> 16);
            hb[i] = (q15_t)(q31_value(3) >> 16);
        }
        arm_mat_init_q15(&mh_a, 4, 4, ha);
        arm_mat_init_q15(&mh_b, 4, 4, hb);
        arm_mat_init_q15(&mh_c, 4, 4, hc);
        COUNT_REGION("matmul 4x4 q15 (arm_mat_mult_q15)",
                     arm_mat_mult_q15(&mh_a, &mh_b, &mh_c, hstate));
    }
    for (int r = 0; r < REPEATS; ++r) {
        for (int i = 0; i < 16; ++i) {
            fa[i] = f32_value(3);
            fb[i] = f32_value(3);
        }
        arm_mat_init_f32(&mf_a, 4, 4, fa);
        arm_mat_init_f32(&mf_b, 4, 4, fb);
        arm_mat_init_f32(&mf_c, 4, 4, fc);
        COUNT_REGION("matmul 4x4 f32 (arm_mat_mult_f32)", arm_mat_mult_f32(&mf_a, &mf_b, &mf_c));
    }
    for (int r = 0; r < REPEATS; ++r) {
        /* the same well-conditioned family as count_attncore.c */
        for (int i = 0; i < 16; ++i) {
            fa[i] = f32_value(1) + (i % 5 == 0 ? 4.0f : 0.0f);
        }
        for (int i = 0; i < 4; ++i) {
            fb[i] = f32_value(7);
        }
        arm_mat_init_f32(&mf_a, 4, 4, fa);
        arm_mat_init_f32(&mf_c, 4, 4, fc);
        COUNT_REGION("solve 4x4, 1 rhs f32 (arm_mat_inverse_f32 + arm_mat_vec_mult_f32)",
                     arm_mat_inverse_f32(&mf_a, &mf_c), arm_mat_vec_mult_f32(&mf_c, fb, fx));
    }
    for (int r = 0; r < REPEATS / 2; ++r) {
        for (int i = 0; i < 16; ++i) {
            fa[i] = f32_value(1) + (i % 5 == 0 ? 4.0f : 0.0f);
        }
        arm_mat_init_f32(&mf_a, 4, 4, fa);
        arm_mat_init_f32(&mf_c, 4, 4, fc);
        COUNT_REGION("inv 4x4 f32 (arm_mat_inverse_f32)", arm_mat_inverse_f32(&mf_a, &mf_c));
    }
    for (int r = 0; r < REPEATS; ++r) {
        /* s = a a^T + 4 I */
        for (int i = 0; i < 16; ++i) {
            ftmp[i] = f32_value(1);
        }
        for (int i = 0; i < 4; ++i) {
            for (int j = 0; j < 4; ++j) {
                float s = i == j ? 4.0f : 0.0f;
                for (int p = 0; p < 4; ++p) {
                    s += ftmp[i * 4 + p] * ftmp[j * 4 + p];
                }
                fa[i * 4 + j] = s;
            }
        }
        for (int i = 0; i < 4; ++i) {
            fb[i] = f32_value(7);
        }
        arm_mat_init_f32(&mf_a, 4, 4, fa);
        arm_mat_init_f32(&mf_l, 4, 4, fl);
        arm_mat_init_f32(&mf_lt, 4, 4, flt);
        arm_mat_init_f32(&mf_b, 4, 1, fb);
        arm_mat_init_f32(&mf_tmp, 4, 1, ftmp);
        arm_mat_init_f32(&mf_c, 4, 1, fx);
        COUNT_REGION("solve 4x4, 1 rhs f32 (arm_mat_cholesky_f32 + 2 triangular solves)",
                     arm_mat_cholesky_f32(&mf_a, &mf_l), arm_mat_trans_f32(&mf_l, &mf_lt),
                     arm_mat_solve_lower_triangular_f32(&mf_l, &mf_b, &mf_tmp),
                     arm_mat_solve_upper_triangular_f32(&mf_lt, &mf_tmp, &mf_c));
    }
    for (int r = 0; r < REPEATS / 2; ++r) {
        for (int i = 0; i < 64; ++i) {
            fa[i] = f32_value(3);
        }
        COUNT_REGION("softmax 64 f32 (arm_max_f32, arm_offset_f32, arm_vexp_f32, "
                     "arm_accumulate_f32, arm_scale_f32)",
                     do {
                         float mx, sum;
                         uint32_t at;
                         arm_max_f32(fa, 64, &mx, &at);
                         arm_offset_f32(fa, -mx, fb, 64);
                         arm_vexp_f32(fb, fc, 64);
                         arm_accumulate_f32(fc, 64, &sum);
                         arm_scale_f32(fc, 1.0f / sum, fc, 64);
                     } while (0));
    }
    for (int r = 0; r < REPEATS / 2; ++r) {
        for (int i = 0; i < 64; ++i) {
            qa[i] = q31_value(2);
            qb[i] = q31_value(2);
        }
        COUNT_REGION("mul q31 (arm_mult_q31, 64 elements)", arm_mult_q31(qa, qb, qc, 64));
    }
    count_put_str("DONE\n");
    return 0;
}
