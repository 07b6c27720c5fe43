"""The lazy kernels, written once for both backends.

:func:`namespace` takes an in-memory backend (:mod:`attncore.fp` or
:mod:`attncore.q16`) and returns its functions mapped over Dask blocks by
:func:`attncore.dask._lazy.lazy_call`.  Each wrapper only says which dims
are core (and which of those may stay chunked); the backend's own function
does the arithmetic and the validation inside every task.
"""
from typing import NamedTuple

import dask.array as da
from numpy.lib.array_utils import normalize_axis_index

from attncore.dask._lazy import Operand, Output, lazy_call

_MATRIX = ("n", "nc")          # a square matrix: rows, columns
_WORDS = ("w",)                # the words of a Q16.16 exact factor
_LINALG_WHOLE = {"n", "nc", "k", "w"}


class SlogdetResult(NamedTuple):
    """``(sign, logabsdet)`` as lazy arrays, named as NumPy's result."""

    sign: da.Array
    logabsdet: da.Array



def _no_out(kernel, out):
    if out is not None:
        raise TypeError(f"{kernel}: out= is not supported for Dask arrays (results are lazy); "
                        "assign the returned array instead")


def _rhs(b):
    """NumPy 2 rule: ``b`` is one vector only when it is 1-D."""
    b = da.asarray(b)
    if b.ndim == 1:
        return Operand("b", b, ("n",), batched=False), ("n",)
    return Operand("b", b, ("n", "k")), ("n", "k")


def _linalg_call(kernel, call, operands, outputs):
    return lazy_call(kernel, call, operands, outputs, whole=_LINALG_WHOLE, strict={"n"})


def _square(kernel, x, name):
    """Checked here, on the lazy array's shape: the in-memory kernels would
    name only a task's block."""
    x = da.asarray(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"{kernel}: `{name}` must be square in its last two dims (..., n, n), "
                         f"got shape {x.shape}")
    return x


def _with_words(factor):
    """A Q16.16 factor object as plain parts plus its exact words (a task
    returns a plain tuple of arrays)."""
    return (*factor, factor.exact)


def namespace(be, prefix):
    """The lazy functions of backend ``be``, named ``{prefix}.{function}``.

    Q16.16 factors (``be.LUFactor`` / ``be.ChoFactor``) carry their exact
    words as one more lazy array (core dim ``w``), and the solves pass them
    back to the in-memory function as the factor object it expects."""
    exact = hasattr(be, "LUFactor")

    def matmul(a, b, /, *, out=None, **options):
        kernel = f"{prefix}.matmul"
        _no_out(kernel, out)
        a, b = da.asarray(a), da.asarray(b)
        a_core = ("m", "k") if a.ndim >= 2 else ("k",)
        b_core = ("k", "n") if b.ndim >= 2 else ("k",)
        operands = [Operand("a", a, a_core, a.ndim >= 2), Operand("b", b, b_core, b.ndim >= 2)]
        return lazy_call(kernel, lambda x, y: be.matmul(x, y, **options), operands,
                         [Output(a_core[:-1] + b_core[1:])], whole={"k"}, strict={"k"})[0]

    def _softmax(kernel, function, x, axis, mask, options):
        x = da.asarray(x)
        if x.ndim and (axis is None or isinstance(axis, tuple)):
            return _softmax_axes(kernel, function, x, axis, mask, options)
        if x.ndim == 0:
            core, last = (), -1
        else:
            axis = normalize_axis_index(axis, x.ndim)
            # the softmax axis is whole; the dims after it stay chunked
            core = ("s",) + tuple(f"t{j}" for j in range(x.ndim - 1 - axis))
            last = axis - x.ndim
        operands = [Operand("x", x, core)]
        if mask is None:
            def call(xb):
                return function(xb, axis=last, **options)
        else:
            mask = da.asarray(mask)
            operands.append(Operand("mask", mask, core[len(core) - min(mask.ndim, len(core)):]))

            def call(xb, mb):
                return function(xb, axis=last, mask=mb, **options)
        return lazy_call(kernel, call, operands, [Output(core)], whole={"s"})[0]

    def _softmax_axes(kernel, function, x, axis, mask, options):
        """axis=None or a tuple (SciPy's union of axes): those axes moved
        last and kept whole, one in-memory call per block over them."""
        items = tuple(range(x.ndim)) if axis is None else axis
        axes = [normalize_axis_index(a, x.ndim) for a in items]
        if len(set(axes)) != len(axes):
            raise ValueError(f"{kernel}: `axis` {axis!r} repeats an axis")
        axes = sorted(axes)
        last = list(range(x.ndim - len(axes), x.ndim))
        core = tuple(f"s{j}" for j in range(len(axes)))
        operands = [Operand("x", da.moveaxis(x, axes, last), core)]
        inner = tuple(range(-len(axes), 0))
        if mask is None:
            def call(xb):
                return function(xb, axis=inner, **options)
        else:
            mask = da.moveaxis(da.broadcast_to(da.asarray(mask), x.shape), axes, last)
            operands.append(Operand("mask", mask, core))

            def call(xb, mb):
                return function(xb, axis=inner, mask=mb, **options)
        result = lazy_call(kernel, call, operands, [Output(core)], whole=set(core))[0]
        return da.moveaxis(result, last, axes)

    def softmax(x, /, axis=-1, *, mask=None, **options):
        return _softmax(f"{prefix}.softmax", be.softmax, x, axis, mask, options)

    def log_softmax(x, /, axis=-1, *, mask=None, **options):
        return _softmax(f"{prefix}.log_softmax", be.log_softmax, x, axis, mask, options)

    def _mask_operand(mask, core):
        mask = da.asarray(mask)
        return Operand("mask", mask, core[-mask.ndim:] if mask.ndim < 2 else core,
                       batched=mask.ndim >= 2)

    def scaled_dot_product_attention(q, k, v, /, *, mask=None, is_causal=False,
                                     enable_gqa=False, return_weights=False, **options):
        kernel = f"{prefix}.scaled_dot_product_attention"
        # with enable_gqa the heads (dim -3) are core dims, whole in every
        # task: q's, k's and v's head counts differ and do not broadcast
        heads = (("hq",), ("hk",), ("hv",)) if enable_gqa else ((), (), ())
        operands = [Operand("q", q, heads[0] + ("l", "e")),
                    Operand("k", k, heads[1] + ("s", "e")),
                    Operand("v", v, heads[2] + ("s", "ev"))]
        if mask is not None:
            mask = da.asarray(mask)
            if enable_gqa and mask.ndim >= 3:   # a heads dim of 1 or Hq
                operands.append(Operand("mask", mask, ("hm", "l", "s")))
            else:
                operands.append(_mask_operand(mask, ("l", "s")))

        def call(qb, kb, vb, mb=None):
            return be.scaled_dot_product_attention(qb, kb, vb, mask=mb, is_causal=is_causal,
                                                   enable_gqa=enable_gqa,
                                                   return_weights=return_weights, **options)
        outputs = [Output(heads[0] + ("l", "ev"))]
        if return_weights:
            outputs.append(Output(heads[0] + ("l", "s")))
        # query rows are independent, except that a causal mask depends on
        # the row's global position
        whole = {"e", "s", "ev", "hq", "hk", "hv", "hm"} | ({"l"} if is_causal else set())
        result = lazy_call(kernel, call, operands, outputs, whole=whole, strict={"e", "s"})
        return result if return_weights else result[0]

    def multi_head_attention(query, key, value, w_q, w_k, w_v, w_o, num_heads, /, *,
                             b_q=None, b_k=None, b_v=None, b_o=None, mask=None, attn_mask=None,
                             key_padding_mask=None, is_causal=False, return_weights=False,
                             return_head_outputs=False, **options):
        kernel = f"{prefix}.multi_head_attention"
        operands = [Operand("query", query, ("l", "dq")), Operand("key", key, ("s", "dk")),
                    Operand("value", value, ("s", "dv")),
                    Operand("w_q", w_q, ("dq", "m"), False), Operand("w_k", w_k, ("dk", "m"), False),
                    Operand("w_v", w_v, ("dv", "mv"), False),
                    Operand("w_o", w_o, ("mv", "o"), False)]
        bias_names = []
        for name, b, core in (("b_q", b_q, ("m",)), ("b_k", b_k, ("m",)), ("b_v", b_v, ("mv",)),
                              ("b_o", b_o, ("o",))):
            if b is not None:
                operands.append(Operand(name, b, core, False))
                bias_names.append(name)
        mask_names = []
        for name, m in (("mask", mask), ("attn_mask", attn_mask)):
            if m is not None:
                operands.append(_mask_operand(m, ("l", "s"))._replace(name=name))
                mask_names.append(name)
        if key_padding_mask is not None:     # (..., S): batch dims as the query's
            key_padding_mask = da.asarray(key_padding_mask)
            operands.append(Operand("key_padding_mask", key_padding_mask, ("s",),
                                    batched=key_padding_mask.ndim >= 2))
            mask_names.append("key_padding_mask")

        def call(*blocks):
            biases = dict(zip(bias_names, blocks[7:7 + len(bias_names)]))
            masks = dict(zip(mask_names, blocks[7 + len(bias_names):]))
            return be.multi_head_attention(
                *blocks[:7], num_heads, **biases, **masks, is_causal=is_causal,
                return_weights=return_weights, return_head_outputs=return_head_outputs,
                **options)
        outputs = [Output(("l", "o"))]
        if return_weights:
            outputs.append(Output(("h", "l", "s")))
        if return_head_outputs:
            outputs.append(Output(("l", "h", "o")))
        labels = {"l", "s", "dq", "dk", "dv", "m", "mv", "o", "h"}
        # errors come from the inner projections and attention: only their
        # batch dims map to this call's output
        result = lazy_call(kernel, call, operands, outputs, whole=labels,
                           strict=labels - {"l", "h"}, own_index=False)
        return result if len(result) > 1 else result[0]

    def solve(a, b, /, *, assume_a="gen", **options):
        kernel = f"{prefix}.solve"
        rhs, x_core = _rhs(b)
        operands = [Operand("a", _square(kernel, a, "a"), _MATRIX), rhs]
        return _linalg_call(kernel, lambda ab, bb: be.solve(ab, bb, assume_a=assume_a, **options),
                            operands, [Output(x_core)])[0]

    def lu_factor(a, /, **options):
        kernel = f"{prefix}.lu_factor"
        operands = [Operand("a", _square(kernel, a, "a"), _MATRIX)]
        if not exact:
            return _linalg_call(kernel, lambda ab: be.lu_factor(ab, **options), operands,
                                [Output(_MATRIX), Output(("n",))])
        lu, piv, words = _linalg_call(kernel, lambda ab: _with_words(be.lu_factor(ab, **options)),
                                      operands, [Output(_MATRIX), Output(("n",)), Output(_WORDS)])
        return be.LUFactor((lu, piv), words)

    def lu_solve(lu_and_piv, b, /, **options):
        kernel = f"{prefix}.lu_solve"
        if exact and not isinstance(lu_and_piv, be.LUFactor):
            be.lu_solve(lu_and_piv, b)  # the in-memory function's TypeError
        lu, piv = lu_and_piv
        rhs, x_core = _rhs(b)
        operands = [Operand("lu", _square(kernel, lu, "lu"), _MATRIX),
                    Operand("piv", piv, ("n",), by_batch=True), rhs]
        if not exact:
            return _linalg_call(kernel, lambda lb, pb, bb: be.lu_solve((lb, pb), bb, **options),
                                operands, [Output(x_core)])[0]
        operands.append(Operand("exact", lu_and_piv.exact, _WORDS, by_batch=True))
        return _linalg_call(
            kernel, lambda lb, pb, bb, wb: be.lu_solve(be.LUFactor((lb, pb), wb), bb, **options),
            operands, [Output(x_core)])[0]

    def cho_factor(a, /, *, lower=True, pivot=False, **options):
        kernel = f"{prefix}.cho_factor"
        operands = [Operand("a", _square(kernel, a, "a"), _MATRIX)]
        outputs = [Output(_MATRIX), Output(None)]
        if pivot:
            outputs += [Output(("n",)), Output(())]
        if not exact:
            return _linalg_call(
                kernel, lambda ab: be.cho_factor(ab, lower=lower, pivot=pivot, **options),
                operands, outputs)
        *parts, words = _linalg_call(
            kernel, lambda ab: _with_words(be.cho_factor(ab, lower=lower, pivot=pivot,
                                                         **options)),
            operands, outputs + [Output(_WORDS)])
        return be.ChoFactor(tuple(parts), words)

    def cho_solve(c_and_lower, b, /, **options):
        kernel = f"{prefix}.cho_solve"
        if exact and not isinstance(c_and_lower, be.ChoFactor):
            be.cho_solve(c_and_lower, b)  # the in-memory function's TypeError
        if len(c_and_lower) not in (2, 4):
            raise ValueError(f"{kernel}: expected (c, lower) or (c, lower, perm, rank) from "
                             f"cho_factor, got a tuple of {len(c_and_lower)}")
        c, lower = c_and_lower[0], c_and_lower[1]
        rhs, x_core = _rhs(b)
        operands = [Operand("c", _square(kernel, c, "c"), _MATRIX), rhs]
        if len(c_and_lower) == 4:
            operands += [Operand("perm", c_and_lower[2], ("n",), by_batch=True),
                         Operand("rank", c_and_lower[3], (), by_batch=True)]
        if exact:
            operands.append(Operand("exact", c_and_lower.exact, _WORDS, by_batch=True))

        def call(cb, bb, *rest):
            parts = (cb, lower) + tuple(rest[:2] if len(c_and_lower) == 4 else ())
            factor = be.ChoFactor(parts, rest[-1]) if exact else parts
            return be.cho_solve(factor, bb, **options)
        return _linalg_call(kernel, call, operands, [Output(x_core)])[0]

    def det(a, /, **options):
        kernel = f"{prefix}.det"
        operands = [Operand("a", _square(kernel, a, "a"), _MATRIX)]
        return _linalg_call(kernel, lambda ab: be.det(ab, **options), operands, [Output(())])[0]

    def slogdet(a, /, **options):
        kernel = f"{prefix}.slogdet"
        operands = [Operand("a", _square(kernel, a, "a"), _MATRIX)]
        sign, logabsdet = _linalg_call(kernel, lambda ab: tuple(be.slogdet(ab, **options)),
                                       operands, [Output(()), Output(())])
        return SlogdetResult(sign, logabsdet)

    def inv(a, /, **options):
        kernel = f"{prefix}.inv"
        operands = [Operand("a", _square(kernel, a, "a"), _MATRIX)]
        return _linalg_call(kernel, lambda ab: be.inv(ab, **options), operands,
                            [Output(_MATRIX)])[0]

    def affine_inverse(m, /, *, kind="affine", **options):
        kernel = f"{prefix}.affine_inverse"
        operands = [Operand("m", _square(kernel, m, "m"), _MATRIX)]
        return _linalg_call(kernel, lambda mb: be.affine_inverse(mb, kind=kind, **options),
                            operands, [Output(_MATRIX)])[0]

    functions = [matmul, softmax, scaled_dot_product_attention, multi_head_attention, solve,
                 lu_factor, lu_solve, cho_factor, cho_solve, det, inv, affine_inverse]
    if hasattr(be, "log_softmax"):
        functions.append(log_softmax)
    if hasattr(be, "slogdet"):
        functions.append(slogdet)
    return {f.__name__: _documented(f, be, prefix) for f in functions}


def elementwise(be, prefix, names_binary, names_unary):
    """Lazy elementwise functions of ``be``: every dim is mapped blockwise."""
    def binary(name):
        def function(a, b, /, **options):
            return lazy_call(f"{prefix}.{name}", lambda x, y: getattr(be, name)(x, y, **options),
                             [Operand("a", a, ()), Operand("b", b, ())], [Output(())])[0]
        return function

    def unary(name):
        def function(a, /, **options):
            return lazy_call(f"{prefix}.{name}", lambda x: getattr(be, name)(x, **options),
                             [Operand("a", a, ())], [Output(())])[0]
        return function

    functions = {}
    for names, make in ((names_binary, binary), (names_unary, unary)):
        for name in names:
            function = make(name)
            function.__name__ = name
            functions[name] = _documented(function, be, prefix)
    return functions


def _documented(function, be, prefix):
    function.__qualname__ = function.__name__
    function.__module__ = f"attncore.dask.{prefix}"
    function.__doc__ = (
        f"Lazy :func:`attncore.{prefix}.{function.__name__}` on Dask arrays.\n\n"
        "Batch dims are mapped blockwise and broadcast as NumPy does; the core dims the\n"
        "kernel needs whole are rechunked to one chunk (see :mod:`attncore.dask`).  Every\n"
        "task runs the in-memory function on its blocks, so results equal it (Q16.16 bit\n"
        "for bit) and errors are the same exceptions with global indices.\n\n"
        "In-memory documentation\n"
        "-----------------------\n" + (getattr(be, function.__name__).__doc__ or ""))
    return function
