# Type stubs of attncore.dask (PEP 561); checked by tests/test_typing.py.
# The top level is the float backend (attncore.dask.fp) re-exported, as at run time;
# every function returns lazy Dask arrays (see dask/fp.pyi).
from attncore.dask import fp as fp
from attncore.dask import q16 as q16
from attncore.dask.fp import affine_inverse as affine_inverse
from attncore.dask.fp import cho_factor as cho_factor
from attncore.dask.fp import cho_solve as cho_solve
from attncore.dask.fp import det as det
from attncore.dask.fp import inv as inv
from attncore.dask.fp import log_softmax as log_softmax
from attncore.dask.fp import lu_factor as lu_factor
from attncore.dask.fp import lu_solve as lu_solve
from attncore.dask.fp import matmul as matmul
from attncore.dask.fp import multi_head_attention as multi_head_attention
from attncore.dask.fp import scaled_dot_product_attention as scaled_dot_product_attention
from attncore.dask.fp import slogdet as slogdet
from attncore.dask.fp import softmax as softmax
from attncore.dask.fp import solve as solve

CHUNK_LIMIT_KEY: str

__all__ = ["fp", "q16", "CHUNK_LIMIT_KEY", "matmul", "softmax", "log_softmax",
           "scaled_dot_product_attention", "multi_head_attention", "lu_factor", "lu_solve",
           "cho_factor", "cho_solve", "solve", "det", "slogdet", "inv", "affine_inverse"]
