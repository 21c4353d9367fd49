"""Negative log-likelihoods of a distribution's parameters (PoissonNLLLoss, GaussianNLLLoss).

Both are elementwise on broadcast arrays and evaluated in float64 (float32 rounded once, as torch's float32 is
less accurate), keeping torch's overflow to inf where its evaluation in the loss' dtype overflows. Both
differentiate their target, GaussianNLLLoss its ``var`` too: ``backward(dy)`` -> ``(d_input, d_var)``,
``backward(dy, target_grad=True)`` -> ``(d_input, d_target, d_var)`` (``_base.py`` has the protocol).
"""

from __future__ import annotations

import math

import numpy as np

from ._base import (
    NOT_DIFFERENTIATED,
    _Loss,
    _SeveralInputs,
    broadcast_shape,
    grad_as,
    nonfinite_guard,
    overflowed_as,
    promoted,
    reduce_loss,
    reduction_grad,
)

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _rounded_as(a: np.ndarray, narrow: np.dtype, wide: np.dtype) -> np.ndarray:
    """A float64 intermediate rounded to ``narrow`` when torch computes it there while the loss is ``wide``
    (float32 input, float64 target: torch's exp(input) is float32). Same widths: left in float64, which is more
    accurate than torch's own float32 evaluation."""
    return a.astype(narrow).astype(np.float64) if np.dtype(narrow).itemsize < np.dtype(wide).itemsize else a


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood of counts y given a rate:

        log_input=True:   l = exp(x) - y x               (x the log-rate)
        log_input=False:  l = x - y log(x + eps)         (x the rate)
        full=True adds Stirling's approximation of log(y!) where y > 1: y log y - y + 0.5 log(2 pi y)

    Args: log_input (True), full (False), size_average, eps (1e-8, only with log_input=False), reduce
    (deprecated), reduction ('mean'; invalid: ValueError at call). The forward's first argument is named
    ``log_input``, as torch's.
    Shape: input and target broadcast silently (torch's composite op; incompatible sizes RuntimeError).
    Output dtype: torch's promotion (all integer: float32). exp(x) overflows as torch's does in the loss' dtype.
    Gradient: exp(x) - y (or 1 - y / (x + eps)); target: -x (or -log(x + eps)), with full=True plus
    log y + 1 / (2 y) where y > 1, 0 where 0 < y <= 1 and NaN where y <= 0 (torch's masked_fill leaves the
    Stirling branch in its graph: 0 * log(0) is NaN).
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None, eps: float = 1e-8,
                 reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        x0, t0 = np.asarray(log_input), np.asarray(target)
        shape = broadcast_shape(x0.shape, t0.shape)
        odt = promoted(x0.dtype, t0.dtype)
        xdt = promoted(x0.dtype)  # torch's exp(input) and input + eps run in the input's dtype, not the promoted one
        x, t = x0.astype(np.float64), t0.astype(np.float64)
        # torch's exp(x) overflows (inf), the log of a rate <= -eps is NaN / -inf: the same here, without warnings
        with nonfinite_guard(x, t), np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            if self.log_input:
                e = _rounded_as(overflowed_as(np.exp(x), xdt), xdt, odt)
                l, dl, dlt = e - t * x, e - t, -x
            else:
                # x + eps rounded as torch's (float32: -1e-8 + 1e-8 is 0, and its log -inf)
                z = (x0.astype(xdt) + self.eps).astype(np.float64)
                logz = _rounded_as(np.log(z), xdt, odt)
                l, dl, dlt = x - t * logz, 1.0 - t / z, -logz
            if self.full:
                pos = np.where(t > 0, t, 1.0)
                stirling = t * np.log(pos) - t + 0.5 * np.log(2 * math.pi * pos)
                l = l + np.where(t > 1, stirling, 0.0)
                dlt = dlt + np.where(t > 1, np.log(pos) + 0.5 / pos, np.where(t > 0, 0.0, np.nan))
        out = reduce_loss(np.asarray(l, odt), reduction)
        dl, dlt = np.broadcast_to(dl, shape), np.broadcast_to(dlt, shape)
        return self._save(out, dl, dlt, reduction, (x0.shape, x0.dtype), (t0.shape, t0.dtype))

    def _backward(self, dy, dl, dlt, reduction, xmeta, tmeta):
        with nonfinite_guard(dl):
            g = dl * reduction_grad(dy.astype(np.float64), reduction, np.size(dl))
        if xmeta[1].kind != "f":  # an integer input: no gradient, as in torch
            return None
        return grad_as(g, *xmeta)

    def _target_backward(self, dy, dl, dlt, reduction, xmeta, tmeta):
        if tmeta[1].kind != "f":
            return super()._target_backward(dy)
        with nonfinite_guard(dlt):
            return grad_as(dlt * reduction_grad(dy.astype(np.float64), reduction, np.size(dlt)), *tmeta)


class GaussianNLLLoss(_SeveralInputs):
    """Gaussian negative log-likelihood of a target given a mean (input) and a variance:

        l = 0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps))  (+ 0.5 log(2 pi) with full=True)

    Args (keyword-only, as torch): full (False), eps (1e-6), reduction ('mean'; invalid: ValueError at call,
    after the var checks).
    var: an array or a Python float (a constant: no gradient). Its shape is the input's, or the input's without
    its last dim (unsqueezed), or the input's with one mismatched dim of size 1 (torch's rule, literally: the
    sizes of var where they differ from the input's sum to 1); anything else ValueError("var is of incorrect
    size"). A negative entry: ValueError; an integer var: RuntimeError (torch's in-place clamp). The target
    broadcasts freely against the rest (torch does not check it).
    Output dtype: the promotion of input, target and var. Evaluated in float64; float32 rounded once.
    Gradient: input (x - t) / v, target -(x - t) / v, var 0.5 (1 / v - (x - t)^2 / v^2), v = max(var, eps).
    TRAP: torch clamps var in place under no_grad, so the var gradient is this formula at the CLAMPED value even
    where var < eps (not 0, which the clamp's derivative would give). backward -> (d_input, d_var).
    """

    _args = ("input", "target", "var")

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input: np.ndarray, target: np.ndarray, var) -> np.ndarray:
        x0, t0 = np.asarray(input), np.asarray(target)
        if isinstance(var, float):  # torch: var * ones_like(input), a constant
            if var < 0:
                raise ValueError("var has negative entry/entries")
            v0 = np.full(x0.shape, var, x0.dtype if x0.dtype.kind == "f" else np.float32)
        elif isinstance(var, np.ndarray):
            v0 = var
            if np.any(v0 < 0):
                raise ValueError("var has negative entry/entries")
        else:
            raise TypeError(f"var must be a numpy.ndarray or a float, got {type(var).__name__}")
        v = self._var_view(x0.shape, v0)
        reduction = self.reduction
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"{reduction} is not valid")
        if v.dtype.kind != "f":
            raise RuntimeError(f"result type Float can't be cast to the desired output type {v.dtype}")
        shape = broadcast_shape(broadcast_shape(x0.shape, t0.shape), v.shape)
        odt = promoted(x0.dtype, t0.dtype, v.dtype)
        vc = np.maximum(v, self.eps).astype(np.float64)  # the clamp in var's dtype (NaN stays NaN), as torch's
        # torch's (input - target) ** 2 runs in their promoted dtype and log(var) in var's: a float32 pair with a
        # float64 var rounds those to float32 (see _rounded_as)
        dxt = promoted(x0.dtype, t0.dtype) if "f" in (x0.dtype.kind, t0.dtype.kind) else np.dtype(np.float64)
        d = x0.astype(np.float64) - t0.astype(np.float64)  # (two integer arrays: exact, as torch's int64)
        with nonfinite_guard(d, vc):
            d = _rounded_as(d, dxt, odt)
            d2 = _rounded_as(d * d, dxt, odt)
            q, r = d / vc, d2 / vc  # r / vc is d^2 / vc^2 of the var gradient
            l = 0.5 * (_rounded_as(np.log(vc), v.dtype, odt) + r) + (_HALF_LOG_2PI if self.full else 0.0)
        metas = ((x0.shape, x0.dtype), (t0.shape, t0.dtype),
                 (v.shape, v0.shape, v0.dtype if isinstance(var, np.ndarray) else None))
        return self._save(reduce_loss(np.asarray(np.broadcast_to(l, shape), odt), reduction), q, r, vc, reduction,
                          shape, metas)

    @staticmethod
    def _var_view(xs: tuple[int, ...], v: np.ndarray) -> np.ndarray:
        """var shaped to broadcast against the input, by torch's rule (see the class docstring)."""
        if v.shape == xs:
            return v
        if xs[:-1] == v.shape:
            return v[..., None]
        if len(xs) == v.ndim and sum(b for a, b in zip(xs, v.shape, strict=True) if a != b) == 1:
            return v
        raise ValueError("var is of incorrect size")

    def _upstream(self, dy, reduction, shape):
        return np.broadcast_to(reduction_grad(dy.astype(np.float64), reduction, math.prod(shape)), shape)

    def _backward(self, dy, q, r, vc, reduction, shape, metas):
        xmeta, _, (vshape, v0shape, vdtype) = metas
        g = self._upstream(dy, reduction, shape)
        with nonfinite_guard(q, r, vc):
            dx = grad_as(g * q, *xmeta)
            dv = NOT_DIFFERENTIATED if vdtype is None else grad_as(
                g * (0.5 * (1.0 - r) / vc), vshape, vdtype).reshape(v0shape)
        return [dx, dv]

    def _target_backward(self, dy, q, r, vc, reduction, shape, metas):
        tmeta = metas[1]
        if tmeta[1].kind != "f":
            return super()._target_backward(dy)
        with nonfinite_guard(q):
            return grad_as(-(self._upstream(dy, reduction, shape) * q), *tmeta)


__all__ = ["PoissonNLLLoss", "GaussianNLLLoss"]
