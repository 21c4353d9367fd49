"""The row fast path of CrossEntropyLoss and NLLLoss ((N, C) input, valid class indices, no weight, no smoothing)
is a speed device: it must give the general path's forward and gradient bit for bit, including on +-inf/NaN
inputs and with a random cotangent. The torch comparisons of every catalog entry of both run on top of this."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import scratch.nn as S
from scratch.nn import CrossEntropyLoss, NLLLoss
from tests.harness import build
from tests.test_losses_arguments import argument_runs
from tests.test_losses_configurations import FAMILY, _borrowed, _class_of, with_arguments

DTYPES = [np.float32, np.float64]
REDUCTIONS = ["mean", "sum", "none"]


def _logits(rng: np.random.Generator, shape: tuple[int, ...], kind: str, dtype) -> np.ndarray:
    x = rng.standard_normal(shape)
    if kind == "large":
        x *= 1e4
    elif kind == "nonfinite":
        flat = x.reshape(-1)
        flat[rng.choice(flat.size, size=3, replace=False)] = [np.inf, -np.inf, np.nan]
    return x.astype(dtype)


def _general(cls, **kw):
    loss = cls(**kw)
    loss._plain_rows = lambda *args: False  # force the general (weighted / ignore_index / smoothing) path
    return loss


def _run(loss, x: np.ndarray, t: np.ndarray, dy: np.ndarray | None):
    with np.errstate(all="raise", under="ignore"):  # the fast path must not warn where the general path stays silent
        out = loss(x, t)
        return out, loss.backward(dy)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["normal", "large", "nonfinite"])
@pytest.mark.parametrize("shape", [(16, 10), (1, 3), (7,)], ids=str)
@pytest.mark.parametrize("cls", [CrossEntropyLoss, NLLLoss], ids=lambda c: c.__name__)
def test_row_fast_path_is_bitwise_the_general_path(cls, shape, kind, reduction, dtype):
    rng = np.random.default_rng(5)
    x = _logits(rng, shape, kind, dtype)
    C = shape[-1]
    t = rng.integers(0, C, shape[0]) if len(shape) == 2 else np.array(rng.integers(0, C))
    out_shape = (shape[0],) if reduction == "none" and len(shape) == 2 else ()
    dy = rng.standard_normal(out_shape).astype(dtype)
    fast, general = cls(reduction=reduction), _general(cls, reduction=reduction)
    assert fast._plain_rows(x.reshape(-1, C), t.reshape(-1), C, 0.0)
    (f_out, f_dx), (g_out, g_dx) = _run(fast, x, t, dy), _run(general, x, t, dy)
    np.testing.assert_array_equal(f_out, g_out, strict=True)
    np.testing.assert_array_equal(f_dx, g_dx, strict=True)


@pytest.mark.parametrize("kwargs, target", [
    (dict(ignore_index=2), [2, 0, 1]),     # an ignored class in range: the general path
    (dict(ignore_index=-100), [-100, 0, 1]),  # an ignored entry: below 0, so not the fast path
    (dict(label_smoothing=0.1), [0, 1, 2]),
    (dict(weight=np.array([0.5, 1.0, 2.0])), [0, 1, 2]),
])
def test_other_configurations_take_the_general_path_and_agree_with_torch(kwargs, target):
    rng = np.random.default_rng(9)
    x, t, dy = rng.standard_normal((3, 3)), np.array(target), np.float64(rng.standard_normal())
    loss = CrossEntropyLoss(**kwargs)
    assert not loss._plain_rows(x, t, 3, float(kwargs.get("label_smoothing", 0.0)))
    out, dx = loss(x, t), loss.backward(dy)
    xt = torch.tensor(x, requires_grad=True)
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    ref = torch.nn.functional.cross_entropy(xt, torch.tensor(t), **tkw)
    (ref_dx,) = torch.autograd.grad(ref, xt, torch.tensor(dy))
    np.testing.assert_allclose(out, ref.item(), rtol=1e-13)
    np.testing.assert_allclose(dx, ref_dx.numpy(), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("cls", [CrossEntropyLoss, NLLLoss], ids=lambda c: c.__name__)
@pytest.mark.parametrize("target", [[0, 3], [-1, 0]])
def test_out_of_range_target_still_raises_index_error(cls, target):
    with pytest.raises(IndexError, match="out of bounds"):
        cls()(np.zeros((2, 3)), np.array(target))


_INDEX_CASES = [c for c in FAMILY if issubclass(_class_of(c.name), (CrossEntropyLoss, NLLLoss))]


def _applies(loss, x: np.ndarray, t: np.ndarray) -> bool:
    """The fast path's domain (the class docstrings): an (N, C) or (C,) input with N > 0, class-index targets all
    in [0, C), no class weight, no label smoothing (a negative one acts as none), ignore_index outside [0, C)."""
    if x.shape == t.shape or x.ndim not in (1, 2) or t.dtype.kind not in "iu":
        return False
    C = x.shape[-1]
    return (loss.weight is None and max(getattr(loss, "label_smoothing", 0.0), 0.0) == 0 and t.size > 0
            and not 0 <= loss.ignore_index < C and bool(((t >= 0) & (t < C)).all()))


@pytest.mark.parametrize("case", _INDEX_CASES, ids=str)
def test_row_fast_path_taken_exactly_where_it_applies(case):
    """The speed device is not silently off (nor on where it does not apply) for any entry, with its arguments and
    their other values (tests/test_losses_arguments.py), on its sample and its siblings' (spatial, unbatched,
    ignored classes, probabilities): forward saves which path ran."""
    rng = np.random.default_rng(3)
    inputs = [case.sample(rng, np.float64, case.shape, 1.0)] + [
        b.sample(rng, np.float64) for b in _borrowed(case.name) if b.label.startswith("the sample of")]
    for other in [case] + [with_arguments(case, {arg: value}) for arg, value in argument_runs(case)]:
        for x, t in inputs:
            loss = build(other, S, np.float64)
            try:
                loss(x, t)
            except (IndexError, RuntimeError, ValueError):  # (e.g. -100 targets, another ignore_index: compared
                continue                                   # with torch by the bad-input checks)
            assert (loss._cache[0] == "rows") == _applies(loss, x, t), (other.name, x.shape, t.shape, loss._cache[0])
