"""Lazy convolutions: in_channels is inferred from the first input, then the module IS the ordinary one.

``LazyConv2d(out_channels, kernel_size, ...)`` holds :class:`UninitializedParameter` weight and bias until its
first forward (or ``initialize_parameters(input)``, or ``load_state_dict`` of a materialized state). Then, as
torch's ``_LazyConvXdMixin`` does:

    in_channels = input.shape[1] (batched) or input.shape[0] (unbatched)     (RuntimeError on another rank)
    in_channels % groups != 0                 -> ValueError (the module stays lazy; in_channels keeps the value)
    weight.materialize((C_out, C_in / groups, *k))      (transposed: (C_in, C_out / groups, *k))
    bias.materialize((C_out,)); reset_parameters()      (U(-1/sqrt(fan_in), 1/sqrt(fan_in)); none at C_in = 0)

and at the first forward the class becomes ``cls_to_become`` (Conv2d, ...): from then on it is that module, with
torch's state_dict. Torch checks out_channels % groups only at the first call (the conv itself raises there).
Departures (docs/torch_facts.md, 4c):
- a transposed Lazy conv without bias whose out_channels groups do not divide computes ``weight.shape[1] *
  groups`` channels in torch; scratch raises the RuntimeError torch raises in the other three cases;
- after ``load_state_dict`` into a lazy module torch leaves ``in_channels`` at 0 (its repr then reads
  ``Conv2d(0, ...)``); scratch sets it from the loaded weight's shape.
"""

from __future__ import annotations

import numpy as np

from .._lazy import LazyModuleMixin
from ..base import CachedModule
from ..module import UninitializedParameter
from .convolution import Conv1d, Conv2d, Conv3d
from .transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, _ConvTransposeNd

__all__ = ["LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "LazyConvTranspose3d"]


def _size_text(shape: tuple[int, ...]) -> str:
    return f"torch.Size([{', '.join(str(n) for n in shape)}])"


class _LazyConvMixin(LazyModuleMixin):
    """What every lazy convolution adds to its eager class (listed after this mixin in the bases)."""

    def _lazy_parameters(self, out_channels: int, bias: bool, dtype, rng: np.random.Generator | None) -> None:
        self.out_channels = int(out_channels)
        self.weight = self._uninitialized(dtype)
        self.bias = self._uninitialized(dtype) if bias else None
        self._keep_rng(rng)

    def _get_in_channels(self, input: np.ndarray) -> int:
        d = self._dims
        if not isinstance(input, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(input).__name__}")
        if input.ndim not in (d + 1, d + 2):
            raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {type(self).__name__}, "
                               f"but got input of size: {_size_text(input.shape)}")
        return int(input.shape[1] if input.ndim == d + 2 else input.shape[0])

    def initialize_parameters(self, input: np.ndarray, *args, **kwargs) -> None:
        """Infer in_channels from ``input`` and draw the parameters (a no-op once materialized)."""
        if not self.has_uninitialized_params():
            return
        self.in_channels = self._get_in_channels(input)
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        self.weight.materialize(self._weight_shape())
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        if self.in_channels != 0:  # torch skips reset_parameters at C_in = 0; scratch's empty bias stays 0
            self._reset_parameters(self._init_rng)
        elif self.bias is not None:
            self.bias.data[...] = 0.0

    def _become_eager(self, input: np.ndarray) -> None:
        super()._become_eager(input)
        if self.out_channels % self.groups != 0:  # torch's conv raises here too, but for a transposed conv
            # without bias it computes weight.shape[1] * groups channels instead: scratch refuses (4c)
            raise RuntimeError(f"out_channels ({self.out_channels}) must be divisible by groups ({self.groups}); "
                               "a Lazy module checks it only at its first call, as torch's")

    def _load_from(self, state, prefix: str, missing: list, unexpected: list, errors: list) -> None:
        super()._load_from(state, prefix, missing, unexpected, errors)
        if not isinstance(self.weight, UninitializedParameter):  # see the module docstring: torch leaves 0 here
            w = self.weight.shape
            self.in_channels = w[0] if isinstance(self, _ConvTransposeNd) else w[1] * self.groups


class _LazyConvNd(_LazyConvMixin):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        CachedModule.__init__(self)
        self._set_hyper_parameters(0, 0, kernel_size, stride, padding, dilation, groups, padding_mode)
        self._lazy_parameters(out_channels, bias, dtype, rng)

    def forward(self, input: np.ndarray) -> np.ndarray:
        self._become_eager(input)
        return self.forward(input)


class _LazyConvTransposeNd(_LazyConvMixin):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0, groups: int = 1,
                 bias: bool = True, dilation=1, padding_mode: str = "zeros", dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        CachedModule.__init__(self)
        padding = self._string_padding_kept(padding, padding_mode)
        self._set_hyper_parameters(0, 0, kernel_size, stride, padding, dilation, groups, padding_mode)
        self.output_padding = self._ntuple_output_padding(output_padding)
        self._lazy_parameters(out_channels, bias, dtype, rng)

    def forward(self, input: np.ndarray, output_size: list[int] | None = None) -> np.ndarray:
        self._become_eager(input)
        return self.forward(input, output_size)


_LAZY_DOC = """{eager} with in_channels inferred from the first input (see the module docstring).

    Args: {eager}'s without in_channels ({args}), dtype (np.float32), rng (np.random.Generator: the parameters
    are drawn from it at materialization, as {eager} draws them at construction).
    """
_CONV_ARGS = "out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode"
_TRANSPOSE_ARGS = "out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation, padding_mode"


class LazyConv1d(_LazyConvNd, Conv1d):
    __doc__ = _LAZY_DOC.format(eager="Conv1d", args=_CONV_ARGS)
    cls_to_become = Conv1d


class LazyConv2d(_LazyConvNd, Conv2d):
    __doc__ = _LAZY_DOC.format(eager="Conv2d", args=_CONV_ARGS)
    cls_to_become = Conv2d


class LazyConv3d(_LazyConvNd, Conv3d):
    __doc__ = _LAZY_DOC.format(eager="Conv3d", args=_CONV_ARGS)
    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTransposeNd, ConvTranspose1d):
    __doc__ = _LAZY_DOC.format(eager="ConvTranspose1d", args=_TRANSPOSE_ARGS)
    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeNd, ConvTranspose2d):
    __doc__ = _LAZY_DOC.format(eager="ConvTranspose2d", args=_TRANSPOSE_ARGS)
    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTransposeNd, ConvTranspose3d):
    __doc__ = _LAZY_DOC.format(eager="ConvTranspose3d", args=_TRANSPOSE_ARGS)
    cls_to_become = ConvTranspose3d
