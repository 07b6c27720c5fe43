# cython: language_level=3
"""The C core's constants for Python: the enums declared `cpdef` in
core.pxd (ac_status, ac_rounding, ac_overflow) and the Q16.16 constants of
attncore/q16.h.  Nothing else in Python spells these numbers."""
from attncore._kernels.core cimport *

FRAC_BITS = AC_Q16_FRAC_BITS
ONE = AC_Q16_ONE
MAX = AC_Q16_MAX
MIN = AC_Q16_MIN

# Limits of the Q16.16 kernels, and the size of an exact linear-algebra factor.
Q16_LINALG_MAX_N = AC_Q16_LINALG_MAX_N
Q16_ATTENTION_MAX_KEYS = AC_Q16_ATTENTION_MAX_KEYS


def q16_factor_words(size_t n):
    """uint32 words of the exact factor of an n x n matrix (AC_Q16_FACTOR_WORDS; 0 above the
    size limit)."""
    return AC_Q16_FACTOR_WORDS(n)
