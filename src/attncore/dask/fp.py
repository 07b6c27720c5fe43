"""Lazy float kernels (:mod:`attncore.fp` on Dask arrays); see :mod:`attncore.dask`."""
from attncore import fp as _backend
from attncore.dask._kernels import namespace

globals().update(namespace(_backend, "fp"))

__all__ = [name for name in _backend.__all__ if name in globals()]
