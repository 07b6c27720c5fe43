"""One lazy call: an in-memory attncore kernel mapped over the blocks of
Dask arrays.

A kernel is described by the *core* labels of each operand's trailing
dims; the leading dims are batch dims, broadcast as NumPy does and mapped
blockwise.  A core label is either *whole* (the kernel needs the full
extent: matrix dims, the softmax axis, the key sequence) and rechunked to
one chunk, or *free* (rows that are independent, such as attention
queries) and left chunked like a batch dim.  Every task calls the
in-memory function on its blocks, so a chunked result equals the
in-memory one bit for bit wherever the kernel's per-item arithmetic does
not depend on the batch size (always for Q16.16; float up to BLAS's
blocking).

Bounds: the whole core of one batch item must fit in
``attncore.core-chunk-limit`` (Dask config, default 1 GiB); blocks above
that limit have their batch dims split.
"""
import math
from typing import NamedTuple

import dask
import dask.array as da
import numpy as np
from dask.array.core import unify_chunks
from dask.layers import ArraySliceDep
from dask.utils import parse_bytes

from attncore.errors import merged, relocated

CHUNK_LIMIT_KEY = "attncore.core-chunk-limit"
DEFAULT_CHUNK_LIMIT = "1GiB"


class Operand(NamedTuple):
    """One array argument of a kernel.

    ``core`` labels the trailing dims.  ``batched=False`` marks an operand
    that never has batch dims (weights, a 1-D right-hand side): it is
    passed whole to every task.  ``by_batch=True`` marks one that the
    in-memory kernel lines up with the others by its batch dims, not from
    the right as NumPy broadcasts (lu_solve's pivots beside its matrices).
    """

    name: str
    array: object
    core: tuple
    batched: bool = True
    by_batch: bool = False


class Output(NamedTuple):
    """One result: the core labels of its trailing dims, or ``None`` for a
    plain Python value (``lower`` of ``cho_factor``) taken from the probe."""

    core: tuple = None


def chunk_limit():
    return parse_bytes(dask.config.get(CHUNK_LIMIT_KEY, DEFAULT_CHUNK_LIMIT))


def _batch_labels(count):
    """Batch dims are named by their position from the right."""
    return tuple(f"_b{count - 1 - d}" for d in range(count))


def _labels(kernel, op):
    if op.array.ndim < len(op.core):
        raise ValueError(f"{kernel}: `{op.name}` must have at least {len(op.core)} dims "
                         f"(..., {', '.join(op.core)}), got shape {op.array.shape}")
    return _batch_labels(op.array.ndim - len(op.core)) + tuple(op.core)


def _check_sizes(kernel, operands, strict):
    """Core labels in ``strict`` must have one size in every operand."""
    seen = {}
    for op in operands:
        for label, size in zip(_labels(kernel, op)[::-1], op.array.shape[::-1]):
            if label in strict:
                if label in seen and seen[label][1] != size:
                    other, _ = seen[label]
                    raise ValueError(f"{kernel}: `{other.name}` of shape {other.array.shape} and "
                                     f"`{op.name}` of shape {op.array.shape} disagree in dim "
                                     f"{label!r}")
                seen.setdefault(label, (op, size))


def _check_batch(kernel, operands):
    shapes = [op.array.shape[:op.array.ndim - len(op.core)] for op in operands if op.batched]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        listed = ", ".join(f"`{op.name}` {op.array.shape}" for op in operands if op.batched)
        raise ValueError(f"{kernel}: batch dims do not broadcast ({listed})") from None


def _probe(func, operands, nbatch):
    """Run the in-memory kernel on zero-size stand-ins: its own validation
    of dtypes and keywords, and the output dtypes and core sizes.

    Batched operands are padded with unit dims to one rank (so they still
    broadcast against each other as the real ones do; a ``by_batch``
    operand up to the batch rank only) and get a leading dim of 0, so
    nothing is computed.  Returns the results and how many leading dims
    the stand-ins added.
    """
    rank = max((nbatch + len(op.core) for op in operands if op.batched), default=0)

    def stand_in(op):
        if not op.batched:
            return np.zeros(op.array.shape, op.array.dtype)
        pad = nbatch + len(op.core) - op.array.ndim if op.by_batch else rank - op.array.ndim
        return np.zeros((0,) + (1,) * pad + op.array.shape, op.array.dtype)

    stand_ins = [stand_in(op) for op in operands]
    result = func(*stand_ins)
    return (result if isinstance(result, tuple) else (result,)), int(
        any(op.batched for op in operands))


def _whole(x, labels, whole):
    chunks = {d: -1 for d, label in enumerate(labels) if label in whole}
    return x.rechunk(chunks) if chunks and any(len(x.chunks[d]) > 1 for d in chunks) else x


def _per_item_bytes(arrays_labels, sizes, batch):
    """Bytes of one batch item's block (free dims at their largest chunk)."""
    total = 0
    for x, labels in arrays_labels:
        dims = [sizes[label] for label in labels if label not in batch]
        total += math.prod(dims) * x.dtype.itemsize
    return total


def _fit(chunkss, batch, per_item, limit):
    """Split batch chunks, innermost first, so one block stays under ``limit``."""
    room = max(limit // max(per_item, 1), 1)
    new = {}
    for label in batch[::-1]:
        widest = max(chunkss[label], default=1)
        step = min(widest, room)
        if step < widest:
            new[label] = step
        room = max(room // step, 1)
    return new


def _meta(value, ndim):
    return np.empty((0,) * ndim, np.asarray(value).dtype)


def _single(block):
    """A block whose contracted dims (whole, so one chunk) came as a list."""
    while isinstance(block, list):
        (block,) = block
    return block


class _Failure(NamedTuple):
    """What a task returns instead of raising an attncore error (global indices)."""

    error: Exception


class _Body:
    """What every task runs: the in-memory call on its blocks, with the
    indices of a failure made global.  The results come back as a tuple;
    an attncore error comes back as a :class:`_Failure`, so that one check
    over every task (:func:`_check`) raises the error of the whole call,
    whichever task failed first.

    The last block argument holds the block's slices along the mapped
    dims (a graph-side dependency, not a task); ``offset_pos[d]`` picks the
    one for dim ``d`` of the kernel's index space (None: not chunked,
    starts at 0).
    """

    def __init__(self, func, count, offset_pos, nbatch):
        self.func, self.count, self.offset_pos, self.nbatch = func, count, offset_pos, nbatch

    def __call__(self, *blocks):
        operands = [_single(b) for b in blocks[:self.count]]
        try:
            result = self.func(*operands)
        except Exception as exc:
            if getattr(exc, "attncore_location", None) is None:
                raise
            starts = [s.start for s in blocks[self.count]] if len(blocks) > self.count else []
            offsets = tuple(starts[p] if p is not None else 0 for p in self.offset_pos)
            if exc.attncore_location.where == "batch index":
                offsets = offsets[:self.nbatch]
            return _Failure(relocated(exc, offsets))
        result = result if isinstance(result, tuple) else (result,)
        return tuple(np.asarray(r) if isinstance(r, np.generic) else r for r in result)


def _failure_of(block):
    return block if isinstance(block, _Failure) else None


def _check(*failures):
    """Raise the error of the whole call (:func:`attncore.errors.merged`:
    the lowest global index, batch errors listing every task's items), or
    return None when no task failed."""
    errors = [f.error for f in failures if f is not None]
    if errors:
        raise merged(errors)


def _take(block, i, check):
    """Output ``i`` of a task's results, once ``check`` passed (its value is None)."""
    return block[i]


def lazy_call(kernel, func, operands, outputs, *, whole=(), strict=(), own_index=True):
    """Map ``func`` (the in-memory kernel, operands positional) over blocks.

    Parameters
    ----------
    kernel : str
        Name for messages, e.g. ``"dask.fp.solve"``.
    func : callable
        ``func(*blocks)`` -> array or tuple, matching ``outputs``.
    operands : list of Operand
    outputs : list of Output
    whole : set of str
        Core labels rechunked to one chunk; other core labels are free.
    strict : set of str
        Core labels whose size must agree between operands (checked here so
        the message names the real shapes).
    own_index : bool
        Element indices in the kernel's errors refer to output 0 (False for
        composite kernels whose errors come from inner kernels: then only
        batch indices are made global).

    Returns
    -------
    tuple
        One lazy Dask array per array output (plain values as probed).
    """
    whole = set(whole)
    operands = [op._replace(array=da.asarray(op.array)) for op in operands]
    _check_sizes(kernel, operands, set(strict))
    batch_shape = _check_batch(kernel, operands)
    nbatch = len(batch_shape)
    probe, lead = _probe(func, operands, nbatch)
    batch = _batch_labels(nbatch)

    labels = [_labels(kernel, op) for op in operands]
    arrays = [_whole(op.array, lab, whole) for op, lab in zip(operands, labels)]
    chunkss, arrays = unify_chunks(*_pairs(arrays, labels), warn=False)

    out_labels = [batch + tuple(o.core) if o.core is not None else None for o in outputs]
    sizes = {label: sum(c) for label, c in chunkss.items()}
    for lab, p in zip(out_labels, probe):
        if lab is not None:
            sizes.update(zip(lab[nbatch:], np.shape(p)[lead + nbatch:]))
    widest = {label: max(c, default=0) for label, c in chunkss.items()}
    widest = {**sizes, **widest}

    limit = chunk_limit()
    blocks = list(zip(arrays, labels)) + [(_meta(p, 0), lab) for p, lab in
                                          zip(probe, out_labels) if lab is not None]
    per_item = _per_item_bytes(blocks, widest, set(batch))
    if per_item > limit:
        raise ValueError(
            f"{kernel}: one batch item needs a block of {per_item / 2**20:.1f} MiB with its core "
            f"dims ({', '.join(sorted(whole & set(sizes)))}) in one chunk, above the "
            f"{CHUNK_LIMIT_KEY} of {limit / 2**20:.1f} MiB; chunk the free dims smaller or "
            f"raise it with dask.config.set({{{CHUNK_LIMIT_KEY!r}: '4GiB'}})")
    batch_items = math.prod(widest.get(label, 1) for label in batch)
    if per_item * batch_items > limit:
        split = _fit(chunkss, batch, per_item, limit)
        arrays = [a.rechunk({d: split[label] for d, label in enumerate(lab)
                             if label in split and a.shape[d] > 1})
                  for a, lab in zip(arrays, labels)]
        chunkss, arrays = unify_chunks(*_pairs(arrays, labels), warn=False)

    # tasks are mapped over the batch dims and the free dims of output 0
    mapped = batch + tuple(label for label in (out_labels[0] or ())[nbatch:]
                           if label in chunkss and label not in whole)
    index_labels = out_labels[0] or batch
    offset_pos = [mapped.index(label) if label in mapped and (own_index or label in batch)
                  else None for label in index_labels]
    body = _Body(func, len(arrays), offset_pos, nbatch)
    call_args = _pairs(arrays, labels)
    if mapped:
        call_args += [ArraySliceDep(tuple(chunkss[label] for label in mapped)), mapped]
    token = kernel.replace(".", "-")

    tmp = da.blockwise(body, mapped, *call_args, concatenate=False, align_arrays=False,
                       meta=np.empty((0,) * len(mapped), object), token=token)
    # every output block waits for one check over all tasks: an error is
    # the whole call's, deterministic (not whichever task failed first),
    # at the price of holding the call's results until every task ran
    failures = tmp.map_blocks(_failure_of, meta=np.empty((0,) * len(mapped), object),
                              token=f"{token}-failures")
    check = dask.delayed(_check, pure=True)(*failures.to_delayed().ravel(),
                                            dask_key_name=f"{token}-check-{failures.name}")
    results = []
    for i, (lab, p) in enumerate(zip(out_labels, probe)):
        if lab is None:
            results.append(p)
            continue
        if [label for label in lab if label in mapped] != list(mapped):
            raise AssertionError(f"{kernel}: output {i} orders its free dims differently")
        chunks = tuple(chunkss[label] if label in mapped else (sizes[label],) for label in lab)
        new_axis = [d for d, label in enumerate(lab) if label not in mapped]
        results.append(tmp.map_blocks(_take, i, check, new_axis=new_axis or None,
                                      chunks=chunks, meta=_meta(p, len(lab)),
                                      token=f"{token}-{i}"))
    return tuple(results)


def _pairs(arrays, labels):
    return [x for pair in zip(arrays, labels) for x in pair]
