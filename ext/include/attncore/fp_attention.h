/*
 * attncore/fp_attention.h -- the arithmetic of a fused, tiled float
 * attention (the loops and the two GEMMs per tile live with the caller).
 *
 * For a block of query rows, the caller walks the keys in tiles.  Per tile it
 * computes the scaled scores P = scale * Q K^T (rows x cols), calls
 * ac_<t>_attention_tile, which applies the masks and performs the online
 * softmax step
 *
 *   m'   = max(m, max_j p_j)                 running row maximum
 *   c    = exp(m - m')                       correction of earlier tiles
 *   l'   = c * l + sum_j exp(p_j - m')       running row sum
 *   acc  = c * acc                           earlier tiles' sum_j e_j v_j
 *   p_j  = exp(p_j - m')                     P now holds this tile's weights
 *
 * then adds P V into acc.  After the last tile ac_<t>_attention_finish
 * writes out = acc / l.  Only rows x cols scores exist at any time.
 *
 * Masks: the bool mask and causality as in attncore/attention_masks.h,
 * plus an optional additive bias added to the scaled score (-inf masks).
 * A masked entry has weight exactly 0.  A row with nothing kept keeps
 * m = -inf and l = 0, and finishes as zeros (not NaN).  NaN scores make the
 * row NaN, as the unfused formula would.
 */
#ifndef ATTNCORE_FP_ATTENTION_H
#define ATTNCORE_FP_ATTENTION_H

#include <stddef.h>

#include "attncore/attention_masks.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The additive mask of a tile: at the tile's (0, 0), strides in elements
 * (the bool mask and causality are in ac_attention_masks). */
typedef struct {
    const void *values; /* same type as the scores, or NULL */
    ptrdiff_t row, col;
} ac_attention_bias;

void ac_f32_attention_tile(size_t rows, size_t cols, float *p, ptrdiff_t ldp,
                           const ac_attention_masks *masks, const ac_attention_bias *bias,
                           float *row_max, float *row_sum,
                           float *acc, ptrdiff_t ld_acc, size_t ev);
void ac_f64_attention_tile(size_t rows, size_t cols, double *p, ptrdiff_t ldp,
                           const ac_attention_masks *masks, const ac_attention_bias *bias,
                           double *row_max, double *row_sum, double *acc, ptrdiff_t ld_acc, size_t ev);

/* out[r, c] = acc[r, c] / row_sum[r] (0 where row_sum is 0). */
void ac_f32_attention_finish(size_t rows, size_t ev, const float *acc, ptrdiff_t ld_acc,
                             const float *row_sum, float *out, ptrdiff_t so_row,
                             ptrdiff_t so_col);
void ac_f64_attention_finish(size_t rows, size_t ev, const double *acc, ptrdiff_t ld_acc,
                             const double *row_sum, double *out, ptrdiff_t so_row,
                             ptrdiff_t so_col);

/* p[r, :] /= row_sum[r] in place (0 where row_sum is 0): the weights, when
 * the caller ran a single tile spanning all keys. */
void ac_f32_attention_normalize(size_t rows, size_t cols, float *p, ptrdiff_t ldp,
                                const float *row_sum);
void ac_f64_attention_normalize(size_t rows, size_t cols, double *p, ptrdiff_t ldp,
                                const double *row_sum);

#ifdef __cplusplus
}
#endif

#endif /* ATTNCORE_FP_ATTENTION_H */
