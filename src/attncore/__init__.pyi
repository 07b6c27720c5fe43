# Type stubs of the attncore package (PEP 561); checked by tests/test_typing.py.
# The top level re-exports the float backend, the error classes and the threads.
from attncore import fp as fp
from attncore import q16 as q16
from attncore import reference as reference
from attncore.errors import NotPositiveDefiniteError as NotPositiveDefiniteError
from attncore.errors import Q16OverflowError as Q16OverflowError
from attncore.errors import Q16SaturationWarning as Q16SaturationWarning
from attncore.errors import SingularMatrixError as SingularMatrixError
from attncore.fp import affine_inverse as affine_inverse
from attncore.fp import cho_factor as cho_factor
from attncore.fp import cho_solve as cho_solve
from attncore.fp import det as det
from attncore.fp import inv as inv
from attncore.fp import log_softmax as log_softmax
from attncore.fp import lu_factor as lu_factor
from attncore.fp import lu_solve as lu_solve
from attncore.fp import matmul as matmul
from attncore.fp import multi_head_attention as multi_head_attention
from attncore.fp import scaled_dot_product_attention as scaled_dot_product_attention
from attncore.fp import softmax as softmax
from attncore.fp import slogdet as slogdet
from attncore.fp import solve as solve
from attncore.threads import get_num_threads as get_num_threads
from attncore.threads import set_num_threads as set_num_threads

__version__: str

__all__ = [
    "fp", "q16", "reference",
    "Q16OverflowError", "Q16SaturationWarning", "SingularMatrixError", "NotPositiveDefiniteError",
    "get_num_threads", "set_num_threads",
    "matmul", "softmax", "log_softmax", "scaled_dot_product_attention",
    "multi_head_attention", "lu_factor", "lu_solve", "cho_factor", "cho_solve", "solve",
    "det", "slogdet", "inv", "affine_inverse",
]
