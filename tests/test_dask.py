"""attncore.dask on a real dask.distributed LocalCluster (2 worker processes):
every kernel of both backends on chunked inputs equals the in-memory call,
core dims are rechunked, errors come back as the same attncore exception
with the global index, metadata needs no compute, and the distributed
report equals the local one.

Tolerances: Q16.16 results are compared bit for bit (every task runs the
in-memory kernel, whose per-item arithmetic is exact and rounded once).
Float results are compared to 32 ULP of the largest magnitude: the per-item
C code is identical, but BLAS (matmul, the attention gemms) may block a
chunk of another size differently, which reorders a dot product of at most
16 terms here (<= 16 eps relative per term)."""
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
import dask  # noqa: E402

import attncore  # noqa: E402
import attncore.dask as ad  # noqa: E402
from attncore import fp, q16  # noqa: E402
from attncore.report import cli, sweep as report_sweep  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as client:
        yield client


def assert_same(got, want):
    """The lazy result equals the in-memory one (see the module docstring for tolerances)."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w)
        if hasattr(want, "exact"):  # a Q16.16 factor object: its exact words too
            assert type(got) is type(want)
            assert_same(got.exact, want.exact)
        return
    if isinstance(want, bool):
        assert got is want
        return
    if hasattr(got, "compute"):
        assert got.shape == np.shape(want) and got.dtype == np.asarray(want).dtype
        got = got.compute()
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    if want.dtype.kind == "f":
        finite = np.isfinite(want)
        np.testing.assert_array_equal(got[~finite], want[~finite])   # -inf of masked entries
        scale = np.abs(want[finite]).max() if finite.any() else 0.0
        np.testing.assert_allclose(got[finite], want[finite], rtol=0,
                                   atol=32 * np.finfo(want.dtype).eps * scale)
    else:
        np.testing.assert_array_equal(got, want)


def chunked(x, chunks):
    return da.from_array(np.asarray(x), chunks=chunks)


def lazy_factor(factor, parts, batch_chunk):
    """Chunked factor parts, as the object the backend's solve takes: a
    Q16.16 factor also carries its exact words (chunked along the batch)."""
    if hasattr(factor, "exact"):
        return type(factor)(parts, chunked(factor.exact, (batch_chunk, -1)))
    return parts


RNG = np.random.default_rng(42)


def _spd(batch, n):
    m = RNG.standard_normal(batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def _affine(batch, rigid):
    q, _ = np.linalg.qr(RNG.standard_normal(batch + (3, 3)))
    m = np.zeros(batch + (4, 4))
    m[..., :3, :3] = q if rigid else q * RNG.uniform(0.5, 2, batch + (1, 3))
    m[..., :3, 3] = RNG.uniform(-5, 5, batch + (3,))
    m[..., 3, 3] = 1
    return m


A = RNG.standard_normal((6, 5, 7, 8)) / 2
B = RNG.standard_normal((5, 8, 9)) / 2
X = RNG.standard_normal((6, 10, 12)) * 2
MASK = RNG.random((10, 12)) < 0.7
MASK[3] = False                       # one fully masked row
Q, K, V = (RNG.standard_normal(s) for s in ((4, 3, 20, 8), (4, 1, 15, 8), (4, 1, 15, 6)))
SDPA_MASK = RNG.random((20, 15)) < 0.8
QUERY, KEY = RNG.standard_normal((3, 10, 16)), RNG.standard_normal((3, 12, 16))
WEIGHTS = [RNG.normal(0, 0.25, (16, 16)) for _ in range(4)]
BIASES = [RNG.normal(0, 0.1, 16) for _ in range(4)]
MHA_MASK = RNG.random((10, 12)) < 0.8
GEN = RNG.standard_normal((30, 4, 4)) + 3 * np.eye(4)
SPD = _spd((30,), 4)
RHS = RNG.standard_normal((30, 4, 3))
VEC = RNG.standard_normal(4)
RIGID, AFFINE = _affine((4, 9), True), _affine((4, 9), False)


def cases(be, lazy, convert):
    """(name, in-memory thunk, lazy thunk): inputs chunked in batch and core dims."""
    c = convert
    a, b = c(A), c(B)
    x = c(X)
    q, k, v = c(Q), c(K), c(V)
    w = [c(m) for m in WEIGHTS]
    bias = [c(m) for m in BIASES]
    gen, spd, rhs, vec = c(GEN), c(SPD), c(RHS), c(VEC)
    rigid, affine = c(RIGID), c(AFFINE)
    lu_piv = be.lu_factor(gen)
    cho = be.cho_factor(spd)
    cho_p = be.cho_factor(spd, pivot=True)
    ch = chunked
    out = [
        ("matmul", lambda: be.matmul(a, b),
         lambda: lazy.matmul(ch(a, (4, 2, 3, 5)), ch(b, (2, 3, 4)))),
        ("matmul 1-D a", lambda: be.matmul(a[0, 0, 0], b),
         lambda: lazy.matmul(ch(a[0, 0, 0], 3), ch(b, (2, 8, 4)))),
        ("matmul 1-D b", lambda: be.matmul(a, b[0, :, 0]),
         lambda: lazy.matmul(ch(a, (5, 2, 3, 8)), ch(b[0, :, 0], 5))),
        ("softmax", lambda: be.softmax(x), lambda: lazy.softmax(ch(x, (4, 3, 5)))),
        ("softmax axis=1 mask", lambda: be.softmax(x, axis=1, mask=MASK.T[:, :10].T),
         lambda: lazy.softmax(ch(x, (4, 3, 5)), axis=1, mask=ch(MASK.T[:, :10].T, (4, 6)))),
        ("softmax mask", lambda: be.softmax(x, mask=MASK),
         lambda: lazy.softmax(ch(x, (4, 3, 5)), mask=ch(MASK, (5, 7)))),
        ("sdpa", lambda: be.scaled_dot_product_attention(q, k, v),
         lambda: lazy.scaled_dot_product_attention(ch(q, (2, 2, 7, 4)), ch(k, (3, 1, 5, 8)),
                                                   ch(v, (2, 1, 15, 3)))),
        ("sdpa mask weights", lambda: be.scaled_dot_product_attention(
            q, k, v, mask=SDPA_MASK, return_weights=True),
         lambda: lazy.scaled_dot_product_attention(
             ch(q, (2, 2, 7, 8)), ch(k, (4, 1, 5, 8)), ch(v, (4, 1, 15, 6)),
             mask=ch(SDPA_MASK, (6, 4)), return_weights=True)),
        ("sdpa causal", lambda: be.scaled_dot_product_attention(q, k, v, is_causal=True),
         lambda: lazy.scaled_dot_product_attention(ch(q, (2, 2, 7, 8)), ch(k, (4, 1, 5, 8)),
                                                   ch(v, (4, 1, 15, 6)), is_causal=True)),
        ("mha", lambda: be.multi_head_attention(
            c(QUERY), c(KEY), c(KEY), *w, 4, b_q=bias[0], b_v=bias[2], b_o=bias[3],
            mask=MHA_MASK, return_weights=True, return_head_outputs=True),
         lambda: lazy.multi_head_attention(
             ch(c(QUERY), (2, 3, 8)), ch(c(KEY), (1, 12, 16)), ch(c(KEY), (2, 5, 16)), *w, 4,
             b_q=bias[0], b_v=bias[2], b_o=bias[3], mask=ch(MHA_MASK, (4, 12)),
             return_weights=True, return_head_outputs=True)),
        ("solve", lambda: be.solve(gen, rhs), lambda: lazy.solve(ch(gen, (7, 2, 4)),
                                                                 ch(rhs, (11, 4, 2)))),
        ("solve pos 1-D b", lambda: be.solve(spd, vec, assume_a="pos"),
         lambda: lazy.solve(ch(spd, (8, 4, 4)), ch(vec, 2), assume_a="pos")),
        ("lu_factor", lambda: be.lu_factor(gen), lambda: lazy.lu_factor(ch(gen, (7, 4, 3)))),
        ("lu_solve", lambda: be.lu_solve(lu_piv, rhs),
         lambda: lazy.lu_solve(lazy_factor(lu_piv, (ch(lu_piv[0], (9, 4, 4)),
                                                    ch(lu_piv[1], (9, 4))), 9),
                               ch(rhs, (6, 4, 3)))),
        ("cho_factor", lambda: be.cho_factor(spd), lambda: lazy.cho_factor(ch(spd, (7, 2, 4)))),
        ("cho_factor pivot", lambda: be.cho_factor(spd, pivot=True),
         lambda: lazy.cho_factor(ch(spd, (7, 4, 4)), pivot=True)),
        ("cho_solve", lambda: be.cho_solve(cho, rhs),
         lambda: lazy.cho_solve(lazy_factor(cho, (ch(cho[0], (8, 4, 4)), True), 8),
                                ch(rhs, (5, 4, 3)))),
        ("cho_solve pivot", lambda: be.cho_solve(cho_p, rhs),
         lambda: lazy.cho_solve(lazy_factor(cho_p, (ch(cho_p[0], (8, 4, 4)), True,
                                                    ch(cho_p[2], (8, 4)), ch(cho_p[3], 8)), 8),
                                ch(rhs, (5, 4, 3)))),
        ("lu_factor then lu_solve", lambda: be.lu_solve(be.lu_factor(gen), rhs),
         lambda: lazy.lu_solve(lazy.lu_factor(ch(gen, (7, 4, 4))), ch(rhs, (6, 4, 3)))),
        ("cho_factor then cho_solve", lambda: be.cho_solve(be.cho_factor(spd, pivot=True), rhs),
         lambda: lazy.cho_solve(lazy.cho_factor(ch(spd, (8, 4, 4)), pivot=True),
                                ch(rhs, (5, 4, 3)))),
        ("det", lambda: be.det(gen), lambda: lazy.det(ch(gen, (7, 4, 2)))),
        ("inv", lambda: be.inv(gen), lambda: lazy.inv(ch(gen, (7, 4, 4)))),
        ("affine_inverse rigid", lambda: be.affine_inverse(rigid, kind="rigid"),
         lambda: lazy.affine_inverse(ch(rigid, (3, 4, 2, 4)), kind="rigid")),
        ("affine_inverse affine", lambda: be.affine_inverse(affine),
         lambda: lazy.affine_inverse(ch(affine, (3, 4, 4, 4)))),
    ]
    if be is fp:
        out.append(("log_softmax", lambda: fp.log_softmax(x, axis=0, mask=MASK),
                    lambda: ad.fp.log_softmax(ch(x, (4, 3, 5)), axis=0, mask=ch(MASK, 5))))
    return out


FP_CASES = cases(fp, ad.fp, lambda m: np.asarray(m, np.float64))
Q16_CASES = cases(q16, ad.q16, q16.from_float)
F32_CASES = [c for c in cases(fp, ad.fp, lambda m: np.asarray(m, np.float32))
             if c[0] in ("matmul", "sdpa mask weights", "solve", "affine_inverse affine")]


@pytest.mark.parametrize("name,memory,lazy", FP_CASES + F32_CASES, ids=lambda c: c
                         if isinstance(c, str) else "")
def test_fp_kernels_equal_in_memory(client, name, memory, lazy):
    assert_same(lazy(), memory())


@pytest.mark.parametrize("name,memory,lazy", Q16_CASES, ids=lambda c: c
                         if isinstance(c, str) else "")
def test_q16_kernels_bit_identical(client, name, memory, lazy):
    assert_same(lazy(), memory())


def test_top_level_is_the_float_backend():
    assert ad.solve is ad.fp.solve and ad.affine_inverse is ad.fp.affine_inverse
    assert not hasattr(ad.q16, "log_softmax") and ad.q16.ONE == q16.ONE


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
def test_q16_elementwise_binary_bit_identical(client, name):
    a = q16.from_float(RNG.uniform(-300, 300, (40, 30)))
    b = q16.from_float(RNG.uniform(0.5, 300, (30,)))
    got = getattr(ad.q16, name)(chunked(a, (9, 7)), chunked(b, 11), rounding="floor") \
        if name in ("mul", "div") else getattr(ad.q16, name)(chunked(a, (9, 7)), chunked(b, 11))
    want = getattr(q16, name)(a, b, rounding="floor") if name in ("mul", "div") \
        else getattr(q16, name)(a, b)
    assert_same(got, want)


def test_q16_elementwise_unary_and_conversions(client):
    x = RNG.uniform(-10, 10, (50, 20))
    qx = q16.from_float(x)
    assert_same(ad.q16.from_float(chunked(x, (13, 8))), qx)
    assert_same(ad.q16.to_float(chunked(qx, (13, 8))), q16.to_float(qx))
    assert_same(ad.q16.exp(chunked(qx, (13, 8))), q16.exp(qx))
    assert_same(ad.q16.sqrt(chunked(np.abs(qx), (7, 20))), q16.sqrt(np.abs(qx)))


# ---- core dims are rechunked; free dims stay chunked ----------------------------

def test_core_dims_rechunked_batch_dims_kept():
    a = chunked(GEN, (7, 2, 3))
    x = ad.solve(a, chunked(RHS, (14, 1, 2)))
    assert x.chunks == ((7, 7, 7, 7, 2), (4,), (3,))
    s = ad.softmax(chunked(X, (4, 3, 5)), axis=1)
    assert s.chunks == ((4, 2), (10,), (5, 5, 2))
    o = ad.scaled_dot_product_attention(chunked(Q, (2, 3, 7, 4)), chunked(K, (4, 1, 5, 4)),
                                        chunked(V, (4, 1, 15, 2)))
    assert o.chunks == ((2, 2), (3,), (7, 7, 6), (6,))      # query rows stay chunked
    c = ad.scaled_dot_product_attention(chunked(Q, (2, 3, 7, 4)), chunked(K, (4, 1, 5, 4)),
                                        chunked(V, (4, 1, 15, 2)), is_causal=True)
    assert c.chunks[-2] == (20,)                            # causal rows need their position
    m = ad.matmul(chunked(A, (4, 2, 3, 5)), chunked(B, (2, 3, 4)))
    assert m.chunks == ((4, 2), (2, 2, 1), (3, 3, 1), (4, 4, 1))


def test_chunk_limit_error_and_batch_split():
    rows = da.zeros((8, 20000), chunks=(2, 5000))
    with dask.config.set({ad.CHUNK_LIMIT_KEY: "100KiB"}):
        with pytest.raises(ValueError, match=r"fp\.softmax: one batch item needs a block of "
                                             r"0\.3 MiB.*attncore\.core-chunk-limit"):
            ad.softmax(rows)
    big = da.broadcast_to(np.eye(4), (100000, 4, 4), chunks=(100000, 4, 4))
    with dask.config.set({ad.CHUNK_LIMIT_KEY: "1MiB"}):
        inv = ad.inv(big)
    assert inv.numblocks[0] > 1
    assert max(inv.chunks[0]) * 2 * 16 * 8 <= 2**20        # operand + result per block
    np.testing.assert_array_equal(inv[-3:].compute(), np.broadcast_to(np.eye(4), (3, 4, 4)))


# ---- metadata without compute; validation up front -----------------------------

def _poisoned(shape, dtype, chunks):
    def boom(block):
        raise AssertionError("computed while building the graph")
    return da.zeros(shape, dtype=dtype, chunks=chunks).map_blocks(boom, dtype=dtype)


def test_metadata_without_compute():
    a = _poisoned((10, 4, 4), np.float32, (5, 4, 4))
    b = _poisoned((10, 4), np.float32, (5, 4))
    x = ad.solve(a, b[..., None])
    assert x.shape == (10, 4, 1) and x.dtype == np.float32 and x._meta.dtype == np.float32
    lu, piv = ad.lu_factor(a)
    assert (lu.shape, lu.dtype, piv.shape, piv.dtype) == ((10, 4, 4), np.float32, (10, 4),
                                                         np.int32)
    c, lower, perm, rank = ad.cho_factor(a, lower=False, pivot=True)
    assert lower is False and perm.shape == (10, 4) and rank.shape == (10,)
    d = ad.q16.det(_poisoned((3, 7, 3, 3), np.int32, (1, 7, 3, 3)))
    assert d.shape == (3, 7) and d.dtype == np.int32
    q = _poisoned((2, 9, 16), np.float64, (1, 3, 16))
    out, w = ad.scaled_dot_product_attention(q, q, q, return_weights=True)
    assert out.shape == (2, 9, 16) and w.shape == (2, 9, 9) and w.chunks[1] == (3, 3, 3)
    h = ad.multi_head_attention(q, q, q, *WEIGHTS[:3], WEIGHTS[3][:, :5], 2,
                                return_head_outputs=True)
    assert [t.shape for t in h] == [(2, 9, 5), (2, 9, 2, 5)]


def test_validation_errors_name_real_shapes():
    with pytest.raises(TypeError, match="from_float"):
        ad.q16.solve(da.ones((4, 3, 3)), da.ones((4, 3, 1)))
    with pytest.raises(ValueError, match=r"\(4, 3, 3\).*\(4, 2, 1\)"):
        ad.solve(da.ones((4, 3, 3)), da.ones((4, 2, 1)))
    with pytest.raises(ValueError, match=r"must be square.*\(5, 3, 4\)"):
        ad.inv(da.ones((5, 3, 4)))
    with pytest.raises(ValueError, match=r"batch dims do not broadcast.*\(4, 3, 3\).*\(5, 3, 1\)"):
        ad.solve(da.ones((4, 3, 3)), da.ones((5, 3, 1)))
    with pytest.raises(ValueError, match="assume_a"):
        ad.solve(da.ones((4, 3, 3)), da.ones((4, 3, 1)), assume_a="sym")
    with pytest.raises(ValueError, match="overflow"):
        ad.q16.mul(da.ones(3, dtype=np.int32), da.ones(3, dtype=np.int32), overflow="clip")
    with pytest.raises(TypeError, match="out="):
        ad.matmul(da.ones((2, 2)), da.ones((2, 2)), out=np.empty((2, 2)))
    with pytest.raises(ValueError, match=r"`a` of shape \(2, 4\) and `b` of shape \(3, 8\)"):
        ad.matmul(da.ones((2, 4)), da.ones((3, 8)))


# ---- kernel errors inside tasks: same exception, global index -----------------------

def test_singular_matrix_names_global_batch_index(client):
    a = np.broadcast_to(np.eye(3), (10, 12, 3, 3)).copy()
    a[7, 9] = 0.0
    a[2, 1, 1] = a[2, 1, 0]
    x = ad.solve(chunked(a, (3, 4, 3, 3)), chunked(np.ones((10, 12, 3)), (3, 4, 3))[..., None])
    # the whole call's error, as in memory: both items, in C order
    whole = r"fp\.solve: singular .* at batch index \(2, 1\), \(7, 9\)$"
    with pytest.raises(attncore.SingularMatrixError, match=whole) as info:
        x.compute()
    assert info.value.attncore_location.indices == ((2, 1), (7, 9))
    with pytest.raises(attncore.SingularMatrixError, match=whole):
        x[6:].compute()                # a part of the result runs the whole call
    with pytest.raises(attncore.SingularMatrixError, match=r"at batch index \(2, 1\)"):
        ad.q16.det(chunked(q16.from_float(a[:4]), (3, 1, 3, 3))).compute() if False else \
            ad.q16.inv(chunked(q16.from_float(a[:4]), (3, 1, 3, 3))).compute()


def test_other_kernel_errors_are_global(client):
    spd = _spd((40,), 3)
    spd[33] = -np.eye(3)
    with pytest.raises(attncore.NotPositiveDefiniteError, match=r"at batch index \(33,\)"):
        ad.cho_factor(chunked(spd, (10, 3, 3)))[0].compute()
    m = _affine((25,), False)
    m[21, 3, 0] = 0.5
    with pytest.raises(ValueError, match=r"bottom row .* at batch index \(21,\)"):
        ad.q16.affine_inverse(chunked(q16.from_float(m), (8, 4, 4))).compute()
    a = np.full((30, 20), q16.ONE, np.int32)
    a[26, 17] = q16.MAX
    with pytest.raises(attncore.Q16OverflowError, match=r"q16\.mul: .* at index \(26, 17\)") \
            as info:
        ad.q16.mul(chunked(a, (10, 6)), chunked(a, (10, 6)), overflow="raise").compute()
    assert info.value.index == (26, 17)
    b = np.full((30, 20), q16.ONE, np.int32)
    b[13, 19] = 0
    with pytest.raises(ZeroDivisionError, match=r"q16\.div: division by zero at index \(13, 19\)"):
        ad.q16.div(chunked(a, (10, 6)), chunked(b, (10, 6)), overflow="raise").compute()
    left, right = np.ones((6, 5, 8)), np.ones((8, 5))
    left[4, 3], right[:, 2] = 100.0, 100.0       # only out[4, 3, 2] = 80000 overflows
    left, right = q16.from_float(left), q16.from_float(right)
    with pytest.raises(attncore.Q16OverflowError, match=r"q16\.matmul: .* at index \(4, 3, 2\)"):
        ad.q16.matmul(chunked(left, (4, 3, 8)), chunked(right, (8, 3)),
                      overflow="raise")[4:].compute()


def test_no_partial_result_when_one_chunk_fails(client):
    a = np.broadcast_to(np.eye(2), (50, 2, 2)).copy()
    a[49] = 0
    good = ad.inv(chunked(a[:40], 10))
    bad = ad.inv(chunked(a, 10))
    with pytest.raises(attncore.SingularMatrixError, match=r"\(49,\)"):
        dask.compute(good, bad)
    with pytest.raises(attncore.SingularMatrixError):
        client.compute(bad).result()


# ---- properties (threaded scheduler: many small graphs) ---------------------------------

@st.composite
def batched_systems(draw):
    batch = tuple(draw(st.lists(st.integers(1, 6), min_size=0, max_size=3)))
    n = draw(st.integers(1, 4))
    chunks = tuple(draw(st.integers(1, max(s, 1))) for s in batch)
    b_batch = batch[draw(st.integers(0, len(batch))):]
    b_batch = tuple(1 if draw(st.booleans()) else s for s in b_batch)
    return batch, n, chunks, b_batch


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batched_systems(), st.integers(0, 2**32 - 1))
def test_q16_solve_and_matmul_any_chunking(spec, seed):
    batch, n, chunks, b_batch = spec
    rng = np.random.default_rng(seed)
    a = q16.from_float(rng.uniform(-4, 4, batch + (n, n)) + 6 * np.eye(n))
    b = q16.from_float(rng.uniform(-4, 4, b_batch + (n, 2)))
    with dask.config.set(scheduler="threads"):
        la = chunked(a, chunks + (max(n // 2, 1), n))
        lb = chunked(b, chunks[len(chunks) - len(b_batch):] + (n, 1))
        np.testing.assert_array_equal(ad.q16.solve(la, lb).compute(), q16.solve(a, b))
        np.testing.assert_array_equal(ad.q16.matmul(la, lb).compute(), q16.matmul(a, b))


# ---- the report on the cluster; dask not installed ------------------------------------

def test_distributed_report_equals_local(cluster, tmp_path):
    local, remote = tmp_path / "local.json", tmp_path / "remote.json"
    common = ["report", "--quick", "--no-speed", "--quiet", "--seed", "11"]
    assert cli.main(common + ["--json", str(local)]) == 0
    assert cli.main(common + ["--json", str(remote), "--scheduler",
                              cluster.scheduler_address]) == 0
    a, b = json.loads(local.read_text()), json.loads(remote.read_text())
    assert len(a["accuracy"]) > 50 and a == b


def test_report_cluster_usage_errors(capsys, monkeypatch):
    assert cli.main(["report", "--no-speed", "--quiet", "--workers", "0"]) == 2
    assert "--workers: must be from 1" in capsys.readouterr().err
    monkeypatch.setattr(report_sweep, "CONNECT_TIMEOUT", "1s")
    assert cli.main(["report", "--no-speed", "--quiet", "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "--scheduler tcp://127.0.0.1:9: cannot connect" in capsys.readouterr().err
    assert cli.main(["report", "--workers", "2", "--scheduler", "tcp://x:1"]) == 2


def test_without_dask_import_attncore_works_and_attncore_dask_names_the_extra():
    code = ("import sys\n"
            "for name in ('dask', 'dask.array', 'distributed'):\n"
            "    sys.modules[name] = None\n"
            "import attncore, numpy as np\n"
            "assert attncore.solve(np.eye(2), np.ones(2)).tolist() == [1.0, 1.0]\n"
            "try:\n"
            "    import attncore.dask\n"
            "except ImportError as exc:\n"
            "    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "pip install 'attncore[dask]'" in out
