"""Cython over the C core: the only C bindings (core.pxd), the batch walker,
the parallel runtime (runtime.pxd, one pool per process) and its cost model
(costs.pxd).  Kernels take validated, broadcast operands and report C
statuses; they raise nothing about the caller's input."""
