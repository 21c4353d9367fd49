"""Binary classification: cross entropy (BCELoss on probabilities, BCEWithLogitsLoss on logits) and the logistic
loss on +-1 labels (SoftMarginLoss).

The protocol and helpers are in ``_base.py``. Gradients are closed-form.
"""

from __future__ import annotations

import numpy as np

from .. import _math
from ._base import (
    _buffer,
    _Loss,
    _WeightedLoss,
    check_fits,
    float_input,
    nonfinite_guard,
    overflowed_as,
    reduce_loss,
    reduction_grad,
    result_type,
)

# torch's BCE backward clamps x (1 - x) at EPSILON = 1e-12 stored as a C float: float32(1e-12) in every dtype
_BCE_EPS = float(np.float32(1e-12))
_LOG_CLAMP = -100.0  # BCELoss clamps log(x) and log(1 - x) at -100


class BCELoss(_WeightedLoss):
    """Binary cross entropy on probabilities: l = -w [y max(log x, -100) + (1 - y) max(log(1 - x), -100)].

    Args: weight (array broadcastable to the input without enlarging it, or None; a buffer), size_average,
    reduce (deprecated), reduction ('mean').
    Shape: target of the input's shape (ValueError otherwise) and dtype (RuntimeError). Input or target outside
    [0, 1] or NaN: RuntimeError, as torch.
    Gradient: w (x - y) / max(x (1 - x), float32(1e-12)) -- torch's clamp: at x = 0 or 1 a huge but finite slope
    (0 where x == y there).
    """

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        if not isinstance(input, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(input).__name__}")
        x, t = input, np.asarray(target)
        if t.shape != x.shape:
            raise ValueError(f"Using a target size ({t.shape}) that is different to the input size ({x.shape}) is "
                             "deprecated. Please ensure they have the same size.")
        if t.dtype != x.dtype or x.dtype.kind != "f":
            raise RuntimeError(f"Found dtype {t.dtype} but expected {x.dtype} (input and target: one float dtype)")
        w = self.weight
        if w is not None:
            check_fits(x.shape, w.shape, "BCELoss weight")
        for name, a in (("input", x), ("target", t)):
            if not np.all((a >= 0) & (a <= 1)):  # NaN fails both comparisons
                raise RuntimeError(f"all elements of {name} should be between 0 and 1")
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped at -100 right away (as torch)
            l = (t - 1.0) * np.maximum(np.log1p(-x), _LOG_CLAMP) - t * np.maximum(np.log(x), _LOG_CLAMP)
        dl = (x - t) / np.maximum((1.0 - x) * x, _BCE_EPS)
        wx = None
        if w is not None:
            wx = w.astype(x.dtype, copy=False)
            l, dl = l * wx, dl * wx
        return self._save(reduce_loss(l, reduction), dl, reduction, l.size, x.copy(), wx)

    def _backward(self, dy, dl, reduction, n, x, wx):
        return dl * reduction_grad(dy, reduction, n)

    def _target_backward(self, dy, dl, reduction, n, x, wx):
        """d l / d t = -w logit(x) = w (log(1 - x) - log x), unclamped as torch's (+-inf at x = 0 or 1)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            g = -np.log(x / (1.0 - x)) * reduction_grad(dy, reduction, n)
        return g * wx if wx is not None else g


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross entropy on logits, in torch's stable form (no -100 clamp):

        l = w [(1 - y) x - (1 + (pos_weight - 1) y) log sigmoid(x)],  log sigmoid(x) = min(x, 0) - log1p(e^-|x|)

    Args: weight, pos_weight (arrays broadcastable to the input without enlarging it; a (C,) pos_weight weighs
    the positives of each class along the last dim; buffers), size_average, reduce, reduction ('mean').
    Shape: target of the input's shape (ValueError otherwise), any float values (not limited to [0, 1]).
    Output dtype: the TARGET's (torch computes (1 - target) * input in place); integer target RuntimeError.
    Gradient: w [(pos_weight y + 1 - y) sigmoid(x) - pos_weight y] (torch's formula; finite at +-inf).
    """

    def __init__(self, weight: np.ndarray | None = None, size_average=None, reduce=None, reduction: str = "mean",
                 pos_weight: np.ndarray | None = None) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.register_buffer("pos_weight", _buffer(pos_weight, "pos_weight"))

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        x = float_input(input, "log_sigmoid_cpu")
        t = np.asarray(target)
        if t.shape != x.shape:
            raise ValueError(f"Target size ({t.shape}) must be the same as input size ({x.shape})")
        if t.dtype.kind != "f":
            raise RuntimeError(f"result type Float can't be cast to the desired output type {t.dtype}")
        w, pw = self.weight, self.pos_weight
        for name, b in (("weight", w), ("pos_weight", pw)):
            if b is not None:
                check_fits(x.shape, b.shape, f"BCEWithLogitsLoss {name}")
        dt = result_type(x.dtype, t.dtype, *(b.dtype for b in (w, pw) if b is not None))
        odt = t.dtype
        with nonfinite_guard(x, t):
            # torch's sequence and roundings (they differ from one float64 pass when the dtypes are mixed):
            # log_sig in the input's dtype (times log_weight in place), loss = (1 - t).mul_(x).sub_(log_sig) in
            # the target's dtype, then .mul_(weight)
            log_sig = _math.log_sigmoid(x)
            if pw is not None:
                log_sig = (log_sig * ((pw - 1.0) * t + 1.0)).astype(x.dtype, copy=False)
            l = ((1.0 - t) * x).astype(odt, copy=False)
            l = (l - log_sig).astype(odt, copy=False)
            if w is not None:
                l = (l * w).astype(odt, copy=False)
            xx, tt = x.astype(dt, copy=False), t.astype(dt, copy=False)
            sig = _math.sigmoid(xx)
            if pw is not None:
                pwt = pw.astype(dt, copy=False) * tt
                dl = (pwt + 1.0 - tt) * sig - pwt
            else:
                dl = sig - tt
            if w is not None:
                dl = dl * w.astype(dt, copy=False)
        return self._save(reduce_loss(l, reduction), dl, reduction, l.size, x.dtype, (xx.copy(), t.dtype))

    def _backward(self, dy, dl, reduction, n, gdt, target_ctx):
        return (dl * reduction_grad(dy, reduction, n)).astype(gdt, copy=False)

    def _target_backward(self, dy, dl, reduction, n, gdt, target_ctx):
        """d l / d t = w (log sigmoid(-x) - pos_weight log sigmoid(x)), which is -w x without pos_weight (torch's
        two formulas, both finite at +-1e4 logits)."""
        xx, tdt = target_ctx
        w, pw = self.weight, self.pos_weight
        with nonfinite_guard(xx):
            if pw is None:
                g = -xx
            else:
                g = _math.log_sigmoid(-xx) - pw.astype(xx.dtype, copy=False) * _math.log_sigmoid(xx)
            g = g * reduction_grad(dy, reduction, n)
            g = g * w.astype(xx.dtype, copy=False) if w is not None else g
        return g.astype(tdt, copy=False)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss on +-1 labels: l = log(1 + exp(-y x)), reduced ('mean' over every element).

    TRAP (torch's formula, kept): torch evaluates ``log1p(exp(-y x))`` as written, not a stable softplus, so where
    exp(-y x) overflows in the loss' dtype (-y x > 88.72 in float32, > 709.78 in float64) the loss is +inf and
    the gradient NaN (inf / inf), as torch's. Below that scratch evaluates in float64 and rounds once.
    Args: size_average, reduce (deprecated), reduction ('mean').
    Shape: input (*); target broadcastable to it without enlarging it (torch writes into an input-shaped buffer:
    RuntimeError otherwise); any float y is accepted (torch does not check for +-1).
    Output dtype: the INPUT's; integer input RuntimeError; the target may be integer or the other float dtype.
    Gradient: -y exp(-y x) / (1 + exp(-y x)) (/ numel for 'mean'). torch refuses a target that requires grad
    ("not differentiable with respect to argument 'target'"): the target gradient is None.
    """

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        if not isinstance(input, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(input).__name__}")
        x, t = input, np.asarray(target)
        check_fits(x.shape, t.shape, "soft_margin_loss")
        if x.dtype.kind != "f":
            raise RuntimeError(f"result type Float can't be cast to the desired output type {x.dtype}")
        cdt = result_type(x.dtype, t.dtype)
        y = t.astype(np.float64)
        with nonfinite_guard(x, y), np.errstate(over="ignore"):
            z = np.exp(-(x.astype(np.float64) * y))
            # torch's exp runs in the output dtype in forward and in the promoted dtype in backward: overflow there
            # makes z inf (loss inf, gradient inf / inf = NaN)
            zl, zg = overflowed_as(z, x.dtype), overflowed_as(z, cdt)
            l = np.asarray(np.log1p(zl), x.dtype)  # (asarray: a ufunc on a 0-d array gives a scalar)
        with np.errstate(invalid="ignore"):  # inf / inf: NaN, as torch
            dl = -y * (zg / (1.0 + zg))
        return self._save(reduce_loss(l, reduction), np.broadcast_to(dl, x.shape), reduction, x.dtype, t.dtype)

    def _backward(self, dy, dl, reduction, dtype, tdtype):
        with nonfinite_guard(dl):
            return (dl * reduction_grad(dy.astype(np.float64), reduction, dl.size)).astype(dtype, copy=False)

    def _target_backward(self, dy, dl, reduction, dtype, tdtype) -> None:
        """torch's soft_margin_loss has no derivative for the target (it raises when the target requires grad)."""
        return self._unreached_target(dy, tdtype)


__all__ = ["BCELoss", "BCEWithLogitsLoss", "SoftMarginLoss"]
