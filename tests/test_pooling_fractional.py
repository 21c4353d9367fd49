"""FractionalMaxPool checks the generic catalog checks cannot see: the window starts (ATen's generate_intervals)
against a torch-free scalar transcription and against torch over many seeded samples and sizes, float32 and
float64, with samples planted at the float32 rounding edges; which sample drives which dim; the draw itself (one
``rng.random((N, C, d), dtype)`` per forward, in eval too, none when a forward raises); torch's kernel-0 windows;
samples outside [0, 1)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import reference.nn as R
import scratch.nn as S
from scratch.nn.pooling.fractional import intervals


def starts_oracle(u, n: int, o: int, k: int, dtype) -> list[int]:
    """ATen's generate_intervals line by line, in scalars of ``dtype`` (C++ ``static_cast<int>``: toward zero)."""
    dt = np.dtype(dtype).type
    seq = [0] * o
    if o > 1:
        alpha = dt(n - k) / dt(o - 1)
        for i in range(o - 1):
            seq[i] = int((dt(i) + dt(u)) * alpha) - int(dt(u) * alpha)
    if o > 0:
        seq[o - 1] = n - k
    return seq


def edge_samples(n: int, o: int, k: int, dtype, rng) -> np.ndarray:
    """Samples where ``(i + u) alpha`` lands within a few float32 ulps of an integer (the float32 rule matters
    there), plus uniform ones and the ends 0 and the largest float below 1."""
    alpha = (n - k) / (o - 1) if o > 1 else 1.0
    ideal = [m / alpha - i for i in range(max(o - 1, 1)) for m in range(1, int((i + 1) * alpha) + 2)]
    up = down = np.array([u for u in ideal if 0 <= u < 1], np.float32)
    near = [up]
    for _ in range(2):
        up, down = np.nextafter(up, np.float32(1)), np.nextafter(down, np.float32(0))
        near += [up, down]
    below_one = np.nextafter(np.array(1, dtype), np.array(0, dtype))
    u = np.concatenate([np.concatenate(near).astype(dtype), rng.random(16).astype(dtype), [0, below_one]])
    return u[(u >= 0) & (u < 1)].astype(dtype)


def torch_starts(u: np.ndarray, n: int, o: int, k: int, dtype) -> np.ndarray:
    """The starts torch uses for each sample (one plane per sample, the sample driving W; rows fixed by u_H = 0):
    on an increasing input the argmax of a window is its last element."""
    x = torch.arange(float(n), dtype=torch.float32 if dtype == np.float32 else torch.float64).expand(1, len(u), 1, n)
    samples = torch.from_numpy(np.stack([u, np.zeros_like(u)], axis=-1)[None])
    _, idx = F.fractional_max_pool2d(x.contiguous(), (1, k), output_size=(1, o), return_indices=True,
                                     _random_samples=samples)
    return idx[0, :, 0].numpy() - (k - 1)


SIZES = [(n, k, o) for n in (2, 5, 6, 9, 13, 31) for k in (1, 2, 4) for o in (1, 2, 3, n - k, n - k + 1)
         if k < n and 1 <= o <= n - k + 1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_interval_starts_equal_the_scalar_formula_and_torchs(dtype, rng):
    """Every (n, k, o) of SIZES (alpha = 1 at o = n - k + 1, the last-window rule at o = 1) under seeded and
    rounding-edge samples: scratch's vectorized starts equal the scalar transcription and torch's, and in
    float32 the float64 evaluation of the same samples differs somewhere (the dtype rule is what is tested)."""
    differs = 0
    for n, k, o in SIZES:
        u = edge_samples(n, o, k, dtype, rng)
        got = intervals(u, n, o, k)
        oracle = np.array([starts_oracle(v, n, o, k, dtype) for v in u]).reshape(got.shape)
        np.testing.assert_array_equal(got, oracle, err_msg=f"n={n} k={k} o={o}")
        np.testing.assert_array_equal(got, torch_starts(u, n, o, k, dtype), err_msg=f"torch n={n} k={k} o={o}")
        assert (got[:, -1] == n - k).all() and (got >= 0).all() and (got <= n - k).all()
        differs += int((got != intervals(u.astype(np.float64), n, o, k)).any())
    assert (differs > 0) == (dtype == np.float32), differs


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_sample_columns_and_indices_equal_torchs_on_many_planes(d, dtype, rng):
    """64 planes, each with its own samples and a non-integer alpha in every dim: values, int64 flat indices
    (2-d: column 0 of the samples drives W; 3-d: (T, H, W)) and the scattered gradient equal torch's."""
    shape, kernel, out = ((2, 32, 9, 11), (2, 3), (4, 5)) if d == 2 else ((2, 32, 7, 8, 9), (2, 1, 3), (3, 4, 3))
    x = rng.permutation(np.prod(shape)).reshape(shape).astype(dtype)  # distinct values: no ties
    u = rng.random(shape[:2] + (d,)).astype(dtype)
    s = getattr(S, f"FractionalMaxPool{d}d")(kernel, out, return_indices=True, _random_samples=u)
    xt = torch.from_numpy(x).requires_grad_()
    (y, idx), (ty, tidx) = s(x), getattr(F, f"fractional_max_pool{d}d")(
        xt, kernel, out, return_indices=True, _random_samples=torch.from_numpy(u))
    np.testing.assert_array_equal(y, ty.detach().numpy())
    np.testing.assert_array_equal(idx, tidx.numpy())
    assert idx.dtype == np.int64
    dy = rng.integers(-3, 4, y.shape).astype(dtype)  # integers: the overlapping windows' sums are exact
    ty.backward(torch.from_numpy(dy))
    np.testing.assert_array_equal(s.backward(dy, None), xt.grad.numpy())


def test_the_draw_is_one_generator_call_per_forward_in_train_and_eval_and_none_on_error(rng):
    """A forward without samples draws ``rng.random((N, C, 2), dtype)`` (N = 1 unbatched), also in eval (torch's
    module draws with torch.rand in both modes: its eval output is F's with the next torch.rand); its output is
    the pool of exactly those samples; a forward that raises draws nothing; the twin stays in step."""
    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
    m = torch.nn.FractionalMaxPool2d(2, (4, 3)).eval()
    torch.manual_seed(3)
    y_eval = m(torch.from_numpy(x))
    torch.manual_seed(3)
    want = F.fractional_max_pool2d(torch.from_numpy(x), 2, (4, 3), _random_samples=torch.rand(2, 3, 2))
    assert torch.equal(y_eval, want), "torch's module draws torch.rand(N, C, 2) in eval"

    s = S.FractionalMaxPool2d(2, (4, 3), rng=np.random.default_rng(9))
    r = R.FractionalMaxPool2d(2, (4, 3), rng=np.random.default_rng(9))
    replay = np.random.default_rng(9)
    for mode, xi in (("train", x), ("eval", x), ("eval", x[0]), ("train", x[:1])):
        s.train(mode == "train"), r.train(mode == "train")
        u = replay.random((xi.shape[0] if xi.ndim == 4 else 1, 3, 2), dtype=np.float32)
        fixed = S.FractionalMaxPool2d(2, (4, 3), _random_samples=u)(xi)
        ys, yr = s(xi), r(xi)
        np.testing.assert_array_equal(ys, fixed)
        np.testing.assert_array_equal(ys, yr)
        s.backward(np.ones_like(ys)), r.backward(np.ones_like(yr))
    with pytest.raises(RuntimeError):
        s(x[..., :3])  # output 3 + kernel 2 - 1 > W = 3
    with pytest.raises(RuntimeError):
        r(x[..., :3])
    assert s.rng.random() == r.torch_module.rng.random() == replay.random()


def test_kernel_0_windows_are_empty_as_torchs():
    """torch's 2-d pool accepts kernel_size 0: every window is empty (-inf), its index the window start, which
    for the last window lies one past the dim; the backward scatters to those indices (an in-plane one with
    kernel (2, 0)) and fails torch's internal assert where one lies past the plane (scratch: RuntimeError)."""
    x = np.arange(2 * 3 * 7 * 6, dtype=np.float64).reshape(2, 3, 7, 6)
    u = np.full((2, 3, 2), 0.5)
    for kernel in (0, (2, 0)):
        s = S.FractionalMaxPool2d(kernel, 2, return_indices=True, _random_samples=u)
        (y, idx), (ty, tidx) = s(x), F.fractional_max_pool2d(torch.from_numpy(x), kernel, 2, return_indices=True,
                                                             _random_samples=torch.from_numpy(u))
        np.testing.assert_array_equal(y, ty.numpy())
        np.testing.assert_array_equal(idx, tidx.numpy())
    xt = torch.from_numpy(x).requires_grad_()
    F.fractional_max_pool2d(xt, (2, 0), 2, _random_samples=torch.from_numpy(u)).backward(torch.ones(2, 3, 2, 2))
    np.testing.assert_array_equal(s.backward(np.ones((2, 3, 2, 2))), xt.grad.numpy())
    s = S.FractionalMaxPool2d(0, 2, _random_samples=u)
    s(x)
    with pytest.raises(RuntimeError, match="outside the input plane"):
        s.backward(np.ones((2, 3, 2, 2)))


def test_samples_outside_0_1():
    """torch does not check the samples: any finite u keeps every window inside the input (a difference of two
    truncations, alpha >= 1) up to rounding, so u = 1.5, -0.5, -3 agree with torch; at u = 1e16 + 2 the rounding
    of (i + u) alpha puts a window past the input (n 9, k 2, o 3: start 8 > 7), where torch reads outside the
    plane (undefined behaviour): scratch raises RuntimeError instead."""
    x = np.random.default_rng(0).standard_normal((1, 2, 9, 9))
    for value in (1.5, -0.5, -3.0, 0.999):
        u = np.full((1, 2, 2), value)
        np.testing.assert_array_equal(S.FractionalMaxPool2d(2, (4, 3), _random_samples=u)(x), F.fractional_max_pool2d(
            torch.from_numpy(x), 2, (4, 3), _random_samples=torch.from_numpy(u)).numpy())
    with pytest.raises(RuntimeError, match="outside the input"):
        S.FractionalMaxPool2d(2, 3, _random_samples=np.full((1, 2, 2), 1e16 + 2))(x)


def test_indices_feed_max_unpool_as_torchs(rng):
    """The returned indices are flat in each input plane, what MaxUnpool2d takes (output_size = the input's)."""
    x = rng.permutation(2 * 2 * 8 * 7).reshape(2, 2, 8, 7).astype(np.float64)
    u = rng.random((2, 2, 2))
    y, idx = S.FractionalMaxPool2d(3, (4, 3), return_indices=True, _random_samples=u)(x)
    back = S.MaxUnpool2d(2)(y, idx, output_size=(8, 7))
    tback = F.max_unpool2d(torch.from_numpy(y), torch.from_numpy(idx), 2, output_size=(8, 7))
    np.testing.assert_array_equal(back, tback.numpy())
    np.testing.assert_array_equal(back[back != 0], x[back != 0])
