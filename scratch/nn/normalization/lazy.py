"""Lazy batch and instance norm: num_features is inferred from the first input, then the module IS the eager one.

As torch's ``_LazyNormBase``: weight and bias are :class:`UninitializedParameter` s and running_mean /
running_var :class:`UninitializedBuffer` s (num_batches_tracked is a real 0 from the start) until the first
forward, ``initialize_parameters(input)`` or ``load_state_dict`` of a materialized state. Then

    num_features = input.shape[1]       (for EVERY rank, as torch: an unbatched InstanceNorm input (C, L) gives L,
                                         and the eager check then raises; a 0-d or 1-d input: IndexError)
    weight = 1, bias = 0, running_mean = 0, running_var = 1 of shape (num_features,)   (nothing at num_features 0)

and the first forward turns the module into BatchNorm1d, InstanceNorm2d, ... Defaults are _LazyNormBase's for
all six: affine=True and track_running_stats=True, also for the instance norms (whose eager defaults are False).
With affine=False and track_running_stats=False nothing is lazy: num_features stays 0, as torch's.
Departure (docs/torch_facts.md 4c): after ``load_state_dict`` into a lazy module torch leaves num_features at 0;
scratch takes it from the loaded tensors.
"""

from __future__ import annotations

import numpy as np

from .._lazy import LazyModuleMixin
from ..module import UninitializedBuffer, check_float_dtype, is_uninitialized
from .batch import BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d

__all__ = ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
           "LazyInstanceNorm3d"]


class _LazyNormBase(LazyModuleMixin):
    """Listed before the eager class in the bases."""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, dtype=np.float32, *, bias: bool = True) -> None:
        self.cls_to_become.__init__(self, 0, eps, momentum, False, False, dtype, bias=False)
        dt = check_float_dtype(dtype)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        if self.affine:
            self.weight = self._uninitialized(dt)
            self.bias = self._uninitialized(dt) if bias else None
        if self.track_running_stats:
            self.set_buffer("running_mean", UninitializedBuffer(dt))
            self.set_buffer("running_var", UninitializedBuffer(dt))
            self.set_buffer("num_batches_tracked", np.array(0, np.int64))
        self._init_rng = None  # nothing is drawn: the initial values are constants

    def initialize_parameters(self, input: np.ndarray) -> None:
        if not self.has_uninitialized_params():
            return
        if not isinstance(input, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(input).__name__}")
        if input.ndim < 2:
            raise IndexError("tuple index out of range")
        n = self.num_features = int(input.shape[1])
        for name, fill in (("weight", 1.0), ("bias", 0.0)):
            p = self._parameters.get(name)
            if p is not None:
                p.materialize((n,))
                p.data[...] = fill
        for name, fill in (("running_mean", 0.0), ("running_var", 1.0)):
            b = self._buffers.get(name)
            if b is not None:
                self.set_buffer(name, np.full(n, fill, b.dtype))

    def forward(self, input: np.ndarray) -> np.ndarray:
        self._become_eager(input)
        return self.forward(input)

    def _load_from(self, state, prefix: str, missing: list, unexpected: list, errors: list) -> None:
        super()._load_from(state, prefix, missing, unexpected, errors)
        weight, mean = self._parameters.get("weight"), self._buffers.get("running_mean")
        loaded = [v.shape[0] for v in (weight, mean) if v is not None and not is_uninitialized(v)]
        if loaded:  # the module docstring: torch leaves num_features at 0 here
            self.num_features = int(loaded[0])


_DOC = """{eager} with num_features inferred from the first input (``input.shape[1]``; see the module docstring).

    Args: eps (1e-5), momentum (0.1), affine (True), track_running_stats (True), dtype (np.float32), bias (keyword,
    True): as {eager}'s, with _LazyNormBase's defaults.
    """


class LazyBatchNorm1d(_LazyNormBase, BatchNorm1d):
    __doc__ = _DOC.format(eager="BatchNorm1d")
    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormBase, BatchNorm2d):
    __doc__ = _DOC.format(eager="BatchNorm2d")
    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNormBase, BatchNorm3d):
    __doc__ = _DOC.format(eager="BatchNorm3d")
    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNormBase, InstanceNorm1d):
    __doc__ = _DOC.format(eager="InstanceNorm1d")
    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormBase, InstanceNorm2d):
    __doc__ = _DOC.format(eager="InstanceNorm2d")
    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormBase, InstanceNorm3d):
    __doc__ = _DOC.format(eager="InstanceNorm3d")
    cls_to_become = InstanceNorm3d
