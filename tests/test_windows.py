"""The shared windowing kernels (scratch/nn/_windows.py) against torch-free oracles: numpy's np.pad, direct loops
on tiny shapes, and adjointness (<A x, g> == <x, A^T g>) for every pair of forward and backward."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from scratch.nn import _windows as W

NP_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@pytest.mark.parametrize("mode", W.PAD_MODES)
@pytest.mark.parametrize("pads", [((2, 1),), ((0, 3), (1, 0)), ((1, 1), (2, 0), (0, 2))])
def test_pad_equals_numpy_and_torch(mode, pads, rng):
    x = rng.standard_normal((2, 3) + (4,) * len(pads))
    want = np.pad(x, ((0, 0), (0, 0)) + pads, mode=NP_MODES[mode])
    np.testing.assert_array_equal(W.pad(x, pads, mode), want)
    flat = tuple(p for lo_hi in reversed(pads) for p in lo_hi)  # torch: last dim first
    np.testing.assert_array_equal(W.pad(x, pads, mode), F.pad(torch.from_numpy(x), flat, mode=mode).numpy())


# (3, -2) on 4 elements leaves 2 to wrap around 3 times: torch's circular mode does not define it
ADJOINT_CASES = [(m, p) for m in W.PAD_MODES for p in [((2, 1),), ((-1, 2), (1, -2)), ((3, 3),), ((0, 0), (-1, -1)),
                                                      ((3, -2),)] if not (m == "circular" and p == ((3, -2),))]


@pytest.mark.parametrize("mode, pads", ADJOINT_CASES)
def test_pad_backward_is_the_adjoint(mode, pads, rng):
    """<pad(x), g> = <x, pad_backward(g)> for every mode, negative (cropping) pads included; and the gradient
    folds exactly as torch's (reflect edges fold twice, replicate edges collect the whole border)."""
    x = rng.standard_normal((2, 2) + (4,) * len(pads))
    y = W.pad(x, pads, mode, value=0.0)
    g = rng.standard_normal(y.shape)
    back = W.pad_backward(g, x.shape, pads, mode)
    np.testing.assert_allclose(np.sum(y * g), np.sum(x * back), rtol=1e-12)
    t = torch.from_numpy(x).requires_grad_()
    flat = tuple(p for lo_hi in reversed(pads) for p in lo_hi)
    F.pad(t, flat, mode=mode).backward(torch.from_numpy(g))
    np.testing.assert_allclose(back, t.grad.numpy(), rtol=1e-13, atol=1e-14)


def test_pad_source_maps_of_torch_facts():
    """docs/torch_facts.md: on [0..4] with pad 2, reflect [2,1,0,1,2,3,4,3,2], replicate [0,0,0,1,2,3,4,4,4],
    circular [3,4,0,1,2,3,4,0,1]."""
    assert W.pad_source(5, 2, 2, "reflect").tolist() == [2, 1, 0, 1, 2, 3, 4, 3, 2]
    assert W.pad_source(5, 2, 2, "replicate").tolist() == [0, 0, 0, 1, 2, 3, 4, 4, 4]
    assert W.pad_source(5, 2, 2, "circular").tolist() == [3, 4, 0, 1, 2, 3, 4, 0, 1]
    assert W.pad_source(5, -1, 1, "constant").tolist() == [1, 2, 3, 4, -1]
    assert W.pad_source(4, 1, -2, "circular").tolist() == [1, 0, 1]  # crop first, then wrap what is left
    assert W.pad_source(4, 3, -2, "reflect").tolist() == [3, 2, 1, 0, 1]  # pad from the whole axis, then crop
    assert W.pad_source(1, 3, -1, "replicate").tolist() == [0, 0, 0]


@pytest.mark.parametrize("kernel, stride, dilation, size", [
    ((3,), (2,), (1,), (9,)), ((3, 2), (2, 1), (1, 2), (7, 5)), ((2, 2, 2), (1, 2, 1), (2, 1, 1), (5, 4, 3)),
    ((3, 3), (2, 2), (2, 2), (9, 9)), ((1, 1), (3, 3), (1, 1), (6, 6)),
])
def test_windows_and_im2col_against_a_direct_loop(kernel, stride, dilation, size, rng):
    d = len(kernel)
    xp = rng.standard_normal((2, 3) + size)
    out = tuple(W.out_size(size[i], kernel[i], stride[i], 0, 0, dilation[i]) for i in range(d))
    view = W.windows(xp, kernel, stride, dilation, out)
    cols = W.im2col(xp, kernel, stride, dilation, out)
    for n, c in itertools.product(range(2), range(3)):
        for o in itertools.product(*map(range, out)):
            for j in itertools.product(*map(range, kernel)):
                value = xp[(n, c) + tuple(stride[i] * o[i] + dilation[i] * j[i] for i in range(d))]
                assert view[(n, c) + o + j] == value
                row = c * int(np.prod(kernel)) + int(np.ravel_multi_index(j, kernel))
                col = n * int(np.prod(out)) + int(np.ravel_multi_index(o, out))
                assert cols[row, col] == value
    g = rng.standard_normal(cols.shape)
    back = W.col2im(g, xp.shape, kernel, stride, dilation, out)
    np.testing.assert_allclose(np.sum(cols * g), np.sum(xp * back), rtol=1e-12)


def test_col2im_leaves_uncovered_positions_at_exactly_zero(rng):
    """H = 6, k = 3, s = 2: row and column 5 belong to no window (docs/torch_facts.md, conv section)."""
    out = (W.out_size(6, 3, 2, 0, 0, 1),) * 2
    back = W.col2im(rng.standard_normal((3 * 9, 2 * out[0] * out[1])), (2, 3, 6, 6), (3, 3), (2, 2), (1, 1), out)
    assert out == (2, 2) and np.all(back[:, :, 5, :] == 0) and np.all(back[:, :, :, 5] == 0)
    assert np.all(back[:, :, :5, :5] != 0)


def test_pad_backward_keeps_an_infinite_cotangent_where_it_belongs():
    """Reflect (1, 1) on 4 elements: torch folds [1, inf, 2, 3, 4, 5] into [inf, 3, 8, 4] (no NaN spreads)."""
    g = np.array([[[1.0, np.inf, 2.0, 3.0, 4.0, 5.0]]])
    np.testing.assert_array_equal(W.pad_backward(g, (1, 1, 4), ((1, 1),), "reflect"), [[[np.inf, 3, 8, 4]]])
