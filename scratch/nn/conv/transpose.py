"""ConvTranspose1d/2d/3d: one implementation (``_ConvTransposeNd``), the vjp of ``_ConvNd`` (convolution.py) with
respect to its input. Its forward is the conv's input-gradient computation (W^T x, col2im, crop the padding) and
its backward the conv's forward (pad, im2col, W): no formula is written twice.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _windows as win
from .convolution import _ConvNd, _size_list

__all__ = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]


class _ConvTransposeNd(_ConvNd):
    """y = the vjp of conv_{d}d(., w, stride, padding, dilation, groups) at x, plus the bias:

        H_out = (H - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1     (per spatial dim)

    output_padding adds rows at the high end that no window reaches (they hold the bias only)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, self._string_padding_kept(padding,
                         padding_mode), dilation, groups, bias, padding_mode, dtype, rng)
        self.output_padding = self._ntuple_output_padding(output_padding)

    def _ntuple_output_padding(self, output_padding) -> tuple[int, ...]:
        return win.ntuple(output_padding, self._dims, "output_padding")

    def _string_padding_kept(self, padding, padding_mode: str):
        """torch's first checks: padding_mode must be 'zeros'; a string padding is accepted here and refused at
        the call (kept for forward to refuse), the conv's own checks see 0."""
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            self._string_padding = padding
            return 0
        return padding

    def _weight_shape(self) -> tuple[int, ...]:
        return (self.in_channels, self.out_channels // self.groups) + self.kernel_size  # fan_in: out/groups * K

    def _gemm_weight(self) -> np.ndarray:
        """(G, C_in/G, C_out/G * K)."""
        g = self.groups
        return self.weight.data.reshape(g, self.in_channels // g, -1)

    def _output_padding(self, x: np.ndarray, output_size) -> tuple[int, ...]:
        """torch's _output_padding: output_size (spatial, or with the batch and channel dims) picks it."""
        d = self._dims
        if output_size is None:
            return self.output_padding
        output_size = [int(v) for v in output_size]
        lead = 2 if x.ndim == d + 2 else 1
        if len(output_size) == lead + d:
            output_size = output_size[lead:]
        if len(output_size) != d:
            raise ValueError(f"ConvTranspose{d}D: for {x.ndim}D input, output_size must have {d} or {lead + d} "
                             f"elements (got {len(output_size)})")
        lo = [(x.shape[i - d] - 1) * self.stride[i] - 2 * self.padding[i] + self.dilation[i] *
              (self.kernel_size[i] - 1) + 1 for i in range(d)]
        hi = [lo[i] + self.stride[i] - 1 for i in range(d)]
        if any(not lo[i] <= output_size[i] <= hi[i] for i in range(d)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {lo} to {hi} "
                             f"(for an input of torch.Size({list(x.shape[-d:])}))")
        return tuple(output_size[i] - lo[i] for i in range(d))

    def forward(self, input: np.ndarray, output_size: list[int] | None = None) -> np.ndarray:
        if hasattr(self, "_string_padding"):
            raise TypeError(f"conv_transpose{self._dims}d(): argument 'padding' must be tuple of ints, not the string "
                            f"{self._string_padding!r} (torch constructs the module, then fails here)")
        d = self._dims
        out_pad = self._output_padding(input if isinstance(input, np.ndarray) else np.asarray(input), output_size)
        x, unbatched = self._batched(input, transposed=True)
        self._check_geometry(x)
        if any(op >= s and op >= r for op, s, r in zip(out_pad, self.stride, self.dilation, strict=True)):
            names = ("height", "width") if d == 2 else ("depth", "height", "width") if d == 3 else ("width",)
            parts = [f"output_padding_{n}: {v}" for n, v in zip(names, out_pad, strict=True)]
            parts += [f"stride_{n}: {v}" for n, v in zip(names, self.stride, strict=True)]
            parts += [f"dilation_{n}: {v}" for n, v in zip(names, self.dilation, strict=True)]
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               + " ".join(parts))
        n, c, inner = x.shape[0], x.shape[1], x.shape[2:]
        if c != self.in_channels:
            raise RuntimeError(f"Given transposed=1, weight of size {_size_list(self.weight.shape)}, expected input"
                               f"{_size_list(x.shape)} to have {self.in_channels} channels, but got {c} channels "
                               "instead")
        if n and c and 0 in inner:
            raise RuntimeError(f"Only zero batch or zero channel inputs are supported, but got input shape: "
                               f"{_size_list(x.shape)}")
        size = tuple((inner[i] - 1) * self.stride[i] - 2 * self.padding[i] + self.dilation[i] *
                     (self.kernel_size[i] - 1) + out_pad[i] + 1 for i in range(d))
        if min(size) < 0 or (x.size and min(size) == 0):  # an empty input may give an empty output, as torch's
            raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, inner))}). Calculated output "
                               f"size per channel: ({' x '.join(map(str, size))}). Output size is too small")
        g = self.groups
        x_g = np.moveaxis(x, 1, 0).reshape(g, c // g, n * math.prod(inner))  # (G, C_in/G, N * P_in)
        dcols = np.matmul(self._gemm_weight().transpose(0, 2, 1), x_g)  # (G, C_out/G * K, N * P_in)
        canvas = (n, self.out_channels) + tuple(size[i] + 2 * self.padding[i] for i in range(d))
        columns = n * math.prod(inner)  # explicit sizes, never -1: an empty batch must still reshape
        y = win.col2im(dcols.reshape(self.out_channels * math.prod(self.kernel_size), columns), canvas,
                       self.kernel_size, self.stride, self.dilation, inner)
        y = y[(slice(None), slice(None)) + tuple(slice(p, p + size[i]) for i, p in enumerate(self.padding))]
        if self.bias is not None:
            y = y + self.bias.data.reshape((-1,) + (1,) * d)
        y = np.ascontiguousarray(y)
        return self._save(y[0] if unbatched else y, x_g.copy(), inner, unbatched)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        dy, x_g, inner, unbatched = self._saved(dy)
        dy = dy[None] if unbatched else dy
        g = self.groups
        dyp = win.pad(dy, [(p, p) for p in self.padding]) if any(self.padding) else dy  # the canvas, as forward's
        cols = win.im2col(dyp, self.kernel_size, self.stride, self.dilation, inner)
        cols_g = cols.reshape(g, cols.shape[0] // g, -1)  # (G, C_out/G * K, N * P_in)
        if self.weight.requires_grad:
            self.weight.accumulate(np.matmul(x_g, cols_g.transpose(0, 2, 1)).reshape(self.weight.shape), owned=True)
        if self.bias is not None and self.bias.requires_grad:
            self.bias.accumulate(dy.sum(axis=(0,) + tuple(range(2, dy.ndim))), owned=True)
        if not self.needs_input_grad:
            return None
        dx = np.matmul(self._gemm_weight(), cols_g)  # (G, C_in/G, N * P_in)
        dx = np.moveaxis(dx.reshape((self.in_channels, dy.shape[0]) + tuple(inner)), 0, 1)
        dx = np.ascontiguousarray(dx)
        return dx[0] if unbatched else dx

    def extra_repr(self) -> str:
        s = super().extra_repr()
        if self.output_padding != (0,) * self._dims:
            at = s.find(", groups=") if ", groups=" in s else s.find(", bias=") if ", bias=" in s else len(s)
            s = s[:at] + f", output_padding={self.output_padding}" + s[at:]
        return s


_TRANSPOSE_DOC = """{d}-d transposed convolution over (N, C_in, {spatial}) or unbatched (C_in, {spatial}): the
    gradient of Conv{d}d with respect to its input (see _ConvTransposeNd and the module docstring).

    Args (torch's order): in_channels, out_channels, kernel_size, stride (1), padding (0), output_padding (0;
    each entry smaller than the stride or the dilation), groups (1), bias (True), dilation (1), padding_mode
    ('zeros' only), dtype (np.float32), rng. forward(input, output_size=None): output_size (spatial sizes, or
    with the batch and channel dims) picks output_padding within [min, min + stride - 1].
    Init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = C_out/groups * prod(kernel_size) (torch's, from the
    weight's dim 1). Shape: weight (C_in, C_out/groups, *kernel_size), bias (C_out,).
    Gradient: d_input = Conv{d}d's forward of dy (pad, im2col, W), dW = x (im2col of dy)^T, db = sum of dy.
    """


class ConvTranspose1d(_ConvTransposeNd):
    __doc__ = _TRANSPOSE_DOC.format(d=1, spatial="L")
    _dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    __doc__ = _TRANSPOSE_DOC.format(d=2, spatial="H, W")
    _dims = 2


class ConvTranspose3d(_ConvTransposeNd):
    __doc__ = _TRANSPOSE_DOC.format(d=3, spatial="D, H, W")
    _dims = 3
