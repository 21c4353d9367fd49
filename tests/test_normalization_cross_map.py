"""CrossMapLRN2d checks the generic catalog checks cannot express (docs/torch_facts.md 6a).

- An independent oracle: the forward, torch's backward and the TRUE gradient written with explicit channel
  membership matrices (which channels each channel's window holds), not with running sums.
- Finite differences: torch's backward is not the gradient of its forward where C > size // 2, so those catalog
  entries have fd=False; here central differences of scratch's forward equal the true gradient, and scratch's (and
  torch's) backward differ from it by a measured amount. Where C <= size // 2 the two gradients coincide.
- size 1 (forward only: torch's backward raises RuntimeError) and the two departures (negative and non-int sizes).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
from scratch.gradcheck import numerical_grad
from tests.catalog import CATALOG
from tests.harness import assert_same_outcome, build, outcome
from tests.tolerances import FD_TOL, TIGHT64, assert_close

CROSS_MAP = [c for c in CATALOG if c.name.startswith("cross_map_lrn2d")]


def _membership(C: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """window[c, j] = 1 when channel j is in channel c's sum ({0} and |j - c| < p); torch_back[j, c] = 1 when
    torch's backward gives channel j the ratio of channel c (j - p <= c <= j + size - 1 - p)."""
    p = (size + 1) // 2
    c, j = np.arange(C)[:, None], np.arange(C)[None, :]
    window = ((np.abs(j - c) < p) | (j == 0)).astype(float)
    jj, cc = c, j  # rows are the channel that receives the gradient
    torch_back = ((cc >= jj - p) & (cc <= jj + size - 1 - p)).astype(float)
    return window, torch_back


def _oracle(block, x: np.ndarray, g: np.ndarray):
    """(y, torch's backward, the true gradient) from the membership matrices."""
    n, alpha, beta, k = block.size, block.alpha, block.beta, block.k
    window, torch_back = _membership(x.shape[1], n)
    d = k + alpha / n * np.einsum("cj,njhw->nchw", window, x * x)
    y = x * d ** -beta
    r = g * y / d
    coef = 2 * alpha * beta / n
    back = g * d ** -beta - coef * x * np.einsum("jc,nchw->njhw", torch_back, r)
    true = g * d ** -beta - coef * x * np.einsum("cj,nchw->njhw", window, r)
    return y, back, true


@pytest.mark.parametrize("case", CROSS_MAP, ids=str)
def test_forward_and_backward_against_the_membership_oracle(case, rng):
    """scratch's running sums (torch's order) against the oracle, in float64; then central differences of scratch's
    forward against the TRUE gradient, and the gap between it and torch's backward (zero exactly when every window
    holds every channel, C <= size // 2)."""
    block = build(case, S, np.float64)
    x = case.sample(rng, np.float64, case.shape, 1.0)[0]
    g = rng.standard_normal(x.shape)
    y, back, true = _oracle(block, x, g)
    assert_close(block(x), y, block=case.name, check="oracle_forward", tol=TIGHT64)
    assert_close(block.backward(g), back, block=case.name, check="oracle_torch_backward", tol=TIGHT64)

    def f(_=None) -> float:
        return float(np.sum(g * block(x)))

    assert_close(true, numerical_grad(f, x), block=case.name, check="fd_true_gradient", tol=FD_TOL)
    gap = np.max(np.abs(back - true))
    if x.shape[1] <= block.size // 2:
        assert case.fd and gap < 1e-12, (case.name, gap)
    else:
        assert not case.fd and gap > 1e-4, (case.name, gap)  # well outside FD_TOL (alpha 1e-4: 9e-4)


def test_torch_backward_differs_from_finite_differences():
    """The finding itself, on torch alone (float64): central differences of torch's forward disagree with its
    backward for size 3, 4 and 5 on 5 channels, and agree for 2 channels with size 4."""
    gen = torch.Generator().manual_seed(0)
    for size, C, differs in [(3, 5, True), (4, 5, True), (5, 5, True), (4, 2, False)]:
        x = torch.randn(2, C, 2, 2, dtype=torch.float64, generator=gen, requires_grad=True)
        g = torch.randn(x.shape, dtype=torch.float64, generator=gen)
        m = torch.nn.CrossMapLRN2d(size, alpha=0.8, beta=0.7, k=1.2)
        (grad,) = torch.autograd.grad(m(x), x, g)
        xn = x.detach().numpy().copy()

        def f(_=None, m=m, xn=xn, g=g) -> float:
            return float((m(torch.from_numpy(xn)) * g).sum())

        gap = np.max(np.abs(grad.numpy() - numerical_grad(f, xn)))
        assert (gap > 1e-2) if differs else (gap < 1e-8), (size, C, gap)


@pytest.mark.parametrize("channels", [1, 4])
def test_size_one_forwards_but_cannot_backward_like_torch(channels, rng):
    """size 1: window {0, c}; torch's backward narrows C channels from 1 out of a buffer of C: RuntimeError."""
    x = rng.standard_normal((2, channels, 2, 3))
    s, r = S.CrossMapLRN2d(1, alpha=0.5), R.CrossMapLRN2d(1, alpha=0.5)
    assert_close(s(x), r(x), block="cross_map_lrn2d_size1", check="forward", tol=TIGHT64)
    g = rng.standard_normal(x.shape)
    got, want = outcome(lambda: s.backward(g)), outcome(lambda: r.backward(g))
    assert want[0] == "raise" and isinstance(want[1], RuntimeError)
    assert_same_outcome("size 1 backward", got, want)
    assert str(got[1]) == str(want[1]) == f"start (1) + length ({channels}) exceeds dimension size ({channels})."


@pytest.mark.parametrize("size, scratch_raises, torch_backward_raises", [
    (-1, ValueError, RuntimeError), (-2, ValueError, RuntimeError), (2.5, TypeError, TypeError),
    (3.0, TypeError, TypeError)])
def test_size_departures_from_torch(size, scratch_raises, torch_backward_raises, rng):
    """torch 2.13 runs its forward for a negative size (a running sum that is no window) or a float one (p
    truncated: 3.0 is size 3) and raises only in backward; scratch refuses the size at the call."""
    x = torch.from_numpy(rng.standard_normal((2, 4, 2, 2))).requires_grad_()
    y = torch.nn.CrossMapLRN2d(size)(x)
    if size == 3.0:
        assert torch.equal(y, torch.nn.CrossMapLRN2d(3)(x))
    with pytest.raises(torch_backward_raises):
        y.sum().backward()
    with pytest.raises(scratch_raises, match="CrossMapLRN2d size"):
        S.CrossMapLRN2d(size)(x.detach().numpy())


def test_repr_and_arguments_like_torch():
    for args, kwargs in [((3,), {}), ((2,), dict(alpha=1, beta=2, k=0.5)), ((5, 1e-4, 0.75, 1.0), {})]:
        s, t = S.CrossMapLRN2d(*args, **kwargs), torch.nn.CrossMapLRN2d(*args, **kwargs)
        assert repr(s) == repr(t) and (s.size, s.alpha, s.beta, s.k) == (t.size, t.alpha, t.beta, t.k)
    assert repr(S.CrossMapLRN2d(3)) == "CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)"
