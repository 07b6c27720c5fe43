"""Multi-head attention objects loaded from ``torch.nn.MultiheadAttention``
and from Hugging Face BERT attention blocks (module or state dict).  Built
on attncore's public API only; torch is never imported here unless the
caller already did (a tensor can only come from an imported torch)."""
import sys
from collections.abc import Mapping

import numpy as np

import attncore.fp as fp
import attncore.q16 as q16

_BERT_KEYS = {"w_q": "attention.self.query.weight", "b_q": "attention.self.query.bias",
              "w_k": "attention.self.key.weight", "b_k": "attention.self.key.bias",
              "w_v": "attention.self.value.weight", "b_v": "attention.self.value.bias",
              "w_o": "attention.output.dense.weight", "b_o": "attention.output.dense.bias"}
_MASK_KEYWORDS = ("mask", "attn_mask", "key_padding_mask")
# what torch's nn.MultiheadAttention.forward takes that attncore says another way
_TORCH_ONLY = {"need_weights": "return_weights=True (per-head weights (..., H, L, S); "
                               "average over dim -3 for torch's default)",
               "average_attn_weights": "return_weights=True and average the per-head "
                                       "weights over dim -3"}


def _is_tensor(x):
    return type(x).__module__.split(".")[0] == "torch" and hasattr(x, "detach")


def _numpy(x, what):
    """A torch tensor (any device, with or without grad) or array_like as a
    NumPy array; half and bfloat16 tensors become float32."""
    if _is_tensor(x):
        x = x.detach()
        if x.dtype in (sys.modules["torch"].bfloat16, sys.modules["torch"].float16):
            x = x.float()
        return x.cpu().numpy()
    try:
        return np.asarray(x)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"{what}: cannot be read as an array ({exc})") from None


def _float_dtype(x, dtype, what):
    x = _numpy(x, what)
    if x.dtype.kind != "f":
        raise TypeError(f"{what}: expected real floating-point weights, got {x.dtype}")
    return x.astype(dtype if dtype is not None else x.dtype)


class MultiHeadAttention:
    """attncore multi-head attention carrying loaded weights.

    Made by :func:`from_torch_mha` or :func:`from_bert_attention`; calling
    it runs ``backend.multi_head_attention`` with these weights.

    Attributes
    ----------
    w_q, w_k, w_v, w_o : ndarray
        Projections in attncore's ``x @ w`` layout, ``(D_in, D_out)`` (the
        transposes of torch's weights); float, or raw int32 Q16.16 for
        ``backend=attncore.q16``.
    b_q, b_k, b_v, b_o : ndarray or None
        Biases, ``(D_out,)``.
    num_heads : int
    backend : module
        :mod:`attncore.fp` or :mod:`attncore.q16`.
    batch_first : bool
        False: 3-D inputs are ``(L, N, E)``, as a torch module built
        without ``batch_first=True``; they are transposed to attncore's
        ``(N, L, E)`` at the call and the results back.
    source : str
        Where the weights came from.
    """

    def __init__(self, w_q, w_k, w_v, w_o, num_heads, *, b_q=None, b_k=None, b_v=None,
                 b_o=None, backend=fp, batch_first=True, source="weights"):
        if backend not in (fp, q16):
            raise ValueError(f"backend must be attncore.fp or attncore.q16, got {backend!r}")
        self.backend = backend
        self.num_heads = int(num_heads)
        self.batch_first = bool(batch_first)
        self.source = source
        convert = q16.from_float if backend is q16 else np.ascontiguousarray
        for name, value in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v), ("w_o", w_o),
                            ("b_q", b_q), ("b_k", b_k), ("b_v", b_v), ("b_o", b_o)):
            setattr(self, name, None if value is None else convert(_numpy(value, name)))

    def __repr__(self):
        d_in, d_out = self.w_q.shape[0], self.w_o.shape[1]
        return (f"MultiHeadAttention({self.source}: {d_in} -> {d_out}, "
                f"num_heads={self.num_heads}, backend=attncore.{self.backend.__name__[9:]}, "
                f"batch_first={self.batch_first})")

    def __call__(self, query, key, value, /, *, attention_mask=None, **kw):
        """Run the attention on ``query``, ``key``, ``value``.

        Parameters
        ----------
        query : array_like or torch.Tensor, (..., L, D_q)
            ``(L, N, D_q)`` when ``batch_first`` is False.
        key, value : array_like or torch.Tensor, (..., S, D_k), (..., S, D_v)
        attention_mask : array_like or torch.Tensor, optional
            Hugging Face's key mask, (..., S): **1 / True = a token to
            attend to, 0 = padding** (the opposite of ``key_padding_mask``).
        **kw
            Keywords of ``backend.multi_head_attention``: ``mask`` (True
            keeps; (..., L, S) shared by all heads), ``attn_mask`` (True
            masks out, as ``nn.MultiheadAttention``; 2-D, or 3-D with one
            head),
            ``key_padding_mask`` (True = padding), ``is_causal`` (applies
            the causal mask itself; torch takes it as a hint about
            ``attn_mask``), ``return_weights``, ``return_head_outputs``, and
            ``rounding``/``overflow`` for Q16.16.

        Returns
        -------
        out : ndarray or torch.Tensor
            What ``multi_head_attention`` returns (``out`` or a tuple with
            per-head weights and head outputs), each converted back: torch
            tensors of the query's dtype and device if the query was a
            tensor; for Q16.16, floats of the input dtype from float input,
            raw int32 from int32 input.

        Raises
        ------
        ValueError
            Masks that cannot be expressed (a per-head 3-D ``attn_mask``,
            both ``attention_mask`` and ``key_padding_mask``), a non 0/1
            ``attention_mask``, and everything ``multi_head_attention``
            raises.
        TypeError
            torch-only keywords (``need_weights``), with what to use instead.

        Examples
        --------
        >>> import numpy as np
        >>> from attncore.interop import MultiHeadAttention
        >>> w = np.eye(4)
        >>> mha = MultiHeadAttention(w, w, w, w, 2)
        >>> x = np.arange(12.0).reshape(3, 4) / 10
        >>> out = mha(x, x, x, attention_mask=[1, 1, 0])   # the last key is padding
        >>> out.shape
        (3, 4)
        """
        for name, instead in _TORCH_ONLY.items():
            if name in kw:
                raise TypeError(f"{self.source}: `{name}` is torch's keyword; use {instead}")
        tensor_like = query if _is_tensor(query) else None
        arrays = [_numpy(x, name) for x, name in ((query, "query"), (key, "key"),
                                                   (value, "value"))]
        raw = self.backend is q16 and arrays[0].dtype == np.int32
        out_dtype = arrays[0].dtype
        if self.backend is q16 and not raw:
            arrays = [q16.from_float(x) for x in arrays]
        if not self.batch_first:
            arrays = [np.swapaxes(x, 0, 1) if x.ndim == 3 else x for x in arrays]
        for name in _MASK_KEYWORDS:
            if kw.get(name) is not None:
                kw[name] = _numpy(kw[name], name)
        if attention_mask is not None:
            kw["key_padding_mask"] = self._padding_from_attention_mask(
                _numpy(attention_mask, "attention_mask"), kw.get("key_padding_mask"))
        if kw.get("attn_mask") is not None:
            kw["attn_mask"] = self._shared_attn_mask(kw["attn_mask"])
        biases = {n: getattr(self, n) for n in ("b_q", "b_k", "b_v", "b_o")}
        result = self.backend.multi_head_attention(*arrays, self.w_q, self.w_k, self.w_v,
                                                   self.w_o, self.num_heads, **biases, **kw)
        names = ["out"] + ["weights"] * bool(kw.get("return_weights")) \
            + ["head_outputs"] * bool(kw.get("return_head_outputs"))
        parts = result if isinstance(result, tuple) else (result,)
        parts = [self._back(x, n, out_dtype, raw, tensor_like) for x, n in zip(parts, names)]
        return tuple(parts) if isinstance(result, tuple) else parts[0]

    def _padding_from_attention_mask(self, attention_mask, key_padding_mask):
        if key_padding_mask is not None:
            raise ValueError(f"{self.source}: pass attention_mask (1 = attend, Hugging Face) "
                             "or key_padding_mask (True = padding, torch), not both")
        if not np.isin(attention_mask, (0, 1)).all():
            raise ValueError(f"{self.source}: attention_mask must hold 0 (padding) and 1 "
                             "(attend) only, as a tokenizer returns it; an additive (extended) "
                             "mask goes to `mask` instead")
        return attention_mask == 0

    def _shared_attn_mask(self, attn_mask):
        """torch's 3-D attn_mask is (N * num_heads, L, S), one mask per head;
        attncore shares one mask across heads, so only one head fits."""
        if attn_mask.ndim == 3 and self.num_heads > 1:
            raise ValueError(
                f"{self.source}: a 3-D attn_mask is torch's per-head (N * num_heads, L, S) mask, "
                "but attncore shares one mask across heads: pass a 2-D (L, S) attn_mask, or a "
                "batched (N, L, S) mask for all heads as `mask=` (True keeps)")
        return attn_mask

    def _back(self, x, name, dtype, raw, tensor_like):
        """One result back in the caller's terms: layout, Q16.16 -> float,
        NumPy -> torch."""
        if not self.batch_first and name != "weights" and x.ndim >= 3:
            x = np.swapaxes(x, 0, 1)              # (N, L, ...) -> (L, N, ...), as the input
        if self.backend is q16 and not raw:
            x = q16.to_float(x).astype(dtype if dtype.kind == "f" else np.float64)
        if tensor_like is None:
            return x
        torch = sys.modules["torch"]
        out = torch.from_numpy(np.ascontiguousarray(x))
        if x.dtype.kind == "f" and tensor_like.dtype.is_floating_point:
            out = out.to(dtype=tensor_like.dtype)     # raw int32 Q16.16 stays int32
        return out.to(device=tensor_like.device)


def from_torch_mha(module, backend=fp, *, dtype=None):
    """An attncore twin of a ``torch.nn.MultiheadAttention``.

    The module's ``in_proj_weight`` (3E, E) is split into the query, key and
    value rows and every weight transposed to attncore's ``(D_in, D_out)``
    (``q_proj_weight`` etc. when ``kdim``/``vdim`` differ from ``embed_dim``,
    which attncore supports), biases copied, ``batch_first`` kept.  The call
    then gives the module's output in eval mode (no dropout).

    Parameters
    ----------
    module : torch.nn.MultiheadAttention
        Or an object with the same attributes.
    backend : {attncore.fp, attncore.q16}
        For ``q16`` the weights are quantized with
        :func:`attncore.q16.from_float` (nearest; saturation warns).
    dtype : numpy dtype, optional
        Float weights in this dtype (e.g. ``np.float64`` to compute a
        float32 module in float64); default the module's (half precision
        becomes float32).

    Returns
    -------
    MultiHeadAttention

    Raises
    ------
    ValueError
        A module that cannot be expressed: ``add_bias_kv=True`` (learned
        key/value rows appended after the projection), ``add_zero_attn=True``,
        or training mode with dropout > 0.
    TypeError
        Not a multi-head attention module.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from attncore import interop
    >>> module = torch.nn.MultiheadAttention(8, 2, batch_first=True).eval()
    >>> mha = interop.from_torch_mha(module)
    >>> mha.w_q.shape, bool(np.array_equal(mha.w_q, module.in_proj_weight[:8].detach().numpy().T))
    ((8, 8), True)
    >>> x = torch.randn(3, 5, 8)
    >>> out = mha(x, x, x)                              # a tensor in, a tensor out
    >>> type(out).__name__, out.dtype, bool(torch.allclose(out, module(x, x, x)[0], atol=1e-5))
    ('Tensor', torch.float32, True)
    """
    needed = ("embed_dim", "num_heads", "out_proj")
    if not all(hasattr(module, a) for a in needed):
        raise TypeError(f"from_torch_mha expects a torch.nn.MultiheadAttention, got "
                        f"{type(module).__name__}")
    name = f"from_torch_mha({type(module).__name__})"
    if getattr(module, "bias_k", None) is not None or getattr(module, "bias_v", None) is not None:
        raise ValueError(f"{name}: add_bias_kv=True appends learned rows to the projected keys "
                         "and values, which attncore's multi_head_attention cannot express")
    if getattr(module, "add_zero_attn", False):
        raise ValueError(f"{name}: add_zero_attn=True appends a zero key/value row after the "
                         "projections, which attncore's multi_head_attention cannot express")
    if getattr(module, "training", False) and getattr(module, "dropout", 0.0) > 0:
        raise ValueError(f"{name}: the module is in training mode with dropout="
                         f"{module.dropout}; attncore computes the eval-mode output: call "
                         "module.eval() first")
    e = int(module.embed_dim)
    packed = getattr(module, "in_proj_weight", None)
    if packed is not None:
        w = _float_dtype(packed, dtype, f"{name}: in_proj_weight")
        if w.shape != (3 * e, e):
            raise ValueError(f"{name}: in_proj_weight must be (3 * {e}, {e}), got {w.shape}")
        w_q, w_k, w_v = w[:e], w[e:2 * e], w[2 * e:]
    else:
        w_q, w_k, w_v = (_float_dtype(getattr(module, f"{p}_proj_weight"), dtype,
                                      f"{name}: {p}_proj_weight") for p in "qkv")
    bias = getattr(module, "in_proj_bias", None)
    b_q = b_k = b_v = None
    if bias is not None:
        bias = _float_dtype(bias, dtype, f"{name}: in_proj_bias")
        b_q, b_k, b_v = bias[:e], bias[e:2 * e], bias[2 * e:]
    w_o = _float_dtype(module.out_proj.weight, dtype, f"{name}: out_proj.weight")
    b_o = getattr(module.out_proj, "bias", None)
    b_o = None if b_o is None else _float_dtype(b_o, dtype, f"{name}: out_proj.bias")
    return MultiHeadAttention(w_q.T, w_k.T, w_v.T, w_o.T, module.num_heads, b_q=b_q, b_k=b_k,
                              b_v=b_v, b_o=b_o, backend=backend,
                              batch_first=getattr(module, "batch_first", False),
                              source=name)


def _bert_from_module(module, dtype, num_heads):
    """The weights of a transformers BertAttention (or a layer holding one
    as ``.attention``), found by attribute."""
    block = getattr(module, "attention", module)
    self_attention = getattr(block, "self", None)
    output = getattr(block, "output", None)
    dense = getattr(output, "dense", None)
    linears = [getattr(self_attention, n, None) for n in ("query", "key", "value")] + [dense]
    if any(lin is None or not hasattr(lin, "weight") for lin in linears):
        raise TypeError(f"from_bert_attention expects a state dict or a BERT attention module "
                        f"(.self.query/.key/.value and .output.dense), got "
                        f"{type(module).__name__}")
    weights = {}
    for prefix, lin in zip("qkvo", linears):
        weights[f"w_{prefix}"] = _float_dtype(lin.weight, dtype, f"{prefix} weight")
        b = getattr(lin, "bias", None)
        weights[f"b_{prefix}"] = None if b is None else _float_dtype(b, dtype, f"{prefix} bias")
    if num_heads is None:
        num_heads = getattr(self_attention, "num_attention_heads", None)
    return weights, num_heads


def from_bert_attention(source, prefix="", *, num_heads=None, backend=fp, dtype=None):
    """An attncore twin of a BERT (or MiniLM) attention block.

    Computes what the block computes before its residual add and LayerNorm:
    the self-attention (query, key and value projections, ``num_heads``
    heads of width ``D / num_heads`` with scale ``1/sqrt(D / num_heads)``)
    followed by the output dense layer.  Weights are stored as ``(out,
    in)`` in BERT checkpoints and transposed here to attncore's ``(in,
    out)``.

    Parameters
    ----------
    source : mapping or module
        A state dict (``str -> array or tensor``, e.g. from
        ``safetensors.numpy.load_file``) holding the standard keys
        ``{prefix}attention.self.query.weight`` / ``.bias`` (likewise
        ``key``, ``value``) and ``{prefix}attention.output.dense.weight`` /
        ``.bias``; or a transformers ``BertLayer`` / ``BertAttention``
        (found by those attributes).
    prefix : str
        For a state dict, what precedes ``attention.`` in its keys, e.g.
        ``"encoder.layer.0."``.
    num_heads : int, optional
        Required for a state dict (it does not store it: 12 for
        all-MiniLM-L6-v2 and BERT-base); read from a module otherwise.
    backend : {attncore.fp, attncore.q16}
    dtype : numpy dtype, optional
        Float weights in this dtype; default the stored one.

    Returns
    -------
    MultiHeadAttention
        Inputs ``(N, L, D)`` (batch first, as transformers); pass the
        tokenizer's ``attention_mask`` (1 = token, 0 = padding) as
        ``attention_mask=`` at the call.

    Raises
    ------
    KeyError
        A state dict without one of the keys (naming it and the prefix).
    ValueError
        No ``num_heads`` for a state dict, or a bad ``backend``.
    TypeError
        Neither a mapping nor a BERT attention module.

    Examples
    --------
    >>> import numpy as np
    >>> from attncore import interop
    >>> d = 4
    >>> eye = {f"attention.self.{n}.weight": np.eye(d) for n in ("query", "key", "value")}
    >>> eye.update({f"attention.self.{n}.bias": np.zeros(d) for n in ("query", "key", "value")})
    >>> eye.update({"attention.output.dense.weight": 2 * np.eye(d),
    ...             "attention.output.dense.bias": np.ones(d)})
    >>> mha = interop.from_bert_attention(eye, num_heads=2)
    >>> x = np.zeros((1, 3, d))
    >>> mha(x, x, x).tolist()                       # 2 * 0 + 1
    [[[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]]
    """
    if isinstance(source, Mapping):
        weights = {}
        for name, key in _BERT_KEYS.items():
            full = prefix + key
            if full not in source:
                near = sorted(k for k in source if k.endswith(key))[:3]
                raise KeyError(f"from_bert_attention: no {full!r} in the state dict"
                               + (f" (keys ending so: {near}; set prefix=)" if near else ""))
            weights[name] = _float_dtype(source[full], dtype, full)
        where = f"from_bert_attention({prefix or 'state dict'})"
    else:
        weights, num_heads = _bert_from_module(source, dtype, num_heads)
        where = f"from_bert_attention({type(source).__name__})"
    if num_heads is None:
        raise ValueError("from_bert_attention: a state dict does not store the number of heads; "
                         "pass num_heads= (12 for all-MiniLM-L6-v2 and BERT-base)")
    w = {n: (v.T if n.startswith("w_") else v) for n, v in weights.items()}
    return MultiHeadAttention(w["w_q"], w["w_k"], w["w_v"], w["w_o"], num_heads, b_q=w["b_q"],
                              b_k=w["b_k"], b_v=w["b_v"], b_o=w["b_o"], backend=backend,
                              batch_first=True, source=where)
