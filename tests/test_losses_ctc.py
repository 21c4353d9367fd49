"""CTCLoss checks the generic catalog checks cannot express (docs/torch_facts.md, 'CTCLoss').

- Finite differences: torch's gradient is NOT the gradient of its own loss (it adds exp(log_probs) on every frame
  a sample uses), so the catalog entries have fd=False and the torch-free oracle runs here on each of them:
  scratch's gradient minus that term equals central differences of the loss.
- A brute-force oracle: every alignment of a tiny problem enumerated, collapsed and summed.
- float32 over 200 frames: within one rounding of the float64 loss (torch's own float32 error is ~20x that).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import scratch.nn as S
from scratch.gradcheck import directional_derivative, numerical_grad
from scratch.nn._math import log_softmax
from tests.catalog import BY_NAME, CATALOG
from tests.harness import build
from tests.tolerances import FD_TOL, Tol, assert_close

CTC_CASES = [c for c in CATALOG if c.name.startswith("ctc")]


def _upstream(loss, u: np.ndarray, il: np.ndarray, tl: np.ndarray, nll_inf: np.ndarray) -> np.ndarray:
    """d reduced / d l_n times the cotangent, per sample (the factor torch's exp(log_probs) term is scaled by)."""
    N = il.size
    if loss.reduction == "none":
        g = u.reshape(N)
    elif loss.reduction == "sum":
        g = np.full(N, float(u))
    else:
        g = float(u) / (N * np.maximum(tl, 1))
    return np.where(nll_inf & loss.zero_infinity, 0.0, g)


@pytest.mark.parametrize("case", CTC_CASES, ids=str)
def test_gradient_is_finite_differences_plus_exp_log_probs(case, rng):
    """grad = d loss / d log_probs + exp(log_probs) * upstream_n on frames t < input_lengths[n], in float64, for
    every CTC entry: on the finite samples (an impossible sample without zero_infinity is inf, its gradient NaN).
    Element-wise central differences, or 3 random directions for the 200-frame entry."""
    loss = build(case, S, np.float64)
    lp, tg, il, tl = case.sample(rng, np.float64, case.shape, 1.0)
    lp = np.ascontiguousarray(lp)
    lp3 = lp[:, None] if lp.ndim == 2 else lp  # (T, N, C)
    il_a, tl_a = np.asarray(il).reshape(-1), np.asarray(tl).reshape(-1)
    nll = S.CTCLoss(blank=loss.blank, reduction="none")(lp, tg, il, tl).reshape(-1)  # per sample, before zeroing
    y = loss(lp, tg, il, tl)
    finite = np.isfinite(y)
    u = np.where(finite, rng.standard_normal(y.shape), 0.0)
    g = loss.backward(u)
    per_sample = _upstream(loss, u, il_a, tl_a, np.isinf(nll))
    frames = np.arange(lp.shape[0])[:, None] < il_a[None, :]  # (T, N)
    extra = np.exp(lp3) * (frames * per_sample)[:, :, None]
    true_grad = (g.reshape(lp3.shape) - extra).reshape(lp.shape)

    def f(_=None) -> float:
        return float(np.sum(u * np.where(finite, loss(lp, tg, il, tl), 0.0)))

    keep = np.broadcast_to(np.isfinite(nll)[None, :, None] | loss.zero_infinity, lp3.shape).reshape(lp.shape)
    if lp.size > 200:
        for v in rng.standard_normal((3,) + lp.shape):
            assert_close(directional_derivative(f, lp, v), np.sum(true_grad * v), block=case.name,
                         check="fd_projection_minus_exp_log_probs", tol=FD_TOL)
    else:
        assert_close(true_grad[keep], numerical_grad(f, lp)[keep], block=case.name,
                     check="fd_log_probs_minus_exp_log_probs", tol=FD_TOL)


def _brute_force_nll(lp: np.ndarray, target: list[int], blank: int) -> float:
    """-log of the probability summed over every path of T labels that collapses (merge repeats, drop blanks)
    to the target."""
    T, C = lp.shape
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        collapsed = [c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1])]
        if collapsed == target:
            total += np.exp(sum(lp[t, c] for t, c in enumerate(path)))
    return -np.log(total) if total > 0 else np.inf


@pytest.mark.parametrize("target, blank", [([1, 1], 0), ([2, 1, 2], 0), ([0, 2], 1), ([], 0), ([1, 1, 1], 0)])
def test_loss_is_the_sum_over_every_alignment(target, blank, rng):
    """The recursion against all C^T paths of a tiny problem (T = 5, C = 3), to float64 rounding; [1, 1, 1] needs
    5 frames (blanks between repeats) and is exactly feasible, the repeats and the skip rule decide it."""
    lp = log_softmax(rng.standard_normal((5, 3)) * 2, axis=-1)
    got = S.CTCLoss(blank=blank, reduction="sum")(lp[:, None], np.array([target + [0]]), [5], [len(target)])
    assert_close(got, np.asarray(_brute_force_nll(lp, target, blank)), block="ctc", check="brute_force",
                 tol=Tol(1e-13, 1e-13, "the same sum of products, reassociated"))


def test_float32_long_sequence_is_float64_rounded_once(rng):
    """T = 200: scratch's float32 loss and gradient are its float64 ones on the same (float32) inputs, rounded once;
    torch's float32 recursion is far less accurate (the catalog's ctc_long_sequence tolerance states by how much)."""
    lp, tg, il, tl = BY_NAME["ctc_long_sequence"].sample(rng, np.float32, (200, 2, 5))
    dy = rng.standard_normal(2).astype(np.float32)
    s64, s32 = S.CTCLoss(reduction="none"), S.CTCLoss(reduction="none")
    want, got = s64(lp.astype(np.float64), tg, il, tl), s32(lp, tg, il, tl)
    gwant, ggot = s64.backward(dy.astype(np.float64)), s32.backward(dy)
    np.testing.assert_array_equal(got, want.astype(np.float32))
    np.testing.assert_array_equal(ggot, gwant.astype(np.float32))
    x = torch.from_numpy(lp).requires_grad_()
    lt = torch.nn.functional.ctc_loss(x, torch.from_numpy(tg), tuple(il), tuple(tl), reduction="none")
    lt.backward(torch.from_numpy(dy))
    # as accurate as torch: measured here, loss 2.0e-5 vs 4.2e-6 (one rounding of 238), gradient 2.3e-4 vs 1.2e-7
    assert np.abs(lt.detach().numpy() - want).max() >= np.abs(got - want).max()
    assert np.abs(x.grad.numpy() - gwant).max() >= 100 * np.abs(ggot - gwant).max()
