"""Adversarial families of ``attncore report``: constructed edge cases, not
random draws, and the worst error each kernel shows on them.

Every generator builds inputs that sit exactly where a Q16.16 kernel can go
wrong: dot products whose exact sum is at +-2**63 or at the ends of the
Q16.16 range, exact ties (results exactly half an LSB), results exactly on
the grid, matrices with cond(A) up to about 1e8, the determinant and
attention counterexamples of issue 15 and long softmax rows.  Random numbers
only choose among such constructions (which odd factor, which sign, which
prefix), so the cases stay adversarial for every seed.

The oracles are written here with Python ints and :class:`fractions.Fraction`
(exact), and mpmath for the exponentials of softmax and attention, grouping
equal keys (a long row of one repeated key costs one exponential).  None of
them calls a kernel.  The error of an output is ``|got - clamp(exact)|`` in
LSB, where ``clamp`` limits the exact value to [MIN, MAX]: a correctly
rounded, saturating kernel is within 0.5 LSB of it (nearest) or below 1 LSB
(floor) for every input, and a saturation with the wrong sign shows up as an
error of about 2**32 LSB.  Outputs whose exact value is out of range are
also counted in ``saturations``.
"""
import itertools
from fractions import Fraction

import numpy as np

import attncore.q16 as q16
from attncore.report.accuracy import Case, row

ONE = 1 << 16
MIN, MAX = -(1 << 31), (1 << 31) - 1
MODES = ("nearest", "floor")
FAMILY = {"nearest": "adversarial", "floor": "adversarial-floor"}

# the counterexamples of issue 15 as raw int32 values: the det matrices'
# entries are real numbers (raw = 65536 times them), so the 4 x 4 has raw
# det 2**64 and determinant exactly 1.0
ISSUE_DET = [[v * ONE for v in r] for r in [[-7601, -28588, 19241, -3201],
                                            [-30950, -10257, -6234, 10128],
                                            [-28319, 11686, -20962, 9396],
                                            [29451, -17218, 11649, 30514]]]
ISSUE_DET_FLOOR = [[v * ONE for v in r] for r in [[1, 30, 22], [21, 631, 434], [35, 1051, 743]]]
ISSUE_SOLVE_TIE = ([[-196608, -65536], [-327680, 327680]], [-901827, -721995])
ATTN_KEY = -1817044  # exp(-1817044 / 2**16) < 2**-40


# ---- exact oracles -------------------------------------------------------------

def _clamp(v):
    return min(max(v, MIN), MAX)


def _rounded(v, mode):
    """An exact rational rounded once (nearest: ties to even) and saturated."""
    r = round(v) if mode == "nearest" else v.numerator // v.denominator
    return _clamp(r)


class _Worst:
    """Errors, saturations, mismatches and the description of every output,
    per rounding mode."""

    def __init__(self):
        self.err, self.sat, self.what = {m: [] for m in MODES}, dict.fromkeys(MODES, 0), \
            {m: [] for m in MODES}
        self.wrong = dict.fromkeys(MODES, 0)
        self.exact_rounding = True

    def add(self, mode, got, exact, whats):
        """``exact``: Fractions (a correctly rounded kernel: mismatches are
        counted against the exact value rounded once) or floats (softmax,
        attention: only the error)."""
        if isinstance(exact, np.ndarray) or (exact and isinstance(exact[0], float)):
            self.exact_rounding = False
            clamped = np.clip(np.asarray(exact, np.float64), MIN, MAX)
            self.err[mode] += np.abs(np.asarray(got, np.float64).ravel() - clamped).tolist()
        else:
            got = [int(g) for g in np.asarray(got).ravel()]
            self.err[mode] += [abs(float(Fraction(g) - _clamp(e))) for g, e in zip(got, exact)]
            self.wrong[mode] += sum(1 for g, e in zip(got, exact) if g != _rounded(e, mode))
            rounded = (round(e) if mode == "nearest" else e.numerator // e.denominator
                       for e in exact)
            self.sat[mode] += sum(1 for r in rounded if not MIN <= r <= MAX)
        self.what[mode] += whats

    def rows(self, kernel, size, note=""):
        """One row per rounding mode: max |error| and where it happened."""
        out = []
        for mode in MODES:
            err = self.err[mode]
            extra = dict(rounding=mode)
            if self.exact_rounding:
                extra["mismatches"] = self.wrong[mode]
            worst = f"worst: {self.what[mode][int(np.argmax(err))]}" if err else ""
            out.append(row(kernel, FAMILY[mode], "q16", size, err, "LSB", self.sat[mode],
                           note="; ".join(t for t in (note, worst) if t), **extra))
        return out


def _gauss(a, b):
    """Exact solution of a x = b over Fractions (Gauss-Jordan, partial search
    for a nonzero pivot); None when a is singular."""
    n = len(a)
    m = [[Fraction(v) for v in r] + [Fraction(v) for v in br] for r, br in zip(a, b)]
    for c in range(n):
        p = next((i for i in range(c, n) if m[i][c] != 0), None)
        if p is None:
            return None
        m[c], m[p] = m[p], m[c]
        for i in range(n):
            if i != c and m[i][c] != 0:
                f = m[i][c] / m[c][c]
                m[i] = [x - f * y for x, y in zip(m[i], m[c])]
    return [[v / m[i][i] for v in m[i][n:]] for i in range(n)]


def _det_int(a):
    """det of an integer matrix by the Leibniz sum (n <= 4 here)."""
    n = len(a)
    total = 0
    for perm in itertools.permutations(range(n)):
        inversions = sum(1 for i in range(n) for j in range(i + 1, n) if perm[i] > perm[j])
        term = -1 if inversions % 2 else 1
        for i, p in enumerate(perm):
            term *= a[i][p]
        total += term
    return total


def solve_exact(a, b):
    """Raw Q16.16 solution ``2**16 * A^-1 b`` as Fractions (row-major), or None."""
    x = _gauss(a, b)
    return None if x is None else [v * ONE for r in x for v in r]


def _cond(a):
    return float(np.linalg.cond(np.asarray(a, np.float64)))


# ---- constructions -----------------------------------------------------------

def _odd(rng, bound):
    return int(rng.integers(0, bound // 2)) * 2 + 1


def _sign(rng):
    return 1 if rng.random() < 0.5 else -1


def _elementwise_pairs(rng, kernel, count):
    """(a, b, what) triples for mul and div."""
    special = [MIN, MIN + 1, -ONE - 1, -ONE, -(1 << 15), -1, 1, 1 << 15, ONE, ONE + 1,
               MAX - 1, MAX]
    out = [(x, y, "extremes") for x in special for y in special]
    for _ in range(count):
        k = int(rng.integers(0, 16))
        if kernel == "mul":  # a b = odd * 2**15: exactly half an LSB
            x, y = _odd(rng, 1 << 14) << k, _odd(rng, 1 << 14) << (15 - k)
            out.append((_sign(rng) * x, _sign(rng) * y, "tie"))
            x = int(rng.integers(ONE, MAX))  # products at the ends of the range
            for target in (MAX, MIN):
                y = int((2 * target + _sign(rng)) * ONE // (2 * x))
                out.append((x, y + int(rng.integers(-2, 3)), "range edge"))
            out.append((_sign(rng) * (_odd(rng, 1 << 15) << 16),
                        int(rng.integers(-(1 << 15), 1 << 15)), "on the grid"))
        else:  # a 2**16 / b = odd / 2 with b = 2**17 d: exactly half an LSB
            d = _odd(rng, 1 << 13)
            out.append((_sign(rng) * d * _odd(rng, MAX // d), _sign(rng) * (d << 17), "tie"))
            y = int(rng.integers(1, 1 << 16)) * _sign(rng)  # quotients at the range ends
            x = max(MIN, min(MAX, (MAX if rng.random() < 0.5 else MIN) * y // ONE
                             + int(rng.integers(-3, 4))))
            out.append((x, y, "range edge"))
            d = _odd(rng, 1 << 15)
            out.append((d * int(rng.integers(-(1 << 15), 1 << 15)), d, "on the grid"))
    if kernel == "div":
        out = [(x, y, w) for x, y, w in out if y != 0]
    return out


def _hit(u, w, target):
    """Extend the dot product u . w with pairs so that it equals ``target``
    exactly (pairs against MIN take out 2**31 at a time, then one pair
    against 1)."""
    u, w = list(u), list(w)
    rest = target - sum(x * y for x, y in zip(u, w))
    while not MIN <= rest <= MAX:
        q = _clamp(rest // MIN)
        u.append(q)
        w.append(MIN)
        rest -= q * MIN
    u.append(rest)
    w.append(1)
    return u, w


MATMUL_TARGETS = [(1 << 63) - 1, 1 << 63, (1 << 63) + 1, (1 << 63) - (1 << 15),
                  -(1 << 63), -(1 << 63) - 1, -(1 << 63) + 1,
                  MAX * ONE + (1 << 15) - 1, MAX * ONE + (1 << 15), MAX * ONE + (1 << 15) + 1,
                  MIN * ONE - (1 << 15) - 1, MIN * ONE - (1 << 15), MIN * ONE - (1 << 15) + 1,
                  (1 << 15), -(1 << 15), 3 << 15, 0]


def _matmul_vectors(rng, count):
    """(u, w, what): dot products at +-2**63, at the Q16.16 range ends, exact
    ties, and MIN/MAX rows of the issue."""
    out = [([MAX] * 3, [1431655766] * 3, "issue: [MAX]*3 @ [1431655766]*3"),
           ([MIN, MIN, -1], [MIN, MIN, 1], "issue: [MIN,MIN,-1] @ [MIN,MIN,1]"),
           ([MIN, MIN], [MIN, MIN], "sum 2**63"),
           ([MIN] * 4, [1 << 30] * 4, "sum -2**63"),
           ([MAX, MAX, MIN, MIN], [MAX] * 4, "partial sums beyond 2**63, total in range")]
    for k in (3, 4, 8, 64):
        out += [([MIN] * k, [MIN] * k, f"MIN row @ MIN column, k={k}"),
                ([MAX] * k, [MIN] * k, f"MAX row @ MIN column, k={k}"),
                ([MAX, MIN] * (k // 2) + [MAX] * (k % 2), [MAX] * k,
                 f"alternating MAX/MIN row, k={k}")]
    extreme = [MIN, MIN + 1, MAX, MAX - 1, 1 << 30, -(1 << 30), 1, -1, 0]
    for _ in range(count):
        k = int(rng.choice([1, 2, 3, 6, 14, 60]))
        u = [int(v) for v in rng.choice(extreme, k)]
        w = [int(v) for v in rng.choice(extreme, k)]
        target = int(MATMUL_TARGETS[int(rng.integers(0, len(MATMUL_TARGETS)))])
        if rng.random() < 0.3:  # a tie anywhere in the range
            target = _odd(rng, 1 << 40) * (1 << 15) * _sign(rng)
        uu, ww = _hit(u, w, target)
        out.append((uu, ww, f"extreme prefix, sum {target}"))
    return out


def _batch_matmul(rng, vectors):
    """Group the dot products by length; length 3 and 4 go through the
    fixed-size square kernels (row 0 of a times column 0 of b), every other
    length through (2, k) @ (k, 2) (the general accumulation path)."""
    groups = {}
    for u, w, what in vectors:
        k = len(u)
        n = k if k in (3, 4) else 2
        a = rng.integers(-(1 << 20), 1 << 20, (n, k))
        b = rng.integers(-(1 << 20), 1 << 20, (k, n))
        a[0], b[:, 0] = u, w
        groups.setdefault((n, k), []).append((a, b, what))
    return groups


def _unimodular(rng, n, bound):
    """An integer matrix of det +-1 whose entries grow up to ``bound``: its
    condition number grows with them (to about bound**2)."""
    m = np.eye(n, dtype=object)
    for _ in range(400):
        i, j = rng.choice(n, 2, replace=False)
        f = int(rng.integers(-3, 4))
        new = m[i] + f * m[j]
        if max(abs(int(v)) for v in new) >= bound:
            break
        m[i] = new
    return [[int(v) for v in r] for r in m]


def _fix_column(rng, a, x, modulus):
    """Change the last column of a so that each row of a @ x is a multiple of
    ``modulus`` (x's last entry is odd, so invertible modulo 2**k)."""
    n = len(a)
    inv = pow(x[-1], -1, modulus)
    for i in range(n):
        rest = sum(a[i][j] * x[j] for j in range(n))
        delta = (-rest * inv) % modulus
        a[i][-1] += delta - (modulus if delta >= modulus // 2 else 0)
    return a


def _systems(rng, count, spd):
    """(a, b, what) linear systems: the issue's, exact ties, exact grid
    results, and ill-conditioned matrices (cond up to about 1e8).  With
    ``spd`` every matrix is symmetric positive definite."""
    out = []
    if not spd:
        out += [([[3, 1], [1, 1]], [4, 2], "issue: A=[[3,1],[1,1]] b=[4,2] (raw)"),
                ([[3 * ONE, ONE], [ONE, ONE]], [4 * ONE, 2 * ONE], "issue: [[3,1],[1,1]] x ONE"),
                ([[2 * ONE, ONE], [ONE, ONE]], [4 * ONE, 2 * ONE], "issue: [[2,1],[1,1]] x ONE"),
                (*ISSUE_SOLVE_TIE, "issue: tie 261556.5")]
    else:
        out += [([[2 * ONE, ONE], [ONE, ONE]], [4 * ONE, 2 * ONE], "issue: [[2,1],[1,1]] x ONE")]
    for t in range(count):
        n = 2 + t % 3
        kind = ("tie", "grid", "whole", "cond")[(t // 3) % 4]
        if spd:
            s = _unimodular(rng, n, 1 << 7)
            g = [[sum(s[p][i] * s[p][j] for p in range(n)) for j in range(n)] for i in range(n)]
            if kind == "tie":  # a = 2**17 S, b = S m, m odd: x = m / 2 exactly
                m = [_odd(rng, 1 << 12) * _sign(rng) for _ in range(n)]
                a = [[v << 17 for v in r] for r in g]
                b = [sum(g[i][j] * m[j] for j in range(n)) for i in range(n)]
            else:  # ill-conditioned S^T S, real-integer x: the result is on the grid
                scale = 1 << int(rng.integers(8, 17))
                a = [[v * scale for v in r] for r in g]
                x = [int(rng.integers(-20, 21)) for _ in range(n)]
                b = [sum(a[i][j] * x[j] for j in range(n)) for i in range(n)]
                kind = "grid, ill-conditioned"
        elif kind in ("tie", "grid"):  # x = odd / 2 (tie) or any integer (grid), raw
            a = [[int(v) for v in r] for r in rng.integers(-(1 << 20), 1 << 20, (n, n))]
            if kind == "tie":
                odd = [_odd(rng, 1 << 20) * _sign(rng) for _ in range(n)]
                a = _fix_column(rng, a, odd, 1 << 17)
                b = [sum(a[i][j] * odd[j] for j in range(n)) >> 17 for i in range(n)]
            else:
                x = [int(rng.integers(-(1 << 24), 1 << 24)) for _ in range(n - 1)]
                x.append(_odd(rng, 1 << 24))
                a = _fix_column(rng, a, x, 1 << 16)
                b = [sum(a[i][j] * x[j] for j in range(n)) >> 16 for i in range(n)]
        else:  # unimodular times 2**s: cond up to ~1e8, exact real-integer or random b
            s = 1 << int(rng.integers(4, 17))
            a = [[v * s for v in r] for r in _unimodular(rng, n, 1 << 13)]
            if kind == "whole":
                x = [int(rng.integers(-20, 21)) for _ in range(n)]
                b = [sum(a[i][j] * x[j] for j in range(n)) for i in range(n)]
                kind = "whole-number x, ill-conditioned"
            else:
                b = [int(v) for v in rng.integers(-(1 << 12), 1 << 12, n)]
                kind = "ill-conditioned"
        if all(MIN <= v <= MAX for r in a for v in r) and all(MIN <= v <= MAX for v in b) \
                and _det_int(a) != 0:
            out.append((a, b, kind))
    return out


def _dets(rng, count):
    """(a, what) for det: the issue's matrices, exact ties and grid results
    (a = P L U with the 2-adic valuation of det(U) chosen), and unimodular
    (det exactly +-1) ill-conditioned matrices scaled by ONE."""
    out = [(ISSUE_DET, "issue: exact det 1.0 (raw det 2**64)"),
           (ISSUE_DET_FLOOR, "issue: [[1,30,22],[21,631,434],[35,1051,743]] x ONE")]
    for t in range(count):
        n = 2 + t % 3
        kind = ("tie", "grid", "unimodular")[(t // 3) % 3]
        if kind == "unimodular":
            a = [[v * ONE for v in r] for r in _unimodular(rng, n, 1 << 14)]
        else:
            # det(a) / 2**(16(n-1)) = odd / 2 (tie) or an integer (grid)
            bits = 16 * (n - 1) - (1 if kind == "tie" else 0)
            shares = [bits // n + (1 if i < bits % n else 0) for i in range(n)]
            diag = [(_odd(rng, 1 << 4) << s) * _sign(rng) for s in shares]
            low = [[1 if i == j else (int(rng.integers(-3, 4)) if j < i else 0)
                    for j in range(n)] for i in range(n)]
            up = [[diag[i] if i == j else (int(rng.integers(-(1 << 14), 1 << 14)) if j > i
                                           else 0) for j in range(n)] for i in range(n)]
            a = [[sum(low[i][p] * up[p][j] for p in range(n)) for j in range(n)]
                 for i in range(n)]
            a = [a[i] for i in rng.permutation(n)]
        if all(MIN <= v <= MAX for r in a for v in r):
            out.append((a, kind))
    return out


# ---- kernels -----------------------------------------------------------------

def _elementwise(kernel, count):
    def run(rng):
        cases = _elementwise_pairs(rng, kernel, count)
        a = np.array([c[0] for c in cases], np.int32)
        b = np.array([c[1] for c in cases], np.int32)
        if kernel == "mul":
            exact = [Fraction(x * y, ONE) for x, y, _ in cases]
        else:
            exact = [Fraction(x * ONE, y) for x, y, _ in cases]
        whats = [f"{c[2]}: ({c[0]}, {c[1]})" for c in cases]
        worst = _Worst()
        for mode in MODES:
            with q16.errstate(saturation="ignore"):
                worst.add(mode, getattr(q16, kernel)(a, b, rounding=mode), exact, whats)
        return worst.rows(kernel, f"{len(cases)} pairs")
    return run


def _matmul(count):
    def run(rng):
        groups = _batch_matmul(rng, _matmul_vectors(rng, count))
        worst = _Worst()
        for (n, k), items in groups.items():
            a = np.array([i[0] for i in items], np.int32)
            b = np.array([i[1] for i in items], np.int32)
            exact = [Fraction(sum(int(x) * int(y) for x, y in zip(ai[r], bi[:, c])), ONE)
                     for ai, bi, _ in items for r in range(n) for c in range(n)]
            whats = [f"{what} ({n}x{k} @ {k}x{n}, output [{r},{c}])"
                     for _, _, what in items for r in range(n) for c in range(n)]
            for mode in MODES:
                with q16.errstate(saturation="ignore"):
                    worst.add(mode, q16.matmul(a, b, rounding=mode), exact, whats)
        return worst.rows("matmul", f"{sum(map(len, groups.values()))} products")
    return run


def _group_by_n(items):
    groups = {}
    for item in items:
        groups.setdefault(len(item[0]), []).append(item)
    return [groups[n] for n in sorted(groups)]


def solve_call(kernel, a, b, mode):
    """One of the four solve paths of the report on raw arrays."""
    if kernel == "solve":
        return q16.solve(a, b, rounding=mode)
    if kernel == "cho_solve":
        return q16.solve(a, b, assume_a="pos", rounding=mode)
    if kernel == "lu_solve":  # factor once, solve many
        return q16.lu_solve(q16.lu_factor(a, rounding=mode), b, rounding=mode)
    if kernel == "cho_factor_solve":
        return q16.cho_solve(q16.cho_factor(a, rounding=mode), b, rounding=mode)
    raise ValueError(f"unknown solve path {kernel!r}")


def _solves(kernel, count):
    """``solve`` and, on the same general systems, the factor-once
    ``lu_solve``; or ``cho_solve`` (solve with assume_a="pos") and
    ``cho_factor_solve`` on the same SPD systems."""
    spd = kernel == "cho_solve"
    names = (kernel, "cho_factor_solve" if spd else "lu_solve")

    def run(rng):
        systems = _systems(rng, count, spd)
        worst = {name: _Worst() for name in names}
        conds = []
        for items in _group_by_n(systems):
            n = len(items[0][0])
            a = np.array([i[0] for i in items], np.int32)
            b = np.array([i[1] for i in items], np.int32)[..., None]
            exact, whats = [], []
            for ai, bi, what in items:
                exact += solve_exact(ai, [[v] for v in bi])
                conds.append(_cond(ai))
                whats += [f"{what}, n={n}, cond {conds[-1]:.2g}: A={ai} b={bi}"] * n
            for name in names:
                for mode in MODES:
                    with q16.errstate(saturation="ignore"):
                        worst[name].add(mode, solve_call(name, a, b, mode), exact, whats)
        return [r for name in names for r in worst[name].rows(
            name, f"{len(systems)} systems", f"cond(A) up to {max(conds):.2g}")]
    return run


def _det(count):
    def run(rng):
        mats = _dets(rng, count)
        worst = _Worst()
        for items in _group_by_n(mats):
            n = len(items[0][0])
            arr = np.array([a for a, _ in items], np.int32)
            exact = [Fraction(_det_int(a), 1 << (16 * (n - 1))) for a, _ in items]
            whats = [f"{w}, n={n}: {a}" for a, w in items]
            for mode in MODES:
                with q16.errstate(saturation="ignore"):
                    worst.add(mode, q16.det(arr, rounding=mode), exact, whats)
        return worst.rows("det", f"{len(mats)} matrices")
    return run


def _inv(count):
    def run(rng):
        mats = [(a, w) for a, w in _dets(rng, count) if _det_int(a) != 0]
        mats += [([[v * s for v in r] for r in _unimodular(rng, n, 1 << 13)],
                  "ill-conditioned")
                 for n in (2, 3, 4) for s in (1 << 4, ONE) for _ in range(count // 12)]
        worst = _Worst()
        for items in _group_by_n(mats):
            n = len(items[0][0])
            arr = np.array([a for a, _ in items], np.int32)
            eye = [[1 if i == j else 0 for j in range(n)] for i in range(n)]
            exact, whats = [], []
            for a, w in items:
                exact += [v * ONE * ONE for r in _gauss(a, eye) for v in r]
                whats += [f"{w}, n={n}, cond {_cond(a):.2g}: {a}"] * (n * n)
            for mode in MODES:
                with q16.errstate(saturation="ignore"):
                    worst.add(mode, q16.inv(arr, rounding=mode), exact, whats)
        return worst.rows("inv", f"{len(mats)} matrices")
    return run


# ---- softmax and attention: long rows of few distinct values ------------------------

def softmax_exact(values, dps=50):
    """Exact softmax (raw units, float64) of one raw row, one exponential per
    distinct value."""
    import mpmath

    distinct, inverse, counts = np.unique(np.asarray(values, np.int64), return_inverse=True,
                                          return_counts=True)
    top = int(distinct.max())
    with mpmath.workdps(dps):
        e = [mpmath.exp(mpmath.mpf(int(v) - top) / ONE) for v in distinct]
        total = mpmath.fsum(int(c) * x for c, x in zip(counts, e))
        p = np.array([float(x / total * ONE) for x in e])
    return p[inverse.ravel()]


def sdpa_exact(q_row, k, v, scale_raw, dps=50):
    """Exact attention output (raw units, float64) of one query row over the
    keys ``k (S, E)`` and values ``v (S, Ev)``: scores are the exact integers
    dot * scale_raw / 2**48; equal (key, value) rows are grouped."""
    import mpmath

    e_dim = np.shape(k)[1]
    rows, counts = np.unique(np.concatenate([np.asarray(k, np.int64), np.asarray(v, np.int64)],
                                            axis=1), axis=0, return_counts=True)
    scores = [sum(int(x) * int(y) for x, y in zip(q_row, r[:e_dim])) * int(scale_raw)
              for r in rows]
    top = max(scores)
    with mpmath.workdps(dps):
        e = [int(c) * mpmath.exp(mpmath.mpf(s - top) / 2**48) for s, c in zip(scores, counts)]
        total = mpmath.fsum(e)
        return [float(mpmath.fsum(x * int(r[e_dim + d]) for x, r in zip(e, rows)) / total)
                for d in range(rows.shape[1] - e_dim)]


def _softmax(lengths):
    def run(rng):
        rows_in = []
        for n in lengths:
            c = int(rng.integers(10 * ONE, 30 * ONE))
            rows_in += [([0] * n, f"n={n}, all equal (p = 2**16 / n)"),
                        ([0] + [ATTN_KEY] * (n - 1), f"n={n}, one 0 and n-1 at {ATTN_KEY}"),
                        ([MAX] + [MAX - (1 << 20)] * (n - 1), f"n={n}, top MAX, rest 16 below"),
                        ([0] * (n // 2) + [-c] * (n - n // 2), f"n={n}, half at -{c}")]
        worst = _Worst()
        for values, what in rows_in:
            x = np.array(values, np.int32)
            exact = softmax_exact(x)
            for mode in MODES:
                worst.add(mode, q16.softmax(x, rounding=mode), exact, [what] * len(values))
        return worst.rows("softmax", f"{len(rows_in)} rows, n <= {max(lengths)}")
    return run


def _sdpa(lengths):
    def run(rng):
        cases = []
        for s in lengths:
            c = -int(rng.integers(20 * ONE, 33 * ONE))  # weights 2**-29 .. 2**-48
            cases += [([0] + [ATTN_KEY] * (s - 1), [MAX] + [MIN] * (s - 1),
                       f"issue: S={s}, k=[0]+[{ATTN_KEY}]*(S-1), v=[MAX]+[MIN]*(S-1)"),
                      ([0] + [c] * (s - 1), [MIN] + [MAX] * (s - 1),
                       f"S={s}, k=[0]+[{c}]*(S-1), v=[MIN]+[MAX]*(S-1)"),
                      ([0] * s, [MAX] * (s // 2) + [MIN] * (s - s // 2),
                       f"S={s}, equal keys, v half MAX half MIN")]
        worst = _Worst()
        q = np.array([[ONE]], np.int32)
        for keys, vals, what in cases:
            k = np.array(keys, np.int32)[:, None]
            v = np.array(vals, np.int32)[:, None]
            exact = sdpa_exact([ONE], k, v, ONE)
            for mode in MODES:
                with q16.errstate(saturation="ignore"):
                    got = q16.scaled_dot_product_attention(q, k, v, scale=1.0, rounding=mode)
                worst.add(mode, got, exact, [what])
        return worst.rows("sdpa", f"{len(cases)} rows, S <= {max(lengths)}",
                          "q=[[1.0]], scale 1.0")
    return run


def cases(quick=True):
    """The adversarial tasks, one per kernel (each gives one row per rounding
    mode); ``quick=False`` (``--full``) draws ten times as many variations
    and adds length 2**20 to the long softmax and attention rows."""
    count = 60 if quick else 600
    lengths = (1024, 1 << 16) if quick else (1024, 1 << 16, 1 << 20)
    out = [Case(k, "adversarial", str(count), _elementwise(k, count)) for k in ("mul", "div")]
    out.append(Case("matmul", "adversarial", str(count), _matmul(count)))
    out.append(Case("softmax", "adversarial", "long rows", _softmax(lengths)))
    out.append(Case("sdpa", "adversarial", "long rows", _sdpa(lengths)))
    out += [Case(k, "adversarial", str(count), _solves(k, count))
            for k in ("solve", "cho_solve")]
    out.append(Case("det", "adversarial", str(count), _det(count)))
    out.append(Case("inv", "adversarial", str(count), _inv(count)))
    return out
