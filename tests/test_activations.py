"""Activation checks beyond the generic catalog ones: RReLU's random slopes against torch's own kernel and
distribution, and the warnings the generic checks silence.

RReLU draw convention (scratch/nn/activations/piecewise.py): one ``rng.uniform(lower, upper, x.shape)`` per
training forward, rounded to the input dtype, used where x <= 0. torch's RNG cannot be replayed, so scratch is
compared with torch's own rrelu kernel by distribution (and its twin, same draws, exactly: the catalog).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
from conftest import DTYPES
from tests.test_init import ks_critical, ks_statistic

dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


def test_rrelu_slopes_are_the_documented_draw_in_scratch_and_twin(rng):
    """Identically seeded generators: scratch, its twin and the documented draw give the same slopes, call after
    call (the streams stay in step), on the non-positive elements only; 0 takes a drawn slope."""
    lower, upper = 0.1, 0.3
    s, r, ref = (S.RReLU(lower, upper, rng=np.random.default_rng(7)),
                 R.RReLU(lower, upper, rng=np.random.default_rng(7)), np.random.default_rng(7))
    for _ in range(3):
        x = rng.standard_normal((4, 5)).astype(np.float32)
        x[0, :2] = 0.0, np.nan
        slopes = ref.uniform(lower, upper, x.shape).astype(np.float32)
        want = np.where(x <= 0, x * slopes, x)
        np.testing.assert_array_equal(s(x), want)
        np.testing.assert_array_equal(r(x), want)
        dy = rng.standard_normal(x.shape).astype(np.float32)
        np.testing.assert_array_equal(s.backward(dy), np.where(x <= 0, dy * slopes, dy))


@dtypes
def test_twin_training_formula_is_torchs_kernel(dtype):
    """The twin applies its slopes as ``x * noise`` with torch's backward op; torch's own training kernel
    (``aten.rrelu_with_noise``, which draws the noise itself) gives exactly that: noise 1 where x > 0 or NaN, a
    draw in [lower, upper] where x <= 0 (0 included), y = x * noise bit for bit, and x.grad = dy * noise."""
    x = torch.from_numpy(np.random.default_rng(0).standard_normal(400).astype(dtype))
    x[:3] = torch.tensor([0.0, -0.0, float("nan")], dtype=TORCH_DTYPE[dtype])
    x.requires_grad_(True)
    noise = torch.empty_like(x)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        y = torch.ops.aten.rrelu_with_noise(x, noise, 0.1, 0.3, True)
    dy = torch.from_numpy(np.random.default_rng(1).standard_normal(400).astype(dtype))
    y.backward(dy)
    xs, ns = x.detach().numpy(), noise.numpy()
    np.testing.assert_array_equal(y.detach().numpy(), xs * ns)
    np.testing.assert_array_equal(x.grad.numpy(), dy.numpy() * ns)
    assert np.all(ns[~(xs <= 0)] == 1) and ns[2] == 1  # NaN: not x <= 0
    drawn = ns[xs <= 0]
    assert np.all((drawn >= np.asarray(0.1, dtype)) & (drawn <= np.asarray(0.3, dtype))) and drawn.size > 150


def test_rrelu_training_slopes_follow_torchs_distribution():
    """U(lower, upper) like torch's own draws: support, mean and a two-sample KS test on fixed seeds."""
    lower, upper, n = 0.125, 1 / 3, 20000
    x = -np.ones(n)
    ours = -S.RReLU(lower, upper, rng=np.random.default_rng(3))(x)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)
        theirs = -torch.nn.RReLU(lower, upper)(torch.from_numpy(x)).numpy()
    for sample in (ours, theirs):
        assert lower <= sample.min() < lower + 1e-3 and upper - 1e-3 < sample.max() <= upper
        assert abs(sample.mean() - (lower + upper) / 2) < 5 * (upper - lower) / np.sqrt(12 * n)
    assert ks_statistic(ours, theirs) < ks_critical(n, n)


def test_rrelu_eval_is_leaky_relu_with_the_mean_slope(rng):
    x = rng.standard_normal((3, 4))
    x[0, 0] = np.nan  # eval: NaN takes the slope (leaky_relu tests x > 0)
    m = S.RReLU(0.1, 0.3, rng=np.random.default_rng(0)).eval()
    y = m(x)
    np.testing.assert_array_equal(y, S.LeakyReLU(0.2)(x))
    dy = rng.standard_normal(x.shape)
    np.testing.assert_array_equal(m.backward(dy), np.where(x > 0, dy, 0.2 * dy))


def test_softmin_without_dim_warns_and_uses_torch_legacy_dim(rng):
    for shape in ((2, 3), (2, 3, 4)):
        x = rng.standard_normal(shape)
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
            ys = S.Softmin()(x)
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
            yr = R.Softmin()(x)
        np.testing.assert_allclose(ys, yr, rtol=1e-12)


@pytest.mark.parametrize("keyword", ["min_value", "max_value"])
def test_hardtanh_deprecated_keywords_warn_like_torch(keyword):
    value = -2.0 if keyword == "min_value" else 2.0
    with pytest.warns(FutureWarning, match=f"`{keyword}` is deprecated"):
        s = S.Hardtanh(**{keyword: value})
    with pytest.warns(FutureWarning, match=f"`{keyword}` is deprecated"):
        t = torch.nn.Hardtanh(**{keyword: value})
    assert repr(s) == repr(t)


def test_erfc_is_accurate_to_float64_rounding_everywhere_gelu_needs_it():
    """scratch.nn._math.erfc (Cody's rational approximations, GELU's exact form) against math.erfc: every branch
    and its switch points, the underflow range, and the special values."""
    import math

    from scratch.nn._math import erfc

    x = np.concatenate([np.linspace(-6, 26, 64001), [0.0, -0.0, 0.46875, -0.46875, 4.0, -4.0, 1e-300, -1e-300]])
    want = np.array([math.erfc(v) for v in x])
    rel = np.abs(erfc(x) - want) / want
    assert rel.max() < 2e-15, (rel.max(), x[rel.argmax()])
    got = erfc(np.array([np.inf, -np.inf, np.nan, 27.5, -27.5]))
    assert got[0] == 0 and got[1] == 2 and np.isnan(got[2]) and got[3] == 0 and got[4] == 2
    assert erfc(np.float32([0.3])).dtype == np.float32
