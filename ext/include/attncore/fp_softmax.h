/*
 * attncore/fp_softmax.h -- numerically stable softmax and log-softmax of one
 * float32 / float64 row, computed in the input precision.
 *
 *   softmax:      out_j = exp(x_j - m) / sum_k exp(x_k - m)
 *   log-softmax:  out_j = x_j - m - log(sum_k exp(x_k - m))
 *
 * with m the maximum over kept entries (mask[j] != 0, or all when mask is
 * NULL).  Masked entries give 0 (softmax) or -inf (log-softmax); a row with
 * nothing kept is all 0 / all -inf, never NaN.  NaN inputs propagate.
 */
#ifndef ATTNCORE_FP_SOFTMAX_H
#define ATTNCORE_FP_SOFTMAX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void ac_f32_softmax_row(size_t n, const float *x, ptrdiff_t sx, const unsigned char *mask,
                        ptrdiff_t sm, float *out, ptrdiff_t so, int log_output);
void ac_f64_softmax_row(size_t n, const double *x, ptrdiff_t sx, const unsigned char *mask,
                        ptrdiff_t sm, double *out, ptrdiff_t so, int log_output);

/* Softmax of `rows` packed rows of n entries (x and out contiguous, row
 * stride n), no mask: the formula of ac_softmax_row_*, with the
 * exponentials of many short rows in one vectorized pass (a call per row of
 * 8 costs more than its arithmetic) and each row sum taken left to right.
 * x and out may not overlap. */
void ac_f32_softmax_packed_rows(size_t rows, size_t n, const float *x, float *out);
void ac_f64_softmax_packed_rows(size_t rows, size_t n, const double *x, double *out);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_FP_SOFTMAX_H */
