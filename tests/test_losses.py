"""Loss-specific checks the generic catalog checks (tests/test_blocks.py) do not cover: warnings (NLLLoss2d's
deprecation too), the backward protocol (implicit dy), state_dict keys with and without weights, deterministic
extreme logits, no escaping RuntimeWarning on any catalog input, and torch's Huber quirk with a target of another
dtype."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import reference.nn as R
import scratch.nn as S
import scratch.nn.losses
from conftest import DTYPES
from scratch.nn.base import CachedModule
from tests.catalog import CATALOG, Lib
from tests.harness import assert_same_outcome, build, build_pair, compare_pair, outcome
from tests.tolerances import assert_close, default_tol

LOSS_CASES = [c for c in CATALOG if c.loss]
dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)


def _user_warnings(fn, *args, **kwargs) -> list[str]:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fn(*args, **kwargs)
    return [str(w.message) for w in rec if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss"])
def test_size_mismatch_warns_and_broadcasts_like_torch(name, rng):
    x, t = rng.standard_normal((3, 1)), rng.standard_normal((3, 4))
    for lib in (S, R):
        got = _user_warnings(getattr(lib, name)(), x, t)
        assert len(got) == 1 and "different to the input size" in got[0], (lib.__name__, got)
        assert _user_warnings(getattr(lib, name)(), x, t[:, :1]) == [], lib.__name__


def test_nll_loss_2d_is_deprecated_like_torch():
    messages = []
    for lib in (S, R):
        with pytest.warns(FutureWarning) as rec:
            lib.NLLLoss2d()
        messages.append([str(w.message) for w in rec])
    assert messages[0] == messages[1] and "`NLLLoss2d` has been deprecated" in messages[0][0]


@pytest.mark.parametrize("reduction, warns", [("mean", True), ("batchmean", False), ("sum", False)])
def test_kl_div_mean_warns_like_torch(reduction, warns, rng):
    x, t = np.log(np.full((2, 3), 1 / 3)), np.full((2, 3), 1 / 3)
    for lib in (S, R):
        got = _user_warnings(lib.KLDivLoss(reduction=reduction), x, t)
        assert (len(got) == 1 and "batchmean" in got[0]) if warns else got == [], (lib.__name__, got)


@pytest.mark.parametrize("size_average, reduce", [(False, None), (None, False), (True, True), (False, True)])
def test_legacy_size_average_reduce_like_torch(size_average, reduce, rng):
    x, t = rng.standard_normal((3, 4)), rng.integers(0, 4, 3)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        s = S.CrossEntropyLoss(size_average=size_average, reduce=reduce)
        r = R.CrossEntropyLoss(size_average=size_average, reduce=reduce)
    assert s.reduction == r.torch_module.reduction
    assert_close(s(x, t), r(x, t), block="cross_entropy", check="legacy_reduction", dtype=np.float64)
    assert _user_warnings(S.MSELoss, size_average=size_average, reduce=reduce)


def test_backward_protocol_like_torch(rng):
    """dy defaults to 1 for a 0-d loss; 'none' needs an explicit dy (torch's RuntimeError); before forward: error."""
    x, t = rng.standard_normal((4, 3)), rng.integers(0, 3, 4)
    s, r = S.CrossEntropyLoss(), R.CrossEntropyLoss()
    s(x, t), r(x, t)
    assert_close(s.backward(), r.backward(), block="cross_entropy", check="implicit_dy", dtype=np.float64)
    s(x, t)
    implicit = s.backward()
    s(x, t)
    assert_close(implicit, s.backward(np.float64(1.0)), block="cross_entropy", check="implicit_dy_is_1",
                 dtype=np.float64)
    s, r = S.MSELoss(reduction="none"), R.MSELoss(reduction="none")
    s(x, x), r(x, x)
    assert_same_outcome("implicit dy on 'none'", outcome(s.backward), outcome(r.backward))
    assert_same_outcome("backward before forward", outcome(S.L1Loss().backward), outcome(R.L1Loss().backward))


@pytest.mark.parametrize("name, kwargs", [
    ("CrossEntropyLoss", {}), ("CrossEntropyLoss", {"weight": 1}), ("NLLLoss", {"weight": 1}), ("BCELoss", {}),
    ("BCELoss", {"weight": 1}), ("BCEWithLogitsLoss", {"pos_weight": 1}),
    ("BCEWithLogitsLoss", {"weight": 1, "pos_weight": 1}), ("MultiMarginLoss", {"weight": 1}), ("MSELoss", {}),
    ("KLDivLoss", {}), ("HingeEmbeddingLoss", {}), ("HuberLoss", {}), ("SmoothL1Loss", {}), ("L1Loss", {}),
])
@dtypes
def test_state_dict_keys_and_dtypes_like_torch(name, kwargs, dtype, rng):
    """weight / pos_weight are buffers named as torch's (absent when None); dtypes are kept."""
    kw = {k: rng.uniform(0.5, 2, 3).astype(dtype) for k in kwargs}
    ss, sr = getattr(S, name)(**kw).state_dict(), getattr(R, name)(**kw).state_dict()
    assert list(ss) == list(sr)
    for k in ss:
        assert ss[k].dtype == sr[k].dtype and ss[k].shape == sr[k].shape
        assert_close(ss[k], sr[k], block=name, check=f"state[{k}]", dtype=dtype)


@pytest.mark.parametrize("case", [c for c in LOSS_CASES if 1e4 in c.scales], ids=str)
@pytest.mark.parametrize("scale", [1e4, 1e2, 0.0])
@dtypes
def test_extreme_scales_deterministic_vs_torch(case, scale, dtype, rng):
    """The hypothesis check draws scales at random; here every loss meets +-1e4 (logits, scores) on every run.
    A log-softmax without the max shift, an unstable log-sigmoid, ... fail here in both dtypes."""
    s, r = build_pair(case, dtype)
    compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, scale), rng, prefix=f"scale{scale:g}:",
                 slack_seed=0)


@pytest.mark.parametrize("case", LOSS_CASES, ids=str)
def test_no_runtime_warning_escapes(case, rng):
    """Scratch never lets a NumPy RuntimeWarning out (divide/invalid/overflow): not on the samples, extremes and
    kinks, and not on bad inputs where torch returns NaN/inf (all targets ignored, NaN logits, empty batch)."""
    inputs = [case.sample(rng, dt, case.shape, sc) for dt in DTYPES for sc in (1.0, 0.0, 1e4)]
    inputs += [case.kinks(rng, dt, case.shape, 1.0) for dt in DTYPES] if case.kinks else []
    inputs += [b.sample(rng, dt) for b in case.bad_inputs for dt in DTYPES]
    for args in inputs:
        assert_no_runtime_warning(case, args, rng)


def assert_no_runtime_warning(case, args: tuple, rng) -> None:
    """The entry's scratch block on ``args``, forward and (float input) backward with a random cotangent and with
    zeros, raising any RuntimeWarning (an error, as torch's, is fine: the bad-input checks compare it)."""
    s = build(case, S, np.asarray(args[0]).dtype if np.asarray(args[0]).dtype.kind == "f" else np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # size-mismatch / KLDiv 'mean' warnings: tested above
        warnings.simplefilter("error", RuntimeWarning)
        try:
            y = s(*args)
            if np.asarray(args[0]).dtype.kind == "f":  # (a backward torch refuses raises too)
                s.backward(rng.standard_normal(np.shape(y)).astype(y.dtype))
                s(*args)
                s.backward(np.zeros(np.shape(y), y.dtype))  # a zero cotangent on an infinite gradient: 0 * inf
        except (RuntimeError, ValueError, IndexError, NotImplementedError, TypeError) as e:
            assert not isinstance(e, Warning)


@pytest.mark.parametrize("case", [c for c in LOSS_CASES if type(build(c, S, np.float64)) is S.HuberLoss], ids=str)
@pytest.mark.parametrize("target_dtype", ["other float", "int64"])
@dtypes
def test_huber_target_of_another_dtype_like_torch(case, target_dtype, dtype, rng):
    """torch's HuberLoss forward accepts a target of another dtype (the output keeps the input's dtype) but its
    backward raises RuntimeError; scratch does the same (the generic bad-input check cannot express this)."""
    x = rng.standard_normal((3, 4)).astype(dtype)
    t = (rng.standard_normal((3, 4)).astype(np.float32 if dtype == np.float64 else np.float64)
         if target_dtype == "other float" else rng.integers(-2, 3, (3, 4)))
    s, r = build_pair(case, dtype)
    ys, yr = s(x, t), r(x, t)
    assert ys.dtype == yr.dtype == dtype
    assert_close(ys, yr, block=case.name, check="mixed_dtype_forward", dtype=dtype)
    dy = rng.standard_normal(yr.shape).astype(dtype)
    assert_same_outcome("huber backward, mixed dtypes", outcome(lambda: s.backward(dy)),
                        outcome(lambda: r.backward(dy)))


def test_every_loss_has_a_case_per_reduction():
    """The catalog covers 'none', 'mean' and 'sum' (and KLDiv's 'batchmean') for every loss class."""
    seen: dict[str, set[str]] = {}
    for c in LOSS_CASES:
        m = build(c, S, np.float64)
        seen.setdefault(type(m).__name__, set()).add(m.reduction)
    for name, reds in seen.items():
        need = {"none", "mean", "sum"} | ({"batchmean"} if name == "KLDivLoss" else set())
        assert need <= reds, f"{name}: no catalog entry for {sorted(need - reds)}"
    losses = {n for n in scratch.nn.losses.__all__ if n.endswith(("Loss", "Loss2d"))}  # the losses family's
    assert losses == set(seen), sorted(losses ^ set(seen))


def test_weights_are_buffers_not_parameters(rng):
    w = rng.uniform(0.5, 2, 4)
    for m in (S.CrossEntropyLoss(weight=w), S.BCEWithLogitsLoss(weight=w, pos_weight=w)):
        assert list(m.parameters()) == []
        assert m.weight is w
    Lib(S)  # the catalog's Lib view works on the losses (no dtype/rng injection)


def _rounded_once(case) -> bool:
    """PoissonNLLLoss on log-rates, GaussianNLLLoss with an array var: float64 throughout. (A rate's x + eps is
    rounded in the input's dtype, and a Python float var becomes one of the input's dtype, as in torch.)"""
    block = build(case, S, np.float64)
    if isinstance(block, S.PoissonNLLLoss):
        return block.log_input
    return isinstance(block, S.GaussianNLLLoss) and isinstance(case.sample(np.random.default_rng(0), np.float64,
                                                                           case.shape, 1.0)[2], np.ndarray)


@pytest.mark.parametrize("case", [c for c in LOSS_CASES if _rounded_once(c)], ids=str)
def test_float32_is_the_float64_evaluation_rounded_once(case, rng):
    """PoissonNLLLoss and GaussianNLLLoss evaluate a float32 loss in float64 and round it once (their docstring):
    elementwise ('none'), the loss and every gradient of float32 inputs are the float64 ones rounded, exactly."""
    args32 = case.sample(rng, np.float32, case.shape, 1.0)
    args64 = tuple(a.astype(np.float64) if isinstance(a, np.ndarray) else a for a in args32)
    s32, s64 = build(case, S, np.float32), build(case, S, np.float64)
    s32.reduction = s64.reduction = "none"
    y32, y64 = s32(*args32), s64(*args64)
    np.testing.assert_array_equal(y32, y64.astype(np.float32), strict=True)
    dy = rng.standard_normal(y32.shape).astype(np.float32)
    g32, g64 = s32.backward(dy, target_grad=True), s64.backward(dy.astype(np.float64), target_grad=True)
    for a, b in zip(g32, g64, strict=True):
        np.testing.assert_array_equal(a, b.astype(np.float32), strict=True)


@pytest.mark.parametrize("name", ["poisson_nll_rate_full_eps", "gaussian_nll_float_var"])
def test_float32_rates_and_a_float_var_round_once_past_torchs_own_float32_steps(name, rng):
    """The two entries the test above leaves out, for which torch rounds one step in the input's dtype first:
    PoissonNLLLoss on rates (poisson_nll_rate_full_eps: x + eps in float32, then log(z), the rest and Stirling's
    term in float64) and GaussianNLLLoss with a Python float var (gaussian_nll_float_var: var becomes a float32
    array). Past that step, float32 is the float64 evaluation rounded once (the loss elementwise and every
    gradient), no intermediate rounded to float32 (scratch is not less accurate than torch's float32)."""
    case = next(c for c in LOSS_CASES if c.name == name)
    if name == "gaussian_nll_float_var":
        return _float_var_rounds_once(case, rng)
    x, t = case.sample(rng, np.float32, case.shape, 1.0)
    s = build(case, S, np.float32)
    s.reduction = "none"
    y = s(x, t)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    gx, gt = s.backward(dy, target_grad=True)
    z, t64, dy64 = (x + np.float32(s.eps)).astype(np.float64), t.astype(np.float64), dy.astype(np.float64)
    pos = np.where(t64 > 0, t64, 1.0)
    over = t64 > 1
    want = (x - t64 * np.log(z) + np.where(over, t64 * np.log(pos) - t64 + 0.5 * np.log(2 * np.pi * pos), 0.0),
            (1.0 - t64 / z) * dy64, (-np.log(z) + np.where(over, np.log(pos) + 0.5 / pos, 0.0)) * dy64)
    for got, expected in zip((y, gx, gt), want, strict=True):
        np.testing.assert_array_equal(got, expected.astype(np.float32), strict=True)


def _float_var_rounds_once(case, rng):
    x, t, var = case.sample(rng, np.float32, case.shape, 1.0)
    s32, s64 = build(case, S, np.float32), build(case, S, np.float64)
    s32.reduction = s64.reduction = "none"
    y32, y64 = s32(x, t, var), s64(x.astype(np.float64), t.astype(np.float64), float(np.float32(var)))
    np.testing.assert_array_equal(y32, y64.astype(np.float32), strict=True)
    dy = rng.standard_normal(y32.shape).astype(np.float32)
    g32, g64 = s32.backward(dy, target_grad=True), s64.backward(dy.astype(np.float64), target_grad=True)
    for a, b in zip(g32, g64, strict=True):
        np.testing.assert_array_equal(a, None if b is None else b.astype(np.float32), strict=True)


@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("input_dtype", [np.float32, np.int64])
def test_poisson_float32_input_with_float64_target_like_torch(log_input, input_dtype, rng):
    """torch's PoissonNLLLoss evaluates exp(input) / log(input + eps) in the INPUT's dtype (an int64 input: float32)
    even when a float64 target makes the loss float64. Scratch rounds those terms to float32 as torch does, but
    torch's float32 exp/log are not correctly rounded (1 ulp of a log is 1e-7 relative), so the float64 loss is
    compared at float32's tolerance; its float64 dtype and the target's float64 gradient are checked exactly as
    such. (The generic bad-input check covers a float64 input with a float32 target at float64's tolerance.)"""
    x = (rng.standard_normal((3, 4)) if log_input else rng.uniform(0.1, 3, (3, 4))).astype(input_dtype)
    if input_dtype == np.int64:
        x = rng.integers(0, 3, (3, 4))
    t = rng.poisson(2.0, (3, 4)).astype(np.float64)
    s, r = S.PoissonNLLLoss(log_input=log_input, reduction="none"), R.PoissonNLLLoss(log_input=log_input,
                                                                                      reduction="none")
    ys, yr = s(x, t), r(x, t)
    assert ys.dtype == yr.dtype == np.float64
    tol = default_tol(np.float32)
    assert_close(ys, yr, block="poisson_nll", check="float32_input_float64_target_forward", tol=tol)
    dy = rng.standard_normal(yr.shape)
    gs, gr = s.backward(dy, target_grad=True), r.backward(dy, target_grad=True)
    if input_dtype == np.int64:  # no input gradient: scratch keeps None in its place, torch gives the target's alone
        gs, gr = gs[1], gr
    else:
        assert gs[0].dtype == gr[0].dtype == np.float32
        assert_close(gs[0], gr[0], block="poisson_nll", check="float32_input_float64_target_grad_input", tol=tol)
        gs, gr = gs[1], gr[1]
    assert gs.dtype == gr.dtype == np.float64
    assert_close(gs, gr, block="poisson_nll", check="float32_input_float64_target_grad_target", tol=tol)


class _ScaledSquaredDistance(CachedModule):
    """A user distance block with a parameter: d = w * sum((x1 - x2)^2) over the last dim, its own backward."""

    def __init__(self) -> None:
        super().__init__()
        self.w = S.Parameter(np.array(0.7))

    def forward(self, x1, x2):
        diff = x1 - x2
        return self._save(self.w.data * np.sum(diff * diff, axis=-1), diff.copy())

    def backward(self, dy):
        dy, diff = self._saved(dy)
        self.w.accumulate(np.asarray(np.sum(dy * np.sum(diff * diff, axis=-1))))
        g = 2.0 * self.w.data * diff * dy[..., None]
        return g, -g


@pytest.mark.parametrize("swap", [False, True])
def test_triplet_distance_block_with_a_parameter_like_torch(swap, rng):
    """A scratch block as distance_function is re-run in backward once per pair (d(a, p), d(a, n) and, with swap,
    d(p, n)); its parameter gradient accumulates over the pairs as torch's autograd sums it, and its parameter is
    a child's (state_dict key ``distance_function.w``, as torch's)."""
    import torch

    class TorchScaled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor(0.7, dtype=torch.float64))

        def forward(self, x1, x2):
            return self.w * ((x1 - x2) ** 2).sum(-1)

    a, p, n = (rng.standard_normal((5, 3)) for _ in range(3))
    s = S.TripletMarginWithDistanceLoss(distance_function=_ScaledSquaredDistance(), margin=2.0, swap=swap,
                                        reduction="sum")
    r = torch.nn.TripletMarginWithDistanceLoss(distance_function=TorchScaled(), margin=2.0, swap=swap,
                                               reduction="sum")
    assert list(s.state_dict()) == list(r.state_dict()) == ["distance_function.w"]
    ta, tp, tn = (torch.tensor(x, requires_grad=True) for x in (a, p, n))
    loss = r(ta, tp, tn)
    loss.backward()
    assert_close(s(a, p, n), loss.detach().numpy(), block="triplet_distance_block", check="forward",
                 dtype=np.float64)
    for got, want, name in zip(s.backward(), (ta, tp, tn), ("anchor", "positive", "negative"), strict=True):
        assert_close(got, want.grad.numpy(), block="triplet_distance_block", check=f"grad_{name}", dtype=np.float64)
    assert_close(s.distance_function.w.grad, r.distance_function.w.grad.numpy(), block="triplet_distance_block",
                 check="grad[distance_function.w]", dtype=np.float64)


def test_triplet_distance_needs_a_gradient_for_a_user_distance():
    """torch takes any callable; scratch cannot differentiate one, so a plain function is a TypeError that names
    the two forms it takes (a block with backward, or a pair (fn, grad))."""
    with pytest.raises(TypeError, match=r"pair \(fn, grad\)"):
        S.TripletMarginWithDistanceLoss(distance_function=lambda x1, x2: np.abs(x1 - x2).sum(-1))
    with pytest.raises(RuntimeError, match="has no target"):
        loss = S.TripletMarginLoss()
        loss(np.ones((2, 3)), np.zeros((2, 3)), np.ones((2, 3)))
        loss.backward(target_grad=True)


@pytest.mark.parametrize("name", ["TripletMarginLoss", "TripletMarginWithDistanceLoss"])
def test_triplet_float32_pair_with_a_float64_negative_like_torch(name, rng):
    """torch computes d(anchor, positive) of two float32 inputs in float32 even when a float64 negative makes the
    loss float64; scratch computes every distance in float64, so that loss is float32-accurate on torch's side
    and compared at float32's tolerance (dtype checked exactly); the gradients keep each input's dtype."""
    a, p = (rng.standard_normal((4, 3)).astype(np.float32) for _ in range(2))
    n = rng.standard_normal((4, 3))
    s, r = getattr(S, name)(reduction="none", margin=2.0), getattr(R, name)(reduction="none", margin=2.0)
    ys, yr = s(a, p, n), r(a, p, n)
    assert ys.dtype == yr.dtype == np.float64
    tol = default_tol(np.float32)
    assert_close(ys, yr, block=name, check="float32_pair_float64_negative_forward", tol=tol)
    dy = rng.standard_normal(yr.shape)
    for got, want, key in zip(s.backward(dy), r.backward(dy), ("anchor", "positive", "negative"), strict=True):
        assert got.dtype == want.dtype
        assert_close(got, want, block=name, check=f"float32_pair_float64_negative_grad_{key}", tol=tol)
