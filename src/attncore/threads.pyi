# Type stubs of attncore.threads (PEP 561); checked by tests/test_typing.py.
__all__ = ["get_num_threads", "set_num_threads"]

def get_num_threads() -> int: ...
def set_num_threads(n: int) -> int: ...  # the previous setting
