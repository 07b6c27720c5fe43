"""Q16.16 saturation is never silent: warnings, errors and counts.

When a q16 kernel clamps results to MIN/MAX (``overflow="saturate"``, the
default; division by zero included), what happens is set by
:func:`errstate` / :func:`seterr`, as :func:`numpy.errstate` does for float
overflow:

``"warn"`` (default)
    a :class:`attncore.Q16SaturationWarning` (a RuntimeWarning) naming the
    kernel and how many outputs were clamped, once per call;
``"ignore"``
    nothing is said;
``"raise"``
    the call runs as with ``overflow="raise"``: a
    :class:`attncore.Q16OverflowError` names the kernel and the first
    offending index (a ZeroDivisionError for division by zero), nothing is
    returned and an ``out=`` array is left untouched.

Independently of the mode, every clamp is added to each counter opened with
:func:`count_saturations` (under ``"raise"`` nothing is clamped, so nothing
is counted).  An open counter does not silence the warning: a caller that
wants counts without warnings says so with ``errstate(saturation="ignore")``
around the ``count_saturations()`` block, as ``attncore report`` does.
``overflow="wrap"`` is an explicit request, so wraps are counted
(``SaturationCounts.wrapped``) but never warned about.

The mode and the open counters belong to the current context (thread or
asyncio task): a new thread starts with ``"warn"`` and no counter, and
nested or concurrent blocks do not see each other's work.  Dask workers
run in their own threads or processes, so they warn by default whatever
the calling thread set.

Examples
--------
>>> import numpy as np, attncore.q16 as q16
>>> a = q16.from_float(np.array([200.0, 1.0]))
>>> with q16.errstate(saturation="ignore"), q16.count_saturations() as sat:
...     y = q16.mul(a, a)
>>> sat.total, dict(sat.saturated)
(1, {'q16.mul': 1})
"""
import sys
import warnings
from collections import Counter
from contextlib import ContextDecorator, contextmanager
from contextvars import ContextVar

from attncore.errors import Q16SaturationWarning

__all__ = ["SaturationCounts", "count_saturations", "errstate", "seterr", "geterr",
           "Q16SaturationWarning"]

_active: ContextVar[tuple] = ContextVar("attncore_saturation_counters", default=())
MODES = ("ignore", "warn", "raise")
_mode: ContextVar[str] = ContextVar("attncore_saturation_mode", default="warn")


def _checked(saturation):
    if not isinstance(saturation, str) or saturation not in MODES:
        raise ValueError(f"saturation must be one of {list(MODES)}, got {saturation!r}")
    return saturation


def geterr():
    """The current handling of Q16.16 saturation, as :func:`numpy.geterr`.

    Returns
    -------
    dict
        ``{"saturation": mode}`` with mode ``"ignore"``, ``"warn"`` or
        ``"raise"`` (this context's; ``"warn"`` unless set).

    Examples
    --------
    >>> from attncore import q16
    >>> q16.geterr()
    {'saturation': 'warn'}
    """
    return {"saturation": _mode.get()}


def seterr(saturation=None):
    """Set how Q16.16 saturation is handled in the current context.

    As :func:`numpy.seterr`: the setting stays until changed, in this
    thread or asyncio task only; prefer the :func:`errstate` context
    manager, which restores the old setting.

    Parameters
    ----------
    saturation : {"ignore", "warn", "raise"}, optional
        ``None`` leaves the setting as it is.

    Returns
    -------
    dict
        The old settings, ``{"saturation": mode}``; pass them back as
        ``seterr(**old)``.

    Raises
    ------
    ValueError
        An unknown mode.

    Examples
    --------
    >>> from attncore import q16
    >>> old = q16.seterr(saturation="raise")
    >>> q16.geterr(), old
    ({'saturation': 'raise'}, {'saturation': 'warn'})
    >>> _ = q16.seterr(**old)
    """
    old = geterr()
    if saturation is not None:
        _mode.set(_checked(saturation))
    return old


class errstate(ContextDecorator):  # noqa: N801  (numpy.errstate's spelling)
    """Context manager (or decorator) for Q16.16 saturation handling.

    Mirrors :class:`numpy.errstate`: inside the block saturation is handled
    as ``saturation`` says, and the previous setting returns on exit, also
    when the block raises.  The setting is local to the current thread or
    asyncio task; nested blocks override the outer one.

    Parameters
    ----------
    saturation : {"ignore", "warn", "raise"}
        ``"warn"``: a :class:`attncore.Q16SaturationWarning` per call that
        clamped; ``"ignore"``: nothing; ``"raise"``: the call raises
        :class:`attncore.Q16OverflowError` as with ``overflow="raise"``.

    Raises
    ------
    ValueError
        An unknown mode (when the object is made).

    Examples
    --------
    >>> import numpy as np
    >>> import attncore
    >>> from attncore import q16
    >>> big = q16.from_float(np.array([300.0, 1.0]))
    >>> with q16.errstate(saturation="raise"):
    ...     try:
    ...         q16.mul(big, big)
    ...     except attncore.Q16OverflowError as exc:
    ...         print(exc.kernel, exc.index)
    q16.mul (0,)
    >>> with q16.errstate(saturation="ignore"):
    ...     q16.to_float(q16.mul(big, big)).tolist()     # clamped, nothing said
    [32767.99998474121, 1.0]
    """

    def __init__(self, *, saturation):
        self.saturation = _checked(saturation)
        self._tokens = []

    def __enter__(self):
        self._tokens.append(_mode.set(self.saturation))
        return self

    def __exit__(self, *exc_info):
        _mode.reset(self._tokens.pop())
        return False

    def _recreate_cm(self):
        # a decorated function may run in several threads at once: one
        # object per call, so each resets its own context's token
        return type(self)(saturation=self.saturation)

    def __repr__(self):
        return f"errstate(saturation={self.saturation!r})"


def raising():
    """Whether saturation raises in this context (``errstate(saturation="raise")``).

    Returns
    -------
    bool

    Examples
    --------
    >>> from attncore import q16
    >>> from attncore.saturation import raising
    >>> with q16.errstate(saturation="raise"):
    ...     raising()
    True
    """
    return _mode.get() == "raise"


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

    Counting does not silence the :class:`attncore.Q16SaturationWarning`
    of each clamping call; add ``errstate(saturation="ignore")`` for that.

    Yields
    ------
    SaturationCounts
        Filled as q16 kernels run in this context (thread or asyncio task).

    Examples
    --------
    >>> from attncore import q16
    >>> with q16.errstate(saturation="ignore"), q16.count_saturations() as sat:
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
    """Report ``events`` range events of one call of ``kernel``: add them to
    every open counter and, for saturations, warn unless the mode is
    ``"ignore"``.

    Parameters
    ----------
    kernel : str
    events : int
    wrapped : bool
        Count them as wrapped (``overflow="wrap"``, asked for: no warning)
        instead of saturated.

    Returns
    -------
    None

    Examples
    --------
    >>> from attncore.saturation import count_saturations, errstate, record
    >>> with errstate(saturation="ignore"), count_saturations() as sat:
    ...     record("q16.mul", 2)
    >>> sat.total
    2
    """
    if not events:
        return
    for counts in _active.get():
        (counts.wrapped if wrapped else counts.saturated)[kernel] += events
    if not wrapped and _mode.get() != "ignore":
        # ("raise" reaches here only for clamps no kernel could refuse,
        # which the kernels do not have; warn rather than drop them)
        warnings.warn(Q16SaturationWarning(kernel, events), stacklevel=_caller_level())


def _caller_level():
    """The ``stacklevel`` that points a warning at the first frame outside
    attncore (the user's call), however deep the package's own calls go."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "attncore":
        frame, level = frame.f_back, level + 1
    return level
