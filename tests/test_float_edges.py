"""Issue 15, float edges: tiny but well-conditioned systems solve as LAPACK
does (a pivot below the smallest normal is divided by, never inverted into
an overflow), and softmax keeps subnormal probabilities as NumPy does.
The oracle is NumPy (LAPACK, libm's exp) on the same inputs."""
import numpy as np
import pytest

from attncore import fp


@pytest.mark.parametrize("dtype, tiny", [(np.float64, 1e-300), (np.float64, 1e-310),
                                         (np.float32, 1e-39), (np.float32, 1e-44)])
@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_tiny_diagonal_systems_solve_as_lapack(dtype, tiny, n):
    a = np.diag(np.full(n, tiny, dtype=dtype))
    b = np.full(n, tiny, dtype=dtype)
    want = np.linalg.solve(a, b)
    assert np.all(np.isfinite(want))
    # x = 1; a normal pivot is applied as a reciprocal (1 ulp), a subnormal
    # one by division, as LAPACK's getf2 does
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(fp.solve(a, b), want, rtol=2 * eps, atol=0)
    np.testing.assert_allclose(fp.lu_solve(fp.lu_factor(a), b), want, rtol=2 * eps, atol=0)
    inv = fp.inv(a)
    assert np.all(np.isfinite(inv)) or not np.all(np.isfinite(np.linalg.inv(a)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tiny_scaled_general_system(dtype):
    """A well-conditioned matrix scaled into the subnormal-pivot range: the
    solution is the unscaled one's, to a few ulp (LAPACK does the same)."""
    rng = np.random.default_rng(7)
    base = rng.standard_normal((4, 4)) + 4 * np.eye(4)
    x = rng.standard_normal(4)
    scale = 1e-305 if dtype == np.float64 else 1e-40
    a = (base * scale).astype(dtype)
    b = (a.astype(np.float64) @ x).astype(dtype)
    got = fp.solve(a, b)
    want = np.linalg.solve(a, b)
    assert np.all(np.isfinite(got))
    # subnormal inputs keep fewer bits: compare as NumPy's own accuracy allows
    tol = 1e-3 if dtype == np.float32 else 1e-6
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype, gap", [(np.float64, 740.0), (np.float64, 744.0),
                                        (np.float32, 100.0), (np.float32, 103.0)])
def test_softmax_keeps_subnormal_probabilities(dtype, gap):
    x = np.array([0.0, -gap, -2000.0], dtype=dtype)
    e = np.exp(x - x.max())
    want = e / e.sum()
    assert 0 < want[1] < np.finfo(dtype).tiny          # NumPy keeps a subnormal here
    got = fp.softmax(x)
    assert got[0] == want[0] and got[2] == 0
    # libm's exp and ours agree within one subnormal spacing
    spacing = np.finfo(dtype).smallest_subnormal
    assert abs(float(got[1]) - float(want[1])) <= float(spacing)
