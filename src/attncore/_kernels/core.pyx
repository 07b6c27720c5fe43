# cython: language_level=3
"""The C core's constants for Python: the enums declared `cpdef` in
core.pxd (ac_status, ac_rounding, ac_overflow) and the Q16.16 constants of
attncore/q16.h.  Nothing else in Python spells these numbers."""
from attncore._kernels.core cimport *

FRAC_BITS = AC_Q16_FRAC_BITS
ONE = AC_Q16_ONE
MAX = AC_Q16_MAX
MIN = AC_Q16_MIN
