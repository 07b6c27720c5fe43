"""Shared inputs for the test suite: edge values and the policy grid."""
import numpy as np
import pytest

import attncore.q16 as q16

ROUNDINGS = ("nearest", "floor")
OVERFLOWS = ("saturate", "raise", "wrap")

# Every edge the issue names (MIN, MAX, +-1, +-ONE) plus exact ties for the
# rounding (+-ONE/2 times odd raw values), near-overflow and sqrt-ish values.
EDGES = np.array(
    sorted({0, 1, -1, 2, -2, 3, -3, q16.ONE, -q16.ONE, q16.ONE // 2, -q16.ONE // 2,
            q16.ONE // 2 + 1, 3 * q16.ONE // 2, -3 * q16.ONE // 2, 2 * q16.ONE, -2 * q16.ONE,
            q16.MIN, q16.MAX, q16.MIN + 1, q16.MAX - 1, 46341 << 8, -(46341 << 8),
            181 << 16, -(182 << 16), 0x7FFF0000, 0x12345, -0x12345}),
    dtype=np.int32,
)


@pytest.fixture
def rng():
    return np.random.default_rng(20261121)


def edge_pairs():
    a, b = np.meshgrid(EDGES, EDGES, indexing="ij")
    return a.ravel(), b.ravel()


def random_q16(rng, n):
    """Mixed magnitudes: full-range raw values and small ones (ties live there)."""
    full = rng.integers(q16.MIN, q16.MAX, size=n, endpoint=True, dtype=np.int64)
    small = rng.integers(-(1 << 20), 1 << 20, size=n, dtype=np.int64) >> rng.integers(0, 16, size=n)
    return np.where(rng.random(n) < 0.5, full, small).astype(np.int32)
