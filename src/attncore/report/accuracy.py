"""The accuracy-loss sweep of ``attncore report``: for each kernel and input
family, what Q16.16 loses against a float64 (or exact) reference computed
from the same quantized inputs, in LSB, and what float32 loses, relative to
the largest reference value.

References: elementwise ops against ``np.longdouble`` (64-bit significand:
exact for the products, far below an LSB otherwise); matmul against the
exact integer sum; the Q16.16 solves (``solve``, ``cho_solve`` = solve with
``assume_a="pos"``, and the factor-once paths ``lu_solve`` =
``lu_solve(lu_factor(a), b)``, ``cho_factor_solve`` =
``cho_solve(cho_factor(a), b)``) against the exact Fraction solution;
everything else against float64 on the quantized inputs (its own error is
below 1e-3 LSB for the sizes and condition numbers here).

Beside these random families, :mod:`attncore.report.adversarial` adds per
kernel the worst case of constructed edge cases (family ``adversarial`` and
``adversarial-floor``), against exact oracles, in both rounding modes.
"""
from typing import Callable, NamedTuple

import numpy as np

import attncore.fp as fp
import attncore.q16 as q16
from attncore import reference as ref
from attncore.report import baselines

FAMILIES = ("uniform", "normal", "heavy_tailed", "wide_range", "near_saturation")
KERNELS = ("mul", "div", "sqrt", "exp", "matmul", "softmax", "sdpa", "mha", "solve",
           "lu_solve", "cho_solve", "cho_factor_solve", "det", "inv", "affine_rigid",
           "affine_affine", "adjugate_inverse")


class Case(NamedTuple):
    kernel: str
    family: str
    size: str
    run: Callable  # (rng) -> list of row dicts


def sample(rng, family, shape, scale=4.0):
    """Real inputs of one family (before quantization)."""
    if family == "uniform":
        return rng.uniform(-scale, scale, shape)
    if family == "normal":
        return rng.normal(0, scale / 2, shape)
    if family == "heavy_tailed":
        return np.clip(rng.standard_t(2, shape) * scale / 4, -30000, 30000)
    if family == "wide_range":
        return rng.choice([-1, 1], shape) * 2.0 ** rng.uniform(-12, 12, shape)
    if family == "near_saturation":
        return rng.choice([-1, 1], shape) * rng.uniform(16000, 32767, shape)
    raise ValueError(f"unknown input family {family!r}")


def _stats(err):
    err = np.abs(np.asarray(err, dtype=np.float64)).ravel()
    err = err[np.isfinite(err)]
    if err.size == 0:
        return dict(max=0.0, mean=0.0, p99=0.0, count=0)
    return dict(max=float(err.max()), mean=float(err.mean()),
                p99=float(np.percentile(err, 99)), count=int(err.size))


def row(kernel, family, backend, size, err, unit, saturations=0, **extra):
    """One result row; ``_errors`` (a sample of |error|, for the histograms)
    is dropped before the row is written anywhere."""
    flat = np.abs(np.asarray(err, dtype=np.float64)).ravel()
    return dict(kernel=kernel, family=family, backend=backend, size=size, unit=unit,
                saturations=int(saturations), **_stats(err), **extra,
                _errors=flat[:: max(1, flat.size // 5000)])


def _q16_and_f32(kernel, family, size, x_list, q16_call, f32_call, ref_call, unit_scale=1.0):
    """Rows for Q16.16 (LSB, vs the reference on the quantized inputs) and
    float32 (relative to max |reference|, vs the reference on the float32
    inputs).  Outputs whose exact value lies outside Q16.16 saturate by
    necessity: they are counted in ``saturations`` and left out of the
    error statistics (which would otherwise only measure the clamp)."""
    qx = [q16.from_float(x) for x in x_list]
    with q16.errstate(saturation="ignore"), q16.count_saturations() as sat:
        got = q16_call(*qx)
    want = np.asarray(ref_call(*[q16.to_float(x) for x in qx]) * q16.ONE * unit_scale,
                      np.float64)
    in_range = (want >= q16.MIN - 0.5) & (want <= q16.MAX + 0.5)
    err = (np.asarray(got, np.float64) - want)[in_range]
    rows = [row(kernel, family, "q16", size, err, "LSB", sat.total)]
    if f32_call is not None:
        fx = [np.asarray(x, np.float32) for x in x_list]
        got32 = np.asarray(f32_call(*fx), np.float64)
        want64 = ref_call(*[x.astype(np.float64) for x in fx])
        scale = max(float(np.abs(want64).max(initial=0)), 1e-300)
        rows.append(row(kernel, family, "float32", size, (got32 - want64) / scale, "rel"))
    return rows


def _elementwise(name, family, n):
    def run(rng):
        a = sample(rng, family, n)
        b = sample(rng, family, n)
        ld = np.longdouble
        if name == "mul":
            return _q16_and_f32(name, family, str(n), [a, b], q16.mul, np.multiply,
                                lambda x, y: (x.astype(ld) * y.astype(ld)))
        if name == "div":
            b = np.where(np.abs(b) < 2**-8, 1.0, b)
            return _q16_and_f32(name, family, str(n), [a, b], q16.div, np.divide,
                                lambda x, y: (x.astype(ld) / y.astype(ld)))
        if name == "sqrt":
            return _q16_and_f32(name, family, str(n), [np.abs(a)], q16.sqrt, np.sqrt,
                                lambda x: np.sqrt(x.astype(ld)))
        x = np.clip(a, -11, 10)
        return _q16_and_f32(name, family, str(n), [x], q16.exp, np.exp,
                            lambda v: np.exp(v.astype(ld)))
    return run


def _matmul(family, m):
    def run(rng):
        a = sample(rng, family, (64, m, m), 2.0)
        b = sample(rng, family, (64, m, m), 2.0)
        qa, qb = q16.from_float(a), q16.from_float(b)
        with q16.errstate(saturation="ignore"), q16.count_saturations() as sat:
            got = q16.matmul(qa, qb)
        exact = ref.q16_matmul_exact(qa, qb).astype(np.float64)  # raw * 2**16, exact ints
        rows = [row("matmul", family, "q16", f"64x{m}x{m}", got - exact / 2**16, "LSB",
                    sat.total)]
        a32, b32 = a.astype(np.float32), b.astype(np.float32)
        want = a32.astype(np.float64) @ b32.astype(np.float64)
        rows.append(row("matmul", family, "float32", f"64x{m}x{m}",
                        (fp.matmul(a32, b32) - want) / max(np.abs(want).max(), 1e-300), "rel"))
        return rows
    return run


def _softmax(family, n):
    def run(rng):
        x = sample(rng, family, (256, n))
        return _q16_and_f32("softmax", family, f"256x{n}", [x], q16.softmax, fp.softmax,
                            lambda v: ref.softmax(v))
    return run


def _sdpa(family, length):
    def run(rng):
        q, k, v = (sample(rng, family, (2, length, 16), 2.0) for _ in range(3))
        scale = q16.default_scale(16) / q16.ONE
        return [dict(r, seq_len=length) for r in _q16_and_f32(
            "sdpa", family, f"2x{length}x16", [q, k, v], q16.scaled_dot_product_attention,
            fp.scaled_dot_product_attention,
            lambda a, b, c: ref.scaled_dot_product_attention(a, b, c, scale=scale)[0])]
    return run


def _mha(family, length):
    def run(rng):
        d, heads = 16, 4
        x = sample(rng, family, (2, length, d), 1.0)
        ws = [rng.normal(0, 1 / np.sqrt(d), (d, d)) for _ in range(4)]
        qx = [q16.from_float(x)] + [q16.from_float(w) for w in ws]
        with q16.errstate(saturation="ignore"), q16.count_saturations() as sat:
            got = q16.multi_head_attention(qx[0], qx[0], qx[0], *qx[1:], heads)
        fx = [q16.to_float(v) for v in qx]
        want = ref.multi_head_attention(fx[0], fx[0], fx[0], *fx[1:], heads)[0] * q16.ONE
        rows = [row("mha", family, "q16", f"2x{length}x{d} H={heads}", got - want, "LSB",
                    sat.total, seq_len=length)]
        x32 = [v.astype(np.float32) for v in [x] + ws]
        got32 = fp.multi_head_attention(x32[0], x32[0], x32[0], *x32[1:], heads)
        f64 = [v.astype(np.float64) for v in x32]
        want64 = ref.multi_head_attention(f64[0], f64[0], f64[0], *f64[1:], heads)[0]
        rows.append(row("mha", family, "float32", f"2x{length}x{d} H={heads}",
                        (got32 - want64) / np.abs(want64).max(), "rel", seq_len=length))
        return rows
    return run


def conditioned(rng, count, n, cond):
    """Matrices with a prescribed 2-norm condition number (random orthogonal
    factors around log-spaced singular values in [1, cond])."""
    u, _ = np.linalg.qr(rng.standard_normal((count, n, n)))
    v, _ = np.linalg.qr(rng.standard_normal((count, n, n)))
    s = np.geomspace(1.0, 1.0 / cond, n) * 4
    return u @ (s[:, None] * np.swapaxes(v, -1, -2))


def _solve(kernel, cond, count):
    """Rows of one condition-number family: the Q16.16 solve (and, beside it,
    its factor-once path, same systems) against the exact Fraction solution;
    float32 against float64; for ``solve`` the firmware baseline too."""
    from attncore.report import adversarial  # imports this module: no cycle at load time

    def run(rng):
        n = 4
        if kernel == "cho_solve":  # B B^T with cond(B) = sqrt(cond)
            a = conditioned(rng, count, n, np.sqrt(cond))
            a = a @ np.swapaxes(a, -1, -2)
        else:
            a = conditioned(rng, count, n, cond)
        x = rng.uniform(-20, 20, (count, n, 1))
        qa = q16.from_float(a)
        qb = q16.from_float(a @ x)
        af, bf = q16.to_float(qa), q16.to_float(qb)
        conds = np.linalg.cond(af)
        exact = np.array([float(v) for ai, bi in zip(qa.tolist(), qb.tolist())
                          for v in adversarial.solve_exact(ai, bi)]).reshape(qb.shape)
        fam = f"cond~{cond:g}"
        factored = "cho_factor_solve" if kernel == "cho_solve" else "lu_solve"
        rows = []
        for name in (kernel, factored):
            with q16.errstate(saturation="ignore"), q16.count_saturations() as sat:
                got = adversarial.solve_call(name, qa, qb, "nearest")
            rows.append(row(name, fam, "q16", f"{count}x4x4", got - exact, "LSB", sat.total,
                            cond=float(conds.max())))
        assume = "pos" if kernel == "cho_solve" else "gen"
        a32, b32 = a.astype(np.float32), (a @ x).astype(np.float32)
        want32 = np.linalg.solve(a32.astype(np.float64), b32.astype(np.float64))
        rows.append(row(kernel, fam, "float32", f"{count}x4x4",
                        (fp.solve(a32, b32, assume_a=assume) - want32) / np.abs(want32).max(),
                        "rel", cond=float(conds.max())))
        if kernel == "solve":
            adj = q16.matmul(baselines.q16_adjugate_inverse(qa), qb)
            rows.append(row("adjugate_inverse", fam, "q16", f"{count}x4x4", adj - exact, "LSB",
                            0, cond=float(conds.max()), note="inverse(A) @ b, baseline"))
        return rows
    return run


def _det(family, count):
    def run(rng):
        a = sample(rng, family, (count, 3, 3), 2.0)
        return _q16_and_f32("det", family, f"{count}x3x3", [a], q16.det, fp.det,
                            lambda v: np.linalg.det(v))
    return run


def _rigid_formula(m):
    out = np.zeros_like(m)
    rt = np.swapaxes(m[..., :3, :3], -1, -2)
    out[..., :3, :3] = rt
    out[..., :3, 3] = -(rt @ m[..., :3, 3:4])[..., 0]
    out[..., 3, 3] = 1
    return out


def _affine(kind, count):
    def run(rng):
        q, _ = np.linalg.qr(rng.standard_normal((count, 3, 3)))
        m = np.tile(np.eye(4), (count, 1, 1))
        m[:, :3, :3] = q if kind == "rigid" else q * rng.uniform(0.5, 2, (count, 1, 3))
        m[:, :3, 3] = rng.uniform(-100, 100, (count, 3))
        # the rigid kernel's contract is the formula [R^T, -R^T t] on the
        # (quantized, so not exactly orthonormal) input; affine: the inverse
        reference = _rigid_formula if kind == "rigid" else np.linalg.inv
        return _q16_and_f32(f"affine_{kind}", "transforms", f"{count}x4x4", [m],
                            lambda v: q16.affine_inverse(v, kind=kind),
                            lambda v: fp.affine_inverse(v, kind=kind), reference)
    return run


def cases(quick=True):
    """Every (kernel, family, size) task of the sweep, in report order."""
    n = 20_000 if quick else 200_000
    # five lengths (about 2 s more than two): the error-vs-length plot needs a curve
    lengths = (16, 32, 64, 128, 256) if quick else (16, 32, 64, 128, 256, 512, 1024)
    out = []
    for name in ("mul", "div", "sqrt", "exp"):
        out += [Case(name, f, str(n), _elementwise(name, f, n)) for f in FAMILIES]
    small = ("uniform", "normal", "heavy_tailed")
    out += [Case("matmul", f, "64x16x16", _matmul(f, 16)) for f in small]
    out += [Case("softmax", f, "256x64", _softmax(f, 64)) for f in small]
    out += [Case("sdpa", f, f"L={ln}", _sdpa(f, ln)) for f in ("uniform", "normal")
            for ln in lengths]
    out += [Case("mha", "normal", f"L={ln}", _mha("normal", ln)) for ln in lengths]
    conds = (10, 100, 1e4) if quick else (10, 100, 1e3, 1e4, 1e5)
    count = 200 if quick else 2000
    out += [Case("solve", f"cond~{c:g}", str(count), _solve("solve", c, count)) for c in conds]
    out += [Case("cho_solve", f"cond~{c:g}", str(count), _solve("cho_solve", c, count))
            for c in conds]
    out += [Case("det", f, str(count), _det(f, count)) for f in small]
    out += [Case(f"affine_{k}", "transforms", str(count), _affine(k, count))
            for k in ("rigid", "affine")]
    from attncore.report import adversarial  # imports this module: no cycle at load time
    return out + adversarial.cases(quick)


def user_cases(data):
    """Tasks on a user's arrays (``--input file.npz``): keys ``x`` (mul with
    itself, softmax on the last axis), ``a`` and ``b`` (matmul when a's last
    dim equals b's second to last; solve when a is square), ``q``, ``k``,
    ``v`` (attention).  Values are real numbers; they are quantized here."""
    out = []
    if "x" in data:
        x = np.asarray(data["x"], np.float64)
        out.append(Case("mul", "input", str(x.shape), lambda rng: _q16_and_f32(
            "mul", "input", str(x.shape), [x, x], q16.mul, np.multiply,
            lambda u, w: u.astype(np.longdouble) * w)))
        out.append(Case("softmax", "input", str(x.shape), lambda rng: _q16_and_f32(
            "softmax", "input", str(x.shape), [x], q16.softmax, fp.softmax, ref.softmax)))
    if "a" in data and "b" in data:
        a, b = np.asarray(data["a"], np.float64), np.asarray(data["b"], np.float64)
        if a.ndim >= 2 and b.ndim >= 2 and a.shape[-1] == b.shape[-2]:
            out.append(Case("matmul", "input", str(a.shape), lambda rng: _q16_and_f32(
                "matmul", "input", str(a.shape), [a, b], q16.matmul, fp.matmul, np.matmul)))
        if a.ndim >= 2 and a.shape[-1] == a.shape[-2] and b.shape[-2:-1] == a.shape[-1:]:
            out.append(Case("solve", "input", str(a.shape), lambda rng: _q16_and_f32(
                "solve", "input", str(a.shape), [a, b], q16.solve, fp.solve, np.linalg.solve)))
    if all(key in data for key in "qkv"):
        q, k, v = (np.asarray(data[key], np.float64) for key in "qkv")
        scale = q16.default_scale(q.shape[-1]) / q16.ONE
        out.append(Case("sdpa", "input", str(q.shape), lambda rng: _q16_and_f32(
            "sdpa", "input", str(q.shape), [q, k, v], q16.scaled_dot_product_attention,
            fp.scaled_dot_product_attention,
            lambda a, b, c: ref.scaled_dot_product_attention(a, b, c, scale=scale)[0])))
    return out
