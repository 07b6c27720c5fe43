# Type stubs of attncore.errors (PEP 561); checked by tests/test_typing.py.
from collections.abc import Sequence
from typing import Any, NamedTuple, TypeVar

import numpy as np

__all__ = ["Q16OverflowError", "Q16SaturationWarning", "SingularMatrixError",
           "NotPositiveDefiniteError"]

class Location(NamedTuple):
    kernel: str
    text: str
    where: str
    indices: tuple[tuple[int, ...], ...]
    more: int = 0
    detail: str = ""
    hint: str = ""

class Q16OverflowError(OverflowError):
    kernel: str
    index: tuple[int, ...]
    attncore_location: Location
    def __init__(self, kernel: str, index: Sequence[int], detail: str = "",
                 hint: str = "") -> None: ...

class Q16SaturationWarning(RuntimeWarning):
    kernel: str
    count: int
    def __init__(self, kernel: str, count: int) -> None: ...

class SingularMatrixError(np.linalg.LinAlgError): ...
class NotPositiveDefiniteError(np.linalg.LinAlgError): ...

_E = TypeVar("_E", bound=BaseException)

def located(exc_type: type[_E], kernel: str, text: str, indices: Sequence[Sequence[int]], *,
            where: str = "index", more: int = 0, detail: str = "",
            hint: str = "") -> _E: ...
def relocated(exc: _E, offsets: Sequence[int]) -> _E: ...
