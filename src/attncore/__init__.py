"""attncore: attention-style numerics in float and bit-exact Q16.16 fixed point.

Two backends expose the same function names: :mod:`attncore.fp` (float32 /
float64) and :mod:`attncore.q16` (Q16.16 on int32 raw values).  The top
level re-exports the float backend and the error classes.
"""
from attncore import fp, q16, reference
from attncore.errors import (NotPositiveDefiniteError, Q16OverflowError, Q16SaturationWarning,
                             SingularMatrixError)
from attncore.fp import *  # noqa: F401,F403  (the float backend is the default)
from attncore.threads import get_num_threads, set_num_threads

__version__ = "0.1.0"

__all__ = [
    "fp", "q16", "reference",
    "Q16OverflowError", "Q16SaturationWarning", "SingularMatrixError", "NotPositiveDefiniteError",
    "get_num_threads", "set_num_threads",
    *fp.__all__,
]
