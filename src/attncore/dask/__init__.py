"""attncore kernels on Dask arrays (optional extra: ``pip install 'attncore[dask]'``).

:mod:`attncore.dask.fp` and :mod:`attncore.dask.q16` mirror the two
in-memory backends; the top level is the float one.  Every function takes
``dask.array.Array`` (or array-like) inputs and returns lazy Dask arrays:

- leading batch dims broadcast as NumPy does and are mapped blockwise, one
  task per block;
- the core dims a kernel needs whole -- the matrix dims of the linear
  algebra, the softmax axis, the feature dims and the key/value sequence
  of attention -- are rechunked to one chunk.  Attention query rows stay
  chunked (not with ``is_causal``, whose mask depends on a row's global
  position); so do the dims after a softmax axis and the rows/columns of a
  matmul;
- one batch item's whole core dims must fit in the Dask config value
  ``attncore.core-chunk-limit`` (default ``"1GiB"``), or the call raises a
  ValueError saying so; larger blocks get their batch dims split;
- shapes and dtypes of the results are known without computing (a probe
  call of the in-memory kernel on zero-size stand-ins also validates dtypes
  and keywords up front).

Every task runs the in-memory function on its blocks, so results equal the
in-memory call: bit for bit in Q16.16, and to float rounding (BLAS may
block a different batch size differently).  A kernel error inside a task
(a singular matrix, a Q16.16 overflow with ``overflow="raise"``) is raised
by ``compute()`` as the same attncore exception the in-memory call on the
whole arrays raises, naming *global* indices: the first element in C order
for element errors, and for batch errors every failing item of every chunk
(the first five listed, the rest counted), whichever task failed first.
For that, every block of a call's results waits for one small check over
all of the call's tasks: computing any part of a result runs the whole
call, and its results stay in memory until every task has run.

The in-memory functions (:mod:`attncore.fp`, :mod:`attncore.q16`) refuse
Dask arrays with a TypeError pointing here, rather than computing them
eagerly.

Saturation counts and modes: :func:`attncore.q16.count_saturations` and
:func:`attncore.q16.errstate` belong to their own thread and context, so
they do not reach kernels run by Dask workers, which warn
(:class:`attncore.Q16SaturationWarning`) in the worker by default.  Use
``overflow="raise"`` to make a range event an error, or count on the
in-memory path.
"""
try:
    import dask.array  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "attncore.dask needs Dask, an optional dependency: pip install 'attncore[dask]' "
        "(or pip install 'dask[array]')") from exc

from attncore.dask import fp, q16
from attncore.dask._lazy import CHUNK_LIMIT_KEY
from attncore.dask.fp import *  # noqa: F401,F403  (the float backend is the default)

__all__ = ["fp", "q16", "CHUNK_LIMIT_KEY", *fp.__all__]
