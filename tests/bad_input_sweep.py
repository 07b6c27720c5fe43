"""The bad-input sweep (issue 17): hypothesis draws calls of every public
function of :mod:`attncore.fp` and :mod:`attncore.q16` (and a sample of the
:mod:`attncore.dask` wrappers) with hostile operands, and checks one
property per call:

    either the result equals the plain call -- the same values as
    contiguous native arrays of the canonical dtype -- bit for bit, or the
    call raises a documented exception type (DESIGN.md's error table) whose
    message names the kernel (and, for a bad argument, the argument); and
    every input, and ``out=`` when the call raised, is untouched (bytes
    compared before and after).

Categories: ``layout`` (Fortran order, negative and gapped strides,
unaligned, read-only, broadcast views, byte-swapped), ``dtype`` (float16,
float32, int64, uint8, bool, complex, object, structured, strings, long
double; q16: other integer widths in and out of range, floats), ``zero-d``,
``empty``, ``huge-zero`` (zero-size with other dims of 2**40, built without
allocating), ``many-dims`` (33 to 64 dims), ``keyword`` (bad values of every
keyword), ``out-alias`` (``out=`` overlapping an input) and ``dask``.

This file is both a module (the tables, for tests/test_bad_input_sweep.py)
and the child process that runs the calls: ``python bad_input_sweep.py
--examples N --progress FILE [--categories A,B]``.  The child writes a line
to FILE before and after every call, so the parent can name the call that
crashed the interpreter or hung (it kills the child after a deadline) and
go on with the next category in a new child.
"""
import argparse
import json
import math
import operator
import os
import sys
import time

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import attncore
from attncore import fp, q16

HUGE = 2**40

# DESIGN.md's error table: the exception types a call may raise
DOCUMENTED = (ValueError, TypeError, np.linalg.LinAlgError, OverflowError, ZeroDivisionError)
# never acceptable, even though some are subclasses of the above
UNDOCUMENTED = (IndexError, KeyError, AttributeError, AssertionError, RuntimeError, SystemError,
                NotImplementedError, RecursionError, UnicodeError)


# --- the functions --------------------------------------------------------------------------

class Spec:
    """One public function: how to draw a valid call, which operands are
    arrays (and of which kind), its keywords' bad values, and whether it
    takes ``out=``.

    ``make(rng)`` returns ``(arrays, kwargs)``: a dict name -> canonical
    array (contiguous, native, the backend's dtype) and the valid keywords.
    ``call(arrays, kwargs)`` runs it.  ``batched`` names the arrays whose
    leading dims are batch dims (the huge-zero and many-dims categories
    prepend dims to those).
    """

    def __init__(self, name, backend, make, fn, batched, kinds, bad_keywords=(), out=False):
        self.name, self.backend, self.make, self.fn = name, backend, make, fn
        self.batched, self.kinds, self.out = batched, kinds, out
        self.bad_keywords = bad_keywords

    def call(self, arrays, kw, ns=None):
        """Run the function of namespace ``ns`` (default: the in-memory
        backend; :mod:`attncore.dask`'s for the dask category)."""
        return self.fn(ns or (fp if self.name.startswith("fp.") else q16), arrays, kw)


def _f(rng, *shape, scale=1.0):
    return rng.normal(size=shape) * scale


def _q(rng, *shape, scale=4.0):
    return q16.from_float(rng.normal(size=shape) * scale)


def _spd(rng, batch, n, q=False):
    m = rng.normal(size=batch + (n, n))
    a = m @ np.swapaxes(m, -1, -2) + n * np.eye(n)
    return q16.from_float(a / n) if q else a


def _gen(rng, batch, n, q=False):
    a = rng.normal(size=batch + (n, n)) + 3 * np.eye(n)
    return q16.from_float(a / 2) if q else a


def _affine(rng, batch, n, q=False):
    a = _gen(rng, batch, n)
    a[..., -1, :] = 0.0
    a[..., -1, -1] = 1.0
    return q16.from_float(a) if q else a


_ROUNDING_BAD = [("up", ValueError), (None, ValueError), (1, ValueError), ("NEAREST", ValueError),
                 (b"nearest", ValueError)]
_OVERFLOW_BAD = [("clip", ValueError), (None, ValueError), (0, ValueError),
                 (["raise"], ValueError)]
_FLAG_BAD = [("no", TypeError), (1, TypeError), (None, TypeError), (2.0, TypeError),
             ([True], TypeError)]
_AXIS_BAD = [(1.5, TypeError), ("0", TypeError), ((0, 0), ValueError), (99, ValueError),
             (True, TypeError), ([0], TypeError)]
_SCALE_BAD = [("1", TypeError), ([1.0], TypeError), (1j, TypeError), (True, TypeError)]


def _specs():
    specs = []
    for backend, be in (("fp", fp), ("q16", q16)):
        q = backend == "q16"
        val = _q if q else _f
        rnd = {"rounding": "nearest", "overflow": "saturate"} if q else {}
        policy_bad = [("rounding", _ROUNDING_BAD), ("overflow", _OVERFLOW_BAD)] if q else []
        finite = [] if q else [("check_finite", _FLAG_BAD)]

        def matmul_make(rng, val=val, rnd=rnd):
            b_, m, k, n = rng.integers(1, 3), rng.integers(1, 5), rng.integers(1, 5), \
                rng.integers(1, 5)
            return {"a": val(rng, b_, m, k), "b": val(rng, k, n)}, dict(rnd)
        specs.append(Spec(f"{backend}.matmul", backend, matmul_make,
                          lambda ns, A, kw: ns.matmul(A["a"], A["b"], **kw),
                          ("a",), {"a": "value", "b": "value"}, policy_bad, out=True))

        for fname in ("softmax", "log_softmax"):
            if not hasattr(be, fname):
                continue

            def sm_make(rng, val=val, q=q):
                shape = tuple(int(s) for s in rng.integers(1, 5, size=rng.integers(1, 4)))
                arrays = {"x": val(rng, *shape)}
                if rng.random() < 0.5:
                    arrays["mask"] = rng.random(shape[-1:]) < 0.7
                # negative: the same axis when dims are put in front (many-dims)
                kw = {"axis": int(rng.integers(-len(shape), 0))}
                if q:
                    kw["rounding"] = "nearest"
                return arrays, kw
            specs.append(Spec(f"{backend}.{fname}", backend, sm_make,
                              lambda ns, A, kw, f=fname: getattr(ns, f)(
                                  A["x"], mask=A.get("mask"), **kw),
                              ("x",), {"x": "value", "mask": "mask"},
                              [("axis", _AXIS_BAD)] + (policy_bad[:1])))

        def sdpa_make(rng, val=val, q=q):
            b_, L, S, E, Ev = (int(v) for v in rng.integers(1, 5, size=5))
            arrays = {"q": val(rng, b_, L, E), "k": val(rng, b_, S, E), "v": val(rng, b_, S, Ev)}
            if rng.random() < 0.5:
                arrays["mask"] = rng.random((L, S)) < 0.7
            kw = {"is_causal": bool(rng.random() < 0.3), "return_weights": bool(rng.random() < 0.5)}
            if q:
                kw["rounding"] = "nearest"
            return arrays, kw
        specs.append(Spec(f"{backend}.scaled_dot_product_attention", backend, sdpa_make,
                          lambda ns, A, kw: ns.scaled_dot_product_attention(
                              A["q"], A["k"], A["v"], mask=A.get("mask"), **kw),
                          ("q", "k", "v"), {"q": "value", "k": "value", "v": "value",
                                            "mask": "mask"},
                          [("is_causal", _FLAG_BAD), ("return_weights", _FLAG_BAD),
                           ("scale", _SCALE_BAD)] + policy_bad[:1]))

        def mha_make(rng, val=val, rnd=rnd):
            h = int(rng.integers(1, 3))
            d = h * int(rng.integers(1, 3))
            L, S = (int(v) for v in rng.integers(1, 4, size=2))
            arrays = {"query": val(rng, 2, L, d), "key": val(rng, 2, S, d),
                      "value": val(rng, 2, S, d)}
            for w in ("w_q", "w_k", "w_v", "w_o"):
                arrays[w] = val(rng, d, d, scale=0.5)
            if rng.random() < 0.5:
                arrays["b_q"] = val(rng, d)
            return arrays, dict(rnd, num_heads=h, return_weights=bool(rng.random() < 0.5),
                                return_head_outputs=bool(rng.random() < 0.5))
        specs.append(Spec(f"{backend}.multi_head_attention", backend, mha_make,
                          lambda ns, A, kw: ns.multi_head_attention(
                              A["query"], A["key"], A["value"], A["w_q"], A["w_k"], A["w_v"],
                              A["w_o"], kw["num_heads"], b_q=A.get("b_q"),
                              **{k: v for k, v in kw.items() if k != "num_heads"}),
                          ("query", "key", "value"),
                          {n: "value" for n in ("query", "key", "value", "w_q", "w_k", "w_v",
                                                "w_o", "b_q")},
                          [("num_heads", [(0, ValueError), (3, ValueError), (1.5, TypeError),
                                          ("2", TypeError), (None, TypeError)]),
                           ("is_causal", _FLAG_BAD), ("return_head_outputs", _FLAG_BAD)]
                          + policy_bad))

        def solve_make(rng, q=q, rnd=rnd):
            n, k = int(rng.integers(1, 5)), int(rng.integers(1, 3))
            batch = (int(rng.integers(1, 4)),)
            pos = rng.random() < 0.5
            a = _spd(rng, batch, n, q) if pos else _gen(rng, batch, n, q)
            b = (_q if q else _f)(rng, *batch, n, k)
            return {"a": a, "b": b}, dict(rnd, assume_a="pos" if pos else "gen")
        specs.append(Spec(f"{backend}.solve", backend, solve_make,
                          lambda ns, A, kw: ns.solve(A["a"], A["b"], **kw),
                          ("a", "b"), {"a": "value", "b": "value"},
                          [("assume_a", [("sym", ValueError), (None, ValueError),
                                         (1, ValueError)])] + policy_bad + finite))

        def one_matrix(kind_fn, q=q, rnd=rnd, n_choices=(1, 2, 3, 4)):
            def make(rng):
                n = int(rng.choice(n_choices))
                return {"a": kind_fn(rng, (int(rng.integers(1, 4)),), n, q)}, dict(rnd)
            return make
        for fname, kind_fn in (("lu_factor", _gen), ("det", _gen), ("inv", _gen)):
            specs.append(Spec(f"{backend}.{fname}", backend, one_matrix(kind_fn),
                              lambda ns, A, kw, f=fname: getattr(ns, f)(A["a"], **kw),
                              ("a",), {"a": "value"}, policy_bad + finite))

        def cho_make(rng, q=q, rnd=rnd):
            n = int(rng.integers(1, 5))
            return {"a": _spd(rng, (int(rng.integers(1, 4)),), n, q)}, dict(
                rnd, lower=bool(rng.random() < 0.5), pivot=bool(rng.random() < 0.3))
        specs.append(Spec(f"{backend}.cho_factor", backend, cho_make,
                          lambda ns, A, kw: ns.cho_factor(A["a"], **kw),
                          ("a",), {"a": "value"},
                          [("lower", _FLAG_BAD), ("pivot", _FLAG_BAD)] + policy_bad + finite))

        # q16 solves from the exact factor words, which no array category
        # sweeps: they ride along in the factor object (keyword `_factor`),
        # so q16 sweeps lu/c (still checked: their n is the solve's) and b
        def lu_solve_make(rng, be=be, q=q, rnd=rnd):
            n, batch = int(rng.integers(1, 5)), (int(rng.integers(1, 4)),)
            factor = be.lu_factor(_gen(rng, batch, n, q))
            lu, piv = factor
            arrays = {"lu": np.asarray(lu), "b": (_q if q else _f)(rng, *batch, n, 2)}
            if q:
                return arrays, dict(rnd, _factor=factor)
            return dict(arrays, piv=np.asarray(piv)), dict(rnd)

        def lu_solve_call(ns, A, kw):
            kw = dict(kw)
            factor = kw.pop("_factor", None)
            if factor is None:
                return ns.lu_solve((A["lu"], A["piv"]), A["b"], **kw)
            return ns.lu_solve(ns.LUFactor((A["lu"], factor[1]), factor.exact), A["b"], **kw)
        specs.append(Spec(f"{backend}.lu_solve", backend, lu_solve_make, lu_solve_call,
                          ("lu", "b") if q else ("lu", "piv", "b"),
                          {"lu": "value", "b": "value"} if q
                          else {"lu": "value", "piv": "index", "b": "value"},
                          policy_bad + finite))

        def cho_solve_make(rng, be=be, q=q, rnd=rnd):
            n, batch = int(rng.integers(1, 5)), (int(rng.integers(1, 4)),)
            factor = be.cho_factor(_spd(rng, batch, n, q))
            kw = dict(rnd, lower=bool(factor[1]))
            if q:
                kw["_factor"] = factor
            return {"c": np.asarray(factor[0]), "b": (_q if q else _f)(rng, *batch, n, 2)}, kw

        def cho_solve_call(ns, A, kw):
            kw = dict(kw)
            factor, lower = kw.pop("_factor", None), kw.pop("lower")
            if factor is None:
                return ns.cho_solve((A["c"], lower), A["b"], **kw)
            return ns.cho_solve(ns.ChoFactor((A["c"], lower), factor.exact), A["b"], **kw)
        specs.append(Spec(f"{backend}.cho_solve", backend, cho_solve_make, cho_solve_call,
                          ("c", "b"), {"c": "value", "b": "value"}, policy_bad + finite))

        def affine_make(rng, q=q, rnd=rnd):
            n = int(rng.choice([3, 4]))
            return {"m": _affine(rng, (int(rng.integers(1, 4)),), n, q)}, dict(rnd, kind="affine")
        specs.append(Spec(f"{backend}.affine_inverse", backend, affine_make,
                          lambda ns, A, kw: ns.affine_inverse(A["m"], **kw),
                          ("m",), {"m": "value"},
                          [("kind", [("rotation", ValueError), (None, ValueError)])]
                          + policy_bad + finite))

    for fname in ("add", "sub", "mul", "div"):
        def bin_make(rng, fname=fname):
            shape = tuple(int(s) for s in rng.integers(1, 4, size=rng.integers(1, 3)))
            b = _q(rng, *shape)
            if fname == "div":
                b = b | 1
            kw = {"overflow": "saturate"} if fname in ("add", "sub") else \
                {"rounding": "nearest", "overflow": "saturate"}
            return {"a": _q(rng, *shape), "b": b}, kw
        specs.append(Spec(f"q16.{fname}", "q16", bin_make,
                          lambda ns, A, kw, f=fname: getattr(ns, f)(A["a"], A["b"], **kw),
                          ("a", "b"), {"a": "value", "b": "value"},
                          ([("rounding", _ROUNDING_BAD)] if fname in ("mul", "div") else [])
                          + [("overflow", _OVERFLOW_BAD)]))
    for fname in ("sqrt", "exp"):
        def un_make(rng, fname=fname):
            shape = tuple(int(s) for s in rng.integers(1, 4, size=rng.integers(1, 3)))
            a = np.abs(_q(rng, *shape)) if fname == "sqrt" else _q(rng, *shape)
            return {"a": a}, {"rounding": "nearest"}
        specs.append(Spec(f"q16.{fname}", "q16", un_make,
                          lambda ns, A, kw, f=fname: getattr(ns, f)(A["a"], **kw),
                          ("a",), {"a": "value"}, [("rounding", _ROUNDING_BAD)]))
    specs.append(Spec("q16.from_float", "real", lambda rng: (
        {"x": _f(rng, int(rng.integers(1, 4)), 3, scale=100.0)},
        {"rounding": "nearest", "overflow": "saturate"}),
        lambda ns, A, kw: ns.from_float(A["x"], **kw), ("x",), {"x": "real"},
        [("rounding", _ROUNDING_BAD), ("overflow", _OVERFLOW_BAD)]))
    specs.append(Spec("q16.to_float", "q16", lambda rng: ({"q": _q(rng, 2, 3)}, {}),
                      lambda ns, A, kw: ns.to_float(A["q"], **kw), ("q",), {"q": "value"}))
    specs.append(Spec("q16.default_scale", "none", lambda rng: ({}, {"features": 8}),
                      lambda ns, A, kw: ns.default_scale(**kw), (), {},
                      [("features", [("8", TypeError), (1.5, TypeError), (None, TypeError),
                                     (True, TypeError)])]))
    return specs


SPECS = _specs()
BY_NAME = {s.name: s for s in SPECS}


# --- operand variants -----------------------------------------------------------------------

def _canonical_dtype(spec, kind):
    if kind == "index":
        return np.dtype(np.int32)
    if spec.backend == "q16" and kind == "value":
        return np.dtype(np.int32)
    if kind == "mask":
        return np.dtype(bool)
    return np.dtype(np.float64)


def layout(x, how):
    """``x``'s values in another memory layout (a view or a fresh buffer)."""
    if how == "fortran":
        return np.asfortranarray(x)
    if how == "negative":
        return np.flip(np.ascontiguousarray(np.flip(x)))
    if how == "gapped":
        if x.ndim == 0:
            return x.copy()
        buf = np.zeros(x.shape[:-1] + (2 * x.shape[-1] + 1,), x.dtype)
        buf[..., 1::2] = x
        return buf[..., 1::2]
    if how == "unaligned":
        if x.dtype.itemsize == 1:
            return x.copy()
        raw = np.zeros(x.nbytes + 1, np.uint8)[1:]
        y = raw.view(x.dtype).reshape(x.shape)
        y[...] = x
        assert not y.flags.aligned or x.size == 0
        return y
    if how == "readonly":
        y = x.copy()
        y.flags.writeable = False
        return y
    if how == "broadcast":
        if x.ndim == 0 or x.shape[0] == 0:
            return np.broadcast_to(x, x.shape)
        return np.broadcast_to(x[:1], x.shape)  # other values: the plain call sees a copy
    if how == "byteswap":
        return x.astype(x.dtype.newbyteorder("S"))
    if how == "transposed":  # a transposed copy seen transposed back: same values
        return np.ascontiguousarray(x.T).T
    raise ValueError(how)


LAYOUTS = ("fortran", "negative", "gapped", "unaligned", "readonly", "broadcast", "byteswap",
           "transposed")


def dtype_variant(x, kind, backend, dtype_name):
    """``(variant, canonical or None, expected error or None)``: the operand
    in another dtype, and either the canonical array the call must equal
    or the documented exception type it must raise."""
    if kind == "mask":
        if dtype_name == "bool-swapped-order":
            return layout(x, "byteswap"), x, None
        if dtype_name in ("int8", "float64"):
            return x.astype(dtype_name), None, (TypeError, ValueError)
        return x.astype(object), None, TypeError
    if kind == "index":  # pivots: any integers that fit
        if dtype_name in ("int64", "int16", ">i4"):
            return x.astype(dtype_name), x, None
        return x.astype(np.float64), None, (TypeError, ValueError)
    if dtype_name == "complex":
        return x.astype(np.complex128), None, TypeError
    if dtype_name == "object":
        return x.astype(object), None, TypeError
    if dtype_name == "structured":
        y = np.zeros(x.shape, [("re", x.dtype), ("im", x.dtype)])
        y["re"] = x
        return y, None, TypeError
    if dtype_name == "string":
        return x.astype(str), None, TypeError
    if backend == "q16" and kind == "value":
        wide = x.astype(np.int64)
        if dtype_name == "int64":
            return wide, x, None
        if dtype_name == ">i8":
            return wide.astype(">i8"), x, None
        if dtype_name == "int64-out-of-range":
            if x.size == 0:
                return wide, x, None
            wide.flat[0] = 2**31 + 5
            return wide, None, ValueError
        if dtype_name == "uint32":
            return (x.astype(np.int64) & 0x7FFFFFFF).astype(np.uint32), \
                (x.astype(np.int64) & 0x7FFFFFFF).astype(np.int32), None
        if dtype_name == "int16":
            small = (x.astype(np.int64) % 30000).astype(np.int16)
            return small, small.astype(np.int32), None
        if dtype_name in ("float64", "float32", "float16", "bool", "longdouble"):
            return x.astype(dtype_name), None, TypeError
        raise ValueError(dtype_name)
    # float values (fp operands, from_float's x)
    if dtype_name == "float16":
        y = x.astype(np.float16)
        return y, y.astype(np.float32), None  # float16 computes as float32 (exact)
    if dtype_name == "float32":
        return x.astype(np.float32), x.astype(np.float32), None
    if dtype_name in ("int64", ">i8", "uint8"):
        y = np.clip(np.round(x), 0 if dtype_name == "uint8" else -1e9, 1e9).astype(dtype_name)
        return y, y.astype(np.float64), None
    if dtype_name == "bool":
        y = x > 0
        return y, y.astype(np.float64), None
    if dtype_name == ">f8":
        return x.astype(">f8"), x, None
    if dtype_name == "longdouble":
        return x.astype(np.longdouble), None, TypeError
    raise ValueError(dtype_name)


VALUE_DTYPES = {"fp": ("float16", "float32", "int64", ">i8", "uint8", "bool", ">f8", "complex",
                       "object", "structured", "string", "longdouble"),
                "real": ("float16", "float32", "int64", ">i8", "uint8", "bool", ">f8", "complex",
                         "object", "structured", "string", "longdouble"),
                "q16": ("int64", ">i8", "int64-out-of-range", "uint32", "int16", "float64",
                        "float32", "float16", "bool", "longdouble", "complex", "object",
                        "structured", "string")}
MASK_DTYPES = ("bool-swapped-order", "int8", "float64", "object")
INDEX_DTYPES = ("int64", "int16", ">i4", "float64")


# --- running one case -----------------------------------------------------------------------

def _snapshot(arrays):
    return {k: (None if v is None else (np.asarray(v).dtype, np.asarray(v).tobytes()
                                        if np.asarray(v).dtype != object else
                                        repr(np.asarray(v).tolist())))
            for k, v in arrays.items()}


def _touched(before, arrays):
    return [k for k, v in _snapshot(arrays).items() if v != before[k]]


def _bits(result):
    if isinstance(result, tuple):
        return tuple(_bits(r) for r in result)
    if isinstance(result, (bool, np.bool_)):
        return ("bool", bool(result))
    a = np.asarray(result)
    return (a.dtype.str, a.shape, a.tobytes())


def _names_kernel_and(exc, spec, names):
    """The message names the kernel (or the argument, for Python's own
    errors such as an unknown keyword) and one of ``names``."""
    text = str(exc)
    short = spec.name.split(".", 1)[1]
    kernel_named = spec.name in text or short in text
    return kernel_named and (not names or any(n in text for n in names))


class Outcome:
    OK, MISMATCH, WRONG_TYPE, UNNAMED, TOUCHED = "ok", "mismatch", "wrong-type", "unnamed", \
        "touched"


def _classify(spec, run, reference, expect_exc, names, watched):
    """Run ``run()`` and judge it; returns (outcome, detail)."""
    before = _snapshot(watched)
    try:
        got = run()
        exc = None
    except Exception as e:  # judged below
        got, exc = None, e
    touched = _touched(before, {k: v for k, v in watched.items()
                                if not (k == "out" and exc is None)})
    if touched:
        return Outcome.TOUCHED, f"buffers changed: {touched}"
    if exc is not None:
        if isinstance(exc, UNDOCUMENTED) and not isinstance(exc, ValueError):
            return Outcome.WRONG_TYPE, f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, DOCUMENTED):
            return Outcome.WRONG_TYPE, f"{type(exc).__name__}: {exc}"
        if expect_exc is not None:
            if not isinstance(exc, expect_exc):
                return Outcome.WRONG_TYPE, f"expected {expect_exc}, got {type(exc).__name__}: " \
                                           f"{exc}"
            if not _names_kernel_and(exc, spec, names):
                return Outcome.UNNAMED, f"{type(exc).__name__}: {exc}"
            return Outcome.OK, "raised as documented"
        if reference is not None and reference[0] == "raised":
            if type(exc) is reference[1] and str(exc) == reference[2]:
                return Outcome.OK, "raised as the plain call"
            return Outcome.MISMATCH, f"plain call raised {reference[1].__name__}: " \
                                     f"{reference[2]}; this raised {type(exc).__name__}: {exc}"
        if not _names_kernel_and(exc, spec, ()):
            return Outcome.UNNAMED, f"{type(exc).__name__}: {exc}"
        if reference is None:
            return Outcome.OK, f"raised {type(exc).__name__}"
        return Outcome.MISMATCH, f"plain call succeeded; this raised {type(exc).__name__}: {exc}"
    if expect_exc is not None:
        return Outcome.MISMATCH, f"expected {expect_exc}, returned"
    if reference is None:
        return Outcome.OK, "returned"
    if reference[0] == "raised":
        return Outcome.MISMATCH, f"plain call raised {reference[1].__name__}; this returned"
    if _bits(got) != reference[1]:
        return Outcome.MISMATCH, "result differs from the plain call"
    return Outcome.OK, "equal to the plain call"


def _reference(run):
    try:
        return ("returned", _bits(run()))
    except Exception as exc:  # the plain call's own error is the reference
        return ("raised", type(exc), str(exc))


# --- the categories: each draws one case and judges it -----------------------------------------

def _base(data, spec):
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    arrays, kw = spec.make(rng)
    return arrays, kw


def _pick_array(data, spec, arrays):
    names = sorted(arrays)
    return data.draw(st.sampled_from(names), label="operand") if names else None


def case_layout(data, spec):
    arrays, kw = _base(data, spec)
    name = _pick_array(data, spec, arrays)
    if name is None:
        return Outcome.OK, "no array operand"
    how = data.draw(st.sampled_from(LAYOUTS), label="layout")
    variant = dict(arrays)
    variant[name] = layout(arrays[name], how)
    plain = {k: np.ascontiguousarray(np.array(v)) for k, v in variant.items()}
    if how == "byteswap":
        plain[name] = arrays[name]
    reference = _reference(lambda: spec.call(plain, kw))
    return _classify(spec, lambda: spec.call(variant, kw), reference, None, (name,), variant)


def case_dtype(data, spec):
    arrays, kw = _base(data, spec)
    name = _pick_array(data, spec, arrays)
    if name is None:
        return Outcome.OK, "no array operand"
    kind = spec.kinds[name]
    choices = {"mask": MASK_DTYPES, "index": INDEX_DTYPES}.get(kind, VALUE_DTYPES[spec.backend])
    dtype_name = data.draw(st.sampled_from(choices), label="dtype")
    y, canonical, expect = dtype_variant(arrays[name], kind, spec.backend, dtype_name)
    if spec.name == "fp.scaled_dot_product_attention" and kind == "mask" and \
            y.dtype.kind in "if":
        expect = None  # a real mask is additive there: any result, no reference
    variant = dict(arrays, **{name: y})
    reference = None
    if expect is None and canonical is not None:
        plain = dict(arrays, **{name: canonical})
        reference = _reference(lambda: spec.call(plain, kw))
    names = (name, "mask") if kind == "mask" else (name,)
    return _classify(spec, lambda: spec.call(variant, kw), reference, expect, names, variant)


def _zero_size(shape, dtype):
    """An array of ``shape`` (0 in it) without allocating its other dims."""
    return np.lib.stride_tricks.as_strided(np.zeros(1, dtype)[:0], shape, (0,) * len(shape))


def case_shape(data, spec, what):
    """zero-d / empty: operands replaced; huge-zero / many-dims: batch dims
    prepended to every batched operand."""
    arrays, kw = _base(data, spec)
    if not arrays:
        return Outcome.OK, "no array operand"
    variant = dict(arrays)
    reference, expect = None, None
    if what in ("zero-d", "empty"):
        name = _pick_array(data, spec, arrays)
        x = arrays[name]
        variant[name] = x.reshape(-1)[:1].reshape(()) if what == "zero-d" and x.size else \
            np.zeros((0,) + x.shape[1:], x.dtype) if x.ndim else x.reshape(-1)[:0]
    elif what == "huge-zero":
        # NumPy refuses shapes whose non-zero dims overflow a byte count,
        # zero or not: (2**28, 2**30, 0) fits only in front of small operands
        prefix = data.draw(st.sampled_from([(HUGE, 0), (0, HUGE), (2**20, 2**24, 0)]),
                           label="prefix")
        for name in spec.batched:
            x = arrays[name]
            variant[name] = _zero_size(prefix + x.shape, x.dtype)
    else:  # many-dims
        extra = data.draw(st.integers(31, 62), label="extra dims")
        for name in spec.batched:
            x = arrays[name]
            ndim = min(x.ndim + extra, 64)
            variant[name] = x.reshape((1,) * (ndim - x.ndim) + x.shape)
        if spec.batched:
            base = _reference(lambda: spec.call(arrays, kw))
            if base[0] == "returned":
                reference = ("lifted", base)
    names = tuple(arrays)

    def run():
        return spec.call(variant, kw)
    if reference is not None:  # many dims: the plain result with unit dims in front
        _, base = reference

        def check():
            got = run()
            flat = _bits_flat(got)
            want = _bits_flat_from(base[1])
            if flat != want:
                raise _Mismatch("result differs from the plain call (unit dims aside)")
            return got
        outcome = _classify(spec, check, None, None, names, variant)
        return outcome
    return _classify(spec, run, None, None, names, variant)


class _Mismatch(AssertionError):
    pass


def _bits_flat(result):
    if isinstance(result, tuple):
        return tuple(_bits_flat(r) for r in result)
    if isinstance(result, (bool, np.bool_)):
        return ("bool", bool(result))
    a = np.asarray(result)
    return (a.dtype.str, tuple(s for s in a.shape if s != 1), a.tobytes())


def _bits_flat_from(bits):
    if bits and bits[0] == "bool":
        return bits
    if bits and isinstance(bits[0], tuple):
        return tuple(_bits_flat_from(b) for b in bits)
    dtype, shape, raw = bits
    return (dtype, tuple(s for s in shape if s != 1), raw)


def case_keyword(data, spec):
    arrays, kw = _base(data, spec)
    options = list(spec.bad_keywords)
    if "mask" in spec.kinds:
        attention = "attention" in spec.name  # a 0-d mask broadcasts in softmax
        options.append(("mask", [("wrong-shape", ValueError)]
                        + ([("0-d", ValueError)] if attention else [])))
    if spec.out:
        options.append(("out", [("shape", ValueError), ("list", TypeError),
                                ("readonly", ValueError), ("cast", TypeError)]))
    options.append(("bogus_keyword", [(1, TypeError)]))
    key, bad = data.draw(st.sampled_from(options), label="keyword")
    value, expect = data.draw(st.sampled_from(bad), label="bad value")
    variant, kw2 = dict(arrays), dict(kw)
    watched = dict(arrays)
    if key == "mask":
        variant["mask"] = np.bool_(True) if value == "0-d" else np.ones((7, 5, 3), bool)
        watched["mask"] = variant["mask"]
    elif key == "out":
        plain = spec.call(arrays, kw)
        shape, dtype = np.shape(plain), np.asarray(plain).dtype
        out = {"shape": np.zeros(shape + (2,), dtype), "list": np.zeros(shape).tolist(),
               "readonly": np.zeros(shape, dtype), "cast": np.zeros(shape, np.bool_)}[value]
        if value == "readonly":
            out.flags.writeable = False
        kw2["out"] = out
        if isinstance(out, np.ndarray):
            watched["out"] = out
    elif key == "bogus_keyword":
        kw2[key] = value
        return _classify_python_keyword(spec, variant, kw2, watched)
    else:
        kw2[key] = value
    return _classify(spec, lambda: spec.call(variant, kw2), None, expect, (key,), watched)


def _classify_python_keyword(spec, variant, kw, watched):
    """An unknown keyword: Python's own TypeError, which names the keyword."""
    before = _snapshot(watched)
    try:
        spec.call(variant, kw)
    except TypeError as exc:
        if _touched(before, watched):
            return Outcome.TOUCHED, "buffers changed"
        return (Outcome.OK, "TypeError") if "bogus_keyword" in str(exc) else \
            (Outcome.UNNAMED, str(exc))
    except Exception as exc:  # judged: the wrong type
        return Outcome.WRONG_TYPE, f"{type(exc).__name__}: {exc}"
    return Outcome.MISMATCH, "an unknown keyword was accepted"


def case_out_alias(data, spec):
    """``out=`` overlapping an input: the result is the plain call's, the
    other inputs are untouched (square operands so out fits either)."""
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5))
    batch = (int(rng.integers(1, 3)),)
    val = _q if spec.backend == "q16" else _f
    a, b = val(rng, *batch, n, n), val(rng, *batch, n, n)
    kw = {"overflow": data.draw(st.sampled_from(["saturate", "raise", "wrap"]))} \
        if spec.backend == "q16" else {}
    which = data.draw(st.sampled_from(["a", "b", "a-view", "both"]), label="alias")
    reference = _reference(lambda: spec.call({"a": a.copy(), "b": b.copy()}, kw))
    if which == "both":
        b = a
        reference = _reference(lambda: spec.call({"a": a.copy(), "b": a.copy()}, kw))
    out = {"a": a, "b": b, "both": a, "a-view": a}[which]
    if which == "a-view":  # the same memory seen transposed
        out = np.swapaxes(a, -1, -2)
    watched = {"b": b} if which in ("a", "a-view") else {"a": a} if which == "b" else {}
    before_out = out.copy()

    def run():
        return spec.call({"a": a, "b": b}, dict(kw, out=out))
    outcome = _classify(spec, run, reference, None, ("out",), dict(watched, out=out))
    if outcome[0] == Outcome.OK and reference[0] == "raised" and \
            not np.array_equal(out, before_out):
        return Outcome.TOUCHED, "out changed by a call that raised"
    return outcome


def case_dask(data, spec):
    """The lazy wrapper equals the in-memory call (Q16.16 bit for bit, and
    float kernels without BLAS), and a Dask array given to the in-memory
    function is a TypeError naming attncore.dask."""
    import dask
    import dask.array as da

    import attncore.dask as adask
    arrays, kw = _base(data, spec)
    lazy_ns = getattr(adask, spec.backend)
    name = _pick_array(data, spec, arrays)
    chunks = data.draw(st.integers(1, 3), label="chunk")
    if data.draw(st.booleans(), label="in-memory"):
        variant = dict(arrays, **{name: da.from_array(arrays[name], chunks=chunks)})
        return _classify(spec, lambda: spec.call(variant, kw), None, TypeError,
                         ("attncore.dask",), {})
    lazy = {k: (da.from_array(v, chunks=chunks) if k in spec.batched else v)
            for k, v in arrays.items()}
    reference = _reference(lambda: spec.call(arrays, kw))

    def run():
        result = spec.call(lazy, kw, ns=lazy_ns)
        if isinstance(result, tuple):
            return tuple(dask.compute(*result, scheduler="sync"))
        return dask.compute(result, scheduler="sync")[0]
    return _classify(spec, run, reference, None, (), arrays)


DASK_SAMPLE = ("q16.matmul", "q16.softmax", "q16.solve", "q16.scaled_dot_product_attention",
               "fp.softmax", "q16.mul", "q16.exp", "q16.det")

CATEGORIES = {
    "layout": (case_layout, [s.name for s in SPECS if s.kinds]),
    "dtype": (case_dtype, [s.name for s in SPECS if s.kinds]),
    "zero-d": (lambda d, s: case_shape(d, s, "zero-d"), [s.name for s in SPECS if s.kinds]),
    "empty": (lambda d, s: case_shape(d, s, "empty"), [s.name for s in SPECS if s.kinds]),
    "huge-zero": (lambda d, s: case_shape(d, s, "huge-zero"),
                  [s.name for s in SPECS if s.batched]),
    "many-dims": (lambda d, s: case_shape(d, s, "many-dims"),
                  [s.name for s in SPECS if s.batched]),
    "keyword": (case_keyword, [s.name for s in SPECS]),
    "out-alias": (case_out_alias, [s.name for s in SPECS if s.out]),
    "dask": (case_dask, list(DASK_SAMPLE)),
}


# --- the child process ----------------------------------------------------------------------

class _Recorder:
    """``data`` that remembers what it drew, for the progress log."""

    def __init__(self, data):
        self._data, self.log = data, []

    def draw(self, strategy, label=None):
        value = self._data.draw(strategy, label=label)
        if label is not None:
            self.log.append(f"{label}={value!r}"[:120])
        return value


def run_category(category, examples, progress):
    """Run ``examples`` cases of ``category``, logging each to ``progress``."""
    function, names = CATEGORIES[category]
    counter = {"i": 0}

    @settings(max_examples=examples, database=None, derandomize=True, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(st.data())
    def sweep(data):
        i = counter["i"]
        counter["i"] += 1
        case_id = f"{category}:{i}"
        spec = BY_NAME[data.draw(st.sampled_from(names), label="function")]
        data = _Recorder(data)
        progress.write(json.dumps({"start": case_id, "function": spec.name}) + "\n")
        progress.flush()
        start = time.perf_counter()
        try:
            outcome, detail = function(data, spec)
        except _Mismatch as exc:
            outcome, detail = Outcome.MISMATCH, str(exc)
        except Exception as exc:  # a bug in the sweep itself is a finding too
            outcome, detail = "sweep-error", f"{type(exc).__name__}: {exc}"
        progress.write(json.dumps({"end": case_id, "function": spec.name, "outcome": outcome,
                                   "detail": detail[:500], "draws": "; ".join(data.log)[:600],
                                   "seconds": round(time.perf_counter() - start, 4)}) + "\n")
        progress.flush()

    sweep()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, required=True, help="cases per category")
    parser.add_argument("--progress", required=True)
    parser.add_argument("--categories", default=",".join(CATEGORIES))
    args = parser.parse_args(argv)
    with np.errstate(all="ignore"), open(args.progress, "a") as progress:
        for category in args.categories.split(","):
            run_category(category, args.examples, progress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
