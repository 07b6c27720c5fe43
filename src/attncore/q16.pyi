# Type stubs of attncore.q16 (PEP 561).  Checked against the runtime signatures
# by tests/test_typing.py (mypy.stubtest); the documentation is in q16.py.
from typing import Any, Final, Literal, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from typing_extensions import Self, TypeVarTuple, Unpack

from attncore.errors import Q16SaturationWarning as Q16SaturationWarning
from attncore.saturation import SaturationCounts as SaturationCounts
from attncore.saturation import count_saturations as count_saturations
from attncore.saturation import errstate as errstate
from attncore.saturation import geterr as geterr
from attncore.saturation import seterr as seterr

__all__ = [
    "FRAC_BITS", "ONE", "EPS", "MIN", "MAX",
    "from_float", "to_float",
    "add", "sub", "mul", "div", "sqrt", "exp", "matmul", "softmax",
    "scaled_dot_product_attention", "multi_head_attention",
    "lu_factor", "lu_solve", "cho_factor", "cho_solve", "solve", "det", "inv", "affine_inverse",
    "LUFactor", "ChoFactor", "count_saturations", "SaturationCounts", "errstate", "seterr",
    "geterr", "Q16SaturationWarning",
]

FRAC_BITS: Final[int]
ONE: Final[int]
EPS: Final[float]
MIN: Final[int]
MAX: Final[int]

_Rounding = Literal["nearest", "floor"]
_Overflow = Literal["saturate", "raise", "wrap"]
_NoWrap = Literal["saturate", "raise"]  # exp: no meaningful two's-complement image
_Raw = NDArray[np.int32]
# a 0-d result (one element, 1-D @ 1-D, det of one matrix) is an np.int32 scalar
_RawOrScalar = NDArray[np.int32] | np.int32

def from_float(x: ArrayLike, /, *, rounding: _Rounding = "nearest",
               overflow: _Overflow = "saturate") -> _RawOrScalar: ...
def to_float(q: ArrayLike, /) -> NDArray[np.float64] | np.float64: ...
def add(a: ArrayLike, b: ArrayLike, /, *, overflow: _Overflow = "saturate") -> _RawOrScalar: ...
def sub(a: ArrayLike, b: ArrayLike, /, *, overflow: _Overflow = "saturate") -> _RawOrScalar: ...
def mul(a: ArrayLike, b: ArrayLike, /, *, rounding: _Rounding = "nearest",
        overflow: _Overflow = "saturate") -> _RawOrScalar: ...
def div(a: ArrayLike, b: ArrayLike, /, *, rounding: _Rounding = "nearest",
        overflow: _Overflow = "saturate") -> _RawOrScalar: ...
def sqrt(a: ArrayLike, /, *, rounding: _Rounding = "nearest") -> _RawOrScalar: ...
def exp(a: ArrayLike, /, *, rounding: _Rounding = "nearest",
        overflow: _NoWrap = "saturate") -> _RawOrScalar: ...
def matmul(a: ArrayLike, b: ArrayLike, /, *, rounding: _Rounding = "nearest",
           overflow: _Overflow = "saturate", out: NDArray[Any] | None = None) -> _RawOrScalar: ...
def softmax(x: ArrayLike, /, axis: int = -1, *, mask: ArrayLike | None = None,
            rounding: _Rounding = "nearest") -> _Raw: ...
def default_scale(features: int) -> int: ...
@overload
def scaled_dot_product_attention(q: ArrayLike, k: ArrayLike, v: ArrayLike, /, *,
                                 mask: ArrayLike | None = None, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False,
                                 return_weights: Literal[False] = False,
                                 rounding: _Rounding = "nearest") -> _Raw: ...
@overload
def scaled_dot_product_attention(q: ArrayLike, k: ArrayLike, v: ArrayLike, /, *,
                                 mask: ArrayLike | None = None, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False,
                                 return_weights: Literal[True],
                                 rounding: _Rounding = "nearest") -> tuple[_Raw, _Raw]: ...
@overload
def scaled_dot_product_attention(q: ArrayLike, k: ArrayLike, v: ArrayLike, /, *,
                                 mask: ArrayLike | None = None, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False,
                                 return_weights: bool = False,
                                 rounding: _Rounding = "nearest") -> _Raw | tuple[_Raw, _Raw]: ...
@overload
def multi_head_attention(query: ArrayLike, key: ArrayLike, value: ArrayLike, w_q: ArrayLike,
                         w_k: ArrayLike, w_v: ArrayLike, w_o: ArrayLike, num_heads: int, /, *,
                         b_q: ArrayLike | None = None, b_k: ArrayLike | None = None,
                         b_v: ArrayLike | None = None, b_o: ArrayLike | None = None,
                         mask: ArrayLike | None = None, attn_mask: ArrayLike | None = None,
                         key_padding_mask: ArrayLike | None = None, is_causal: bool = False,
                         return_weights: Literal[False] = False,
                         return_head_outputs: Literal[False] = False,
                         rounding: _Rounding = "nearest",
                         overflow: _Overflow = "saturate") -> _Raw: ...
@overload
def multi_head_attention(query: ArrayLike, key: ArrayLike, value: ArrayLike, w_q: ArrayLike,
                         w_k: ArrayLike, w_v: ArrayLike, w_o: ArrayLike, num_heads: int, /, *,
                         b_q: ArrayLike | None = None, b_k: ArrayLike | None = None,
                         b_v: ArrayLike | None = None, b_o: ArrayLike | None = None,
                         mask: ArrayLike | None = None, attn_mask: ArrayLike | None = None,
                         key_padding_mask: ArrayLike | None = None, is_causal: bool = False,
                         return_weights: bool = False, return_head_outputs: bool = False,
                         rounding: _Rounding = "nearest",
                         overflow: _Overflow = "saturate") -> _Raw | tuple[_Raw, ...]: ...
def solve(a: ArrayLike, b: ArrayLike, /, *, assume_a: Literal["gen", "pos"] = "gen",
          rounding: _Rounding = "nearest", overflow: _Overflow = "saturate") -> _Raw: ...

# The factor objects: SciPy's tuples that also carry the exact factor
# (det(A) and adj(A) as integers, uint32 words (..., words)); the solves take
# only these, never a plain tuple of the rounded Q16.16 factors.
class LUFactor(tuple[_Raw, NDArray[np.int32]]):
    exact: NDArray[np.uint32]
    def __new__(cls, parts: tuple[_Raw, NDArray[np.int32]], exact: NDArray[np.uint32]) -> Self: ...

_Parts = TypeVarTuple("_Parts")

# (c, lower) without pivoting; (c, lower, perm, rank) with it (rank: int32
# of the batch shape, 0-d for one matrix)
class ChoFactor(tuple[Unpack[_Parts]]):
    exact: NDArray[np.uint32]
    def __new__(cls, parts: tuple[Unpack[_Parts]], exact: NDArray[np.uint32]) -> Self: ...

_PlainChoFactor = ChoFactor[_Raw, bool]
_PivotedChoFactor = ChoFactor[_Raw, bool, NDArray[np.int32], NDArray[np.int32]]

def lu_factor(a: ArrayLike, /, *, rounding: _Rounding = "nearest",
              overflow: _Overflow = "saturate") -> LUFactor: ...
def lu_solve(lu_and_piv: LUFactor, b: ArrayLike, /, *,
             rounding: _Rounding = "nearest", overflow: _Overflow = "saturate") -> _Raw: ...
@overload
def cho_factor(a: ArrayLike, /, *, lower: bool = True, pivot: Literal[False] = False,
               rounding: _Rounding = "nearest",
               overflow: _Overflow = "saturate") -> _PlainChoFactor: ...
@overload
def cho_factor(a: ArrayLike, /, *, lower: bool = True, pivot: Literal[True],
               rounding: _Rounding = "nearest",
               overflow: _Overflow = "saturate") -> _PivotedChoFactor: ...
@overload
def cho_factor(a: ArrayLike, /, *, lower: bool = True, pivot: bool = False,
               rounding: _Rounding = "nearest",
               overflow: _Overflow = "saturate") -> _PlainChoFactor | _PivotedChoFactor: ...
def cho_solve(c_and_lower: _PlainChoFactor | _PivotedChoFactor, b: ArrayLike, /, *,
              rounding: _Rounding = "nearest", overflow: _Overflow = "saturate") -> _Raw: ...
def det(a: ArrayLike, /, *, rounding: _Rounding = "nearest",
        overflow: _Overflow = "saturate") -> _RawOrScalar: ...
def inv(a: ArrayLike, /, *, rounding: _Rounding = "nearest",
        overflow: _Overflow = "saturate") -> _Raw: ...
def affine_inverse(m: ArrayLike, /, *, kind: Literal["affine", "rigid"] = "affine",
                   rounding: _Rounding = "nearest", overflow: _Overflow = "saturate") -> _Raw: ...
