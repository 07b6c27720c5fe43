"""Attention weights from PyTorch and Hugging Face, in attncore's layout.

attncore projects as ``x @ w`` with ``w`` of shape ``(D_in, D_out)``;
PyTorch's ``nn.Linear`` and ``nn.MultiheadAttention`` store ``(D_out,
D_in)`` and compute ``x @ W.T``.  With square weights both layouts have the
same shape, so passing a torch weight straight to
:func:`attncore.multi_head_attention` runs without an error and gives a
wrong result.  The loaders here do the transpose (and split torch's packed
``in_proj_weight``) once, and return a callable that runs attncore's
multi-head attention with the module's weights:

>>> import numpy as np
>>> import attncore
>>> from attncore import interop
>>> rng = np.random.default_rng(0)
>>> d = 4
>>> state = {f"attention.self.{n}.{p}": rng.standard_normal((d, d) if p == "weight" else d)
...          for n in ("query", "key", "value") for p in ("weight", "bias")}
>>> state.update({"attention.output.dense.weight": rng.standard_normal((d, d)),
...               "attention.output.dense.bias": rng.standard_normal(d)})
>>> mha = interop.from_bert_attention(state, num_heads=2)
>>> bool(np.array_equal(mha.w_q, state["attention.self.query.weight"].T))  # (in, out)
True
>>> x = rng.standard_normal((3, d))
>>> mha(x, x, x).shape
(3, 4)

Torch tensors in, torch tensors out: an object made here converts torch
inputs (and masks) to NumPy at the call, and its results back to tensors of
the query's dtype and device; NumPy in gives NumPy out.  With
``backend=attncore.q16`` the weights are quantized once with
:func:`attncore.q16.from_float` (nearest, ties to even: at most 2**-17
absolute error each; weights beyond +-32768 saturate, with a
:class:`attncore.Q16SaturationWarning`); float inputs are quantized the same
way at each call and the Q16.16 results come back as floats of the input's
dtype (exactly ``raw / 2**16``), while int32 inputs are taken as raw Q16.16
values and give raw int32 results.

The plain functions (:mod:`attncore.fp`, :mod:`attncore.q16`) take
whatever ``numpy.asarray`` takes -- CPU torch tensors included, after
``.detach()`` if they require grad -- and always return NumPy arrays;
``torch.from_numpy(out)`` turns a result into a tensor without a copy.
Their weights are attncore's ``(D_in, D_out)``: transpose torch's.
"""
from attncore.interop.attention import MultiHeadAttention, from_bert_attention, from_torch_mha

__all__ = ["MultiHeadAttention", "from_torch_mha", "from_bert_attention"]
