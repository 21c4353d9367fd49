"""FractionalMaxPool2d and FractionalMaxPool3d (Graham, "Fractional Max-Pooling", 2014): max pooling over
``kernel_size`` windows whose starts step by a random, non-integer stride, so that a dim of size n pools to any
size o with ``o + k - 1 <= n`` (2-d; 3-d: ``<``).

Per (sample, channel) plane and spatial dim, one number u (``_random_samples[n, c, :]``) fixes the window starts,
computed as ATen's ``generate_intervals`` does, IN THE INPUT'S DTYPE (a float32 input rounds ``i + u`` and the
product in float32, which moves a start by one where the float64 value lies just below an integer)::

    alpha    = (n - k) / (o - 1)
    start[i] = trunc((i + u) * alpha) - trunc(u * alpha)     for i < o - 1
    start[o - 1] = n - k                                      (o == 1: the one window is the LAST one)

Which u drives which dim is torch's: 2-d ``(u_W, u_H)`` (column 0 is the WIDTH), 3-d ``(u_T, u_H, u_W)``.
Without ``_random_samples`` every forward draws new ones, in training and in eval (torch's module ignores the
mode): ``rng.random((N, C, d), dtype=input.dtype)`` (N = 1 unbatched) from the module's generator, after every
check passed (a forward that raises draws nothing); the twin makes the same draw and hands it to torch as
``_random_samples``. Every check is torch's, in torch's order, with its class and message (docs/torch_facts.md
section 16).
"""

from __future__ import annotations

import math

import numpy as np

from ..base import CachedModule
from . import _args
from . import _kernels as K
from .unpool import _ntuple
from .windowed import cotangent, indexed_backward, save_indexed

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]

_SAMPLE_COLUMN = {2: (1, 0), 3: (0, 1, 2)}  # per spatial dim (H, W) / (T, H, W): its column of _random_samples


def intervals(u: np.ndarray, n: int, o: int, k: int) -> np.ndarray:
    """Window starts (int64, shape u.shape + (o,)) of ATen's generate_intervals, in u's dtype (see the module
    docstring); C++'s ``static_cast<int>`` truncates toward zero."""
    dt = u.dtype.type
    start = np.empty(u.shape + (o,), np.int64)
    if o > 1:
        alpha = dt(n - k) / dt(o - 1)
        i = np.arange(o - 1, dtype=u.dtype)
        with np.errstate(invalid="ignore"):  # a NaN sample: torch's cast is undefined there too
            start[..., :-1] = (np.trunc((i + u[..., None]) * alpha).astype(np.int64)
                               - np.trunc(u * alpha).astype(np.int64)[..., None])
    if o > 0:
        start[..., -1] = n - k
    return start


def _size(shape: tuple[int, ...], dim: int) -> int:
    """``tensor.size(dim)`` with torch's IndexError."""
    n = len(shape)
    if n == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return shape[dim]


def _check_samples(u: np.ndarray, x: np.ndarray, d: int) -> None:
    """ATen's fractional_max_pool_check_shape."""
    if u.dtype != x.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if u.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {u.ndim}")
    batch, channels = (1, x.shape[0]) if x.ndim == d + 1 else x.shape[:2]
    if u.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if u.shape[1] != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if u.shape[2] != d:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {d}; got {u.shape[2]}.")


class _FractionalMaxPoolNd(CachedModule):
    r"""Fractional max pooling over d spatial dims: ``y[n, c, o] = max_j x[n, c, start[n, c, o] + j]`` (j over
    the kernel, starts per plane and dim from ``_random_samples``: see the module docstring).

    Args:
        kernel_size: the window size, an int or a d-tuple.
        output_size: the output's spatial size, an int or a d-tuple (each ``o + k - 1 <= n``; 3-d ``< n``).
        output_ratio: instead of output_size, a number or d-tuple in (0, 1): ``o = int(n * ratio)``.
        return_indices: also return the argmax indices (int64, flat in each input plane, ``h W + w``; 3-d
            ``(t H + h) W + w``: what MaxUnpool takes). Default: False.
        _random_samples: fixed samples (N', C, d) with N' >= N, in the input's dtype (a buffer: in the
            state_dict); None (default) draws new ones from ``rng`` at every forward.
        rng: the numpy Generator of those draws. Default: a fresh ``np.random.default_rng()``.

    Exactly one of output_size and output_ratio (ValueError otherwise, at construction, as torch).

    Shape: (N, C, *in) or (C, *in) float -> (N, C, *out) or (C, *out).

    Gradient: the whole cotangent of a window goes to ONE element, the first maximum in row-major window order;
    a window holding NaN outputs NaN and routes to its LAST NaN; an all -inf window to its first element;
    windows overlap where the step alpha is below k, and their shares add. ``backward(d_output)`` (or
    ``backward(d_output, None)`` with indices) returns dL/dinput.
    """

    _d = 0

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices: bool = False,
                 _random_samples: np.ndarray | None = None, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        d, name = self._d, type(self).__name__
        if d == 3 and ((isinstance(kernel_size, int) and kernel_size <= 0)
                       or (isinstance(kernel_size, tuple | list) and not all(k > 0 for k in kernel_size))):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")  # 2-d has no check
        self.kernel_size = _ntuple(kernel_size, d)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, d) if output_size is not None else None
        self.output_ratio = _ntuple(output_ratio, d) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < self.output_ratio[i] < 1 for i in range(d)):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")
        self.rng = rng if rng is not None else np.random.default_rng()

    def _sizes(self, x: np.ndarray) -> list:
        """F.fractional_max_pool{d}d's Python part: the output size from the ratio, then the shape of the draw."""
        d, size = self._d, self.output_size
        if size is None:
            ratio = self.output_ratio
            if d == 2 and len(ratio) > 2:
                raise ValueError("fractional_max_pool2d requires output_ratio to either be a single Int or tuple of "
                                 "Ints.")
            size = [int(_size(x.shape, i - d) * ratio[i]) for i in range(d)]
        if self._random_samples is None:  # torch.rand(n_batch, input.size(-d - 1), d, dtype=input.dtype)
            if x.ndim != d + 1:
                _size(x.shape, 0)
            _size(x.shape, -d - 1)
            _args.no_integer_kernel(x, "check_uniform_bounds")
        return size

    def _check(self, x: np.ndarray, size) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """ATen's meta function: (kernel, output size) after its checks, in its order."""
        d = self._d
        fn = f"fractional_max_pool{d}d"
        kernel = _args.ints(self.kernel_size, fn, "kernel_size", 2)
        out = _args.ints(size, fn, "output_size", 3)
        three = " three" if d == 3 else ""
        for name, vals in (("kernel_size", kernel), ("output_size", out)):
            if len(vals) != d:
                raise RuntimeError(f"{fn}: {name} must either be a single Int or tuple of{three} Ints")
        where = f"{fn}()" if d == 2 else "fractional_max_pool3d_out()"
        if x.ndim not in (d + 1, d + 2):
            raise RuntimeError(f"{where}: Expected {d + 1}D or {d + 2}D tensor, but got: {list(x.shape)}")
        for i in range(1, x.ndim):
            if x.shape[i] == 0:
                raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch dimensions, but got"
                                   f"{list(x.shape)} with dimension {i} being empty.")
        spatial = x.shape[-d:]
        names = ("height", "width") if d == 2 else ("time", "height", "width")
        for i in ((0, 1) if d == 2 else (0, 2, 1)):  # torch's order: H, W; T, W, H
            room = spatial[i] if d == 2 else spatial[i] - 1  # 2-d: o + k - 1 <= n; 3-d: o + k - 1 < n
            if out[i] + kernel[i] - 1 > room:
                raise RuntimeError(f"{where}: pool {names[i]} {kernel[i]} too large relative to input {names[i]} "
                                   f"{spatial[i]}")
        shape = x.shape[:-d] + tuple(out)
        if min(shape) < 0:
            first = next(v for v in shape if v < 0)
            raise RuntimeError(f"Trying to create tensor with negative dimension {first}: {list(shape)}")
        return tuple(kernel), tuple(out)

    def forward(self, input: np.ndarray):
        d = self._d
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"fractional_max_pool{d}d(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(x).__name__}")
        if x.dtype.kind == "f" and x.dtype.type not in (np.float32, np.float64):
            raise RuntimeError(f"fractional_max_pool{d}d: scratch pools float32 and float64 arrays, got {x.dtype}")
        kernel, out = self._check(x, self._sizes(x))
        u = self._random_samples
        if u is not None:
            _check_samples(u, x, d)
        batched = x.ndim == d + 2
        xb = x if batched else x[None]
        n, c = xb.shape[:2]
        if math.prod(xb.shape[:2] + out) and x.dtype.kind != "f":  # torch dispatches after the empty shortcut
            _args.no_integer_kernel(x, f"fractional_max_pool{d}d_out_frame")
        if u is None:
            u = self.rng.random((n if batched else 1, c, d), dtype=x.dtype)
        y, idx = _pool(xb, u[:n], kernel, out, _SAMPLE_COLUMN[d])
        return save_indexed(self, y, idx, xb.shape, batched)

    def backward(self, grad_output, *rest) -> np.ndarray:
        dy, (idx, shape, batched) = cotangent(self, grad_output, rest)
        plane = math.prod(shape[2:])
        bad = (idx < 0) | (idx >= plane)
        if bad.any():  # a kernel_size <= 0 (2-d accepts it): empty windows whose index may lie past the plane
            raise RuntimeError(f"fractional_max_pool{self._d}d backward: index {idx[bad][0]} outside the input "
                               f"plane of {plane} elements (torch: INTERNAL ASSERT FAILED, index < inputW * inputH)")
        return indexed_backward(dy, idx, shape, batched)


def _pool(x: np.ndarray, u: np.ndarray, kernel, out, columns) -> tuple[np.ndarray, np.ndarray]:
    """(y, flat argmax indices) on batched x (N, C, *spatial) with samples u (N, C, d).

    The windows are gathered by fancy indexing: ``base`` holds each window's flat start in its plane, kernel
    offset f adds the constant ``shift[f]``; the max and its offset follow torch's scan (K.select_max)."""
    spatial, d = x.shape[2:], len(kernel)
    base = np.zeros(x.shape[:2] + (1,) * d, np.int64)
    for i, (size, o, k, col) in enumerate(zip(spatial, out, kernel, columns, strict=True)):
        start = intervals(u[..., col], size, o, k)
        outside = ((start < 0) | (start > size - k)).any(axis=-1) if k > 0 else np.zeros(start.shape[:2], bool)
        if outside.any():  # only for absurd samples: |u| ~ 1e16, where rounding moves a start by several
            raise RuntimeError(f"fractional_max_pool{d}d: the sample {float(u[..., col][outside][0])} puts windows of "
                               f"size {k} at starts {start[outside][0].tolist()} past a dim of size {size} "
                               "(torch reads outside the input there: undefined behaviour)")
        base = base * size + start.reshape(start.shape[:2] + (1,) * i + (o,) + (1,) * (d - i - 1))
    base = np.broadcast_to(base, x.shape[:2] + tuple(out))
    strides = [math.prod(spatial[i + 1:]) for i in range(d)]
    shifts = np.array([sum(j * s for j, s in zip(off, strides, strict=True)) for off in K.offsets(kernel)], np.int64)
    if not base.size:
        return np.empty(base.shape, x.dtype), base.copy()
    if not shifts.size:  # a kernel <= 0 (2-d accepts it): empty windows are -inf, their index the window start
        return np.full(base.shape, -np.inf, x.dtype), base.copy()
    planes = x.reshape(x.shape[:2] + (-1,))
    g = np.take_along_axis(planes, (base[..., None] + shifts).reshape(x.shape[:2] + (-1,)), axis=2)
    g = g.reshape(base.shape + (shifts.size,))
    y, arg, _ = K.select_max([g[..., f] for f in range(shifts.size)], -np.inf)
    return y, base + shifts[arg]


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-d fractional max pooling of (N, C, H, W) or (C, H, W): see :class:`_FractionalMaxPoolNd` (Args,
    gradient) and the module docstring (window starts). Samples ``(u_W, u_H)`` per plane; indices ``h W + w``.
    ``kernel_size`` <= 0 is accepted, as torch: empty windows output -inf."""

    _d = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-d fractional max pooling of (N, C, T, H, W) or (C, T, H, W): see :class:`_FractionalMaxPoolNd`.
    Samples ``(u_T, u_H, u_W)`` per plane; indices ``(t H + h) W + w``; each ``o + k - 1 < n`` (strict, unlike
    2-d); a kernel <= 0 is a ValueError at construction."""

    _d = 3
