"""Counting Q16.16 range events (saturations and wraps) per kernel.

Every q16 kernel reports how many of its outputs did not fit in int32; the
counts go to every counter opened with :func:`count_saturations` in the
current context (thread or asyncio task), so nested and concurrent counters
do not see each other's work.

Examples
--------
>>> import numpy as np, attncore.q16 as q16
>>> a = q16.from_float(np.array([200.0, 1.0]))
>>> with q16.count_saturations() as sat:
...     y = q16.mul(a, a)
>>> sat.total, dict(sat.saturated)
(1, {'q16.mul': 1})
"""
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["SaturationCounts", "count_saturations"]

_active: ContextVar[tuple] = ContextVar("attncore_saturation_counters", default=())


class SaturationCounts:
    """Range events seen while a :func:`count_saturations` block was open.

    Attributes
    ----------
    saturated : collections.Counter
        Kernel name -> number of outputs clamped to MIN/MAX (``overflow=
        "saturate"``; also division by zero).
    wrapped : collections.Counter
        Kernel name -> number of outputs wrapped modulo 2**32 (``overflow="wrap"``).
    """

    def __init__(self):
        self.saturated = Counter()
        self.wrapped = Counter()

    @property
    def total(self):
        """All saturated outputs, summed over kernels."""
        return sum(self.saturated.values())

    def __repr__(self):
        return f"SaturationCounts(saturated={dict(self.saturated)}, wrapped={dict(self.wrapped)})"


@contextmanager
def count_saturations():
    """Open a counter of Q16.16 saturations for the enclosed calls.

    Yields
    ------
    SaturationCounts
        Filled as q16 kernels run in this context (thread or asyncio task).

    Examples
    --------
    >>> from attncore import q16
    >>> with q16.count_saturations() as sat:
    ...     _ = q16.add(q16.from_float([32767.0, 1.0]), q16.from_float(1.0))
    >>> sat.total, dict(sat.saturated)
    (1, {'q16.add': 1})
    """
    counts = SaturationCounts()
    token = _active.set(_active.get() + (counts,))
    try:
        yield counts
    finally:
        _active.reset(token)


def record(kernel, events, wrapped=False):
    """Add ``events`` range events of ``kernel`` to every open counter.

    Parameters
    ----------
    kernel : str
    events : int
    wrapped : bool
        Count them as wrapped (``overflow="wrap"``) instead of saturated.

    Returns
    -------
    None

    Examples
    --------
    >>> from attncore.saturation import count_saturations, record
    >>> with count_saturations() as sat:
    ...     record("q16.mul", 2)
    >>> sat.total
    2
    """
    if events:
        for counts in _active.get():
            (counts.wrapped if wrapped else counts.saturated)[kernel] += events
