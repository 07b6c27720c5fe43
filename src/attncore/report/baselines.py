"""Baselines of the accuracy report: the textbook 4 x 4 inverse (adjugate /
determinant) that firmware often uses instead of a solve, in float64 and
in Q16.16 built from the public q16 kernels with a rounding after every
product.  Not references: they show what attncore's solves avoid."""
import numpy as np

from attncore import q16


def _cofactors(a, mul, add, sub):
    """Adjugate (transposed cofactors) and determinant of (..., 4, 4) ``a``
    by cofactor expansion, with the arithmetic passed in."""
    def col(i, j):
        return a[..., i, j]

    cof = [[None] * 4 for _ in range(4)]
    for i in range(4):
        for j in range(4):
            # cofactor C_ij: 3 x 3 minor without row i, column j, by expansion
            rows = [r for r in range(4) if r != i]
            cols = [q for q in range(4) if q != j]
            m = [[col(r, q) for q in cols] for r in rows]
            t0 = mul(m[0][0], sub(mul(m[1][1], m[2][2]), mul(m[1][2], m[2][1])))
            t1 = mul(m[0][1], sub(mul(m[1][0], m[2][2]), mul(m[1][2], m[2][0])))
            t2 = mul(m[0][2], sub(mul(m[1][0], m[2][1]), mul(m[1][1], m[2][0])))
            minor = add(sub(t0, t1), t2)
            cof[i][j] = minor if (i + j) % 2 == 0 else sub(np.zeros_like(minor), minor)
    det = add(add(mul(col(0, 0), cof[0][0]), mul(col(0, 1), cof[0][1])),
              add(mul(col(0, 2), cof[0][2]), mul(col(0, 3), cof[0][3])))
    adj = np.stack([np.stack([cof[j][i] for j in range(4)], -1) for i in range(4)], -2)
    return adj, det


def adjugate_inverse(a):
    """float64 4 x 4 inverse as adjugate / determinant (the textbook formula
    the accuracy report compares LU against)."""
    a = np.asarray(a, dtype=np.float64)
    adj, det = _cofactors(a, np.multiply, np.add, np.subtract)
    return adj / det[..., None, None]


def q16_adjugate_inverse(a):
    """Q16.16 4 x 4 inverse as a fixed-point programmer writes it: cofactors
    with a rounding (q16.mul, nearest) after every product, the determinant
    the same way, then one q16.div per entry.  The baseline the LU solve is
    measured against: it loses most fractional bits."""
    a = np.asarray(a, dtype=np.int32)
    adj, det = _cofactors(a, q16.mul, q16.add, q16.sub)
    return q16.div(adj, det[..., None, None])
