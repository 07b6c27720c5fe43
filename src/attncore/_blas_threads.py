"""Find the thread-count getter/setter of the OpenBLAS that SciPy's
cython_blas calls, so a batch of BLAS-sized products can run one
single-threaded gemm per attncore thread instead of several multi-threaded
gemms contending for one BLAS thread pool.

OpenBLAS's thread count is process-wide (even ``*_local`` sets the global
count in its pthreads build), so attncore sets 1 for the duration of such a
batch and restores the previous value after it.  Returns the two function
addresses, or ``(0, 0)`` when this BLAS has neither (then batch items that
use BLAS run one after another, each threaded by BLAS itself).
"""
import ctypes
import glob
import os

_PREFIXES = ("scipy_openblas", "openblas")


def thread_control_addresses():
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
