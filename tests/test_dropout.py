"""Dropout checks beyond the generic catalog ones.

Mask convention (scratch/nn/dropout.py): one ``rng.random(mask_shape) >= p`` per training forward with
0 < p < 1 and a non-empty input; y = x * (keep / (1 - p)) in the input dtype (torch's _dropout_impl formula).
torch's own RNG cannot be replayed, so scratch is compared with ``torch.nn.Dropout`` by distribution (keep
fraction within a binomial bound, scale bit-exact), and with its twin (same mask, same numbers) exactly.
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
from conftest import DTYPES
from scratch.gradcheck import numerical_grad
from tests.catalog import BY_NAME
from tests.harness import build, float64_twin, forward
from tests.strategies import cotangent
from tests.tolerances import FD_TOL, assert_close

# read after tests.catalog, which imports the case families itself (importing tests.cases.dropout first would
# make the catalog find it half-initialized: test_dropout.py alone failed to collect)
MASK_SEED = importlib.import_module("tests.cases.dropout").MASK_SEED

dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


@pytest.mark.parametrize("p", [0.1, 0.5, 0.73])
def test_twin_mask_is_scratch_mask_is_the_documented_draw(p, rng):
    """Identically seeded generators: scratch, its twin and the documented draw give the same masks, call
    after call (the streams stay in step)."""
    s, r, ref = S.Dropout(p, rng=np.random.default_rng(7)), R.Dropout(p, rng=np.random.default_rng(7)), \
        np.random.default_rng(7)
    for shape in [(5, 6), (3, 2, 4), (7,)]:
        x = rng.uniform(0.5, 2.0, shape)  # never 0, so the zero pattern IS the mask
        keep = ref.random(shape) >= p
        ys, yr = s(x), r(x)
        np.testing.assert_array_equal(ys != 0, keep)
        np.testing.assert_array_equal(yr != 0, keep)
        np.testing.assert_array_equal(ys, yr)


def test_dropout2d_twin_mask_drops_whole_channels(rng):
    s, r, ref = S.Dropout2d(0.4, rng=np.random.default_rng(3)), R.Dropout2d(0.4, rng=np.random.default_rng(3)), \
        np.random.default_rng(3)
    x = rng.uniform(0.5, 2.0, (6, 5, 3, 4))
    keep = ref.random((6, 5, 1, 1)) >= 0.4
    ys, yr = s(x), r(x)
    np.testing.assert_array_equal(ys != 0, np.broadcast_to(keep, x.shape))
    np.testing.assert_array_equal(ys, yr)


@pytest.mark.parametrize("case", ["dropout", "dropout2d", "mlp_dropout", "dropout1d", "dropout3d", "alpha_dropout",
                                  "feature_alpha_dropout"])
def test_hypothesis_float64_oracle_draws_the_same_mask(case, rng):
    """tests.harness.float64_twin builds its own twin (Lib seed 0, not the pair's): the catalog entries seed their
    masks with a fixed seed, so the oracle's mask is the pair's and its slack stays meaningful."""
    c = BY_NAME[case]
    for seed in (0, 3, 5):
        s = build(c, S, np.float32, seed)
        oracle = float64_twin(c, s)
        x = c.sample(rng, np.float32, c.shape, 1.0)[0]
        ys, y64 = forward(s, (x,)), forward(oracle, (x.astype(np.float64),))
        np.testing.assert_array_equal(ys == 0, y64 == 0)
        assert_close(ys, y64.astype(np.float32), block=case, check="oracle64_same_mask", dtype=np.float32)


@pytest.mark.parametrize("p", [0.04, 0.2, 0.45, 0.52, 0.9])
@dtypes
def test_statistics_match_torch_dropout(p, dtype):
    """Keep fraction within a 5-sigma binomial bound of 1 - p for scratch AND for torch.nn.Dropout, and the kept
    values bit-identical to torch's (float32: float32(1)/float32(1-p); the naive float64 reciprocal differs in
    the last bit for e.g. p = 0.04, 0.45, 0.52)."""
    n = 200_000
    x = np.ones(n, dtype)
    ys = S.Dropout(p, rng=np.random.default_rng(11))(x)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(11)
        yt = torch.nn.Dropout(p)(torch.ones(n, dtype=TORCH_DTYPE[dtype])).numpy()
    bound = 5 * np.sqrt(p * (1 - p) / n)
    for name, y in (("scratch", ys), ("torch", yt)):
        assert abs(np.mean(y != 0) - (1 - p)) < bound, f"{name} keeps {np.mean(y != 0):.4f}, expected {1 - p}"
    assert ys.dtype == yt.dtype == dtype
    np.testing.assert_array_equal(np.unique(ys[ys != 0]), np.unique(yt[yt != 0]))
    np.testing.assert_array_equal(np.unique(ys[ys == 0]), [0])


def test_dropout2d_statistics_match_torch():
    n, c, p = 400, 50, 0.3
    ys = S.Dropout2d(p, rng=np.random.default_rng(5))(np.ones((n, c, 2, 2), np.float32))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(5)
        yt = torch.nn.Dropout2d(p)(torch.ones(n, c, 2, 2)).numpy()
    for y in (ys, yt):
        per_channel = y.reshape(n, c, 4)
        assert np.all(per_channel.min(-1) == per_channel.max(-1)), "a channel was partly dropped"
        assert abs(np.mean(per_channel[..., 0] != 0) - (1 - p)) < 5 * np.sqrt(p * (1 - p) / (n * c))
    np.testing.assert_array_equal(np.unique(ys), np.unique(yt))


@dtypes
def test_p0_and_eval_are_identity_without_draws(dtype, rng):
    x = rng.standard_normal((2, 3, 4, 2)).astype(dtype)
    for make, train in ((lambda: S.Dropout(0.0, rng=np.random.default_rng(1)), True),
                        (lambda: S.Dropout(0.6, rng=np.random.default_rng(1)), False),
                        (lambda: S.Dropout2d(0.6, rng=np.random.default_rng(1)), False)):
        m = make().train(train)
        state = m.rng.bit_generator.state
        y = m(x)
        np.testing.assert_array_equal(y, x)
        assert y.dtype == x.dtype and m.rng.bit_generator.state == state, "identity must not consume the rng"
        dy = cotangent(rng, y)
        np.testing.assert_array_equal(m.backward(dy), dy)


@dtypes
def test_p1_gives_zeros_and_nan_at_inf_like_torch(dtype):
    x = np.array([[1.5, -2.0, np.inf], [-np.inf, np.nan, 0.0]], dtype)
    ys = S.Dropout(1.0)(x)
    yt = torch.nn.Dropout(1.0)(torch.from_numpy(x)).numpy()
    assert_close(ys, yt, block="dropout_p1", check="inf_nan", dtype=dtype)
    np.testing.assert_array_equal(np.signbit(ys), np.signbit(yt))  # -0.0 where x < 0, as torch


@pytest.mark.parametrize("p", [-0.01, 1.0001, 2.0])
def test_p_outside_unit_interval_raises_value_error_like_torch(p):
    for cls in (S.Dropout, S.Dropout2d, torch.nn.Dropout, torch.nn.Dropout2d):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            cls(p)


@pytest.mark.parametrize("cls, shape", [("Dropout2d", (2, 3)), ("Dropout2d", (2, 3, 4)), ("Dropout2d", (1, 2, 3, 4, 2)),
                                        ("Dropout3d", (2, 3)), ("Dropout3d", (2, 3, 4, 1, 2, 1))],
                         ids=["2d-2-D", "2d-3-D", "2d-5-D", "3d-2-D", "3d-6-D"])
def test_dropout2d_3d_rank_warnings_like_torch(cls, shape):
    x = np.ones(shape, np.float32)
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        getattr(S, cls)(0.5, rng=np.random.default_rng(0))(x)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        getattr(torch.nn, cls)(0.5)(torch.from_numpy(x))
    assert [(w.category, str(w.message)) for w in ws] == [(w.category, str(w.message)) for w in wt]
    assert ws, "torch warns for these ranks"


def test_dropout2d_on_3d_input_is_channelwise_1d_dropout(rng):
    """torch 2.x treats a 3-D input as (N, C, L): mask (N, C, 1)."""
    x = rng.uniform(0.5, 2, (8, 6, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = S.Dropout2d(0.5, rng=np.random.default_rng(2))(x)
    keep = np.random.default_rng(2).random((8, 6, 1)) >= 0.5
    np.testing.assert_array_equal(y != 0, np.broadcast_to(keep, x.shape))


def test_dropout2d_1d_input_raises_in_training_only():
    x = np.ones(4, np.float32)
    for m in (S.Dropout2d(0.5), R.Dropout2d(0.5)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"):
                m(x)
            m.eval()
            np.testing.assert_array_equal(m(x), x)


@pytest.mark.parametrize("make, shape", [
    (lambda rng: S.Dropout(0.35, rng=rng), (4, 5)),
    (lambda rng: S.Dropout2d(0.5, rng=rng), (3, 4, 2, 2)),
    (lambda rng: S.AlphaDropout(0.4, rng=rng), (4, 5)),
    (lambda rng: S.Sequential(S.Linear(4, 6, dtype=np.float64, rng=np.random.default_rng(0)), S.Tanh(),
                              S.Dropout(0.3, rng=rng), S.Linear(6, 2, dtype=np.float64, rng=np.random.default_rng(1))),
     (5, 4)),
], ids=["dropout", "dropout2d", "alpha_dropout", "mlp_dropout"])
def test_finite_differences_with_a_fixed_mask(make, shape, rng):
    """The generic FD check is off for masked cases (a new mask per forward): here every forward gets a fresh,
    identically seeded generator, so L(x) = <u, f(x)> is a fixed function."""
    block = make(np.random.default_rng(MASK_SEED))
    droppers = [m for m in block.modules() if isinstance(m, (S.Dropout, S.Dropout2d, S.AlphaDropout))]

    def run(x):
        for m in droppers:
            m.rng = np.random.default_rng(MASK_SEED)
        return block(x)

    x = rng.uniform(-2, 2, shape)
    y = run(x)
    noise = np.concatenate([m._cache[0].ravel() for m in droppers])  # the mask the forward applied
    assert np.any(noise == 0) and np.any(noise != 0), "the mask must drop something and keep something"
    u = cotangent(rng, y)
    dx = block.backward(u)

    def loss(_=None) -> float:
        return float(np.sum(u * run(x)))

    assert_close(dx, numerical_grad(loss, x), block="dropout_fixed_mask", check="fd_input", tol=FD_TOL)
    for name, p in block.named_parameters():
        assert_close(p.grad, numerical_grad(loss, p.data), block="dropout_fixed_mask", check=f"fd[{name}]",
                     tol=FD_TOL)


def test_input_is_never_modified_and_inplace_is_accepted(rng):
    x = rng.standard_normal((4, 4))
    x0 = x.copy()
    s, r = S.Dropout(0.5, inplace=True, rng=np.random.default_rng(4)), R.Dropout(0.5, True, np.random.default_rng(4))
    np.testing.assert_array_equal(s(x), r(x))
    np.testing.assert_array_equal(x, x0)
    assert repr(s) == "Dropout(p=0.5, inplace=True)" and s.state_dict() == {}


def test_reference_twin_is_a_real_torch_module_in_a_real_sequential(rng):
    """reference.nn.Sequential runs ONE torch.nn.Sequential; its dropout is a torch.nn.Dropout subclass that a
    plain torch loop can train, and it still matches scratch mask for mask."""
    c = BY_NAME["mlp_dropout"]
    s, r = build(c, S, np.float64), build(c, R, np.float64)
    r.load_state_dict(s.state_dict())
    assert isinstance(r.torch_module, torch.nn.Sequential)
    assert isinstance(r.torch_module[2], torch.nn.Dropout)
    x = rng.standard_normal((6, 5))
    out = r.torch_module(torch.from_numpy(x))  # native torch call: draws the next mask from the twin's generator
    ys = s(x)
    assert_close(ys, out.detach().numpy(), block="mlp_dropout", check="native_torch_forward")
    out.sum().backward()
    assert r.torch_module[0].weight.grad is not None


# torch's own modules (their mask from torch's RNG) against scratch's: where the mask is constant, and which values
# come out of an all-ones input (bit for bit: 0 and 1/(1-p), or the alpha variants' a + alpha a p and alpha a (p-1))
_LAYOUTS = [("Dropout1d", (30, 20, 4), (2,)), ("Dropout1d", (20, 4), (1,)),
            ("Dropout3d", (10, 12, 2, 2, 2), (2, 3, 4)), ("Dropout3d", (40, 2, 2, 2), (1, 2, 3)),
            ("Dropout3d", (40, 3, 4), (1, 2)), ("AlphaDropout", (30, 20, 4), ()),
            ("FeatureAlphaDropout", (30, 20, 4), (2,)), ("FeatureAlphaDropout", (40, 30), ())]


def _constant_axes(y: np.ndarray) -> tuple[int, ...]:
    return tuple(ax for ax in range(y.ndim) if np.all(y == np.take(y, [0], axis=ax)))


@pytest.mark.parametrize("cls, shape, constant", _LAYOUTS, ids=[f"{c}-{len(s)}-D" for c, s, _ in _LAYOUTS])
def test_mask_layout_and_values_match_torch_modules(cls, shape, constant):
    p = 0.35
    for dtype in DTYPES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Dropout3d's rank warning
            ys = getattr(S, cls)(p, rng=np.random.default_rng(3))(np.ones(shape, dtype))
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(3)
                yt = getattr(torch.nn, cls)(p)(torch.ones(shape, dtype=TORCH_DTYPE[dtype])).numpy()
        assert _constant_axes(ys) == _constant_axes(yt) == constant
        np.testing.assert_array_equal(np.unique(ys), np.unique(yt))
        assert ys.dtype == yt.dtype == dtype


@pytest.mark.parametrize("cls", ["AlphaDropout", "FeatureAlphaDropout"])
def test_alpha_dropout_keeps_zero_mean_and_unit_variance(cls, rng):
    """The point of alpha dropout: standard-normal inputs stay at mean 0 and variance 1 in training (200k samples;
    bounds of about 5 standard errors), for scratch and for torch's own module."""
    x = rng.standard_normal((4000, 50, 1))
    for p in (0.1, 0.5, 0.8):
        ys = getattr(S, cls)(p, rng=np.random.default_rng(9))(x)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(9)
            yt = getattr(torch.nn, cls)(p)(torch.from_numpy(x)).numpy()
        for name, y in (("scratch", ys), ("torch", yt)):
            assert abs(y.mean()) < 0.012 and abs(y.var() - 1) < 0.03, (name, p, y.mean(), y.var())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ["mlp_dropout"])
def test_mlp_at_its_relu_kink_like_torch(case, dtype, rng):
    """A zero input row through a bias-free first Linear: every pre-activation of that row is exactly 0, where
    relu'(0) = 0 (torch's), so that row sends no gradient back through the ReLU (random cotangents)."""
    from tests.harness import compare_pair

    c = BY_NAME[case]
    s = build(c, S, dtype)
    state = s.state_dict()
    state["0.bias"] = np.zeros_like(state["0.bias"])
    s.load_state_dict(state)
    r = build(c, R, dtype)
    r.load_state_dict(s.state_dict())
    x = rng.standard_normal((4, 5)).astype(dtype)
    x[1] = 0.0
    compare_pair(c, dtype, s, r, (x,), rng, prefix="relu kink:")
