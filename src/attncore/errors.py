"""Exceptions raised by attncore (the C core reports; Python raises).

Errors that point at elements or batch items carry that location as data
(``exc.attncore_location``), built by :func:`located`.  A caller that ran a
kernel on a slice of a larger array -- :mod:`attncore.dask` runs one chunk
per task -- re-raises the same exception with global indices through
:func:`relocated`, so the message has one format wherever it comes from.
"""
from typing import NamedTuple

import numpy as np

__all__ = ["Q16OverflowError", "Q16SaturationWarning", "SingularMatrixError",
           "NotPositiveDefiniteError"]


class Location(NamedTuple):
    """Where a kernel failed, as a message can be rebuilt from it."""

    kernel: str          # e.g. "fp.solve"
    text: str            # what went wrong, e.g. "singular matrix (...)"
    where: str           # "batch index" (leading batch dims) or "index" (output element)
    indices: tuple       # up to 5 index tuples
    more: int = 0        # further failing items not listed
    detail: str = ""     # appended after the indices, e.g. " (raw a=1, b=0)"
    hint: str = ""       # Q16OverflowError only: what to do instead ("" = the default)


def _message(loc):
    listed = ", ".join(str(tuple(i)) for i in loc.indices)
    more = f" and {loc.more} more" if loc.more else ""
    return f"{loc.kernel}: {loc.text} at {loc.where} {listed}{more}{loc.detail}"


class Q16OverflowError(OverflowError):
    """A Q16.16 result did not fit in int32 under ``overflow="raise"``.

    Attributes
    ----------
    kernel : str
        The attncore function that overflowed, e.g. ``"q16.mul"``.
    index : tuple of int
        Index of the first offending element in the (broadcast) output.
    """

    _HINT = "pass overflow='saturate' to clamp or overflow='wrap' for two's complement"

    def __init__(self, kernel, index, detail="", hint=""):
        self.kernel = kernel
        self.index = tuple(int(i) for i in index)
        self.attncore_location = Location(kernel, "result out of Q16.16 range", "index",
                                          (self.index,), 0, detail, hint)
        where = f" at index {self.index}" if self.index else ""
        super().__init__(
            f"{kernel}: result out of Q16.16 range{where}{detail}; {hint or self._HINT}"
        )

    def __reduce__(self):
        # pickled with its own arguments: an exception pickles its message
        # only, which this __init__ cannot take; attncore.dask moves these
        # errors between worker processes (a failing unpickle hung the call)
        loc = self.attncore_location
        return type(self), (self.kernel, self.index, loc.detail, loc.hint)


class Q16SaturationWarning(RuntimeWarning):
    """A Q16.16 kernel clamped results to MIN/MAX (``overflow="saturate"``).

    Issued by default, once per call, like NumPy's overflow RuntimeWarning;
    :func:`attncore.q16.errstate` turns it off (``"ignore"``) or into
    :class:`Q16OverflowError` (``"raise"``).

    Attributes
    ----------
    kernel : str
        The attncore function that saturated, e.g. ``"q16.mul"``.
    count : int
        How many of its outputs were clamped (division by zero included).
    """

    def __init__(self, kernel, count):
        self.kernel = kernel
        self.count = int(count)
        noun = "output" if self.count == 1 else "outputs"
        super().__init__(
            f"{kernel}: {self.count} {noun} saturated to the Q16.16 range [MIN, MAX]; "
            "q16.errstate(saturation='ignore' | 'raise') silences this or makes it an error")

    def __reduce__(self):  # rebuilt from its data (the message is derived)
        return type(self), (self.kernel, self.count)


class SingularMatrixError(np.linalg.LinAlgError):
    """A matrix is singular: an exactly zero pivot (float: in the input precision; Q16.16:
    det(A) = 0 exactly).  The message names the batch indices."""


class NotPositiveDefiniteError(np.linalg.LinAlgError):
    """Cholesky found a non-positive pivot: the matrix is not positive definite."""


def located(exc_type, kernel, text, indices, *, where="index", more=0, detail="", hint=""):
    """An ``exc_type`` whose message names ``indices`` and keeps them as data.

    Parameters
    ----------
    exc_type : type
        The exception class (Q16OverflowError builds its own message).
    kernel : str
        The failing function, e.g. ``"fp.solve"``.
    text : str
        What went wrong.
    indices : sequence of tuple of int
        Up to five failing indices.
    where : str
        ``"index"`` (output element) or ``"batch index"``.
    more : int
        Further failing items not listed.
    detail : str
        Appended after the indices.
    hint : str
        For Q16OverflowError: what to do instead ("" for the default advice).

    Returns
    -------
    Exception
        With ``attncore_location`` set; the caller raises it.

    Raises
    ------
    TypeError
        ``exc_type`` does not take a message.

    Examples
    --------
    >>> import attncore
    >>> from attncore.errors import located
    >>> exc = located(attncore.SingularMatrixError, "fp.solve", "singular matrix", [(3,)],
    ...               where="batch index")
    >>> str(exc)
    'fp.solve: singular matrix at batch index (3,)'
    """
    loc = Location(kernel, text, where, tuple(tuple(int(i) for i in ix) for ix in indices),
                   more, detail, hint)
    if exc_type is Q16OverflowError:
        return Q16OverflowError(kernel, loc.indices[0], detail, hint)
    exc = exc_type(_message(loc))
    exc.attncore_location = loc
    return exc


def relocated(exc, offsets):
    """The same error with every index shifted by ``offsets``.

    Parameters
    ----------
    exc : Exception
        An error built by :func:`located` (it has ``attncore_location``).
    offsets : sequence of int
        ``offsets[d]`` is where the failing call's dim ``d`` starts in the
        whole array (batch dims first for ``where="batch index"``); index
        entries beyond ``len(offsets)`` stay as they are.

    Returns
    -------
    Exception
        A new exception of the same type; the caller raises it.

    Raises
    ------
    AttributeError
        ``exc`` carries no location.

    Examples
    --------
    >>> import attncore
    >>> from attncore.errors import located, relocated
    >>> exc = located(attncore.SingularMatrixError, "fp.solve", "singular matrix", [(3,)],
    ...               where="batch index")
    >>> str(relocated(exc, (1000,)))
    'fp.solve: singular matrix at batch index (1003,)'
    """
    loc = exc.attncore_location
    shifted = tuple(tuple(i + o for i, o in zip(ix, offsets)) + ix[len(offsets):]
                    for ix in loc.indices)
    return located(type(exc), loc.kernel, loc.text, shifted, where=loc.where, more=loc.more,
                   detail=loc.detail, hint=loc.hint)


# Which batch error a call raises when its items fail in several ways: the
# exception types in the order of attncore._api.status._BATCH_ORDER (a test
# keeps the two in step); errors at an element index come after every batch
# error, as range events do in one in-memory call.
BATCH_KIND_ORDER = (SingularMatrixError, NotPositiveDefiniteError, ValueError, ZeroDivisionError)
LISTED = 5
"""How many failing items a message lists (the rest are counted)."""


def _kind_rank(exc):
    for rank, kind in enumerate(BATCH_KIND_ORDER):
        if type(exc) is kind:
            return rank
    return len(BATCH_KIND_ORDER)


def merged(errors):
    """The one error of a call whose pieces failed separately.

    A caller that ran a kernel piece by piece (:mod:`attncore.dask` runs one
    chunk per task) passes every piece's error, each with global indices
    (:func:`relocated`); the result is what the in-memory call on the whole
    array raises: the batch error of the first kind in
    :data:`BATCH_KIND_ORDER` that occurs, listing the failing items of every
    piece in C order (the first :data:`LISTED`, then a count of the rest),
    or else the error at the lowest element index.  It does not depend on
    the order of ``errors``.

    Parameters
    ----------
    errors : sequence of Exception
        At least one, each with ``attncore_location``.

    Returns
    -------
    Exception
        The caller raises it.

    Raises
    ------
    AttributeError
        An error that carries no location.

    Examples
    --------
    >>> import attncore
    >>> from attncore.errors import located, merged
    >>> def singular(*items):
    ...     return located(attncore.SingularMatrixError, "fp.solve", "singular matrix", items,
    ...                    where="batch index")
    >>> str(merged([singular((9,), (12,)), singular((3,))]))
    'fp.solve: singular matrix at batch index (3,), (9,), (12,)'
    """
    locs = [(exc, exc.attncore_location) for exc in errors]
    batch = [(exc, loc) for exc, loc in locs if loc.where == "batch index"]
    if not batch:  # element (or row) errors: the first in C order, as the kernels stop there
        exc, _ = min(locs, key=lambda pair: (pair[1].indices[0], pair[1].where))
        return exc
    rank = min(_kind_rank(exc) for exc, _ in batch)
    same = [(exc, loc) for exc, loc in batch if _kind_rank(exc) == rank]
    first = min(same, key=lambda pair: pair[1].indices[0])
    kind, kernel, text = type(first[0]), first[1].kernel, first[1].text
    same = [(exc, loc) for exc, loc in same if type(exc) is kind and loc.text == text]
    # each piece lists its own first items in C order, so the first items of
    # the whole call are among them
    indices = sorted(ix for _, loc in same for ix in loc.indices)
    total = sum(len(loc.indices) + loc.more for _, loc in same)
    return located(kind, kernel, text, indices[:LISTED], where="batch index",
                   more=total - min(total, LISTED), detail=first[1].detail,
                   hint=first[1].hint)
