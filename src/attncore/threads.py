"""How many threads attncore's loops may use.

attncore runs its own pool of threads (no OpenMP, no BLAS threads): one pool
per process, whose helpers sleep when idle.  A call uses at most
``min(get_num_threads(), CPUs this process may run on, 256)`` threads, and
fewer when its work is small: below about 0.1 ms of single-thread work
(measured once per process from how long a sleeping thread takes to wake)
it runs on the calling thread alone.  The calling thread always works too,
so a helper that the operating system has descheduled never holds a call
up for long.

Default: ``ATTNCORE_NUM_THREADS`` when set to a whole number >= 1, else
``OMP_NUM_THREADS`` (its first entry, as OpenMP reads a list) when set so,
else the CPUs this process may run on.  Values too large to be useful are
fine (they mean "all CPUs"); anything else in those variables (empty,
``0``, negative, not a number) is ignored.

Results never depend on the thread count: work is cut into chunks that
depend on the problem alone, reports are merged in chunk order, and every
float element is computed by the same operations wherever it lands.
"""
import os
import re

__all__ = ["get_num_threads", "set_num_threads"]

_WHOLE = re.compile(r"\s*([0-9]+)\s*")


def _parse(value):
    """A thread count from an environment value, or None if it is not one."""
    if value is None:
        return None
    match = _WHOLE.fullmatch(value.split(",")[0])
    if match is None:
        return None
    n = int(match.group(1))
    return n if n >= 1 else None


def _default():
    for name in ("ATTNCORE_NUM_THREADS", "OMP_NUM_THREADS"):
        n = _parse(os.environ.get(name))
        if n is not None:
            return n
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_num_threads = _default()


def get_num_threads():
    """The thread setting attncore kernels use for large inputs.

    Returns
    -------
    int
        The value last set (or the default): a call uses at most this many
        threads, and never more than the CPUs the process may run on.

    Examples
    --------
    >>> import attncore
    >>> attncore.get_num_threads() >= 1
    True
    """
    return _num_threads


def set_num_threads(n):
    """Set the thread count for attncore kernels.

    Results do not depend on it (see the module docstring).

    Parameters
    ----------
    n : int
        At least 1.  Any larger value is accepted: a call uses at most the
        CPUs this process may run on (and at most 256).

    Returns
    -------
    int
        The previous setting, so callers can restore it.

    Raises
    ------
    ValueError
        ``n`` not an int >= 1.

    Examples
    --------
    >>> import attncore
    >>> previous = attncore.set_num_threads(1)
    >>> attncore.get_num_threads()
    1
    >>> _ = attncore.set_num_threads(2**31)  # all CPUs
    >>> _ = attncore.set_num_threads(previous)
    """
    global _num_threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected an int >= 1, got {n!r}")
    previous, _num_threads = _num_threads, int(n)
    return previous
