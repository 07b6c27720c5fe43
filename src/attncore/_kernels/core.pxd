# The C99 core's API (ext/include/attncore), declared once: every .pyx
# cimports from here.  The `cpdef enum`s also exist as Python enums in
# attncore._kernels.core (ac_status, ac_rounding, ac_overflow), the one place
# Python reads the C codes from.
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t

# The two float types of the f32/f64 kernels.
ctypedef fused real:
    float
    double

cdef extern from "attncore/status.h" nogil:
    cpdef enum ac_rounding:
        AC_ROUND_NEAREST_EVEN
        AC_ROUND_FLOOR
    cpdef enum ac_overflow:
        AC_OVERFLOW_SATURATE
        AC_OVERFLOW_RAISE
        AC_OVERFLOW_WRAP
    cpdef enum ac_status:
        AC_OK
        AC_STATUS_RANGE
        AC_STATUS_DIV_BY_ZERO
        AC_STATUS_DOMAIN
        AC_STATUS_SINGULAR
        AC_STATUS_NOT_POSITIVE_DEFINITE
        AC_STATUS_TOO_LONG
        AC_STATUS_BAD_ARGUMENT
    ctypedef struct ac_tally:
        size_t events
        size_t first_index
        size_t last_index
        ac_status first_status
    void ac_tally_note(ac_tally *tally, size_t index, ac_status status)
    void ac_tally_add(ac_tally *total, const ac_tally *part, size_t offset)

cdef extern from "attncore/q16.h" nogil:
    ctypedef int32_t ac_q16
    enum:
        AC_Q16_FRAC_BITS
        AC_Q16_ONE
        AC_Q16_MAX
        AC_Q16_MIN
        AC_Q16_EPS

cdef extern from "attncore/q16_elementwise.h" nogil:
    ctypedef enum ac_q16_binary_op:
        AC_Q16_OP_ADD
        AC_Q16_OP_SUB
        AC_Q16_OP_MUL
        AC_Q16_OP_DIV
    ctypedef enum ac_q16_unary_op:
        AC_Q16_OP_SQRT
        AC_Q16_OP_EXP
    ac_status ac_q16_binary_n(ac_q16_binary_op op, size_t n,
                              const ac_q16 *a, ptrdiff_t sa,
                              const ac_q16 *b, ptrdiff_t sb,
                              ac_q16 *out, ptrdiff_t so,
                              ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
    ac_status ac_q16_unary_n(ac_q16_unary_op op, size_t n,
                             const ac_q16 *a, ptrdiff_t sa,
                             ac_q16 *out, ptrdiff_t so,
                             ac_rounding rnd, ac_overflow ovf, ac_tally *tally)

cdef extern from "attncore/convert.h" nogil:
    ac_status ac_q16_from_double_n(size_t n, const double *x, ptrdiff_t sx, ac_q16 *out,
                                   ptrdiff_t so, ac_rounding rnd, ac_overflow ovf,
                                   ac_tally *tally)
    ac_status ac_q16_from_float_n(size_t n, const float *x, ptrdiff_t sx, ac_q16 *out,
                                  ptrdiff_t so, ac_rounding rnd, ac_overflow ovf,
                                  ac_tally *tally)
    ac_status ac_q16_from_int64_n(size_t n, const int64_t *x, ptrdiff_t sx, ac_q16 *out,
                                  ptrdiff_t so, ac_overflow ovf, ac_tally *tally)
    void ac_q16_to_double_n(size_t n, const ac_q16 *q, ptrdiff_t sq, double *out,
                            ptrdiff_t so)

cdef extern from "attncore/q16_matmul.h" nogil:
    ac_status ac_q16_matmul(size_t m, size_t n, size_t k,
                            const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                            const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col,
                            ac_q16 *c, ptrdiff_t sc_row, ptrdiff_t sc_col,
                            ac_rounding rnd, ac_overflow ovf, ac_tally *tally)
    ac_status ac_q16_matmul_batch(size_t count, size_t m, size_t n, size_t k,
                                  const ac_q16 *a, ptrdiff_t sa_t, ptrdiff_t sa_row, ptrdiff_t sa_col,
                                  const ac_q16 *b, ptrdiff_t sb_t, ptrdiff_t sb_row, ptrdiff_t sb_col,
                                  ac_q16 *c, ptrdiff_t sc_t, ptrdiff_t sc_row, ptrdiff_t sc_col,
                                  ac_rounding rnd, ac_overflow ovf, ac_tally *tally)

cdef extern from "attncore/fp_matmul.h" nogil:
    void ac_f32_matmul_batch(size_t count, size_t m, size_t n, size_t k,
                             const float *a, ptrdiff_t sa_t, ptrdiff_t sa_row, ptrdiff_t sa_col,
                             const float *b, ptrdiff_t sb_t, ptrdiff_t sb_row, ptrdiff_t sb_col,
                             float *c, ptrdiff_t sc_t, ptrdiff_t sc_row, ptrdiff_t sc_col)
    void ac_f64_matmul_batch(size_t count, size_t m, size_t n, size_t k,
                             const double *a, ptrdiff_t sa_t, ptrdiff_t sa_row, ptrdiff_t sa_col,
                             const double *b, ptrdiff_t sb_t, ptrdiff_t sb_row, ptrdiff_t sb_col,
                             double *c, ptrdiff_t sc_t, ptrdiff_t sc_row, ptrdiff_t sc_col)

cdef extern from "attncore/q16_softmax.h" nogil:
    ac_status ac_q16_softmax_row(size_t n, const ac_q16 *x, ptrdiff_t sx,
                                 const unsigned char *mask, ptrdiff_t sm,
                                 ac_q16 *out, ptrdiff_t so, ac_rounding rnd, uint64_t *work)

cdef extern from "attncore/fp_softmax.h" nogil:
    void ac_f32_softmax_row(size_t n, const float *x, ptrdiff_t sx, const unsigned char *mask,
                            ptrdiff_t sm, float *out, ptrdiff_t so, int log_output)
    void ac_f64_softmax_row(size_t n, const double *x, ptrdiff_t sx, const unsigned char *mask,
                            ptrdiff_t sm, double *out, ptrdiff_t so, int log_output)
    void ac_f32_softmax_packed_rows(size_t rows, size_t n, const float *x, float *out)
    void ac_f64_softmax_packed_rows(size_t rows, size_t n, const double *x, double *out)

cdef extern from "attncore/attention_masks.h" nogil:
    ctypedef struct ac_attention_masks:
        size_t row0, col0
        int causal
        const unsigned char *keep
        ptrdiff_t keep_row, keep_col

cdef extern from "attncore/fp_attention.h" nogil:
    ctypedef struct ac_attention_bias:
        const void *values
        ptrdiff_t row, col
    void ac_f32_attention_tile(size_t rows, size_t cols, float *p, ptrdiff_t ldp,
                               const ac_attention_masks *masks, const ac_attention_bias *bias,
                               float *row_max, float *row_sum, float *acc, ptrdiff_t ld_acc,
                               size_t ev)
    void ac_f64_attention_tile(size_t rows, size_t cols, double *p, ptrdiff_t ldp,
                               const ac_attention_masks *masks, const ac_attention_bias *bias,
                               double *row_max, double *row_sum, double *acc, ptrdiff_t ld_acc,
                               size_t ev)
    void ac_f32_attention_finish(size_t rows, size_t ev, const float *acc, ptrdiff_t ld_acc,
                                 const float *row_sum, float *out, ptrdiff_t so_row,
                                 ptrdiff_t so_col)
    void ac_f64_attention_finish(size_t rows, size_t ev, const double *acc, ptrdiff_t ld_acc,
                                 const double *row_sum, double *out, ptrdiff_t so_row,
                                 ptrdiff_t so_col)
    void ac_f32_attention_normalize(size_t rows, size_t cols, float *p, ptrdiff_t ldp,
                                    const float *row_sum)
    void ac_f64_attention_normalize(size_t rows, size_t cols, double *p, ptrdiff_t ldp,
                                    const double *row_sum)

cdef extern from "attncore/q16_attention.h" nogil:
    enum:
        AC_Q16_ATTENTION_MAX_KEYS
    size_t AC_Q16_ATTENTION_WORK(size_t s, size_t ev)
    ac_status ac_q16_attention(size_t l, size_t s, size_t e, size_t ev,
                               const ac_q16 *q, ptrdiff_t sq_row, ptrdiff_t sq_col,
                               const ac_q16 *k, ptrdiff_t sk_row, ptrdiff_t sk_col,
                               const ac_q16 *v, ptrdiff_t sv_row, ptrdiff_t sv_col,
                               const ac_attention_masks *masks, ac_q16 scale,
                               ac_q16 *out, ptrdiff_t so_row, ptrdiff_t so_col,
                               ac_q16 *weights, ptrdiff_t sw_row, ptrdiff_t sw_col,
                               ac_rounding rnd, uint64_t *work)

cdef extern from "attncore/q16_linalg.h" nogil:
    uint64_t AC_Q16_LINALG_WORK(size_t n)
    uint64_t AC_Q16_FACTOR_WORDS(size_t n)
    enum:
        AC_Q16_LINALG_MAX_N
        AC_Q16_FACTOR_MAGIC
    ac_status ac_q16_lu_factor(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                               ac_q16 *lu, int32_t *piv, uint32_t *factor, ac_rounding rnd,
                               ac_overflow ovf, ac_tally *tally, uint32_t *work)
    ac_status ac_q16_lu_solve(size_t n, size_t k, const uint32_t *factor, const ac_q16 *b,
                              ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x, ac_rounding rnd,
                              ac_overflow ovf, ac_tally *tally, uint32_t *work)
    ac_status ac_q16_solve(size_t n, size_t k, const ac_q16 *a, ptrdiff_t sa_row,
                           ptrdiff_t sa_col, const ac_q16 *b, ptrdiff_t sb_row, ptrdiff_t sb_col,
                           ac_q16 *x, int positive_definite, ac_rounding rnd, ac_overflow ovf,
                           ac_tally *tally, uint32_t *work)
    ac_status ac_q16_cho_factor(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                                ac_q16 *c, int lower, int32_t *perm, size_t *rank,
                                uint32_t *factor, ac_rounding rnd, ac_overflow ovf,
                                ac_tally *tally, uint32_t *work)
    ac_status ac_q16_cho_solve(size_t n, size_t k, const uint32_t *factor, const ac_q16 *b,
                               ptrdiff_t sb_row, ptrdiff_t sb_col, ac_q16 *x, ac_rounding rnd,
                               ac_overflow ovf, ac_tally *tally, uint32_t *work)
    ac_status ac_q16_det(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                         ac_q16 *det, ac_rounding rnd, ac_overflow ovf, ac_tally *tally,
                         uint32_t *work)
    ac_status ac_q16_inv(size_t n, const ac_q16 *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                         ac_q16 *inv, ac_rounding rnd, ac_overflow ovf, ac_tally *tally,
                         uint32_t *work)
    ac_status ac_q16_affine_inverse(size_t dim, const ac_q16 *m, ptrdiff_t sm_row,
                                    ptrdiff_t sm_col, ac_q16 *out, int rigid, ac_rounding rnd,
                                    ac_overflow ovf, ac_tally *tally, uint32_t *work)

cdef extern from "attncore/fp_linalg.h" nogil:
    size_t AC_F64_LINALG_WORK(size_t n, size_t k)
    ac_status ac_f32_lu_factor(size_t n, const float *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                               float *lu, int32_t *piv)
    ac_status ac_f64_lu_factor(size_t n, const double *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                               double *lu, int32_t *piv)
    ac_status ac_f32_lu_solve(size_t n, size_t k, const float *lu, const int32_t *piv,
                              const float *b, ptrdiff_t sb_row, ptrdiff_t sb_col, float *x,
                              float *work)
    ac_status ac_f64_lu_solve(size_t n, size_t k, const double *lu, const int32_t *piv,
                              const double *b, ptrdiff_t sb_row, ptrdiff_t sb_col, double *x,
                              double *work)
    ac_status ac_f32_solve(size_t n, size_t k, const float *a, ptrdiff_t sa_row,
                           ptrdiff_t sa_col, const float *b, ptrdiff_t sb_row, ptrdiff_t sb_col,
                           float *x, int positive_definite, float *work)
    ac_status ac_f64_solve(size_t n, size_t k, const double *a, ptrdiff_t sa_row,
                           ptrdiff_t sa_col, const double *b, ptrdiff_t sb_row, ptrdiff_t sb_col,
                           double *x, int positive_definite, double *work)
    ac_status ac_f32_cho_factor(size_t n, const float *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                                float *c, int lower, int32_t *perm, size_t *rank)
    ac_status ac_f64_cho_factor(size_t n, const double *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                                double *c, int lower, int32_t *perm, size_t *rank)
    ac_status ac_f32_cho_solve(size_t n, size_t k, const float *c, int lower,
                               const int32_t *perm, const float *b, ptrdiff_t sb_row,
                               ptrdiff_t sb_col, float *x, float *work)
    ac_status ac_f64_cho_solve(size_t n, size_t k, const double *c, int lower,
                               const int32_t *perm, const double *b, ptrdiff_t sb_row,
                               ptrdiff_t sb_col, double *x, double *work)
    ac_status ac_f32_det(size_t n, const float *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                         float *det, float *work)
    ac_status ac_f64_det(size_t n, const double *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                         double *det, double *work)
    ac_status ac_f32_inv(size_t n, const float *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                         float *inv, float *work)
    ac_status ac_f64_inv(size_t n, const double *a, ptrdiff_t sa_row, ptrdiff_t sa_col,
                         double *inv, double *work)
    ac_status ac_f32_affine_inverse(size_t dim, const float *m, ptrdiff_t sm_row,
                                    ptrdiff_t sm_col, float *out, int rigid, float *work)
    ac_status ac_f64_affine_inverse(size_t dim, const double *m, ptrdiff_t sm_row,
                                    ptrdiff_t sm_col, double *out, int rigid, double *work)
