# BLAS as the float kernels call it (SciPy's cython_blas): the one rule for
# which operands it can read, one gemm for both float types, and the control
# of its process-wide thread count (blas.pyx).
cimport numpy as cnp
from scipy.linalg.cython_blas cimport dgemm, sgemm

from attncore._kernels.core cimport real

# While attncore's own threads call gemm, OpenBLAS is held to one thread
# (nested pins count; the last unpin restores the setting found).
cdef void pin_blas() noexcept
cdef void unpin_blas() noexcept
# Whether this BLAS's thread count can be pinned at all.
cdef bint blas_threads_pinnable() noexcept
# x itself when BLAS can read its trailing matrices row by row as stored,
# else a view of C-contiguous copies of them: the kernels' own guard before
# they hand pointers to gemm.
cdef cnp.ndarray blas_rows(cnp.ndarray x)


cdef inline bint blas_operand(Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t s_row,
                              Py_ssize_t s_col, char *op, int *ld) noexcept nogil:
    """How BLAS (column-major) reads the transpose of a row-major matrix with
    these strides (elements): as stored ('N', rows contiguous) or transposed
    ('T', columns contiguous), and its leading dimension.  False when
    neither axis is contiguous."""
    if (s_col == 1 or cols == 1) and (rows == 1 or s_row >= cols):
        op[0] = b'N'
        ld[0] = <int>(s_row if rows > 1 else max(cols, 1))
        return True
    if (s_row == 1 or rows == 1) and (cols == 1 or s_col >= rows):
        op[0] = b'T'
        ld[0] = <int>(s_col if cols > 1 else max(rows, 1))
        return True
    return False


cdef inline void gemm(char op_a, char op_b, int m, int n, int k, real alpha, const real *a,
                      int lda, const real *b, int ldb, real beta, real *c,
                      int ldc) noexcept nogil:
    """Column-major C = alpha op(A) op(B) + beta C in the type of its operands."""
    if real is float:
        sgemm(&op_a, &op_b, &m, &n, &k, &alpha, <float *>a, &lda, <float *>b, &ldb, &beta, c,
              &ldc)
    else:
        dgemm(&op_a, &op_b, &m, &n, &k, &alpha, <double *>a, &lda, <double *>b, &ldb, &beta, c,
              &ldc)
