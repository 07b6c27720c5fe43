"""Cython over the C core: the only C bindings (core.pxd), the batch walker,
BLAS calls and threads.  Kernels take validated, broadcast operands and
report C statuses; they raise nothing about the caller's input."""
