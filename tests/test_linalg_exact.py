"""Q16.16 linear algebra is correctly rounded: every output of solve,
lu_factor/lu_solve, cho_factor/cho_solve, det, inv and affine_inverse is the
exact value of the raw inputs rounded once (nearest = ties to even, floor =
floor of the exact value), fitted under the overflow policy, for every
int32 input of size n <= 64.  The oracle is tests/exact_oracle.py (Python
ints and Fractions only).

Families: the issue-15 counterexamples (each row of its table), random
systems of six entry kinds per n = 1..6 in every policy and memory layout,
n = 8..16 and one n = 64 system, exact ties, exact grid results (floor),
det +-1 matrices with entries up to 2**30 (condition up to ~1e18), nearly
and exactly singular matrices, determinants near 2**64, MIN/MAX rows and
the Hadamard-extreme pattern, results at +-2**31 +- 1/2, display LU with
tied pivots, Cholesky (definite, semidefinite, broken by one unit, exact
half-LSB entries), affine inverses with t = MIN.  ``ATTNCORE_DEEP=1``
multiplies every random count by 20 (``ATTNCORE_SEED`` draws new cases).
"""
import pickle
from fractions import Fraction

import numpy as np
import pytest

import attncore
import attncore.q16 as q16
from exact_oracle import (DEEP, KINDS, MAX, MIN, ONE, affine_exact, cho_exact, det_exact,
                          det_q16_exact, expect, factor_words_expected, fit, inv_exact,
                          lu_display_exact, rand_matrix, rank_deficient, rnd_q, rng,
                          solve_exact, spd, sqrt_round, sym_from_lower, unimodular)

ROUNDINGS = ("nearest", "floor")
OVERFLOWS = ("saturate", "raise", "wrap")


def layout(m, how):
    """An int32 view of m with another memory layout (the kernels read any
    strides)."""
    m = np.asarray(m, dtype=np.int64).astype(np.int32)
    if how == "f":
        return np.asfortranarray(m)
    if how == "rev":
        return np.ascontiguousarray(m[::-1])[::-1]
    if how == "pad":
        big = np.zeros((m.shape[0], 2 * m.shape[1] + 1), np.int32)
        big[:, 1::2] = m
        return big[:, 1::2]
    if how == "negcol":
        return np.ascontiguousarray(m[:, ::-1])[:, ::-1]
    return m


LAYOUTS = ("c", "c", "f", "rev", "pad", "negcol")


def call(kernel, fn, rounding, overflow):
    """(result or the exception, out-of-range count) of one q16 call."""
    with q16.count_saturations() as sat:
        try:
            result = fn()
        except (attncore.Q16OverflowError, attncore.SingularMatrixError,
                attncore.NotPositiveDefiniteError) as exc:
            return exc, 0
    return result, sat.saturated.get(kernel, 0) + sat.wrapped.get(kernel, 0)


def check_values(kernel, got, count, exact, rounding, overflow, what):
    """Outputs against the oracle: values, saturation count, or the first
    out-of-range index under overflow="raise"."""
    want, events = expect(exact, rounding, overflow)
    if overflow == "raise" and events:
        assert isinstance(got, attncore.Q16OverflowError), (what, got)
        return
    assert not isinstance(got, Exception), (what, got)
    flat = [int(v) for v in np.asarray(got).ravel()]
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(flat, want)) if g != w]
    assert not bad, (what, bad[:5])
    assert count == len(events), (what, count, len(events))


def check_solve(a, b, rounding, overflow, pos=False, how="c", factored=True):
    """q16.solve against the oracle; factored: lu_solve(lu_factor(a)) /
    cho_solve(cho_factor(a)) give the same bits and the factor words are
    det(A) and adj(A)."""
    n = len(a)
    sym = sym_from_lower(a) if pos else a
    exact = solve_exact(sym, b)
    qa, qb = layout(a, how), layout(b, how)
    kw = dict(rounding=rounding, overflow=overflow)
    got, count = call("q16.solve", lambda: q16.solve(qa, qb, assume_a="pos" if pos else "gen",
                                                      **kw), rounding, overflow)
    what = f"solve n={n} {rounding} {overflow} pos={pos} a={a} b={b}"
    if pos and not cho_exact(a, False)[0]:
        assert isinstance(got, attncore.NotPositiveDefiniteError), what
        return
    if exact is None:
        assert isinstance(got, attncore.SingularMatrixError), what
        return
    check_values("q16.solve", got, count, exact, rounding, overflow, what)
    if factored:
        factor = q16.cho_factor(qa) if pos else q16.lu_factor(qa)
        assert factor.exact.tolist() == factor_words_expected(sym, pos), (what, "factor words")
        solve_again = q16.cho_solve if pos else q16.lu_solve
        kernel = "q16.cho_solve" if pos else "q16.lu_solve"
        again, count2 = call(kernel, lambda: solve_again(factor, qb, **kw), rounding, overflow)
        if isinstance(got, Exception):
            assert type(again) is type(got) and again.index == got.index, (what, again)
        else:
            assert np.array_equal(again, got) and count2 == count, (what, "factored")


# ---- issue 15, row by row ----------------------------------------------------

# The issue writes its two determinant matrices in real units: the raw
# inputs are 65536 times the entries (so det of the raw 4 x 4 matrix is
# 2**64 * 1 and the determinant is exactly 1.0).  Read as raw values they
# would be 1 / 2**48, which rounds to 0.
ISSUE_DET = [[-7601, -28588, 19241, -3201], [-30950, -10257, -6234, 10128],
             [-28319, 11686, -20962, 9396], [29451, -17218, 11649, 30514]]
ISSUE_FLOOR_DET = [[1, 30, 22], [21, 631, 434], [35, 1051, 743]]


def test_issue_det_is_exactly_one():
    raw = q16.from_float(ISSUE_DET)
    assert det_exact(ISSUE_DET) == 1 and det_exact(raw.tolist()) == 1 << 64
    for rounding in ROUNDINGS:
        assert int(q16.det(raw, rounding=rounding)) == ONE  # was 0.633 (24,036 LSB off)
    # the literal raw reading: det = 2**-48 raw, which rounds to 0 (floor too)
    assert int(q16.det(np.array(ISSUE_DET, np.int32))) == 0


def test_issue_floor_det_on_the_grid():
    raw = q16.from_float(ISSUE_FLOOR_DET)
    assert det_exact(raw.tolist()) == 1 << 48
    assert int(q16.det(raw, rounding="floor")) == ONE  # was 65535
    assert int(q16.det(raw)) == ONE


def test_issue_solve_tie_to_even():
    a = np.array([[-196608, -65536], [-327680, 327680]], np.int32)
    b = np.array([-901827, -721995], np.int32)
    assert solve_exact(a.tolist(), [[v] for v in b.tolist()])[0] == Fraction(523113, 2)
    assert q16.solve(a, b)[0] == 261556  # 261556.5 ties to even (was 261557)
    assert q16.solve(a, b, rounding="floor")[0] == 261556
    for rounding in ROUNDINGS:
        check_solve(a.tolist(), [[v] for v in b.tolist()], rounding, "saturate")


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_issue_floor_of_exactly_representable_results(n):
    """b = A x with whole-number x: floor returns x itself (was 1 LSB low
    on most systems); integer matrices of det +-1 have integer inverses, so
    floor inv and floor det are exact too."""
    r = rng(f"grid{n}")
    done = 0
    for _ in range(40 * DEEP):
        m = [[r.randint(-6, 6) for _ in range(n)] for _ in range(n)]
        if det_exact(m) == 0:
            continue
        x = [r.randint(-2_000_000, 2_000_000) for _ in range(n)]
        b = [sum(m[i][j] * x[j] for j in range(n)) for i in range(n)]
        if not all(MIN <= v <= MAX for v in b):
            continue
        a = (np.array(m, np.int64) * ONE).astype(np.int32)
        for rounding in ROUNDINGS:
            assert q16.solve(a, np.array(b, np.int32), rounding=rounding).tolist() == x
        done += 1
    assert done > 10
    for _ in range(20 * DEEP):
        m = unimodular(r, n, 8, bound=60)
        inverse = gauss_inverse_integer(m)
        a = q16.from_float(m)
        if max(abs(v) for row in inverse for v in row) >= 1 << 15:
            continue
        for rounding in ROUNDINGS:
            assert q16.inv(a, rounding=rounding).tolist() == [[v * ONE for v in row]
                                                              for row in inverse]
            assert int(q16.det(a, rounding=rounding)) == det_exact(m) * ONE


def gauss_inverse_integer(m):
    """The inverse of an integer matrix of det +-1 (integers)."""
    values = inv_exact(m)
    n = len(m)
    return [[int(values[i * n + j] / (1 << 32)) for j in range(n)] for i in range(n)]


@pytest.mark.parametrize("a,b", [([[3, 1], [1, 1]], [4, 2]), ([[2, 1], [1, 1]], [4, 2])])
def test_issue_factor_once_solve_many(a, b):
    """lu_solve(lu_factor(a), b) was 21,844 LSB off ([[3,1],[1,1]]) or raised
    SingularMatrixError ([[2,1],[1,1]]); now it is solve's answer."""
    qa, qb = np.array(a, np.int32), np.array(b, np.int32)
    want = q16.solve(qa, qb)
    assert want.tolist() == expect(solve_exact(a, [[v] for v in b]), "nearest", "saturate")[0]
    assert np.array_equal(q16.lu_solve(q16.lu_factor(qa), qb), want)
    assert np.array_equal(q16.cho_solve(q16.cho_factor(qa), qb), want)
    for rounding in ROUNDINGS:
        check_solve(a, [[v] for v in b], rounding, "saturate")
        check_solve(a, [[v] for v in b], rounding, "saturate", pos=True)


def test_issue_cho_solve_at_cond_100():
    """An SPD matrix of condition 100: cho_solve was 91 LSB off."""
    r = rng("cond100")
    for _ in range(20 * DEEP):
        d = [100 * ONE, ONE]
        c, s = r.uniform(-1, 1), r.uniform(-1, 1)
        norm = (c * c + s * s) ** 0.5 or 1.0
        c, s = c / norm, s / norm
        a = [[round(d[0] * c * c + d[1] * s * s), 0],
             [round((d[0] - d[1]) * c * s), round(d[0] * s * s + d[1] * c * c)]]
        b = [[r.randint(-100 * ONE, 100 * ONE)] for _ in range(2)]
        for rounding in ROUNDINGS:
            check_solve(a, b, rounding, "saturate", pos=True)


# ---- random families -------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_random_solve(n):
    r = rng(f"solve{n}")
    for it in range((400 if n <= 4 else 120) * DEEP):
        a = rand_matrix(r, n, n, KINDS[it % len(KINDS)])
        b = rand_matrix(r, n, r.randint(1, 3), r.choice(KINDS))
        check_solve(a, b, r.choice(ROUNDINGS), r.choice(OVERFLOWS), how=r.choice(LAYOUTS),
                    factored=it % 4 == 0)


@pytest.mark.parametrize("n", [8, 12, 16])
def test_random_solve_larger(n):
    r = rng(f"solvel{n}")
    for it in range((6 if n == 8 else 2) * DEEP):
        a = rand_matrix(r, n, n, KINDS[it % len(KINDS)])
        b = rand_matrix(r, n, 2, "mixed")
        check_solve(a, b, r.choice(ROUNDINGS), r.choice(("saturate", "wrap")),
                    factored=it % 2 == 0)


def test_size_limit_64():
    r = rng("n64")
    a = rand_matrix(r, 64, 64, "small")
    b = rand_matrix(r, 64, 1, "q16")
    check_solve(a, b, "nearest", "saturate", factored=False)
    with pytest.raises(ValueError, match="n <= 64"):
        q16.solve(np.eye(65, dtype=np.int32), np.ones(65, np.int32))
    with pytest.raises(ValueError, match="n <= 64"):
        q16.lu_factor(np.eye(65, dtype=np.int32))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 8])
def test_random_det_and_inv(n):
    r = rng(f"detinv{n}")
    for it in range((250 if n <= 4 else 60 if n <= 6 else 10) * DEEP):
        a = rand_matrix(r, n, n, KINDS[it % len(KINDS)])
        rounding, overflow, how = r.choice(ROUNDINGS), r.choice(OVERFLOWS), r.choice(LAYOUTS)
        qa = layout(a, how)
        got, count = call("q16.det", lambda: q16.det(qa, rounding=rounding, overflow=overflow),
                          rounding, overflow)
        check_values("q16.det", got, count, [det_q16_exact(a)], rounding, overflow, f"det {a}")
        exact = inv_exact(a)
        got, count = call("q16.inv", lambda: q16.inv(qa, rounding=rounding, overflow=overflow),
                          rounding, overflow)
        if exact is None:
            assert isinstance(got, attncore.SingularMatrixError)
        else:
            check_values("q16.inv", got, count, exact, rounding, overflow, f"inv {a}")


def test_batched_calls_match_single_calls():
    r = rng("batch")
    a = np.array([rand_matrix(r, 4, 4, "q16") for _ in range(200)], np.int32)
    b = np.array([rand_matrix(r, 4, 2, "q16") for _ in range(200)], np.int32)
    x = q16.solve(a, b)
    for i in range(0, 200, 7):
        assert np.array_equal(x[i], q16.solve(a[i], b[i]))
        want, _ = expect(solve_exact(a[i].tolist(), b[i].tolist()), "nearest", "saturate")
        assert x[i].ravel().tolist() == want


# ---- constructed worst cases -------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_exact_ties(n):
    """b = A x with every x on the half-LSB grid: each component is a tie."""
    r = rng(f"ties{n}")
    done = 0
    for _ in range(40 * DEEP):
        s = r.choice([17, 18, 20])
        m = [[r.randint(-5, 5) for _ in range(n)] for _ in range(n)]
        if det_exact(m) == 0:
            continue
        # A = 2**s M and b = M h 2**(s - 17) with h odd give x_raw = h / 2
        h = [r.randrange(-2_000_001, 2_000_001, 2) for _ in range(n)]
        b = [[sum(m[i][j] * h[j] for j in range(n)) << (s - 17)] for i in range(n)]
        a = [[v << s for v in row] for row in m]
        if not all(MIN <= v <= MAX for row in a + b for v in row):
            continue
        assert all(v.denominator == 2 for v in solve_exact(a, b))
        for rounding in ROUNDINGS:
            check_solve(a, b, rounding, "saturate")
        done += 1
    assert done > 5


@pytest.mark.parametrize("n", [2, 3, 4])
def test_determinant_ties(n):
    """det(A_raw) / 2**(16 (n-1)) an odd multiple of 1/2: every case a tie
    (the issue saw about 9 % of these wrong)."""
    r = rng(f"dettie{n}")
    for _ in range(60 * DEEP):
        m = unimodular(r, n, 12, bound=1 << 8)
        h = r.randrange(-999_999, 1_000_000, 2)  # odd
        # scale one row: det(A) = h * 2**(16 (n-1) - 1) gives det = h / 2 raw
        shift = 16 * (n - 1) - 1
        a = [row[:] for row in m]
        d = det_exact(a)
        a[0] = [v * h * d for v in a[0]]
        rest = shift
        for i in range(n):
            bits = min(rest, 30 - max(abs(v) for v in a[i]).bit_length())
            bits = max(bits, 0)
            a[i] = [v << bits for v in a[i]]
            rest -= bits
        if rest or not all(MIN <= v <= MAX for row in a for v in row):
            continue
        exact = det_q16_exact(a)
        assert exact.denominator == 2
        for rounding in ROUNDINGS:
            assert int(q16.det(np.array(a, np.int32), rounding=rounding)) == rnd_q(exact, rounding)


@pytest.mark.parametrize("n", [2, 3, 4, 6])
def test_ill_conditioned(n):
    """det +-1 integer matrices with entries up to 2**30 (condition up to
    ~1e18: far beyond 1e8), and nearly singular ones (rank n-1 plus one unit)."""
    r = rng(f"ill{n}")
    worst = 0.0
    for it in range(60 * DEEP):
        a = unimodular(r, n, r.randint(5, 200))
        if it % 3 == 1:
            a = rank_deficient(r, n, n - 1)
            i, j = r.randrange(n), r.randrange(n)
            a[i][j] += r.choice([-1, 1])
            if not MIN <= a[i][j] <= MAX:
                continue
        if det_exact(a):
            worst = max(worst, np.linalg.cond(np.array(a, float)))
        b = rand_matrix(r, n, r.randint(1, 2), r.choice(KINDS))
        check_solve(a, b, r.choice(ROUNDINGS), r.choice(OVERFLOWS), factored=it % 4 == 0)
    assert worst > 1e8


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_singular_exactly_when_det_is_zero(n):
    r = rng(f"sing{n}")
    for _ in range(30 * DEEP):
        a = rank_deficient(r, n, r.randint(0, n - 1), r.choice(["q16", "small", "whole",
                                                                "full"]))
        qa = np.array(a, np.int32)
        with pytest.raises(attncore.SingularMatrixError):
            q16.solve(qa, np.ones(n, np.int32))
        with pytest.raises(attncore.SingularMatrixError):
            q16.inv(qa)
        with pytest.raises(attncore.SingularMatrixError):
            q16.lu_factor(qa)
        assert int(q16.det(qa)) == 0


def test_determinants_near_two_to_64():
    """det(A_raw) = (2**32 - x**2)(2**32 - y**2) ~ 2**64, mixed by unimodular
    row and column operations: det = 1.0 minus a few LSB and a fraction."""
    r = rng("det64")
    for _ in range(100 * DEEP):
        x, y = r.randint(0, 3000), r.randint(0, 3000)
        diag = [ONE + x, ONE - x, ONE + y, ONE - y]
        r.shuffle(diag)
        a = [[diag[i] if i == j else (r.randint(-ONE, ONE) if j > i else 0) for j in range(4)]
             for i in range(4)]
        for _ in range(r.randint(0, 12)):
            i, j = r.sample(range(4), 2)
            c = r.choice([-1, 1])
            if r.random() < 0.5:
                new = [u + c * v for u, v in zip(a[i], a[j])]
                if max(map(abs, new)) < 1 << 30:
                    a[i] = new
            else:
                col = [a[t][i] + c * a[t][j] for t in range(4)]
                if max(map(abs, col)) < 1 << 30:
                    for t in range(4):
                        a[t][i] = col[t]
        d = det_exact(a)
        assert d == (2**32 - x * x) * (2**32 - y * y)
        for rounding in ROUNDINGS:
            assert int(q16.det(np.array(a, np.int32), rounding=rounding)) == \
                rnd_q(Fraction(d, 1 << 48), rounding)


def test_min_max_rows():
    """Rows of MIN / MAX: determinants near the Hadamard bound 2**128,
    quotients near 2**32, saturation and wrap of huge results."""
    r = rng("edges")
    vals = [MIN, MAX, MIN + 1, MAX - 1, 0, 1, -1]
    for n in (1, 2, 3, 4):
        for _ in range(60 * DEEP):
            a = [[r.choice(vals) for _ in range(n)] for _ in range(n)]
            b = [[r.choice(vals + [r.randint(MIN, MAX)])] for _ in range(n)]
            for rounding in ROUNDINGS:
                for overflow in OVERFLOWS:
                    check_solve(a, b, rounding, overflow, factored=overflow == "wrap")
    h = [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]
    a = [[MIN if v > 0 else MAX for v in row] for row in h]
    assert abs(det_exact(a)) > 1 << 127
    for rounding in ROUNDINGS:
        for overflow in ("saturate", "wrap"):
            got = int(q16.det(np.array(a, np.int32), rounding=rounding, overflow=overflow))
            assert got == fit(rnd_q(det_q16_exact(a), rounding), overflow)[0]
    check_solve(a, [[MAX], [MIN], [1], [-1]], "nearest", "wrap")


def test_results_at_the_int32_limits():
    """x_raw at +-2**31 +- 1/2 and one beyond, in every policy."""
    r = rng("limits")
    for _ in range(80 * DEEP):
        n = r.randint(1, 4)
        m = unimodular(r, n, 20, bound=1 << 12)
        t = [r.choice([MAX, MIN, MAX + 1, MIN - 1, MAX - 1, MIN + 1]) + r.choice([0, 1])
             for _ in range(n)]
        # A = 2**17 M, b = M t / 2: x_raw = t exactly; odd t gives ties
        bb = [sum(m[i][j] * t[j] for j in range(n)) for i in range(n)]
        if any(v % 2 for v in bb):
            continue
        a = [[v << 17 for v in row] for row in m]
        b = [[v // 2] for v in bb]
        if not all(MIN <= v[0] <= MAX for v in b):
            continue
        for rounding in ROUNDINGS:
            for overflow in OVERFLOWS:
                check_solve(a, b, rounding, overflow, factored=False)


# ---- display LU and Cholesky ------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8])
def test_lu_display_entries(n):
    r = rng(f"lu{n}")
    for it in range((120 if n <= 4 else 30) * DEEP):
        a = rand_matrix(r, n, n, KINDS[it % len(KINDS)])
        if it % 7 == 3:  # equal-magnitude candidates: the first row on ties
            a = [[r.choice([ONE, -ONE, 2 * ONE]) for _ in range(n)] for _ in range(n)]
        if it % 11 == 5:
            a = unimodular(r, n, 40)
        rounding, overflow = r.choice(ROUNDINGS), r.choice(OVERFLOWS)
        want = lu_display_exact(a)
        qa = layout(a, r.choice(("c", "f", "rev")))
        got, count = call("q16.lu_factor",
                          lambda: q16.lu_factor(qa, rounding=rounding, overflow=overflow),
                          rounding, overflow)
        if want is None:
            assert isinstance(got, attncore.SingularMatrixError)
            continue
        vals, piv = want
        if not isinstance(got, Exception):
            lu, p = got
            assert p.tolist() == piv
            assert got.exact.tolist() == factor_words_expected(a)
            got = lu
        check_values("q16.lu_factor", got, count, vals, rounding, overflow, f"lu {a}")


def check_cho(a, rounding, pivot):
    ok, squares, perm, rank = cho_exact(a, pivot)
    n = len(a)
    for lower in (True, False):
        try:
            factor = q16.cho_factor(np.array(a, np.int32), lower=lower, pivot=pivot,
                                    rounding=rounding)
        except attncore.NotPositiveDefiniteError:
            assert not ok, a
            continue
        assert ok, a
        want = [[0] * n for _ in range(n)]
        for i in range(n):
            for j in range(min(i + 1, rank)):
                want[i][j] = sqrt_round(*squares[i][j], rounding)
        if not lower:
            want = [list(row) for row in zip(*want)]
        assert factor[0].tolist() == want, a
        assert factor[1] is lower
        if pivot:
            assert factor[2].tolist() == perm and int(factor[3]) == rank
        if rank == n:
            assert factor.exact.tolist() == factor_words_expected(sym_from_lower(a), True)
        else:
            with pytest.raises(attncore.SingularMatrixError):
                q16.cho_solve(factor, np.ones(n, np.int32))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_cholesky_positive_definite(n):
    r = rng(f"spd{n}")
    for it in range(50 * DEEP):
        a = spd(r, n)
        for i in range(n):  # garbage in the upper triangle, which is never read
            for j in range(i + 1, n):
                a[i][j] = r.randint(MIN, MAX)
        rounding = r.choice(ROUNDINGS)
        check_cho(a, rounding, pivot=it % 2 == 1)
        b = rand_matrix(r, n, r.randint(1, 3), r.choice(KINDS))
        check_solve(a, b, rounding, r.choice(OVERFLOWS), pos=True, factored=it % 3 == 0)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_cholesky_not_definite_and_semidefinite(n):
    r = rng(f"npd{n}")
    for it in range(40 * DEEP):
        choice = it % 4
        if choice == 0:
            a = rand_matrix(r, n, n, r.choice(["q16", "small", "full"]))
        elif choice == 1:
            a = spd(r, n, rank=r.randint(0, n - 1))
        elif choice == 2:
            a = spd(r, n)
            i = r.randrange(n)
            a[i][i] -= r.randint(0, 3)  # on the edge of definiteness
        else:
            a = spd(r, n, rank=r.randint(1, n - 1))
            i, j = sorted(r.sample(range(n), 2))
            a[j][i] += r.choice([-1, 1])  # semidefinite broken by one unit
        rounding = r.choice(ROUNDINGS)
        check_cho(a, rounding, pivot=False)
        check_cho(a, rounding, pivot=True)
        check_solve(a, rand_matrix(r, n, 1, "q16"), rounding, "saturate", pos=True,
                    factored=False)


def test_cholesky_half_lsb_entries():
    """a00 = 2**18 m**2, a10 = (2q + 1) m: L_10 raw = +-(q + 1/2) exactly."""
    r = rng("chotie")
    for _ in range(60 * DEEP):
        m, q = r.randint(1, 60), r.randint(0, 300)
        a00, a10 = (m * m) << 18, (2 * q + 1) * m * r.choice([-1, 1])
        if a00 > MAX:
            continue
        a = [[a00, 0], [a10, r.randint(a10 * a10 // a00 + 1, MAX)]]
        assert cho_exact(a, False)[1][1][0][1] == Fraction(2 * q + 1, 2) ** 2
        for rounding in ROUNDINGS:
            check_cho(a, rounding, False)


# ---- affine inverses --------------------------------------------------------------

@pytest.mark.parametrize("dim", [3, 4])
def test_affine_inverse(dim):
    r = rng(f"aff{dim}")
    n = dim - 1
    for it in range(150 * DEEP):
        m = unimodular(r, n, 30) if it % 9 == 0 else rand_matrix(r, n, n, KINDS[it % 6])
        t = [r.choice([MIN, MAX, r.randint(MIN, MAX), 0]) for _ in range(n)]
        full = [row + [ti] for row, ti in zip(m, t)] + [[0] * n + [ONE]]
        rounding, overflow = r.choice(ROUNDINGS), r.choice(OVERFLOWS)
        qm = layout(full, r.choice(("c", "f", "rev")))
        for kind in ("affine", "rigid"):
            want = affine_exact(full, kind == "rigid")
            got, count = call("q16.affine_inverse", lambda: q16.affine_inverse(
                qm, kind=kind, rounding=rounding, overflow=overflow), rounding, overflow)
            if want is None:
                assert isinstance(got, attncore.SingularMatrixError)
            else:
                check_values("q16.affine_inverse", got, count, want, rounding, overflow,
                             f"{kind} {full}")


def test_affine_minus_t_is_two_to_31():
    for dim in (3, 4):
        n = dim - 1
        full = np.array([[ONE * int(i == j) for j in range(n)] + [MIN] for i in range(n)]
                        + [[0] * n + [ONE]], np.int32)
        for kind in ("affine", "rigid"):
            assert (q16.affine_inverse(full, kind=kind)[:n, n] == MAX).all()
            assert (q16.affine_inverse(full, kind=kind, overflow="wrap")[:n, n] == MIN).all()
            with pytest.raises(attncore.Q16OverflowError):
                q16.affine_inverse(full, kind=kind, overflow="raise")
        half = full.copy()
        half[:n, :n] *= 2
        assert (q16.affine_inverse(half)[:n, n] == 1 << 30).all()


# ---- factor once, solve many: the objects ----------------------------------------

ADVERSARIAL = ("ties", "grid", "ill", "edges", "limits", "random")


def adversarial_system(r, family, n):
    """One system of a constructed family (as the tests above build them)."""
    if family == "ties":
        m = unimodular(r, n, 6, bound=8)
        h = [r.randrange(-200_001, 200_001, 2) for _ in range(n)]
        return [[v << 18 for v in row] for row in m], \
            [[sum(m[i][j] * h[j] for j in range(n)) << 1] for i in range(n)]
    if family == "grid":
        m = unimodular(r, n, 6, bound=8)
        x = [r.randint(-20_000, 20_000) for _ in range(n)]
        return [[v * ONE for v in row] for row in m], \
            [[sum(m[i][j] * x[j] for j in range(n))] for i in range(n)]
    if family == "ill":
        return unimodular(r, n, 120), rand_matrix(r, n, 1, "q16")
    if family == "edges":
        vals = [MIN, MAX, MIN + 1, MAX - 1, 0, 1, -1]
        return [[r.choice(vals) for _ in range(n)] for _ in range(n)], \
            [[r.choice(vals)] for _ in range(n)]
    if family == "limits":
        m = unimodular(r, n, 10, bound=1 << 10)
        t = [r.choice([MAX, MIN, MAX + 1, MIN - 1]) for _ in range(n)]
        return [[v << 17 for v in row] for row in m], \
            [[max(MIN, min(MAX, sum(m[i][j] * t[j] for j in range(n)) // 2))] for i in range(n)]
    return rand_matrix(r, n, n, r.choice(KINDS)), rand_matrix(r, n, 2, r.choice(KINDS))


@pytest.mark.parametrize("family", ADVERSARIAL)
def test_factor_solve_equals_solve_on_adversarial_families(family):
    """lu_solve(lu_factor(a)) and cho_solve(cho_factor(a)) == solve, bit for
    bit, in both rounding modes and every overflow policy, batched."""
    r = rng(f"fs-{family}")
    for n in (1, 2, 3, 4, 5, 6):
        systems = [adversarial_system(r, family, n) for _ in range(30 * DEEP)]
        systems = [(a, b) for a, b in systems if det_exact(a) != 0]
        if not systems:
            continue
        k = min(len(b[0]) for _, b in systems)
        a = np.array([s[0] for s in systems], np.int32)
        b = np.array([[row[:k] for row in s[1]] for s in systems], np.int32)
        factor = q16.lu_factor(a)
        for rounding in ROUNDINGS:
            for overflow in ("saturate", "wrap"):
                kw = dict(rounding=rounding, overflow=overflow)
                assert np.array_equal(q16.lu_solve(factor, b, **kw), q16.solve(a, b, **kw))
        spd_items = [i for i, (m, _) in enumerate(systems) if cho_exact(m, False)[0]]
        if spd_items:
            pa, pb = a[spd_items], b[spd_items]
            cf = q16.cho_factor(pa)
            for rounding in ROUNDINGS:
                kw = dict(rounding=rounding)
                assert np.array_equal(q16.cho_solve(cf, pb, **kw),
                                      q16.solve(pa, pb, assume_a="pos", **kw))


def test_plain_tuples_are_refused_with_the_reason():
    a = q16.from_float([[4.0, 1.0], [1.0, 3.0]])
    lu, piv = q16.lu_factor(a)
    with pytest.raises(TypeError, match=r"pass the object q16.lu_factor returned.*rounding"):
        q16.lu_solve((lu, piv), np.ones(2, np.int32))
    c, lower = q16.cho_factor(a)
    with pytest.raises(TypeError, match=r"pass the object q16.cho_factor returned"):
        q16.cho_solve((c, lower), np.ones(2, np.int32))
    with pytest.raises(TypeError, match="LUFactor"):
        q16.lu_solve(q16.cho_factor(a), np.ones(2, np.int32))


def test_factor_objects_behave_as_scipy_tuples_and_pickle():
    a = q16.from_float(np.array([[[4.0, 1.0], [1.0, 3.0]], [[2.0, 0.5], [0.5, 5.0]]]))
    b = q16.from_float([1.0, -2.0])
    for factor in (q16.lu_factor(a), q16.cho_factor(a), q16.cho_factor(a, pivot=True)):
        assert isinstance(factor, tuple) and len(factor) in (2, 4)
        assert factor.exact.dtype == np.uint32 and factor.exact.shape[:-1] == (2,)
        again = pickle.loads(pickle.dumps(factor))
        assert type(again) is type(factor) and np.array_equal(again.exact, factor.exact)
        assert all(np.array_equal(x, y) for x, y in zip(again, factor))
        solve_from = q16.lu_solve if isinstance(factor, q16.LUFactor) else q16.cho_solve
        assert np.array_equal(solve_from(again, b), q16.solve(a, b))
    lu, piv = q16.lu_factor(a)  # unpacks as SciPy's pair
    assert lu.shape == (2, 2, 2) and piv.shape == (2, 2)


def test_damaged_factor_words_are_refused():
    a = q16.from_float([[4.0, 1.0], [1.0, 3.0]])
    factor = q16.lu_factor(a)
    short = q16.LUFactor(tuple(factor), factor.exact[:-1])
    with pytest.raises(ValueError, match="exact"):
        q16.lu_solve(short, np.ones(2, np.int32))
    broken = factor.exact.copy()
    broken[0] ^= 1  # the header's magic
    with pytest.raises(ValueError, match="invalid factor"):
        q16.lu_solve(q16.LUFactor(tuple(factor), broken), np.ones(2, np.int32))
    big = q16.lu_factor(q16.from_float(np.eye(4) * 3 + 0.5))
    words = big.exact.copy()
    words[4 + 5 * 0 + 4] = 0x7FFFFFFF  # |det| >= 2**128: no 4 x 4 factor has it
    with pytest.raises(ValueError, match="invalid factor"):
        q16.lu_solve(q16.LUFactor(tuple(big), words), np.ones(4, np.int32))
