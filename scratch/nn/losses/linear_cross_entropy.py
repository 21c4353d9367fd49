"""torch 2.13's fused linear + cross entropy (LinearCrossEntropyLoss) and its chunking options.

The reference path (``options=None``) is a Linear child (``self.linear``, the flat (C prod(out_features),
in_features) weight torch stores) followed by the scratch CrossEntropyLoss on the logits reshaped to
(N, C, *out_features): the same two ops torch's reference path runs. With options, the batch is processed in
chunks of rows, as torch's chunked path does, so the (N, C) logits are never held at once; the result differs
from the reference path by rounding only, and the chunked path's own error classes and NaN rules are kept.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np

from .. import _math
from ..linear import Linear
from ._base import _WeightedLoss, nonfinite_guard
from .classification import CrossEntropyLoss


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """torch.nn.LinearCrossEntropyOptions: how the chunked path splits the batch. Same fields, defaults and
    validation (ValueError) as torch's. ``batch_chunk_size`` (None: from ``chunking_method``), ``chunking_method``
    ('auto', which on CPU float32/float64 is torch's fallback 'aspect_ratio:2'; 'aspect_ratio[:k]'; None: one
    chunk unless batch_chunk_size says otherwise). ``acc_policy`` and ``acc_dtype`` choose accumulation dtypes for
    float16/bfloat16 inputs in torch; for float32/float64 they change nothing (an acc_dtype other than the input's
    is torch's RuntimeError). ``allow_retain_graph``: scratch's backward always consumes its cache, as torch's
    reference path does."""

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None

    def __post_init__(self) -> None:
        if self.acc_policy not in {"auto", "accurate", "balanced", "compact"}:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = self.chunking_method.partition(":")
            factor = factor if sep else "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        if not (self.batch_chunk_size is None
                or (isinstance(self.batch_chunk_size, int) and self.batch_chunk_size > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {self.batch_chunk_size!r}")
        if self.acc_dtype is not None and np.dtype(self.acc_dtype) not in (np.float16, np.float32, np.float64):
            raise ValueError(f"acc_dtype must be one of None, float16, float32, float64, got {self.acc_dtype!r}")

    def chunk_rows(self, num_batches: int, in_features: int, num_classes: int) -> int:
        """Rows per chunk, resolved as torch's ``_adjust`` on CPU: 'aspect_ratio:k' sizes a chunk's (rows, C)
        logits like the (N, in_features) input, next_pow2(ceil(N / ceil(C / in_features))) // k (in_features 0:
        ZeroDivisionError, as torch's)."""
        method = self.chunking_method
        if method == "auto":
            method = None if self.batch_chunk_size is not None else "aspect_ratio:2"
        rows = num_batches if self.batch_chunk_size is None else min(self.batch_chunk_size, num_batches)
        if method is not None:
            factor = int(method.split(":", 1)[1]) if ":" in method else 1
            # torch's ceil divisions as they are: in_features 0 (or 0 classes) is its ZeroDivisionError
            target = -(-num_batches // -(-num_classes // in_features))
            rows = min((1 << (target - 1).bit_length()) // factor, num_batches)
            if self.batch_chunk_size is not None and self.batch_chunk_size != rows:
                raise ValueError(f"batch_chunk_size (={self.batch_chunk_size}) and chunking_method ('{method}') give "
                                 f"different chunk sizes ({self.batch_chunk_size} vs {rows}); pass only one.")
        return max(1, rows)


class LinearCrossEntropyLoss(_WeightedLoss):
    """Cross entropy of the logits input W^T (+ b): ``cross_entropy(linear(input), target)`` as one loss.

        logits = input @ linear.weight.T (+ linear.bias), reshaped to (N, C, *out_features)
        l = CrossEntropyLoss(weight, ignore_index, reduction, label_smoothing)(logits, target)

    Args: in_features, num_classes C, out_features (() ; a K-dimensional loss over (d_1..d_K), batched input
    only), bias (False), device (CPU only: ignored), dtype (float32), reduction ('mean'), weight ((C,) class
    weights, a buffer; another shape RuntimeError), ignore_index (None: -100 for index targets; with probability
    targets a RuntimeError), label_smoothing (0.0; outside [0, 1] RuntimeError at construction), options
    (None: the reference path; a LinearCrossEntropyOptions: chunked rows, when torch's chunked path applies:
    int64 index targets, no smoothing, out_features == (); otherwise torch's warning and the reference path),
    rng (the Linear's init, torch's kaiming_uniform_ bounds).
    Parameters: ``linear.weight`` (C prod(out_features), in_features), ``linear.bias`` (C prod(out_features),).
    Shape: input (in_features,) or (N, in_features), of the parameters' dtype (RuntimeError otherwise); target
    (), (N,) or (N, *out_features) class indices (int64 or uint8), or probabilities of the logits' shape.
    Gradient: CrossEntropyLoss's d logits (softmax minus the smoothed, weighted one-hot), through the linear
    map: d input = d logits W, d W = d logits^T input, d b = sum of d logits; the target's for probabilities.
    """

    def __init__(self, in_features: int, num_classes: int, *, out_features: tuple[int, ...] = (), bias: bool = False,
                 device=None, dtype=np.float32, reduction: str = "mean", weight: np.ndarray | None = None,
                 ignore_index: int | None = None, label_smoothing: float = 0.0,
                 options: LinearCrossEntropyOptions | None = None, rng: np.random.Generator | None = None) -> None:
        if weight is not None and weight.shape != (num_classes,):
            raise RuntimeError(f"expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}")
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(f"expected label_smoothing to be in range [0, 1], got {label_smoothing}")
        super().__init__(weight, reduction=reduction)
        self.num_classes, self.out_features = num_classes, out_features
        self.ignore_index, self.label_smoothing, self.options = ignore_index, label_smoothing, options
        self.linear = Linear(in_features, math.prod(out_features, start=num_classes), bias=bias, dtype=dtype, rng=rng)

    def extra_repr(self) -> str:
        return (f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
                f"out_features={self.out_features}, bias={self.linear.bias is not None}, reduction={self.reduction}, "
                f"ignore_index={self.ignore_index}, label_smoothing={self.label_smoothing}, options={self.options}")

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        for name, v in (("input", input), ("target", target)):
            if not isinstance(v, np.ndarray):
                raise TypeError(f"linear_cross_entropy(): {name} must be a numpy.ndarray, got {type(v).__name__}")
        x, t, F = input, target, self.linear.in_features
        if x.ndim < 1 or x.ndim > 2:
            raise RuntimeError(f"expected input with dimensionality 1 or 2, got {x.ndim}")
        if x.shape[-1] != F:
            raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                               f"got {x.shape[-1]} and {F}, respectively")
        C, out = self.num_classes, tuple(self.out_features)
        if out and x.ndim == 1:
            raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {(C, *out, F)} requires batched "
                               f"input, (N, {F}), got unbatched input with shape {x.shape}")
        logits_shape = (*x.shape[:-1], C, *out)
        if t.shape == logits_shape and self.ignore_index is not None:
            raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
        ignore = -100 if self.ignore_index is None else self.ignore_index
        chunked = self.options is not None
        if chunked and (out or self.reduction not in ("mean", "sum", "none") or self.label_smoothing != 0.0
                        or t.dtype != np.int64):
            warnings.warn("linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
                          "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features "
                          f"== (). Got reduction={self.reduction!r}, label_smoothing={self.label_smoothing}, "
                          f"target.dtype={t.dtype}, out_features={out}.", UserWarning, stacklevel=2)
            chunked = False
        if chunked and self.options.acc_dtype is None and x.dtype.kind != "f":
            # torch's options resolve acc_dtype to the input's dtype first, and validate it
            raise ValueError(f"acc_dtype must be one of None, float16, float32, float64, got {x.dtype}")
        if x.dtype != self.linear.weight.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {x.dtype} != "
                               f"{self.linear.weight.dtype}")
        if chunked:
            return self._chunked_forward(x, t, ignore)
        ce = CrossEntropyLoss(weight=self.weight, ignore_index=ignore, reduction=self.reduction,
                              label_smoothing=self.label_smoothing)
        y = ce(self.linear(x).reshape(logits_shape), t)
        return self._save(y, "reference", ce, x.shape[:-1])

    def _backward(self, dy, kind, *cache):
        if kind == "chunked":
            return self._chunked_backward(dy, *cache)
        ce, batch = cache
        dlogits = ce.backward(dy)
        return self.linear.backward(dlogits.reshape(*batch, self.linear.out_features))

    def backward(self, dy: np.ndarray | None = None, *, target_grad: bool = False):
        """d loss / d input, the linear map's parameter gradients accumulated; with ``target_grad=True`` the pair
        (d input, d target), the target's for probability targets (an index target raises, as in torch)."""
        if not target_grad:
            return super().backward(dy)
        if dy is None and self._cache is not None:
            if self._out_meta.shape != ():
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            dy = np.ones((), self._out_meta.dtype)
        dy, kind, *cache = self._saved(dy)
        if kind == "chunked":
            return super()._target_backward(dy)
        ce, batch = cache
        dlogits, dtarget = ce.backward(dy, target_grad=True)
        return self.linear.backward(dlogits.reshape(*batch, self.linear.out_features)), dtarget

    # -- the chunked path: rows in chunks, logits recomputed per chunk in backward -----------------------------
    def _chunked_forward(self, x, t, ignore):
        """torch's chunked op: l_n = w_n (logsumexp z_n - z_n[t_n]) with w_n = weight[t_n] (1 without weight), 0
        where t_n == ignore_index; 'mean' divides by sum w_n (NaN when it is 0, and an empty batch's mean is
        NaN); 'none' multiplies, so an ignored row with a NaN logit is NaN (the reference path's is 0). Its
        checks: a target of another shape is a RuntimeError (ValueError on the reference path), a class out of range
        a RuntimeError, or IndexError with class weights (IndexError on the reference path)."""
        reduction = self._check_reduction()
        unbatched = x.ndim == 1
        x2, t2 = (x[None], t[None]) if unbatched else (x, t)  # torch's unsqueeze(0) of both
        if t2.ndim > 1 and self.weight is not None:  # torch picks the class weights first (index_select)
            raise IndexError("index_select(): Index is supposed to be a vector")
        if t2.ndim != 1:
            raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
        N, C = x2.shape[0], self.num_classes
        if t2.shape[0] != N:
            raise RuntimeError(f"Expected a target of {N} rows for the input's batch, got {t2.shape[0]}")
        keep = t2 != ignore
        bad = keep & ((t2 < 0) | (t2 >= C))
        if bad.any():  # torch's first out-of-range read: the class weight's index_select, else the logits' gather
            if self.weight is not None:
                raise IndexError("index out of range in self (a target class outside [0, C) picks a class weight)")
            raise RuntimeError(f"index {int(t2[bad][0])} is out of bounds for dimension 1 with size {C}")
        opts = self.options
        if opts.acc_dtype is not None and np.dtype(opts.acc_dtype) != x.dtype:
            raise RuntimeError(f"linear_cross_entropy supports float32 acc_dtype with float16/bfloat16 inputs, but "
                               f"got {np.dtype(opts.acc_dtype)} acc_dtype and {x.dtype} inputs.")
        rows = opts.chunk_rows(N, x2.shape[1], C)
        tc = np.where(keep, t2, 0)
        w = np.where(keep, self.weight[tc] if self.weight is not None else 1, 0).astype(x.dtype)
        if reduction == "mean":
            d = w.sum()
            w = w / d if d != 0 else np.full_like(w, np.nan)
        losses = np.empty(N, x.dtype)
        for lo in range(0, N, rows):
            lsm = self._chunk_log_softmax(x2[lo:lo + rows])
            with nonfinite_guard(lsm):
                losses[lo:lo + rows] = -np.take_along_axis(lsm, tc[lo:lo + rows, None], axis=1)[:, 0] * w[lo:lo + rows]
        if reduction == "none":
            out = losses.reshape(()) if unbatched else losses
        else:
            out = np.asarray(np.sum(losses) if N else (np.nan if reduction == "mean" else 0.0), x.dtype)
        return self._save(np.array(out, x.dtype), "chunked", x2.copy(), tc, w, rows, reduction, x.shape)

    def _chunk_log_softmax(self, xc: np.ndarray) -> np.ndarray:
        z = xc @ self.linear.weight.data.T
        if self.linear.bias is not None:
            z = z + self.linear.bias.data
        with nonfinite_guard(z):
            return _math.log_softmax(z, axis=1)

    def _chunked_backward(self, dy, x2, tc, w, rows, reduction, shape):
        """Per chunk: d z = a_n w_n (softmax(z_n) - onehot(t_n)), a_n = dy_n ('none') or dy; then the linear
        map's three products, the parameters' accumulated over chunks."""
        N = x2.shape[0]
        a = (dy.reshape(N) if reduction == "none" else np.broadcast_to(dy, (N,))) * w
        W, b = self.linear.weight, self.linear.bias
        dx = np.zeros_like(x2)
        dW = np.zeros_like(W.data)
        db = np.zeros(W.shape[0], x2.dtype)
        for lo in range(0, N, rows):
            sl = slice(lo, lo + rows)
            lsm = self._chunk_log_softmax(x2[sl])
            with nonfinite_guard(lsm, a):
                dz = np.exp(lsm) * a[sl, None]
                dz[np.arange(dz.shape[0]), tc[sl]] -= a[sl]
                dx[sl] = dz @ W.data
                dW += dz.T @ x2[sl]
                db += dz.sum(axis=0)
        if W.requires_grad:
            W.accumulate(dW, owned=True)
        if b is not None and b.requires_grad:
            b.accumulate(db, owned=True)
        return dx.reshape(shape)


__all__ = ["LinearCrossEntropyLoss"]
