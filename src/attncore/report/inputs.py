"""Reading and checking ``attncore report --input FILE.npz``.

A hostile or broken file gives one :class:`InputError` (one line, exit 2
in the CLI), never a traceback, a hang or a huge allocation:

- the file must be a zip archive of ``.npy`` members (what ``np.savez``
  writes); every member's declared uncompressed size is checked before
  anything is decompressed (a zip bomb is refused, and Python's zipfile
  never inflates a member past its declared size), as is every ``.npy``
  header's length;
- pickled (object) arrays are refused (``allow_pickle=False``);
- the keys the report uses must hold non-empty arrays of real numbers
  (bool, integers or floats; complex is refused rather than truncated to
  its real part), all finite, with shapes that fit their kernels.
"""
import struct
import zipfile

import numpy as np

MAX_BYTES = 1 << 30
"""Largest total uncompressed size of the archive's members (1 GiB)."""
MAX_HEADER = 10000
"""Largest ``.npy`` header, in bytes (NumPy's own default for untrusted files)."""
KEYS = ("x", "a", "b", "q", "k", "v")
_MAGIC = b"\x93NUMPY"


class InputError(Exception):
    """A problem with the ``--input`` file, in one line."""


def _check_archive(path):
    """Member sizes and ``.npy`` headers, read without decompressing more
    than a header's worth."""
    if not zipfile.is_zipfile(path):
        raise InputError("not a readable .npz archive (not a zip of .npy files, as np.savez "
                         "writes)")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = 0
            for info in members:
                total += info.file_size
                if info.file_size > MAX_BYTES or total > MAX_BYTES:
                    raise InputError(
                        f"member {info.filename!r} would decompress past "
                        f"{MAX_BYTES >> 20} MiB in all ({info.file_size} bytes declared, "
                        f"{info.compress_size} stored); refusing a possible zip bomb")
            for info in members:
                if not info.filename.endswith(".npy"):
                    continue
                with archive.open(info) as member:
                    head = member.read(12)
                if len(head) < 10 or head[:6] != _MAGIC:
                    raise InputError(f"member {info.filename!r} is not a .npy array")
                major = head[6]
                if major == 1:
                    length = struct.unpack("<H", head[8:10])[0]
                elif major in (2, 3) and len(head) >= 12:
                    length = struct.unpack("<I", head[8:12])[0]
                else:
                    raise InputError(f"member {info.filename!r}: unknown .npy format version "
                                     f"{major}")
                if length > MAX_HEADER:
                    raise InputError(f"member {info.filename!r} has a .npy header of {length} "
                                     f"bytes (at most {MAX_HEADER})")
                _check_header(archive, info, major)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError, OSError) as exc:
        raise InputError(f"not a readable .npz archive ({exc.__class__.__name__}: {exc})") \
            from None


def _check_header(archive, info, major):
    """The header's dtype and shape against the member's size: a header
    may claim a shape of 2**40 elements (np.load would allocate it first)."""
    read = {1: np.lib.format.read_array_header_1_0, 2: np.lib.format.read_array_header_2_0}
    with archive.open(info) as member:
        np.lib.format.read_magic(member)
        if major not in read:
            raise InputError(f"member {info.filename!r}: .npy format version {major} is not "
                             "supported (np.savez writes 1.0 or 2.0)")
        try:
            shape, _, dtype = read[major](member, max_header_size=MAX_HEADER)
        except ValueError as exc:
            raise InputError(f"member {info.filename!r}: bad .npy header ({exc})") from None
    if dtype.hasobject:
        raise InputError(f"member {info.filename!r} holds pickled (object) arrays, which are "
                         "not loaded (allow_pickle=False)")
    count = 1
    for extent in shape:
        count *= extent
    if count * dtype.itemsize > info.file_size:
        raise InputError(f"member {info.filename!r} claims shape {shape} of {dtype} "
                         f"({count * dtype.itemsize} bytes) but holds {info.file_size} bytes")


def _check_array(key, x):
    if not isinstance(x, np.ndarray):
        raise InputError(f"key {key!r} is not an array")
    if x.dtype.kind == "c":
        raise InputError(f"key {key!r} is complex ({x.dtype}); the report takes real numbers "
                         "(pass the real part explicitly if that is what you mean)")
    if x.dtype.kind not in "biuf":
        raise InputError(f"key {key!r} has dtype {x.dtype}; the report takes real numbers "
                         "(bool, integers or floats)")
    if x.size == 0:
        raise InputError(f"key {key!r} is empty (shape {x.shape})")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        what = "NaN" if np.isnan(x).any() else "an infinity"
        raise InputError(f"key {key!r} holds {what}; the report takes finite numbers")


def _check_shapes(data):
    if "x" in data and data["x"].ndim < 1:
        raise InputError(f"key 'x' must be at least 1-D, got shape {data['x'].shape}")
    if ("a" in data) != ("b" in data):
        raise InputError("keys 'a' and 'b' come together (matmul a @ b, solve a x = b)")
    if "a" in data:
        a, b = data["a"], data["b"]
        if a.ndim < 2 or b.ndim < 2:
            raise InputError(f"keys 'a' and 'b' must be at least 2-D, got shapes {a.shape} and "
                             f"{b.shape}")
        if a.shape[-1] != b.shape[-2]:
            raise InputError(f"keys 'a' {a.shape} and 'b' {b.shape} do not fit: a's last dim "
                             "must equal b's second to last")
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise InputError(f"batch dims of 'a' {a.shape} and 'b' {b.shape} do not "
                             "broadcast") from None
    present = [key for key in "qkv" if key in data]
    if present and len(present) != 3:
        raise InputError(f"keys 'q', 'k' and 'v' come together (attention), found only "
                         f"{', '.join(present)}")
    if present:
        q, k, v = data["q"], data["k"], data["v"]
        if min(q.ndim, k.ndim, v.ndim) < 2:
            raise InputError(f"keys 'q', 'k', 'v' must be at least 2-D (..., length, features), "
                             f"got shapes {q.shape}, {k.shape}, {v.shape}")
        if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
            raise InputError(f"keys 'q' {q.shape}, 'k' {k.shape}, 'v' {v.shape} do not fit: q and "
                             "k share the feature dim, k and v the sequence length")
        try:
            np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
        except ValueError:
            raise InputError(f"batch dims of 'q' {q.shape}, 'k' {k.shape}, 'v' {v.shape} do not "
                             "broadcast") from None


def load(path):
    """The report's arrays from ``path`` (a dict with some of :data:`KEYS`),
    or an :class:`InputError` saying what is wrong with the file."""
    _check_archive(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            files = list(data.files)
            arrays = {key: data[key] for key in files if key in KEYS}
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise InputError("holds pickled (object) arrays, which are not loaded "
                             "(allow_pickle=False)") from None
        raise InputError(f"not a readable .npz archive (ValueError: {exc})") from None
    except Exception as exc:  # any other unreadable archive: one line, not a traceback
        raise InputError(f"not a readable .npz archive ({exc.__class__.__name__}: {exc})") \
            from None
    if not arrays:
        raise InputError(f"no usable keys (expected x; a and b; or q, k, v), found "
                         f"{sorted(files)}")
    for key, x in arrays.items():
        _check_array(key, x)
    _check_shapes(arrays)
    return arrays
