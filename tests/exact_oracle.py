"""Exact oracles and constructed worst cases for the Q16.16 tests.

Written with Python ints, ``fractions.Fraction`` and ``math.isqrt`` only
(Gauss-Jordan over the rationals, Schur complements); nothing here shares
code or algorithm with the C engine (no Bareiss, no cofactors, no multiword
arithmetic).  Raw int32 values throughout: the real value is raw / 2**16.

``DEEP`` multiplies every random count: ``ATTNCORE_DEEP=1`` (or any N > 1)
selects the long profile (README, "Tests").
"""
import math
import os
import random
from fractions import Fraction

DEEP_ENV = os.environ.get("ATTNCORE_DEEP", "")
DEEP = (20 if DEEP_ENV in ("1", "true", "yes") else int(DEEP_ENV)) if DEEP_ENV not in ("", "0") \
    else 1
SEED = int(os.environ.get("ATTNCORE_SEED", "20240615"))

ONE = 1 << 16
MIN, MAX = -(1 << 31), (1 << 31) - 1
MAGIC = 0xAC160F01


def rng(tag):
    """A generator per test family: new draws with ATTNCORE_SEED."""
    return random.Random(f"{SEED}-{tag}")


# ---- rounding ---------------------------------------------------------------

def rnd_q(v, rounding):
    """An exact rational rounded once: "nearest" (ties to even) or "floor"."""
    v = Fraction(v)
    if rounding == "nearest":
        return round(v)  # Fraction rounds half to even
    return v.numerator // v.denominator


def fit(v, overflow):
    """(value, out_of_range) as the C core's fit of an exact integer."""
    if MIN <= v <= MAX:
        return v, False
    if overflow == "wrap":
        return ((v + (1 << 31)) % (1 << 32)) - (1 << 31), True
    return (MAX if v > 0 else MIN), True


def expect(values, rounding, overflow):
    """Rounded and fitted outputs of exact ``values`` and the out-of-range
    indices (row-major)."""
    out, events = [], []
    for idx, v in enumerate(values):
        r, event = fit(rnd_q(v, rounding), overflow)
        out.append(r)
        if event:
            events.append(idx)
    return out, events


# ---- linear algebra over the rationals --------------------------------------

def gauss(a, b):
    """A^-1 B over the rationals (Gauss-Jordan, first nonzero pivot); None
    when A is singular."""
    n = len(a)
    m = [[Fraction(int(v)) for v in a[i]] + [Fraction(int(v)) for v in b[i]] for i in range(n)]
    for c in range(n):
        p = next((i for i in range(c, n) if m[i][c] != 0), None)
        if p is None:
            return None
        m[c], m[p] = m[p], m[c]
        pc = m[c][c]
        m[c] = [v / pc for v in m[c]]
        for i in range(n):
            if i != c and m[i][c] != 0:
                f = m[i][c]
                m[i] = [x - f * y for x, y in zip(m[i], m[c])]
    return [row[n:] for row in m]


def det_exact(a):
    """det of an integer matrix, exactly (an int)."""
    n = len(a)
    m = [[Fraction(int(v)) for v in row] for row in a]
    d = Fraction(1)
    for c in range(n):
        p = next((i for i in range(c, n) if m[i][c] != 0), None)
        if p is None:
            return 0
        if p != c:
            m[c], m[p] = m[p], m[c]
            d = -d
        d *= m[c][c]
        for i in range(c + 1, n):
            if m[i][c] != 0:
                f = m[i][c] / m[c][c]
                m[i] = [x - f * y for x, y in zip(m[i], m[c])]
    assert d.denominator == 1
    return int(d)


def solve_exact(a, b):
    """Raw x = 2**16 A^-1 B of raw A, B, row-major, or None (singular)."""
    x = gauss(a, b)
    return None if x is None else [v * ONE for row in x for v in row]


def inv_exact(a):
    n = len(a)
    x = gauss(a, [[int(i == j) for j in range(n)] for i in range(n)])
    return None if x is None else [v * (1 << 32) for row in x for v in row]


def det_q16_exact(a):
    """The raw value of det(A_raw / 2**16): det(A_raw) / 2**(16 (n - 1))."""
    n = len(a)
    return Fraction(det_exact(a), 1 << (16 * (n - 1))) if n else Fraction(ONE)


def lu_display_exact(a):
    """SciPy-layout LU of the raw matrix with exact partial pivoting (the
    largest |entry|, first row on ties): (raw values of lu as rationals,
    piv), or None when singular."""
    n = len(a)
    m = [[Fraction(int(v)) for v in row] for row in a]
    piv = []
    for k in range(n):
        r = k
        for i in range(k + 1, n):
            if abs(m[i][k]) > abs(m[r][k]):
                r = i
        if m[r][k] == 0:
            return None
        piv.append(r)
        m[k], m[r] = m[r], m[k]
        for i in range(k + 1, n):
            mult = m[i][k] / m[k][k]
            m[i][k] = mult
            for j in range(k + 1, n):
                m[i][j] -= mult * m[k][j]
    # U of A_raw is already the raw value of U(A_raw / 2**16); L is scale-free
    vals = [m[i][j] if j >= i else m[i][j] * ONE for i in range(n) for j in range(n)]
    return vals, piv


def sqrt_round(neg, sq, rounding):
    """sign * sqrt(sq) (sq a nonnegative rational) rounded once."""
    q = math.isqrt(sq.numerator // sq.denominator)  # floor(sqrt(sq))
    if rounding == "nearest":
        half = Fraction(2 * q + 1, 2) ** 2
        mag = q + 1 if sq > half else (q if sq < half else q + (q % 2))
        return -mag if neg else mag
    if not neg:
        return q
    return -q if Fraction(q * q) == sq else -q - 1


def cho_exact(a, pivot):
    """Cholesky of the symmetric matrix from the lower triangle of raw a:
    (ok, squares, perm, rank) with squares[i][j] = (negative, y**2) for the
    raw entry y of L (0 above the diagonal and beyond the rank); ok False
    when not positive definite (semidefinite with pivoting)."""
    n = len(a)
    s = [[Fraction(int(a[max(i, j)][min(i, j)]), ONE) for j in range(n)] for i in range(n)]
    perm = list(range(n))
    sq = [[(False, Fraction(0))] * n for _ in range(n)]
    for j in range(n):
        if pivot:
            r = j
            for i in range(j + 1, n):
                if s[i][i] > s[r][r]:
                    r = i
            if s[r][r] <= 0:
                if any(s[i][c] != 0 for i in range(j, n) for c in range(j, n)):
                    return False, None, None, None
                return True, sq, perm, j
            if r != j:
                s[j], s[r] = s[r], s[j]
                for row in s:
                    row[j], row[r] = row[r], row[j]
                sq[j], sq[r] = sq[r], sq[j]
                perm[j], perm[r] = perm[r], perm[j]
        d = s[j][j]
        if d <= 0:
            return False, None, None, None
        sq[j] = list(sq[j])
        sq[j][j] = (False, d * (1 << 32))
        for i in range(j + 1, n):
            sq[i] = list(sq[i])
            sq[i][j] = (s[i][j] < 0, s[i][j] * s[i][j] / d * (1 << 32))
        for i in range(j + 1, n):
            for c in range(j + 1, n):
                s[i][c] -= s[i][j] * s[c][j] / d
    return True, sq, perm, n


def sym_from_lower(a):
    n = len(a)
    return [[int(a[max(i, j)][min(i, j)]) for j in range(n)] for i in range(n)]


def xwords(n):
    """32-bit words per exact integer of an n x n problem (AC_Q16_XWORDS)."""
    if n <= 1:
        return 1
    if n <= 4:
        return {2: 2, 3: 4, 4: 5}[n]
    return (n * 33 + 32) // 32 if n <= 16 else (n * 34 + 32) // 32


def factor_words_expected(a, cholesky=False):
    """The exact factor's words: header, det(A), adj(A) (two's complement)."""
    n = len(a)
    w = xwords(n)
    d = det_exact(a)
    x = gauss(a, [[int(i == j) for j in range(n)] for i in range(n)])
    words = [MAGIC, n, w, 1 if cholesky else 0]
    for v in [d] + [int(x[i][j] * d) for i in range(n) for j in range(n)]:
        v %= 1 << (32 * w)
        words += [(v >> (32 * i)) & 0xFFFFFFFF for i in range(w)]
    return words


def affine_exact(m, rigid):
    """The exact inverse of a homogeneous raw matrix, row-major rationals."""
    d = len(m)
    n = d - 1
    t = [m[i][n] for i in range(n)]
    vals = []
    if rigid:
        for i in range(n):
            vals += [Fraction(m[j][i]) for j in range(n)]
            vals.append(Fraction(-sum(m[p][i] * t[p] for p in range(n)), ONE))
    else:
        x = gauss([row[:n] for row in m[:n]],
                  [[int(i == j) for j in range(n)] + [t[i]] for i in range(n)])
        if x is None:
            return None
        for i in range(n):
            vals += [x[i][j] * (1 << 32) for j in range(n)]
            vals.append(-x[i][n] * ONE)
    return vals + [Fraction(0)] * n + [Fraction(ONE)]


# ---- generators --------------------------------------------------------------

KINDS = ["full", "edge", "q16", "small", "whole", "mixed"]


def rand_entry(r, kind):
    if kind == "full":
        return r.randint(MIN, MAX)
    if kind == "edge":
        return r.choice([MIN, MAX, MIN + 1, MAX - 1, 0, 1, -1, ONE, -ONE])
    if kind == "q16":
        return int(r.gauss(0, 3 * ONE))
    if kind == "small":
        return r.randint(-40, 40)
    if kind == "whole":
        return r.randint(-9, 9) * ONE
    return rand_entry(r, r.choice(KINDS[:-1]))


def rand_matrix(r, n, m, kind):
    return [[rand_entry(r, kind) for _ in range(m)] for _ in range(n)]


def unimodular(r, n, steps, bound=1 << 30):
    """An integer matrix of det +-1 grown by random row operations (condition
    numbers far beyond 1e8 after many steps), entries kept below ``bound``."""
    m = [[int(i == j) for j in range(n)] for i in range(n)]
    for _ in range(steps if n > 1 else 0):
        i, j = r.sample(range(n), 2)
        c = r.choice([-3, -2, -1, 1, 2, 3])
        new = [x + c * y for x, y in zip(m[i], m[j])]
        if max(abs(v) for v in new) < bound:
            m[i] = new
    return m


def rank_deficient(r, n, rank, kind="q16"):
    """An exactly singular integer matrix: rows are integer combinations."""
    base = rand_matrix(r, rank, n, kind)
    while True:
        rows = [list(row) for row in base]
        for _ in range(n - rank):
            coef = [r.randint(-2, 2) for _ in range(rank)]
            rows.append([sum(c * row[j] for c, row in zip(coef, base)) for j in range(n)])
        if all(MIN <= v <= MAX for row in rows for v in row):
            r.shuffle(rows)
            return rows
        base = [[v // 4 for v in row] for row in base]


def spd(r, n, rank=None, scale=None):
    """L L^T for an integer L (n x rank), entries within int32."""
    rank = n if rank is None else rank
    while True:
        s = scale or r.choice([3, 50, 300, 2000, 12000])
        low = [[r.randint(-s, s) if j <= i or rank < n else 0 for j in range(rank)]
               for i in range(n)]
        if rank == n:
            for i in range(n):
                low[i][i] = r.randint(1, s)
        a = [[sum(low[i][t] * low[j][t] for t in range(rank)) for j in range(n)]
             for i in range(n)]
        if all(MIN <= v <= MAX for row in a for v in row):
            return a
