"""Small-matrix linear algebra, float and Q16.16.

Float tolerance: the standard forward-error bound of a backward-stable
solve, ``|x - x_ref| <= 4 n eps cond(A) max|x|`` (partial pivoting with no
growth on these matrices, so the backward error is a few n eps).  Q16.16:
every output is the exact value rounded once (bit-exact comparisons with
the Fraction oracle of tests/exact_oracle.py; the constructed worst cases
are in tests/test_linalg_exact.py).
"""
import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

import attncore
import attncore.q16 as q16
from attncore import reference as ref
from attncore.report import baselines
from exact_oracle import expect, solve_exact


def well_conditioned(rng, shape, n, dtype=np.float64):
    return (rng.uniform(-1, 1, shape + (n, n)) + 2 * np.sqrt(n) * np.eye(n)).astype(dtype)


def fp_bound(a, x):
    eps = np.finfo(a.dtype).eps
    n = a.shape[-1]
    cond = np.linalg.cond(a.astype(np.float64)).max() if n else 1.0
    return 4 * n * eps * cond * max(np.abs(x).max(), 1.0)


def q16_exact_solve(a, b, rounding="nearest"):
    """The oracle's correctly rounded solution of each batch item."""
    out = np.empty(b.shape, np.int64)
    for index in np.ndindex(a.shape[:-2]):
        want, _ = expect(solve_exact(a[index].tolist(), b[index].tolist()), rounding,
                         "saturate")
        out[index] = np.array(want).reshape(b.shape[-2:])
    return out


# ---- float ------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9), st.sampled_from([(), (3,), (2, 1)]), st.sampled_from([None, 1, 3]),
       st.sampled_from([np.float32, np.float64]), st.sampled_from(["gen", "pos"]),
       st.integers(0, 2**32 - 1))
def test_fp_solve_matches_numpy(n, batch, k, dtype, assume_a, seed):
    rng = np.random.default_rng(seed)
    a = well_conditioned(rng, batch, n, dtype)
    if assume_a == "pos":
        a = (a @ np.swapaxes(a, -1, -2)).astype(dtype)
    b_batch = (3,) if batch == (2, 1) else ()  # broadcasts to a (2, 3) batch
    b = rng.standard_normal((n,) if k is None else b_batch + (n, k)).astype(dtype)
    x = attncore.solve(a, b, assume_a=assume_a)
    want = np.linalg.solve(a.astype(np.float64), b.astype(np.float64))
    assert x.shape == want.shape and x.dtype == dtype
    assert np.abs(x - want).max() <= fp_bound(a, want)


@pytest.mark.parametrize("n", [2, 3, 4, 7, 32])
def test_lu_factor_is_scipys(n, rng):
    a = well_conditioned(rng, (5,), n)
    lu, piv = attncore.lu_factor(a)
    assert piv.dtype == np.int32
    for i in range(5):
        s_lu, s_piv = scipy.linalg.lu_factor(a[i])
        assert np.array_equal(piv[i], s_piv)
        np.testing.assert_allclose(lu[i], s_lu, rtol=0, atol=fp_bound(a, s_lu))
    b = rng.standard_normal((5, n, 2))
    x = attncore.lu_solve((lu, piv), b)
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=0, atol=fp_bound(a, x))
    x1 = attncore.lu_solve((lu, piv), b[0, :, 0])  # a vector broadcast over the batch
    assert x1.shape == (5, n)


@pytest.mark.parametrize("lower", [True, False])
def test_cholesky_factor_and_solve(lower, rng):
    g = well_conditioned(rng, (4,), 5)
    a = g @ np.swapaxes(g, -1, -2)
    c, low = attncore.cho_factor(a, lower=lower)
    assert low is lower
    rebuilt = c @ np.swapaxes(c, -1, -2) if lower else np.swapaxes(c, -1, -2) @ c
    np.testing.assert_allclose(rebuilt, a, rtol=0, atol=1e-12 * np.abs(a).max())
    assert np.all(np.triu(c, 1) == 0) if lower else np.all(np.tril(c, -1) == 0)
    b = rng.standard_normal((4, 5, 3))
    np.testing.assert_allclose(attncore.cho_solve((c, low), b), np.linalg.solve(a, b),
                               rtol=0, atol=1e-10)
    upper_scipy = scipy.linalg.cho_factor(a[0], lower=False)[0]
    if not lower:
        np.testing.assert_allclose(np.triu(upper_scipy), c[0], rtol=0, atol=1e-12)


def test_pivoted_cholesky_on_semidefinite_input(rng):
    g = rng.standard_normal((6, 3))
    a = g @ g.T  # rank 3
    c, low, perm, rank = attncore.cho_factor(a, pivot=True)
    assert int(rank) == 3
    p = a[np.ix_(perm, perm)]
    np.testing.assert_allclose(c @ c.T, p, rtol=0, atol=1e-10 * np.abs(a).max())
    with pytest.raises(attncore.SingularMatrixError, match="rank"):
        attncore.cho_solve((c, low, perm, rank), np.ones(6))
    # full rank and badly scaled: pivoting still solves it
    d = np.diag([1e-3, 1.0, 1e3])
    full = d @ (np.eye(3) + 0.1) @ d
    factor = attncore.cho_factor(full, pivot=True)
    x = attncore.cho_solve(factor, np.ones(3))
    np.testing.assert_allclose(full @ x, np.ones(3), rtol=1e-6)


def test_det_inv_and_affine(rng):
    a = well_conditioned(rng, (10,), 4)
    np.testing.assert_allclose(attncore.det(a), np.linalg.det(a), rtol=1e-12)
    np.testing.assert_allclose(attncore.inv(a), np.linalg.inv(a), rtol=0, atol=1e-12)
    assert attncore.det(np.zeros((3, 3))) == 0
    q, _ = np.linalg.qr(rng.standard_normal((10, 3, 3)))
    m = np.tile(np.eye(4), (10, 1, 1))
    m[:, :3, :3] = q
    m[:, :3, 3] = rng.standard_normal((10, 3))
    for kind in ("rigid", "affine"):
        out = attncore.affine_inverse(m, kind=kind)
        np.testing.assert_allclose(out, np.linalg.inv(m), rtol=0, atol=1e-12)
        assert np.all(out[:, 3] == [0, 0, 0, 1])
    m3 = np.array([[2.0, 0, 1], [0, 4, 2], [0, 0, 1]])
    np.testing.assert_allclose(attncore.affine_inverse(m3), np.linalg.inv(m3), atol=1e-15)


def test_results_independent_of_threads(rng):
    a = well_conditioned(rng, (3000,), 4)
    b = rng.standard_normal((3000, 4, 1))
    before = attncore.get_num_threads()
    try:
        attncore.set_num_threads(1)
        one = attncore.solve(a, b)
        attncore.set_num_threads(2)
        two = attncore.solve(a, b)
    finally:
        attncore.set_num_threads(before)
    assert np.array_equal(one, two)


@pytest.mark.parametrize("backend", ["fp", "q16"])
def test_linalg_errors(backend, rng):
    be = attncore.fp if backend == "fp" else q16
    conv = (lambda x: x) if backend == "fp" else q16.from_float
    a = conv(well_conditioned(rng, (2, 3), 3))
    a[1, 2] = 0  # singular item at batch index (1, 2)
    with pytest.raises(attncore.SingularMatrixError, match=r"\(1, 2\)") as info:
        be.solve(a, conv(np.ones(3)))
    assert isinstance(info.value, np.linalg.LinAlgError)
    with pytest.raises(attncore.SingularMatrixError, match=r"\(1, 2\)"):
        be.inv(a)
    with pytest.raises(attncore.SingularMatrixError):
        be.lu_factor(a)
    not_pd = conv(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(attncore.NotPositiveDefiniteError) as info:
        be.cho_factor(not_pd)
    assert isinstance(info.value, np.linalg.LinAlgError)
    with pytest.raises(attncore.NotPositiveDefiniteError):
        be.solve(not_pd, conv(np.ones(2)), assume_a="pos")
    with pytest.raises(ValueError, match=r"\(3, 4\)"):
        be.solve(conv(np.ones((3, 4))), conv(np.ones(3)))
    with pytest.raises(ValueError, match="do not match"):
        be.solve(conv(np.eye(3)), conv(np.ones(4)))
    with pytest.raises(ValueError, match="broadcast"):
        be.solve(conv(np.ones((2, 3, 3))), conv(np.ones((4, 3, 1))))
    with pytest.raises(ValueError, match="assume_a"):
        be.solve(conv(np.eye(3)), conv(np.ones(3)), assume_a="sym")
    bad = conv(np.eye(4))
    bad[3, 0] = bad[0, 0]
    with pytest.raises(ValueError, match="bottom row"):
        be.affine_inverse(bad)
    with pytest.raises(ValueError, match="4, 4"):
        be.affine_inverse(conv(np.eye(5)))
    with pytest.raises(ValueError, match="kind"):
        be.affine_inverse(conv(np.eye(4)), kind="projective")
    if backend == "q16":
        with pytest.raises(TypeError, match="from_float"):
            q16.solve(np.eye(3), np.ones(3))


# ---- Q16.16 -----------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.sampled_from([2, 3, 4, 6, 9]), st.sampled_from(["gen", "pos"]),
       st.integers(0, 2**32 - 1))
def test_q16_solve_is_correctly_rounded(n, assume_a, seed):
    rng = np.random.default_rng(seed)
    a = well_conditioned(rng, (3,), n)
    if assume_a == "pos":
        a = a @ np.swapaxes(a, -1, -2)
    qa = q16.from_float(a)
    x = rng.uniform(-300, 300, (3, n, 2))
    qb = q16.from_float(a @ x)
    for rounding in ("nearest", "floor"):
        got = q16.solve(qa, qb, assume_a=assume_a, rounding=rounding)
        assert np.array_equal(got, q16_exact_solve(qa, qb, rounding))


def test_q16_solve_beats_the_adjugate_inverse(rng):
    qa = q16.from_float(rng.uniform(-2, 2, (60, 4, 4)) + 3 * np.eye(4))
    qb = q16.from_float(rng.uniform(-50, 50, (60, 4, 1)))
    exact = ref.q16_solve_exact(qa, qb)
    lu = np.abs(q16.solve(qa, qb) - exact).max()
    adjugate = np.abs(q16.matmul(baselines.q16_adjugate_inverse(qa), qb) - exact).max()
    assert lu <= 0.5 + 1e-6  # correctly rounded (float64 of the exact value: 1e-6 LSB)
    assert adjugate > 20 * lu  # the gap the accuracy report shows


def test_q16_factors_det_inv_affine(rng):
    a = well_conditioned(rng, (8,), 4)
    qa = q16.from_float(a)
    af = q16.to_float(qa)
    lu, piv = q16.lu_factor(qa)
    s_lu, s_piv = scipy.linalg.lu_factor(af[0])
    assert np.array_equal(piv[0], s_piv)
    assert np.abs(lu[0] - s_lu * q16.ONE).max() <= 0.5 + 1e-6  # SciPy's factor, rounded once
    assert np.abs(q16.det(qa) - np.linalg.det(af) * q16.ONE).max() <= 0.5 + 1e-3
    assert np.abs(q16.inv(qa) - np.linalg.inv(af) * q16.ONE).max() <= 0.5 + 1e-3
    spd = q16.from_float(a @ np.swapaxes(a, -1, -2))
    c, low = q16.cho_factor(spd)
    want = np.linalg.cholesky(q16.to_float(spd)) * q16.ONE
    assert np.abs(c - want).max() <= 0.5 + 1e-3
    factor = q16.cho_factor(spd, pivot=True)
    c, low, perm, rank = factor
    assert np.all(rank == 4)
    b = q16.from_float(rng.uniform(-5, 5, (8, 4)))
    x = q16.cho_solve(factor, b[:, :, None])
    assert np.array_equal(x, q16_exact_solve(spd, b[:, :, None]))
    assert np.array_equal(x, q16.solve(spd, b[:, :, None], assume_a="pos"))
    # rigid: transpose exact, translation one exact dot product rounded once
    q, _ = np.linalg.qr(rng.standard_normal((8, 3, 3)))
    m = np.tile(np.eye(4), (8, 1, 1))
    m[:, :3, :3] = q
    m[:, :3, 3] = rng.uniform(-100, 100, (8, 3))
    qm = q16.from_float(m)
    out = q16.affine_inverse(qm, kind="rigid")
    assert np.array_equal(out[:, :3, :3], np.swapaxes(qm[:, :3, :3], -1, -2))
    for i in range(8):
        for r in range(3):
            total = -sum(int(qm[i, p, r]) * int(qm[i, p, 3]) for p in range(3))
            assert out[i, r, 3] == ref.round_ratio(total, 1 << 16)
    assert np.all(out[:, 3] == [0, 0, 0, q16.ONE])
    aff = q16.affine_inverse(qm, kind="affine")
    assert np.abs(aff - np.linalg.inv(q16.to_float(qm)) * q16.ONE).max() <= 0.5 + 1e-3


def test_q16_saturation_and_raise():
    tiny = np.array([[1, 0], [0, 1]], np.int32)  # 2**-16 * I: its inverse is 2**16 * I
    with q16.count_saturations() as sat:
        out = q16.inv(tiny)
    assert out[0, 0] == q16.MAX and sat.saturated["q16.inv"] == 2
    with pytest.raises(attncore.Q16OverflowError, match=r"q16.solve.*\(0, 0\)"):
        q16.solve(tiny, np.array([[q16.ONE], [0]], np.int32), overflow="raise")
