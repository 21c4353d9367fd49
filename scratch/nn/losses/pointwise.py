"""The pointwise losses (MSE, L1, Huber, SmoothL1, KLDiv, HingeEmbedding).

Each is an elementwise ``l(x, y)`` on the broadcast input and target, then reduced (``_PointwiseLoss`` in
``_base.py``). Gradients are closed-form, for the input and (where torch differentiates it) the target.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._base import REDUCTIONS, _PointwiseLoss, result_type


# -- regression losses -----------------------------------------------------------------------------------------
class MSELoss(_PointwiseLoss):
    """Mean squared error: l = (x - y)^2, reduced.

    Args: size_average, reduce (deprecated, as torch), reduction ('mean').
    Shape: input (*), target broadcastable to it (a UserWarning when the shapes differ, as torch).
    Output dtype: torch's promotion of input and target (integer input with float target is accepted).
    Gradient: 2 (x - y) (/ numel for 'mean'), summed over broadcast dimensions.
    """

    _warn_on_size_mismatch = True

    def _pointwise(self, x, t):
        d = x - t
        return d * d, 2.0 * d, None


class L1Loss(_PointwiseLoss):
    """Mean absolute error: l = |x - y|.

    Args: size_average, reduce (deprecated), reduction ('mean'). Shape and dtype rules as MSELoss.
    Gradient: sign(x - y), 0 at x == y (torch's sgn(0) = 0) and 0 at NaN (torch's sgn(NaN) = 0).
    """

    _warn_on_size_mismatch = True

    def _dtypes(self, x, t):
        dt = result_type(x, t, exc=RuntimeError, op="mean")
        return dt, dt

    def _pointwise(self, x, t):
        d = x - t
        return np.abs(d), np.where(np.isnan(d), 0, np.sign(d)), None


class HuberLoss(_PointwiseLoss):
    """l = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta), d = x - y.

    Args: reduction ('mean'), delta (float, 1.0; must be > 0, checked at call time: RuntimeError).
    Output dtype: the INPUT's (torch writes into an input-shaped buffer); integer input raises RuntimeError.
    A target of another dtype (float or integer): the forward works, backward raises RuntimeError (as torch's).
    Gradient: clip(d, -delta, delta) -- continuous, d at |d| == delta; NaN propagates.
    """

    _warn_on_size_mismatch = True

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def _dtypes(self, x, t):
        if x.kind != "f":
            raise RuntimeError(f"result type Float can't be cast to the desired output type {x}")
        if self.delta <= 0:
            raise RuntimeError("huber_loss does not support non-positive values for delta.")
        return result_type(x, t), x

    @staticmethod
    def _one_dtype(dtypes: tuple[np.dtype, np.dtype]) -> None:
        if dtypes[1] != dtypes[0]:  # torch's forward accepts another target dtype, but its huber backward raises
            raise RuntimeError(f"Found dtype {dtypes[1]} but expected {dtypes[0]} (huber_loss backward with a "
                               "target of another dtype than the input)")

    def _backward(self, dy, grads, shapes, dtypes, reduction, n):
        self._one_dtype(dtypes)
        return super()._backward(dy, grads, shapes, dtypes, reduction, n)

    def _target_backward(self, dy, grads, shapes, dtypes, reduction, n):
        self._one_dtype(dtypes)  # the target's gradient comes from the same huber_loss_backward kernel
        return super()._target_backward(dy, grads, shapes, dtypes, reduction, n)

    def _pointwise(self, x, t):
        delta = float(self.delta)
        d = x - t
        z = np.abs(d)
        l = np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
        return l, np.where(d < -delta, -delta, np.where(d > delta, delta, d)), None



class SmoothL1Loss(_PointwiseLoss):
    """l = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta, d = x - y; beta = 0 is exactly L1Loss.

    Args: size_average, reduce (deprecated), reduction ('mean'), beta (float, 1.0; < 0 raises RuntimeError at
    call time). Shape and dtype rules as MSELoss.
    Gradient: clip(d / beta, -1, 1) (continuous at |d| == beta); beta = 0: sign(d) with 0 at d = 0, as L1.
    """

    _warn_on_size_mismatch = True

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def _dtypes(self, x, t):
        if self.beta < 0:
            raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
        return L1Loss._dtypes(self, x, t) if self.beta == 0 else super()._dtypes(x, t)

    def _pointwise(self, x, t):
        if self.beta == 0:  # torch dispatches to l1_loss
            return L1Loss._pointwise(self, x, t)
        beta = float(self.beta)
        d = x - t
        z = np.abs(d)
        l = np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)
        return l, np.where(d < -beta, -1, np.where(d > beta, 1, d / beta)), None



class KLDivLoss(_PointwiseLoss):
    """Kullback-Leibler divergence, input = log q, target = p (or log p with ``log_target``):

        l = xlogy(p, p) - p * input        (xlogy(0, .) = 0; a negative p gives NaN, as torch)
        l = exp(t) * (t - input)            (log_target=True)

    NOTE: torch does not mask p <= 0 (no ``where(p > 0, ..)``): p = 0 with input = -inf gives 0 * inf = NaN.
    Args: size_average, reduce (deprecated), reduction ('mean' | 'batchmean' = sum / input.shape[0] (sum for
    0-d input) | 'sum' | 'none'; 'mean' divides by numel and warns, as torch), log_target (False).
    Shape: target broadcast against input silently. Output dtype: promotion; integer input or target RuntimeError.
    Gradient: -p (or -exp(t)), including at p = 0 (where it is -0).
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def _check_reduction(self, valid: tuple[str, ...] = REDUCTIONS) -> str:
        if self.reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          UserWarning, stacklevel=4)
        return super()._check_reduction(REDUCTIONS + ("batchmean",))

    def _dtypes(self, x, t):
        if x.kind != "f" or t.kind != "f":
            raise RuntimeError(f"kl_div: Integral inputs not supported (got {x} and {t}).")
        dt = result_type(x, t)
        return dt, dt

    def _pointwise(self, x, t):
        if self.log_target:
            e = np.exp(t)
            l = e * (t - x)
            return l, -e, l + e
        with np.errstate(invalid="ignore", divide="ignore"):  # log of t <= 0: NaN / -inf, as torch's xlogy
            log_t = np.log(np.where(t == 0, 1, t))
            xlogy = np.where(t == 0, 0, t * log_t)
            # d/dt xlogy(t, t) = xlogy(t != 0, t) + t / t: NaN at t = 0 (0 / 0), exactly what torch's graph gives
            dlt = np.where(t == 0, np.nan, log_t + 1) - x
        return xlogy - t * x, -t, dlt

    def _reduce(self, l, x, reduction):
        if reduction != "batchmean":
            return super()._reduce(l, x, reduction)
        n = x.shape[0] if x.ndim else 1
        with np.errstate(invalid="ignore"):  # empty batch: 0 / 0 = NaN, as torch
            return np.asarray(np.sum(l) / n, l.dtype), n

    def _reduction_for_grad(self, reduction: str) -> str:
        return "mean" if reduction == "batchmean" else reduction  # n is the batch size there



class HingeEmbeddingLoss(_PointwiseLoss):
    """l = x where y == 1, max(0, margin - x) where y == -1 -- torch's exact rule, which also defines other y:

        l = [y != 1] * max(0, margin - x) + [y != -1] * x      (y = 0 gives both terms)

    Args: margin (1.0), size_average, reduce (deprecated), reduction ('mean').
    Shape: target broadcast against input silently. Output dtype: the input's (float input required).
    Gradient: [y != -1] - [y != 1] * [margin - x >= 0]: at margin - x == 0 the clamp passes the gradient
    (torch's clamp_min backward uses >=); NaN input gives 0 from the clamp term.
    """

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def _dtypes(self, x, t):
        # torch returns integer losses for integer input with 'none'/'sum'; we require a float input throughout
        if x.kind != "f":
            raise RuntimeError(f"hinge_embedding_loss: input must be a floating point array, got {x}")
        return x, x

    def _pointwise(self, x, t):
        z = float(self.margin) - x
        not_pos, not_neg = t != 1, t != -1
        l = np.where(not_pos, np.maximum(z, 0), 0) + np.where(not_neg, x, 0)
        dl = np.where(not_neg, 1, 0) - np.where(not_pos & (z >= 0), 1, 0)
        return l, dl.astype(x.dtype), None

    def _target_backward(self, dy, grads, shapes, dtypes, reduction, n) -> None:
        """The target only selects branches (torch's ``where(target != 1, ..)``): no gradient reaches it."""
        return self._unreached_target(dy, dtypes[1])



__all__ = ["MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "KLDivLoss", "HingeEmbeddingLoss"]
