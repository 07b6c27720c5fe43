# Type stubs of attncore.saturation (PEP 561); checked by tests/test_typing.py.
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager

__all__ = ["SaturationCounts", "count_saturations"]

class SaturationCounts:
    saturated: Counter[str]
    wrapped: Counter[str]
    def __init__(self) -> None: ...
    @property
    def total(self) -> int: ...

def count_saturations() -> AbstractContextManager[SaturationCounts]: ...
def record(kernel: str, events: int, wrapped: bool = False) -> None: ...
