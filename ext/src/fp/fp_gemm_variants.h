/*
 * Private: the GEMM's baseline variant by name, whatever the CPU, so the
 * tests check it against the arithmetic contract on machines where
 * ac_<t>_gemm runs the x86-64-v3 variant.
 */
#ifndef ATTNCORE_FP_GEMM_VARIANTS_H
#define ATTNCORE_FP_GEMM_VARIANTS_H

#include <stddef.h>

void ac_f32__gemm_base(size_t m, size_t n, size_t k, float alpha, const float *a,
                       ptrdiff_t a_rs, ptrdiff_t a_cs, const float *b, ptrdiff_t b_rs,
                       ptrdiff_t b_cs, float beta, float *c, ptrdiff_t c_rs, ptrdiff_t c_cs,
                       void *work);
void ac_f64__gemm_base(size_t m, size_t n, size_t k, double alpha, const double *a,
                       ptrdiff_t a_rs, ptrdiff_t a_cs, const double *b, ptrdiff_t b_rs,
                       ptrdiff_t b_cs, double beta, double *c, ptrdiff_t c_rs, ptrdiff_t c_cs,
                       void *work);

#endif /* ATTNCORE_FP_GEMM_VARIANTS_H */
