#!/usr/bin/env python3
"""Least-squares polynomial fits behind the constants in assembly/math.ts.

Not part of the build: run it by hand (needs numpy and mpmath) when a kernel's
approximation changes, and paste the printed coefficients (highest degree last).
Each fit prints its maximum error on a dense Chebyshev grid.
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40


def fit(f, lo, hi, deg, weight, n=4000):
    """Weighted least squares in the monomial basis on Chebyshev nodes of [lo, hi]."""
    xs = np.cos(np.linspace(0, np.pi, n)) * (hi - lo) / 2 + (hi + lo) / 2
    ys = np.array([float(f(mp.mpf(x))) for x in xs])
    w = np.array([weight(x, y) for x, y in zip(xs, ys)])
    V = np.vander(xs, deg + 1, increasing=True)
    c, *_ = np.linalg.lstsq(V * w[:, None], ys * w, rcond=None)
    return c, np.max(np.abs(V @ c - ys) * w)


def show(name, c, err):
    print(f"{name}: max error {err:.3g}")
    print("  " + ", ".join(repr(float(x)) for x in c))


# e^r on [-ln2/2, ln2/2], relative error (vexp)
show("exp", *fit(mp.exp, -0.3466, 0.3466, 6, lambda x, y: 1 / y))


# log: P(z) = (2 atanh(s) - 2s) / (s z), z = s^2, s in [0, 3 - 2 sqrt 2] (vlog)
def log_p(z):
    if z == 0:
        return mp.mpf(2) / 3
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) - 2 * s) / (s * z)


show("log P", *fit(log_p, 0, 0.02944, 3, lambda x, y: 1))


# expm1 for |x| < ln2/2: Q(x) = (expm1(x) - x - x^2/2) / x^3 (vexpm1)
def expm1_q(x):
    if abs(x) < 1e-8:
        return mp.mpf(1) / 6
    return (mp.expm1(x) - x - x * x / 2) / x**3


show("expm1 Q", *fit(expm1_q, -0.3466, 0.3466, 4, lambda x, y: 1))

# erfcx(z) = erfc(z) e^(z^2) on z in [0, 11], as a polynomial in
# u = (2t - (th + tl)) / (th - tl), t = 1 / (1 + z/3) (erfcPositive, f64).
tl, th, deg = 1 / (1 + 11 / 3), 1.0, 12
ts = np.cos(np.linspace(0, np.pi, 6000)) * (th - tl) / 2 + (th + tl) / 2
zs = 3 * (1 / ts - 1)
ys = np.array([float(mp.erfc(mp.mpf(z)) * mp.exp(mp.mpf(z) ** 2)) for z in zs])
u = (2 * ts - (th + tl)) / (th - tl)
V = np.polynomial.chebyshev.chebvander(u, deg)
c, *_ = np.linalg.lstsq(V / ys[:, None], np.ones_like(ys), rcond=None)
poly = np.polynomial.chebyshev.cheb2poly(c)
err = np.max(np.abs(np.polyval(poly[::-1], u) - ys) / ys)
print(f"erfcx in u (tl={tl!r}, th={th!r}): max relative error {err:.3g}")
print("  " + ", ".join(repr(float(x)) for x in poly))

# GELU-tanh's derivative about its zero x0 (x ≈ -0.75): g(x) = (x - x0) h(z), z = x - x0,
# h fitted on x in [-0.875, -0.625] (vgeluTanhGradNearZero, f32). Also prints x0 split
# into an f32 head and tail.
GELU_C2 = 2 * mp.sqrt(2 / mp.pi)


def gelu_tanh_grad(x):
    s = 1 / (1 + mp.exp(-GELU_C2 * (x + mp.mpf("0.044715") * x**3)))
    return s + GELU_C2 * (1 + 3 * mp.mpf("0.044715") * x * x) * x * s * (1 - s)


x0 = mp.findroot(gelu_tanh_grad, -0.75)
x0_hi = float(np.float32(float(x0)))
print(f"GELU-tanh' zero: x0 = {mp.nstr(x0, 20)}, head {x0_hi!r}, tail {float(np.float32(float(x0 - x0_hi)))!r}")


def gelu_tanh_grad_over_z(z):
    if abs(z) < 1e-12:
        return mp.diff(gelu_tanh_grad, x0)
    return gelu_tanh_grad(x0 + z) / z


show("GELU-tanh' h(z)", *fit(gelu_tanh_grad_over_z, -0.875 - float(x0), -0.625 - float(x0), 6, lambda x, y: 1 / abs(y), n=800))
