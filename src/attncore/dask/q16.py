"""Lazy Q16.16 kernels (:mod:`attncore.q16` on Dask arrays); see :mod:`attncore.dask`.

The constants and :func:`default_scale` are the in-memory ones.
"""
from attncore import q16 as _backend
from attncore.dask._kernels import elementwise, namespace
from attncore.q16 import EPS, FRAC_BITS, MAX, MIN, ONE, default_scale  # noqa: F401

globals().update(namespace(_backend, "q16"))
globals().update(elementwise(_backend, "q16", ("add", "sub", "mul", "div"),
                             ("sqrt", "exp", "from_float", "to_float")))

__all__ = ["FRAC_BITS", "ONE", "EPS", "MIN", "MAX", "default_scale",
           *(name for name in _backend.__all__ if name in globals() and name not in
             ("FRAC_BITS", "ONE", "EPS", "MIN", "MAX"))]
