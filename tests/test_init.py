"""scratch.init vs torch.nn.init. Random initializers are compared by DISTRIBUTION against torch's own samples
(torch's RNG stream cannot be reproduced): moments within bounds derived from the sample size, support bounds,
and a two-sample Kolmogorov-Smirnov test, all on fixed seeds (never flaky). Deterministic ones are compared
exactly. Also: gains, fans, errors and warnings (same class and message as torch), in-place semantics.

The distribution helpers here are shared with tests/test_init_catalog.py (every layer's default init).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import scratch.init as sinit
from conftest import DTYPES
from scratch.nn import Parameter
from tests.harness import assert_same_outcome, outcome
from tests.tolerances import Tol, assert_close

Z = 5.0  # moment bounds: 5 standard errors of the difference (fixed seeds: a pass is reproducible)
KS_ALPHA = 1e-4


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic sup_x |F_a(x) - F_b(x)| (empirical CDFs, evaluated at every
    sample point of either set, which is where the supremum is attained)."""
    a, b = np.sort(a), np.sort(b)
    points = np.concatenate([a, b])
    fa = np.searchsorted(a, points, side="right") / a.size
    fb = np.searchsorted(b, points, side="right") / b.size
    return float(np.max(np.abs(fa - fb)))


def ks_critical(n: int, m: int, alpha: float = KS_ALPHA) -> float:
    """Asymptotic critical value c(alpha) sqrt((n+m)/(n m)), c(alpha) = sqrt(-ln(alpha/2)/2) (Smirnov)."""
    return math.sqrt(-0.5 * math.log(alpha / 2)) * math.sqrt((n + m) / (n * m))


def assert_same_distribution(x: np.ndarray, y: np.ndarray, *, block: str, dtype, support=None,
                             edges: bool = False) -> None:
    """Scratch samples ``x`` vs torch samples ``y`` (pooled, any shape): mean, std, support and KS.

    ``support``: the theoretical (lo, hi) both samples must respect (``edges``: and scratch must come within 5%
    of both ends, as a uniform sample does); without it scratch's range may exceed
    torch's by at most a quarter of torch's range (a normal's extremes wander ~0.3 sd; an outlier does not).
    """
    x, y = np.asarray(x, np.float64).ravel(), np.asarray(y, np.float64).ravel()
    n, m = x.size, y.size
    assert n >= 200 and m >= 200, f"{block}: too few samples ({n}, {m}) for a distribution check"
    se_mean = math.sqrt(x.var() / n + y.var() / m)
    assert_close(x.mean(), y.mean(), block=block, check="init mean", dtype=dtype,
                 tol=Tol(0.0, Z * se_mean + 1e-12, reason=f"{Z:g} standard errors of the mean difference"))

    def var_se(s: np.ndarray) -> float:  # standard error of the sample variance: sqrt((mu4 - sigma^4) / n)
        c = s - s.mean()
        return math.sqrt(max(np.mean(c**4) - np.mean(c**2) ** 2, 0.0) / s.size)

    assert_close(x.var(), y.var(), block=block, check="init variance", dtype=dtype,
                 tol=Tol(0.0, Z * math.hypot(var_se(x), var_se(y)) + 1e-12,
                         reason=f"{Z:g} standard errors of the variance difference"))
    if support is not None:
        lo, hi = support
        slack = 1e-6 * max(abs(lo), abs(hi))  # the float32 cast of a bound may round outward
        for s, who in ((x, "scratch"), (y, "torch")):
            assert lo - slack <= s.min() and s.max() <= hi + slack, f"{block}: {who} outside [{lo}, {hi}]"
        width = hi - lo
        assert not edges or (x.min() < lo + 0.05 * width and x.max() > hi - 0.05 * width), f"{block}: edges missed"
    else:
        pad = 0.25 * np.ptp(y)
        assert y.min() - pad <= x.min() and x.max() <= y.max() + pad, (
            f"{block}: scratch range [{x.min():.4g}, {x.max():.4g}] vs torch [{y.min():.4g}, {y.max():.4g}]")
    crit = ks_critical(n, m)
    assert_close(ks_statistic(x, y), 0.0, block=block, check="init KS statistic", dtype=dtype,
                 tol=Tol(0.0, crit, reason=f"two-sample KS critical value, alpha={KS_ALPHA:g}, n={n}, m={m}"))


LIN = (20, 5)  # Linear (out, in): fan_in 5 != fan_out 20, so a fan mix-up changes the scale 2x
CONV = (6, 3, 3, 2)  # Conv (out, in, kh, kw): fan_in 18, fan_out 36
G_LEAKY0 = math.sqrt(2.0)  # calculate_gain('leaky_relu', 0)

# (function, kwargs, shape, theoretical support or None); supports from docs/torch_facts.md section 9.
RANDOM_CASES = [
    ("uniform_", {"a": -1.0, "b": 3.0}, LIN, (-1.0, 3.0)),
    ("normal_", {"mean": 1.0, "std": 2.0}, LIN, None),
    ("trunc_normal_", {}, LIN, (-2.0, 2.0)),
    ("trunc_normal_", {"mean": 0.5, "std": 0.5, "a": 0.0, "b": 3.0}, LIN, (0.0, 3.0)),
    ("trunc_normal_", {"mean": 3.0, "std": 1.0, "a": -1.0, "b": 1.0}, LIN, (-1.0, 1.0)),  # mass < 0.3 branch
    # mass < 0.3 below a, std 2: the peak of the accepted density is at a, z = 0.8 (a lower log_peak clips the
    # acceptance near a and distorts the law; a higher one only costs rounds)
    ("trunc_normal_", {"mean": -2.6, "std": 2.0, "a": -1.0, "b": 1.0}, LIN, (-1.0, 1.0)),
    ("xavier_uniform_", {}, LIN, (-math.sqrt(6 / 25), math.sqrt(6 / 25))),
    ("xavier_uniform_", {"gain": 5 / 3}, CONV, (-5 / 3 * math.sqrt(6 / 54), 5 / 3 * math.sqrt(6 / 54))),
    ("xavier_normal_", {"gain": 2.0}, CONV, None),
    ("kaiming_uniform_", {}, LIN, (-G_LEAKY0 * math.sqrt(3 / 5), G_LEAKY0 * math.sqrt(3 / 5))),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, LIN, (-1 / math.sqrt(5), 1 / math.sqrt(5))),  # nn.Linear's init
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, CONV, (-math.sqrt(6 / 36), math.sqrt(6 / 36))),
    ("kaiming_normal_", {}, LIN, None),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, LIN, None),
    ("kaiming_normal_", {"a": 0.2}, CONV, None),
    ("kaiming_normal_", {"nonlinearity": "tanh"}, CONV, None),
    ("kaiming_normal_", {"nonlinearity": "selu", "mode": "FAN_OUT"}, LIN, None),
    ("orthogonal_", {}, (8, 5), None),
    ("orthogonal_", {"gain": 2.0}, (3, 4, 2), None),  # rows < cols, trailing dims flattened
]
SEEDS = 40


def _label(fn: str, kwargs: dict, shape) -> str:
    return f"init.{fn}[{','.join(f'{k}={v:.3g}' if isinstance(v, float) else f'{k}={v}' for k, v in kwargs.items())}" \
           f"{shape}]"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("fn", "kwargs", "shape", "support"), RANDOM_CASES,
                         ids=[_label(*c[:3]) for c in RANDOM_CASES])
def test_random_init_distribution_matches_torch(fn, kwargs, shape, support, dtype):
    xs = [getattr(sinit, fn)(np.empty(shape, dtype), **kwargs, rng=np.random.default_rng(s)) for s in range(SEEDS)]
    ys = []
    for s in range(SEEDS):
        t = torch.empty(shape, dtype=torch.float32 if dtype == np.float32 else torch.float64)
        ys.append(getattr(torch.nn.init, fn)(t, **kwargs, generator=torch.Generator().manual_seed(s)).numpy())
    assert all(x.dtype == dtype and x.shape == shape for x in xs)
    assert_same_distribution(np.stack(xs), np.stack(ys), block=_label(fn, kwargs, shape), dtype=dtype, support=support,
                             edges="uniform" in fn)


@pytest.mark.parametrize(("shape", "gain"), [((8, 5), 1.0), ((3, 4, 2), 2.0), ((6, 6), 0.5)])
def test_orthogonal_is_orthogonal(shape, gain):
    q = sinit.orthogonal_(np.empty(shape), gain=gain, rng=np.random.default_rng(0)).reshape(shape[0], -1)
    small = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
    assert_close(small, gain**2 * np.eye(small.shape[0]), block=f"init.orthogonal_{shape}", check="Q^T Q = gain^2 I",
                 dtype=np.float64, tol=Tol(0.0, 1e-12, reason="float64 Householder QR"))


@pytest.mark.parametrize(("fn", "args", "shape"), [("constant_", (0.3,), (4, 3)), ("zeros_", (), (2, 3, 2)),
                                                   ("ones_", (), (5,)), ("eye_", (), (3, 5)), ("eye_", (), (5, 3))])
@pytest.mark.parametrize("dtype", DTYPES)
def test_deterministic_init_exact(fn, args, shape, dtype):
    x = getattr(sinit, fn)(np.full(shape, 7.0, dtype), *args)
    y = getattr(torch.nn.init, fn)(torch.full(shape, 7.0, dtype=torch.from_numpy(np.empty(0, dtype)).dtype), *args)
    np.testing.assert_array_equal(x, y.numpy())
    assert x.dtype == dtype


GAINS = [(n, None) for n in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                             "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")] + [
    ("leaky_relu", 0.2), ("leaky_relu", 1), ("leaky_relu", np.float64(0.3)), ("leaky_relu", True),
    ("leaky_relu", "0.1"), ("leaky_relu", np.float32(0.2)), ("swish", None), ("Tanh", None)]


@pytest.mark.parametrize(("nonlinearity", "param"), GAINS, ids=[f"{n}-{p!r}" for n, p in GAINS])
def test_calculate_gain_like_torch(nonlinearity, param):
    got = outcome(lambda: sinit.calculate_gain(nonlinearity, param))
    want = outcome(lambda: torch.nn.init.calculate_gain(nonlinearity, param))
    assert_same_outcome(f"calculate_gain({nonlinearity!r}, {param!r})", got, want)
    assert str(got[1]) == str(want[1]) and type(got[1]) is type(want[1]), (got, want)


@pytest.mark.parametrize("shape", [(3, 4), (6, 3, 3, 2), (2, 6, 4), (7, 1), (1, 7), (4, 2, 1, 1, 3), (0, 3), (5,), ()])
def test_fans_like_torch(shape):
    got = outcome(lambda: sinit._calculate_fan_in_and_fan_out(np.empty(shape)))
    want = outcome(lambda: torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape)))
    assert_same_outcome(f"fans{shape}", got, want)
    assert str(got[1]) == str(want[1])


ERRORS = [
    ("xavier_uniform_", (3,), {}), ("xavier_normal_", (), {}), ("kaiming_normal_", (4,), {}),
    ("eye_", (2, 2, 2), {}), ("orthogonal_", (3,), {}), ("kaiming_uniform_", (3, 4), {"mode": "fan_avg"}),
    ("kaiming_normal_", (3, 4), {"nonlinearity": "swish"}), ("kaiming_normal_", (3, 4), {"a": True}),
    ("xavier_uniform_", (0, 0), {}), ("uniform_", (3,), {"a": 1.0, "b": 0.0}), ("normal_", (3,), {"std": -1.0}),
    ("orthogonal_", (0, 3), {}), ("kaiming_uniform_", (3, 4), {"mode": "FAN_OUT"}),
]


@pytest.mark.parametrize(("fn", "shape", "kwargs"), ERRORS, ids=[f"{f}{s}{k}" for f, s, k in ERRORS])
def test_errors_like_torch(fn, shape, kwargs):
    got = outcome(lambda: getattr(sinit, fn)(np.empty(shape), **kwargs, rng=np.random.default_rng(0))
                  if fn not in ("eye_",) else sinit.eye_(np.empty(shape)))
    want = outcome(lambda: getattr(torch.nn.init, fn)(torch.empty(shape, dtype=torch.float64), **kwargs))
    assert_same_outcome(f"{fn}{shape}{kwargs}", got, want)
    if want[0] == "raise":
        assert str(got[1]) == str(want[1])


@pytest.mark.parametrize(("fn", "shape", "kwargs", "match"), [
    ("kaiming_uniform_", (0, 4), {}, "zero-element"), ("kaiming_normal_", (3, 0), {}, "zero-element"),
    ("trunc_normal_", (5,), {"mean": 5.0}, "more than 2 std")])
def test_warnings_like_torch(fn, shape, kwargs, match):
    with pytest.warns(UserWarning, match=match):
        getattr(torch.nn.init, fn)(torch.empty(shape), **kwargs)
    with pytest.warns(UserWarning, match=match):
        getattr(sinit, fn)(np.empty(shape), **kwargs, rng=np.random.default_rng(0))


@pytest.mark.parametrize("fn", ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_",
                                "kaiming_uniform_", "kaiming_normal_", "orthogonal_"])
def test_in_place_seeded_and_parameters(fn):
    """Fills in place and returns its argument; the same seed gives the same values; a Parameter's data is
    filled in place too."""
    x = np.zeros((6, 4), np.float32)
    assert getattr(sinit, fn)(x, rng=np.random.default_rng(1)) is x and x.dtype == np.float32 and x.any()
    y = getattr(sinit, fn)(np.zeros((6, 4), np.float32), rng=np.random.default_rng(1))
    np.testing.assert_array_equal(x, y)
    p = Parameter(np.zeros((6, 4), np.float64))
    held = p.data
    assert getattr(sinit, fn)(p, rng=np.random.default_rng(1)) is p and p.data is held and held.any()


def test_non_float_arrays_are_rejected():
    with pytest.raises(NotImplementedError):
        sinit.uniform_(np.zeros(3, np.int64), rng=np.random.default_rng(0))


@pytest.mark.parametrize("mean", [5.0, 4.0, 3.5, -3.5, -4.0, -5.0, 4.5])
def test_trunc_normal_warns_exactly_where_torch_does(mean):
    """torch warns when mean < a - 2 std or mean > b + 2 std (a, b = -2, 2; std 1): on the bound (+-4.0) and
    between one and two std outside (+-3.5) it does not."""
    def warned(fill) -> list[tuple[str, str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fill()
        return [(str(w.message), w.filename) for w in caught]

    want = warned(lambda: torch.nn.init.trunc_normal_(torch.empty(3), mean=mean))
    got = warned(lambda: sinit.trunc_normal_(np.empty(3), mean=mean, rng=np.random.default_rng(0)))
    assert [m for m, _ in got] == [m for m, _ in want]
    assert bool(want) == (abs(mean) > 4.0)
    # scratch's warning points at the caller's line (stacklevel 2); torch's points into torch/nn/init.py, the frame
    # of its public wrapper around _no_grad_trunc_normal_: a departure kept on purpose, the user's line is the news
    assert all(f == __file__ for _, f in got), got


def test_trunc_normal_law_when_the_mean_is_half_a_std_below_a():
    """One-sample KS against the exact truncated-normal CDF (Phi(x) - Phi(a)) / (Phi(b) - Phi(a)) on [0.5, 0.8]
    with mean 0, std 1: the uniform-proposal branch (mass 0.097) with its density's peak at a, z = 0.5, where a
    log_peak from z instead of z^2 (too low by 0.125) would clip the acceptance near a: KS distance 0.019 from the
    law (computed), 3x the critical value at alpha 1e-6 for 200,000 draws."""
    a, b = 0.5, 0.8
    x = sinit.trunc_normal_(np.empty(200_000), 0.0, 1.0, a, b, rng=np.random.default_rng(0))
    phi = np.frompyfunc(lambda v: 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))), 1, 1)
    cdf = ((phi(np.sort(x)).astype(np.float64) - phi(a)) / (phi(b) - phi(a)))
    n = x.size
    ks = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    critical = math.sqrt(-0.5 * math.log(1e-6 / 2)) / math.sqrt(n)  # one-sample, asymptotic
    assert a <= x.min() and x.max() <= b
    assert ks < critical, (ks, critical)
