# cython: language_level=3
"""The thread count of the OpenBLAS that SciPy's cython_blas calls.

A batch of BLAS-sized products runs one single-threaded gemm per attncore
thread instead of several multi-threaded gemms contending for one BLAS
thread pool.  OpenBLAS's thread count is process-wide (even ``*_local`` sets
the global count in its pthreads build), so it is set to 1 for the duration
of such a batch and restored after it.  Where SciPy's BLAS has no thread
setters (another BLAS), nothing is pinned, and the batched matmul runs its
BLAS items one after another, each threaded by BLAS itself.
"""
cimport numpy as cnp

import ctypes
import glob
import os

import numpy as np

cnp.import_array()

_PREFIXES = ("scipy_openblas", "openblas")

ctypedef int (*get_threads_fn)() noexcept nogil
ctypedef void (*set_threads_fn)(int) noexcept nogil
cdef get_threads_fn _get_threads = NULL
cdef set_threads_fn _set_threads = NULL

# How many attncore calls are inside a single-threaded-BLAS region, and the
# count to restore when the last one leaves.  Only touched with the GIL held,
# so concurrent calls from several Python threads cannot restore a 1 that
# another call set.
cdef int _pinned_depth = 0
cdef int _saved_threads = 1


cdef bint blas_threads_pinnable() noexcept:
    return _set_threads != NULL


cdef void pin_blas() noexcept:
    global _pinned_depth, _saved_threads
    if _set_threads == NULL:
        return
    if _pinned_depth == 0:
        _saved_threads = _get_threads()
        _set_threads(1)
    _pinned_depth += 1


cdef void unpin_blas() noexcept:
    global _pinned_depth
    if _set_threads == NULL:
        return
    _pinned_depth -= 1
    if _pinned_depth == 0:
        _set_threads(_saved_threads)


cdef cnp.ndarray blas_rows(cnp.ndarray x):
    cdef char op
    cdef int ld
    cdef int nd = x.ndim
    if nd >= 2 and blas_operand(x.shape[nd - 2], x.shape[nd - 1],
                                x.strides[nd - 2] // x.itemsize,
                                x.strides[nd - 1] // x.itemsize, &op, &ld) and op == b'N':
        return x
    # one copy of each distinct matrix: broadcast (stride 0) batch dims stay broadcast
    distinct = tuple(slice(0, 1) if x.strides[d] == 0 else slice(None) for d in range(nd - 2))
    return np.broadcast_to(np.ascontiguousarray(x[distinct]), (<object>x).shape)


def thread_control_addresses():
    """Addresses of ``(get_num_threads, set_num_threads)`` of SciPy's
    OpenBLAS, or ``(0, 0)`` when this BLAS has neither."""
    import scipy

    libs = os.path.join(os.path.dirname(scipy.__file__), os.pardir, "scipy.libs")
    for path in sorted(glob.glob(os.path.join(libs, "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)  # already loaded by scipy: same handle
        except OSError:
            continue
        for prefix in _PREFIXES:
            get = getattr(lib, f"{prefix}_get_num_threads", None)
            set_ = getattr(lib, f"{prefix}_set_num_threads", None)
            if get is not None and set_ is not None:
                return (ctypes.cast(get, ctypes.c_void_p).value,
                        ctypes.cast(set_, ctypes.c_void_p).value)
    return (0, 0)


def _install(Py_ssize_t get_address, Py_ssize_t set_address):
    global _get_threads, _set_threads
    if get_address and set_address:
        _get_threads = <get_threads_fn>get_address
        _set_threads = <set_threads_fn>set_address


_install(*thread_control_addresses())
