# Shared with the other BLAS-calling modules (attention): the process-wide
# OpenBLAS thread count is pinned to 1 while attncore threads call gemm.
cdef void pin_blas() noexcept
cdef void unpin_blas() noexcept
