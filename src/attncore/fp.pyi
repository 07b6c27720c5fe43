# Type stubs of attncore.fp (PEP 561).  Checked against the runtime signatures
# by tests/test_typing.py (mypy.stubtest); the documentation is in fp.py.
from typing import Any, Literal, NamedTuple, overload, type_check_only

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["matmul", "softmax", "log_softmax", "scaled_dot_product_attention",
           "multi_head_attention", "lu_factor", "lu_solve", "cho_factor", "cho_solve", "solve",
           "det", "slogdet", "inv", "affine_inverse"]

_Float = np.floating[Any]
_Array = NDArray[_Float]
# 1-D @ 1-D and det of one matrix give a NumPy scalar, like np.matmul / np.linalg.det
_ArrayOrScalar = NDArray[_Float] | _Float

def matmul(a: ArrayLike, b: ArrayLike, /, *, out: NDArray[Any] | None = None) -> _ArrayOrScalar: ...
def softmax(x: ArrayLike, /, axis: int = -1, *, mask: ArrayLike | None = None) -> _Array: ...
def log_softmax(x: ArrayLike, /, axis: int = -1, *, mask: ArrayLike | None = None) -> _Array: ...
@overload
def scaled_dot_product_attention(q: ArrayLike, k: ArrayLike, v: ArrayLike, /, *,
                                 mask: ArrayLike | None = None, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False,
                                 return_weights: Literal[False] = False) -> _Array: ...
@overload
def scaled_dot_product_attention(q: ArrayLike, k: ArrayLike, v: ArrayLike, /, *,
                                 mask: ArrayLike | None = None, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False,
                                 return_weights: Literal[True]) -> tuple[_Array, _Array]: ...
@overload
def scaled_dot_product_attention(q: ArrayLike, k: ArrayLike, v: ArrayLike, /, *,
                                 mask: ArrayLike | None = None, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False,
                                 return_weights: bool = False) -> _Array | tuple[_Array, _Array]: ...
@overload
def multi_head_attention(query: ArrayLike, key: ArrayLike, value: ArrayLike, w_q: ArrayLike,
                         w_k: ArrayLike, w_v: ArrayLike, w_o: ArrayLike, num_heads: int, /, *,
                         b_q: ArrayLike | None = None, b_k: ArrayLike | None = None,
                         b_v: ArrayLike | None = None, b_o: ArrayLike | None = None,
                         mask: ArrayLike | None = None, attn_mask: ArrayLike | None = None,
                         key_padding_mask: ArrayLike | None = None, is_causal: bool = False,
                         return_weights: Literal[False] = False,
                         return_head_outputs: Literal[False] = False) -> _Array: ...
@overload
def multi_head_attention(query: ArrayLike, key: ArrayLike, value: ArrayLike, w_q: ArrayLike,
                         w_k: ArrayLike, w_v: ArrayLike, w_o: ArrayLike, num_heads: int, /, *,
                         b_q: ArrayLike | None = None, b_k: ArrayLike | None = None,
                         b_v: ArrayLike | None = None, b_o: ArrayLike | None = None,
                         mask: ArrayLike | None = None, attn_mask: ArrayLike | None = None,
                         key_padding_mask: ArrayLike | None = None, is_causal: bool = False,
                         return_weights: bool = False,
                         return_head_outputs: bool = False) -> _Array | tuple[_Array, ...]: ...
def lu_factor(a: ArrayLike, /, *, check_finite: bool = True) -> tuple[_Array, NDArray[np.int32]]: ...
def lu_solve(lu_and_piv: tuple[ArrayLike, ArrayLike], b: ArrayLike, /, *,
             check_finite: bool = True) -> _Array: ...
# (c, lower) without pivoting; (c, lower, perm, rank) with it
_ChoFactor = tuple[_Array, bool]
# rank is an int32 array of the batch shape (0-d for one matrix)
_PivotedChoFactor = tuple[_Array, bool, NDArray[np.int32], NDArray[np.int32]]

@overload
def cho_factor(a: ArrayLike, /, *, lower: bool = True,
               pivot: Literal[False] = False, check_finite: bool = True) -> _ChoFactor: ...
@overload
def cho_factor(a: ArrayLike, /, *, lower: bool = True,
               pivot: Literal[True], check_finite: bool = True) -> _PivotedChoFactor: ...
@overload
def cho_factor(a: ArrayLike, /, *, lower: bool = True,
               pivot: bool = False,
               check_finite: bool = True) -> _ChoFactor | _PivotedChoFactor: ...
def cho_solve(c_and_lower: tuple[ArrayLike, bool] | tuple[ArrayLike, bool, ArrayLike, Any],
              b: ArrayLike, /, *, check_finite: bool = True) -> _Array: ...
def solve(a: ArrayLike, b: ArrayLike, /, *, assume_a: Literal["gen", "pos"] = "gen",
          check_finite: bool = True) -> _Array: ...
def det(a: ArrayLike, /, *, check_finite: bool = True) -> _ArrayOrScalar: ...

# the runtime class is private (attncore._api.linalg); as numpy.linalg.slogdet's
@type_check_only
class SlogdetResult(NamedTuple):
    sign: _ArrayOrScalar
    logabsdet: _ArrayOrScalar

def slogdet(a: ArrayLike, /) -> SlogdetResult: ...
def inv(a: ArrayLike, /, *, check_finite: bool = True) -> _Array: ...
def affine_inverse(m: ArrayLike, /, *, kind: Literal["affine", "rigid"] = "affine",
                   check_finite: bool = True) -> _Array: ...
