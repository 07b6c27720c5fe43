# Type stubs of attncore.dask.fp (PEP 561); checked by tests/test_typing.py.
# Every function returns lazy Dask arrays (a tuple of them where the in-memory
# function returns a tuple); ``**options`` are the in-memory keywords
# (rounding=, overflow= in Q16.16).
from typing import Any, Literal, NamedTuple, type_check_only

from dask.array import Array
from numpy.typing import ArrayLike

__all__ = ["matmul", "softmax", "log_softmax", "scaled_dot_product_attention",
           "multi_head_attention", "lu_factor", "lu_solve", "cho_factor", "cho_solve", "solve",
           "det", "slogdet", "inv", "affine_inverse"]

def matmul(a: ArrayLike, b: ArrayLike, /, *, out: None = None, **options: Any) -> Array: ...
def softmax(x: ArrayLike, /, axis: int = -1, *, mask: ArrayLike | None = None,
            **options: Any) -> Array: ...
def scaled_dot_product_attention(q: ArrayLike, k: ArrayLike, v: ArrayLike, /, *,
                                 mask: ArrayLike | None = None, is_causal: bool = False,
                                 enable_gqa: bool = False, return_weights: bool = False,
                                 **options: Any) -> Array | tuple[Array, Array]: ...
def multi_head_attention(query: ArrayLike, key: ArrayLike, value: ArrayLike, w_q: ArrayLike,
                         w_k: ArrayLike, w_v: ArrayLike, w_o: ArrayLike, num_heads: int, /, *,
                         b_q: ArrayLike | None = None, b_k: ArrayLike | None = None,
                         b_v: ArrayLike | None = None, b_o: ArrayLike | None = None,
                         mask: ArrayLike | None = None, attn_mask: ArrayLike | None = None,
                         key_padding_mask: ArrayLike | None = None, is_causal: bool = False,
                         return_weights: bool = False, return_head_outputs: bool = False,
                         **options: Any) -> Array | tuple[Array, ...]: ...
def solve(a: ArrayLike, b: ArrayLike, /, *, assume_a: Literal["gen", "pos"] = "gen",
          **options: Any) -> Array: ...
def lu_factor(a: ArrayLike, /, **options: Any) -> tuple[Array, Array]: ...
def lu_solve(lu_and_piv: tuple[Any, ...], b: ArrayLike, /, **options: Any) -> Array: ...
def cho_factor(a: ArrayLike, /, *, lower: bool = True, pivot: bool = False,
               **options: Any) -> tuple[Any, ...]: ...
def cho_solve(c_and_lower: tuple[Any, ...], b: ArrayLike, /, **options: Any) -> Array: ...
def det(a: ArrayLike, /, **options: Any) -> Array: ...

# the runtime class is private (attncore.dask._kernels); fields as numpy.linalg.slogdet's
@type_check_only
class SlogdetResult(NamedTuple):
    sign: Array
    logabsdet: Array

def slogdet(a: ArrayLike, /, **options: Any) -> SlogdetResult: ...
def inv(a: ArrayLike, /, **options: Any) -> Array: ...
def affine_inverse(m: ArrayLike, /, *, kind: Literal["affine", "rigid"] = "affine",
                   **options: Any) -> Array: ...
def log_softmax(x: ArrayLike, /, axis: int = -1, *, mask: ArrayLike | None = None,
                **options: Any) -> Array: ...
