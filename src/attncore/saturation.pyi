# Type stubs of attncore.saturation (PEP 561); checked by tests/test_typing.py.
from collections import Counter
from contextlib import AbstractContextManager, ContextDecorator
from typing import Final, Literal, TypedDict, type_check_only

from typing_extensions import Self

from attncore.errors import Q16SaturationWarning as Q16SaturationWarning

__all__ = ["SaturationCounts", "count_saturations", "errstate", "seterr", "geterr",
           "Q16SaturationWarning"]

_Mode = Literal["ignore", "warn", "raise"]

MODES: Final[tuple[Literal["ignore"], Literal["warn"], Literal["raise"]]]

# what geterr returns and seterr(**old) takes back, as numpy.geterr's dict
@type_check_only
class _ErrDict(TypedDict):
    saturation: _Mode

def geterr() -> _ErrDict: ...
def seterr(saturation: _Mode | None = None) -> _ErrDict: ...

class errstate(ContextDecorator):
    saturation: _Mode
    def __init__(self, *, saturation: _Mode) -> None: ...
    def __enter__(self) -> Self: ...
    # never swallows the block's exception
    def __exit__(self, *exc_info: object) -> None: ...

def raising() -> bool: ...

class SaturationCounts:
    saturated: Counter[str]
    wrapped: Counter[str]
    def __init__(self) -> None: ...
    @property
    def total(self) -> int: ...

def count_saturations() -> AbstractContextManager[SaturationCounts]: ...
def record(kernel: str, events: int, wrapped: bool = False) -> None: ...
