"""Float backend (float32 / float64): the same function names as
:mod:`attncore.q16`, computed in floating point.  Kernels arrive with the
matmul, attention and linear-algebra work; this namespace fixes where they
live so ``be = attncore.fp`` / ``be = attncore.q16`` switches a pipeline."""

__all__ = []
