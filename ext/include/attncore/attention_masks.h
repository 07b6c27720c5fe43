/*
 * attncore/attention_masks.h -- which (query i, key j) score entries an
 * attention kernel keeps, shared by the float and Q16.16 kernels.
 *
 * Entry (i, j) of a block whose (0, 0) is at absolute (row0, col0) is kept
 * when keep[i * keep_row + j * keep_col] != 0 (or keep is NULL) and, when
 * causal, j <= i (upper-left aligned, as PyTorch's is_causal for L != S).
 * Strides are in elements and may be 0 (broadcast).
 */
#ifndef ATTNCORE_ATTENTION_MASKS_H
#define ATTNCORE_ATTENTION_MASKS_H

#include <stddef.h>

typedef struct {
    size_t row0, col0;
    int causal;
    const unsigned char *keep;
    ptrdiff_t keep_row, keep_col;
} ac_attention_masks;

/* Keys of block row r left after the causal cut: columns [0, width). */
static inline size_t ac_attention_causal_width(const ac_attention_masks *masks, size_t r,
                                               size_t cols)
{
    size_t i = masks->row0 + r;
    if (!masks->causal) {
        return cols;
    }
    if (i < masks->col0) {
        return 0;
    }
    return i - masks->col0 + 1 < cols ? i - masks->col0 + 1 : cols;
}

#endif /* ATTNCORE_ATTENTION_MASKS_H */
