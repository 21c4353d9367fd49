"""Multi-class classification by log-probabilities (CrossEntropyLoss, NLLLoss; MultiMarginLoss is in margin.py).

The protocol and helpers are in ``_base.py``. Class dimension is 1 for
(N, C, d1, ...) input and 0 for an unbatched (C,) input, as torch. Gradients are closed-form.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _math
from ._base import (
    _WeightedLoss,
    float_input,
    nonfinite_guard,
    reduction_grad,
    result_type,
)


def _check_class_weight(weight: np.ndarray | None, C: int, dtype: np.dtype | None, prefix: str = "") -> None:
    if weight is None:
        return
    if weight.ndim != 1 or weight.shape[0] != C:
        raise RuntimeError(f"{prefix}weight tensor should be defined either for all {C} classes or no classes but "
                           f"got weight tensor of shape: {list(weight.shape)}")
    if dtype is not None and weight.dtype != dtype:
        raise RuntimeError(f"expected scalar type {dtype} but found {weight.dtype} (weight vs input)")


def _index_target(x: np.ndarray, t: np.ndarray, weight: np.ndarray | None):
    """Validate class-index targets as torch's nll_loss_nd; return the batched (N, C, *) input, the (N, *) int64
    target, C, and whether the input was an unbatched (C,) vector."""
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {t.dtype}")
    if x.ndim != 1 and (t.shape[0] if t.ndim else 0) != x.shape[0]:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if x.ndim <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if x.ndim == 1 and t.size != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.size}")
    else:
        if t.dtype == np.uint8:  # torch's spatial kernels take int64 only
            raise RuntimeError("expected scalar type Long but found Byte (spatial targets must be int64)")
        if t.shape != (x.shape[0],) + x.shape[2:]:
            raise RuntimeError(f"Expected target size {[x.shape[0], *x.shape[2:]]}, got {list(t.shape)}")
    unbatched = x.ndim == 1
    C = x.shape[0] if unbatched else x.shape[1]
    _check_class_weight(weight, C, x.dtype)
    t = t.reshape(1) if unbatched else t
    return (x[None] if unbatched else x), t.astype(np.int64), C, unbatched


def _class_view(w: np.ndarray, ndim: int) -> np.ndarray:
    """A (C,) weight shaped to broadcast along dim 1 of an (N, C, *) array."""
    return w.reshape((1, -1) + (1,) * (ndim - 2))


class _NLLCore(_WeightedLoss):
    """Class-index loss on log-probabilities ``lsm`` (N, C, *), with ignore_index and label smoothing eps:

        l_n = (1 - eps) (-w[y_n] lsm[n, y_n]) + eps/C (-sum_c w[c] lsm[n, c])     (0 where y_n == ignore_index)
        mean = sum_n l_n / sum_n w[y_n] over non-ignored n  (NaN when nothing counts: 0/0, as torch)
    """

    ignore_index: int

    def _kept(self, t: np.ndarray, C: int) -> np.ndarray:
        """The entries that count (not ignore_index); each must be a class in [0, C) (IndexError, as torch)."""
        keep = t != self.ignore_index
        bad = keep & ((t < 0) | (t >= C))
        if bad.any():
            raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")
        return keep

    def _save_index(self, out, x: np.ndarray, target: np.ndarray, *cache):
        """The index path's cache. An unbatched (C,) input with a (1,) target: torch's forward takes the pair, its
        backward raises (the sizes [C] and [1]), so only that is kept."""
        if x.ndim == 1 and target.ndim == 1:
            return self._save(out, "refused", x.shape)
        return self._save(out, *cache)

    @staticmethod
    def _refused(kind: str, shape) -> None:
        if kind == "refused":
            raise RuntimeError(f"size mismatch (got input: {list(shape)}, target: [1])")

    def _nll_forward(self, lsm, t, C, eps, reduction, unbatched):
        keep = self._kept(t, C)
        tc = np.where(keep, t, 0)[:, None]
        w = self.weight
        wy = np.where(keep, w[tc[:, 0]], 0) if w is not None else keep.astype(lsm.dtype)
        with nonfinite_guard(lsm):
            picked = np.take_along_axis(lsm, tc, axis=1)[:, 0]
            nll = np.where(keep, -(wy * picked), 0)  # ignored entries are exactly 0 even where lsm is -inf/NaN
            smooth = None
            if eps > 0:
                s = -np.sum(lsm * _class_view(w, lsm.ndim) if w is not None else lsm, axis=1)
                smooth = np.where(keep, s, 0)
        d = np.sum(wy)
        with np.errstate(invalid="ignore", divide="ignore"):  # d = 0 (all ignored): 0/0 = NaN, as torch
            if reduction == "none":
                out = nll if smooth is None else self._smoothed(nll, smooth, eps, C)
                out = out.reshape(()) if unbatched else out
            elif reduction == "sum":
                out = np.sum(nll) if smooth is None else self._smoothed(np.sum(nll), np.sum(smooth), eps, C)
            elif smooth is None:
                out = np.sum(nll) / d
            else:
                out = self._smoothed(np.sum(nll) / d, np.sum(smooth) / d, eps, C)
        return np.asarray(out, lsm.dtype), (keep, tc, wy, d)

    @staticmethod
    def _smoothed(nll, smooth, eps: float, C: int):
        """The label-smoothed loss from its two parts, reduced alike: (1 - eps) nll + (eps / C) smooth."""
        return (1.0 - eps) * nll + smooth * (eps / C)

    def _nll_grad(self, dy, lsm, cache, C, eps, reduction):
        """d loss / d lsm: -(1 - eps) a_n w[y_n] at the target class and -(eps/C) a_n w[c] at every class, where
        a_n is the upstream gradient of entry n (/ d for 'mean'), 0 for ignored entries."""
        keep, tc, wy, d = cache
        with np.errstate(invalid="ignore", divide="ignore"):  # d = 0: inf * 0 = NaN, as torch
            a = dy.reshape(keep.shape) if reduction == "none" else (dy / d if reduction == "mean" else dy)
            a = np.where(keep, a, 0)
            dlsm = np.zeros_like(lsm)
            np.put_along_axis(dlsm, tc, (-(1.0 - eps) * (a * wy))[:, None], axis=1)
            if eps > 0:
                w = self.weight
                dlsm -= (a * (eps / C))[:, None] * (_class_view(w, lsm.ndim) if w is not None else 1.0)
        return dlsm

    # -- the training hot path: (N, C) input, every target a valid class, no weight, no smoothing ---------------
    def _plain_rows(self, lsm: np.ndarray, t: np.ndarray, C: int, eps: float) -> bool:
        """Whether the row fast path applies. It computes the general path's values bit for bit (tested) with a
        quarter of its NumPy calls: there every class weight is 1 and nothing is ignored, so the weighted pick
        -(1 * lsm[n, y_n]) is -lsm[n, y_n], the mean's denominator sum_n 1 is N, and d loss / d lsm is -a_n at
        the target and 0 elsewhere."""
        return (self.weight is None and eps == 0 and lsm.ndim == 2 and lsm.shape[0] > 0
                and not 0 <= self.ignore_index < C and 0 <= t.min() and t.max() < C)

    @staticmethod
    def _nll_rows(lsm: np.ndarray, t: np.ndarray, reduction: str, unbatched: bool) -> tuple[np.ndarray, np.ndarray]:
        """(the loss, the row indices) on the fast path: l_n = -lsm[n, y_n], reduced."""
        rows = np.arange(lsm.shape[0])
        nll = -lsm[rows, t]
        if reduction == "none":
            out = nll.reshape(()) if unbatched else nll
        else:
            with nonfinite_guard(nll):  # +inf and -inf picked: NaN, as torch (and the general path)
                out = np.sum(nll) if reduction == "sum" else np.sum(nll) / lsm.shape[0]
        return np.asarray(out, lsm.dtype), rows

    @staticmethod
    def _rows_upstream(dy: np.ndarray, reduction: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(a, a shaped to scale the rows of an (N, C) array): a_n = dy_n for 'none', else one 0-d factor (dy / N
        for 'mean', dy for 'sum'), the general path's a_n when every weight is 1 and nothing is ignored."""
        if reduction == "none":
            a = dy.reshape(-1)
            return a, a[:, None]
        a = dy / n if reduction == "mean" else dy
        return a, a


class NLLLoss(_NLLCore):
    """Negative log-likelihood on log-probabilities: l_n = -w[y_n] input[n, y_n], 0 where y_n == ignore_index.

    Args: weight ((C,) array of the input's dtype, or None; a buffer), size_average, reduce (deprecated),
    ignore_index (-100), reduction ('mean' = sum l_n / sum of w[y_n] over non-ignored n; NaN if none).
    Shape: input (N, C), (N, C, d1, ...) or (C,); target (N,), (N, d1, ...) or () / (1,), int64 (uint8 also for
    (N, C) / (C,) input, as torch). Errors as torch: int32 target RuntimeError, class out of range IndexError.
    Gradient: -w[y_n] (/ the weight sum for 'mean') at the target class, 0 elsewhere.
    """

    def __init__(self, weight: np.ndarray | None = None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        x = float_input(input, "nll_loss_out_frame")
        target = np.asarray(target)
        x2, t, C, unbatched = _index_target(x, target, self.weight)
        if self._plain_rows(x2, t, C, 0.0):
            out, rows = self._nll_rows(x2, t, reduction, unbatched)
            return self._save_index(out, x, target, "rows", x2, rows, t, reduction, x.shape)
        out, cache = self._nll_forward(x2, t, C, 0.0, reduction, unbatched)
        return self._save_index(out, x, target, "general", x2, cache, C, reduction, x.shape)

    def _backward(self, dy, kind, x2, *cache):
        self._refused(kind, x2)
        if kind == "rows":  # -a_n at the target, 0 elsewhere
            rows, t, reduction, shape = cache
            dx = np.zeros_like(x2)
            dx[rows, t] = -self._rows_upstream(dy, reduction, x2.shape[0])[0]
            return dx.reshape(shape)
        nll_cache, C, reduction, shape = cache
        return self._nll_grad(dy, x2, nll_cache, C, 0.0, reduction).reshape(shape)



class CrossEntropyLoss(_NLLCore):
    """Cross entropy on LOGITS: log_softmax over the class dim (max-shifted, stable at +-1e4 logits), then

    * class-index target: l_n = (1 - eps)(-w[y_n] lsm[n, y_n]) + (eps / C)(-sum_c w[c] lsm[n, c]), 0 where
      y_n == ignore_index; 'mean' divides by sum_n w[y_n] over non-ignored n (nothing left: NaN);
    * probability target (the input's shape, float): t' = (1 - eps) t + eps / C,
      l_n = -sum_c w[c] t'[n, c] lsm[n, c]; 'mean' divides by numel / C (ignore_index must stay negative).

    Args: weight ((C,) or None; a buffer), size_average, reduce (deprecated), ignore_index (-100),
    reduction ('mean'), label_smoothing eps (0.0; > 1 RuntimeError at call time; < 0 acts as 0, as torch).
    Shape: input (N, C), (N, C, d1, ...) or (C,); target as NLLLoss, or probabilities of the input's shape.
    Output dtype: the input's (index targets: the weight must match it); probabilities: promotion of input,
    target and weight. Gradient: g - softmax * sum_c g, g = d loss / d lsm (the chain torch runs).
    """

    def __init__(self, weight: np.ndarray | None = None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        x = float_input(input, "log_softmax_lastdim_kernel_impl")
        t = np.asarray(target)
        eps = max(float(self.label_smoothing), 0.0)
        if eps > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {self.label_smoothing}")
        if x.shape == t.shape:
            return self._forward_probs(x, t, eps, reduction)
        if x.ndim == 0:  # torch's log_softmax over dim 1 comes first
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
        x2, t2, C, unbatched = _index_target(x, t, self.weight)
        if eps > 0:
            self._smoothing_refuses(x, t, t2, C, reduction)
        with nonfinite_guard(x2):
            lsm = _math.log_softmax(x2, axis=1)
        if self._plain_rows(lsm, t2, C, eps):
            out, rows = self._nll_rows(lsm, t2, reduction, unbatched)
            return self._save_index(out, x, t, "rows", lsm, rows, t2, reduction, x.shape)
        out, cache = self._nll_forward(lsm, t2, C, eps, reduction, unbatched)
        return self._save_index(out, x, t, "index", lsm, cache, C, eps, reduction, x.shape)

    def _smoothing_refuses(self, x: np.ndarray, t: np.ndarray, t2: np.ndarray, C: int, reduction: str) -> None:
        """torch's label-smoothing path, after its class range check, refuses (RuntimeError) an unbatched input's
        (1,) target (it does not broadcast into the 0-d loss) and, for 'mean', a uint8 target with class weights
        (the mean's gather of the weights takes int64 indices only)."""
        self._kept(t2, C)
        if x.ndim == 1 and t.ndim == 1:
            raise RuntimeError("output with shape [] doesn't match the broadcast shape [1]")
        if t.dtype == np.uint8 and self.weight is not None and reduction == "mean":
            raise RuntimeError("gather(): Expected dtype int32/int64 for index (a uint8 target with class weights "
                               "and label smoothing)")

    @staticmethod
    def _backward_rows(dy, lsm, rows, t, reduction, shape):
        """dx = softmax * a - onehot(y) * a: the general chain dlsm - softmax * sum_c dlsm with dlsm = -a at the
        target, written without the zeros (a as in :meth:`_NLLCore._rows_upstream`)."""
        a, per_row = _NLLCore._rows_upstream(dy, reduction, lsm.shape[0])
        with nonfinite_guard(lsm, a):
            dx = np.exp(lsm) * per_row
            dx[rows, t] -= a
        return dx.astype(lsm.dtype, copy=False).reshape(shape)

    def _forward_probs(self, x, t, eps, reduction):
        if t.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got {t.dtype}")
        if self.ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if x.ndim == 0:
            raise IndexError("Dimension specified as 1 but tensor has no dimensions")
        unbatched = x.ndim == 1
        x2, t2 = (x[None], t[None]) if unbatched else (x, t)
        C = x2.shape[1]
        w = self.weight
        _check_class_weight(w, C, None, "cross_entropy: ")
        dt = result_type(x.dtype, t.dtype, *(() if w is None else (w.dtype,)))
        n = x2.size // C if C else 0
        with nonfinite_guard(x2, t2):
            lsm = _math.log_softmax(x2, axis=1) if C else x2  # no classes: nothing to normalize (log 0 unasked)
            tw = t2.astype(dt) * (1.0 - eps) + eps / max(C, 1) if eps > 0 else t2.astype(dt)  # (C = 0: empty)
            wv = _class_view(w.astype(dt), tw.ndim) if w is not None else None
            tw = tw * wv if w is not None else tw
            prod = lsm * tw
            if reduction == "none":
                out = -np.sum(prod, axis=1)
                out = out.reshape(()) if unbatched else out
            elif reduction == "sum":
                out = -np.sum(prod)
            else:
                with np.errstate(invalid="ignore", divide="ignore"):  # empty batch: 0 / 0 = NaN, as torch
                    out = -np.sum(prod) / n
        return self._save(np.asarray(out, dt), "probs", lsm, tw, n, reduction, x.shape, (eps, wv, t.dtype))

    def _backward(self, dy, kind, lsm, *cache):
        self._refused(kind, lsm)
        if kind == "rows":
            return self._backward_rows(dy, lsm, *cache)
        if kind == "probs":
            tw, n, reduction, shape, _ = cache
            dlsm = -(self._probs_upstream(dy, lsm, reduction, n) * tw)
        else:
            nll_cache, C, eps, reduction, shape = cache
            dlsm = self._nll_grad(dy, lsm, nll_cache, C, eps, reduction)
        with nonfinite_guard(lsm, dlsm):
            dx = dlsm - np.exp(lsm) * np.sum(dlsm, axis=1, keepdims=True)  # log_softmax backward
        return dx.astype(lsm.dtype, copy=False).reshape(shape)

    @staticmethod
    def _probs_upstream(dy, lsm, reduction, n):
        """d reduce / d l_n, shaped to broadcast along the class dim of lsm."""
        a = dy.reshape((lsm.shape[0], 1) + lsm.shape[2:]) if reduction == "none" else dy
        return reduction_grad(a, reduction, n)

    def _target_backward(self, dy, kind, lsm, *cache):
        """Probability targets only: d loss / d t = -(1 - eps) w lsm a (the smoothing's eps / C is a constant)."""
        if kind != "probs":
            return super()._target_backward(dy)
        _, n, reduction, shape, (eps, wv, tdt) = cache
        with nonfinite_guard(lsm):
            g = self._probs_upstream(dy, lsm, reduction, n) * lsm
            g = -(g * wv if wv is not None else g) * (1.0 - eps)
        return g.astype(tdt, copy=False).reshape(shape)


__all__ = ["CrossEntropyLoss", "NLLLoss", "NLLLoss2d"]


class NLLLoss2d(NLLLoss):
    """torch's deprecated alias of :class:`NLLLoss` (same arguments and numerics); constructing it warns with
    torch's FutureWarning."""

    def __init__(self, weight: np.ndarray | None = None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean") -> None:
        warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement and see "
                      "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.", FutureWarning,
                      stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
