"""Torch-free oracles for the convolutions: a direct loop over every output element on tiny shapes (float64),
the transposed convolution as the exact vjp of the convolution (both directions), and the 'same' split."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import scratch.nn as nn
from scratch.nn import _windows as win

CONFIGS = [  # (dims, in, out, kernel, stride, padding, dilation, groups, padding_mode, size)
    (1, 2, 4, 3, 2, 1, 2, 2, "zeros", (9,)),
    (2, 4, 6, (3, 2), (2, 1), (1, 0), (1, 2), 2, "zeros", (7, 5)),
    (2, 2, 2, 3, 1, 2, 1, 1, "reflect", (4, 5)),
    (2, 3, 3, 2, 2, 1, 1, 3, "circular", (5, 4)),
    (2, 1, 2, 4, 1, "same", 3, 1, "replicate", (6, 7)),
    (3, 2, 2, (2, 1, 2), (1, 2, 1), (1, 0, 0), 1, 1, "zeros", (3, 4, 3)),
]


def direct_conv(x, w, b, stride, dilation, groups):
    """y[n, o, p] = b[o] + sum over the group's channels and the kernel offsets j of w[o, c, j] x[n, c, s p + r j]
    (x already padded), one output element at a time."""
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    kernel, d = w.shape[2:], w.ndim - 2
    out = [(x.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(d)]
    y = np.zeros((n, o, *out))
    for ni, oi in itertools.product(range(n), range(o)):
        g = oi // (o // groups)
        for p in itertools.product(*map(range, out)):
            acc = b[oi] if b is not None else 0.0
            for ci, j in itertools.product(range(cg), itertools.product(*map(range, kernel))):
                acc += w[(oi, ci) + j] * x[(ni, g * cg + ci) + tuple(stride[i] * p[i] + dilation[i] * j[i]
                                                                     for i in range(d))]
            y[(ni, oi) + p] = acc
    return y


def _conv(cfg, rng):
    dims, cin, cout, k, s, p, r, g, mode, size = cfg
    cls = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[dims]
    m = cls(cin, cout, k, stride=s, padding=p, dilation=r, groups=g, padding_mode=mode, dtype=np.float64, rng=rng)
    return m, rng.standard_normal((2, cin) + size)


@pytest.mark.parametrize("cfg", CONFIGS, ids=str)
def test_conv_equals_a_direct_loop(cfg, rng):
    m, x = _conv(cfg, rng)
    mode = {"zeros": "constant"}.get(m.padding_mode, m.padding_mode)
    xp = win.pad(x, m._pads(), mode)
    want = direct_conv(xp, m.weight.data, m.bias.data, m.stride, m.dilation, m.groups)
    np.testing.assert_allclose(m(x), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cfg", [c for c in CONFIGS if c[8] == "zeros"], ids=str)
def test_conv_transpose_is_the_vjp_of_conv(cfg, rng):
    """ConvTranspose(in=a, out=b) with weight (a, b/G, k) is the input gradient of Conv(in=b, out=a) holding the
    same array; its own input gradient is that Conv's forward (both without bias)."""
    dims, cin, cout, k, s, p, r, g, _, size = cfg
    conv_cls = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[dims]
    tr_cls = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}[dims]
    conv = conv_cls(cin, cout, k, stride=s, padding=p, dilation=r, groups=g, bias=False, dtype=np.float64, rng=rng)
    x = rng.standard_normal((2, cin) + size)
    y = conv(x)
    tr = tr_cls(cout, cin, k, stride=s, padding=p, dilation=r, groups=g, bias=False, dtype=np.float64, rng=rng)
    tr.weight.data = conv.weight.data.copy()
    u = rng.standard_normal(y.shape)
    dx = conv.backward(u)
    out_pad = tuple(x.shape[2 + i] - ((y.shape[2 + i] - 1) * conv.stride[i] - 2 * conv.padding[i]
                                      + conv.dilation[i] * (conv.kernel_size[i] - 1) + 1) for i in range(dims))
    np.testing.assert_allclose(tr(u, output_size=list(x.shape[2:])), dx, rtol=1e-12, atol=1e-12)
    assert all(op >= 0 for op in out_pad)
    v = rng.standard_normal(x.shape)
    np.testing.assert_allclose(tr.backward(v), conv(v), rtol=1e-12, atol=1e-12)


def test_same_padding_is_the_asymmetric_explicit_padding(rng):
    """'same' with k = 4 pads (1, 2) per dim (the odd element at the high side), and with k = 4, dilation 3 in 1-d
    (4, 5) (docs/torch_facts.md)."""
    same = nn.Conv2d(1, 1, 4, padding="same", dtype=np.float64, rng=rng)
    plain = nn.Conv2d(1, 1, 4, dtype=np.float64, rng=rng)
    plain.load_state_dict(same.state_dict())
    x = rng.standard_normal((1, 1, 6, 6))
    np.testing.assert_array_equal(same(x), plain(np.pad(x, ((0, 0), (0, 0), (1, 2), (1, 2)))))
    assert nn.Conv1d(1, 1, 4, padding="same", dilation=3)._pads() == [(4, 5)]
    assert nn.Conv2d(1, 1, 2, padding="same")._pads() == [(0, 1), (0, 1)]


@pytest.mark.parametrize("make", [lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1, dtype=np.float64),
                                  lambda: nn.Conv2d(3, 6, 2, groups=3, padding_mode="reflect", padding=1,
                                                    dtype=np.float64),
                                  lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, dtype=np.float64),
                                  lambda: nn.Unfold(2, stride=(1, 2)), lambda: nn.MaxPool2d(2),
                                  lambda: nn.MaxPool2d(3, 2, 1, ceil_mode=True), lambda: nn.AvgPool2d(3, 1, 1),
                                  lambda: nn.AdaptiveMaxPool2d((2, 4)), lambda: nn.ReflectionPad2d((1, 2, 2, 0))],
                         ids=["conv", "conv_groups_reflect", "conv_transpose", "unfold", "maxpool_fast",
                              "maxpool_general", "avgpool", "adaptive_maxpool", "reflection_pad"])
def test_channels_last_input_gives_the_same_values_and_gradients(make, rng):
    """A channels-last array (an NHWC buffer seen as NCHW: non-contiguous) works as in torch: the same outputs
    and gradients, bit for bit, as the contiguous array (conv, fold, pooling and padding families)."""
    x = rng.standard_normal((2, 3, 5, 6))
    channels_last = np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    assert not channels_last.flags.c_contiguous and np.array_equal(channels_last, x)
    a, b = make(), make()
    b.load_state_dict(a.state_dict())
    ya, yb = a(x), b(channels_last)
    np.testing.assert_array_equal(ya, yb)
    dy = rng.standard_normal(ya.shape)
    np.testing.assert_array_equal(a.backward(dy), b.backward(dy))
    for (name, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters(), strict=True):
        np.testing.assert_array_equal(pa.grad, pb.grad, err_msg=name)


def test_reused_workspaces_never_leak_between_calls(rng):
    """The im2col and column-gradient buffers are reused across calls: outputs and gradients already handed out
    stay intact, and a forward that replaces an unconsumed one is the one backward differentiates."""
    make = lambda: nn.Conv2d(3, 4, 3, padding=1, dtype=np.float64, rng=np.random.default_rng(5))  # noqa: E731
    conv, fresh = make(), make()
    xs = [rng.standard_normal((2, 3, 5, 5)) for _ in range(3)]
    dy = rng.standard_normal((2, 4, 5, 5))
    y0 = conv(xs[0])
    kept_y, kept_dx = y0.copy(), conv.backward(dy).copy()
    conv(xs[1])  # a forward whose cache is never consumed ...
    y2 = conv(xs[2])  # ... replaced by this one
    dx2 = conv.backward(dy)
    np.testing.assert_array_equal(y0, kept_y)
    np.testing.assert_array_equal(fresh(xs[2]), y2)
    np.testing.assert_array_equal(fresh.backward(dy), dx2)
    np.testing.assert_array_equal(kept_dx, dx2)  # dx depends on dy and the weight only
    fresh(xs[0])
    fresh.backward(dy)  # fresh now holds the weight gradients of x0 and x2, as conv must
    np.testing.assert_allclose(conv.weight.grad, fresh.weight.grad, rtol=1e-15, atol=1e-15)
