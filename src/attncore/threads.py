"""How many threads attncore's loops may use.

Default: ``OMP_NUM_THREADS`` when set, else the CPUs this process may run
on.  Results never depend on it: work is split into contiguous ranges whose
reports are merged in order, and the arithmetic is exact or per-element.
"""
import os

__all__ = ["get_num_threads", "set_num_threads"]


def _default():
    env = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_num_threads = _default()


def get_num_threads():
    """Threads attncore kernels use for large inputs.

    Returns
    -------
    int

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
        At least 1.

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
    >>> _ = attncore.set_num_threads(previous)
    """
    global _num_threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected an int >= 1, got {n!r}")
    previous, _num_threads = _num_threads, n
    return previous
