"""The loss protocol and the helpers every loss shares (reductions, torch's dtype promotion, broadcasting).

The losses themselves: ``pointwise.py`` (MSE, L1, Huber, SmoothL1, KLDiv, HingeEmbedding), ``classification.py``
(CrossEntropyLoss, NLLLoss, MultiMarginLoss), ``binary.py`` (BCELoss, BCEWithLogitsLoss, SoftMarginLoss) and
``ranking.py`` (MarginRankingLoss, CosineEmbeddingLoss: several inputs), ``probabilistic.py`` (PoissonNLLLoss,
GaussianNLLLoss), ``multilabel.py`` (MultiLabelMarginLoss, MultiLabelSoftMarginLoss), ``triplet.py``
(TripletMarginLoss, TripletMarginWithDistanceLoss, and their PairwiseDistance block), ``ctc.py`` (CTCLoss) and
``linear_cross_entropy.py`` (LinearCrossEntropyLoss, a Linear child and CrossEntropyLoss, and its options).

Protocol (as torch.nn losses, with an explicit backward)::

    loss = MSELoss(reduction="mean")          # 'none' | 'mean' | 'sum', validated at call time (ValueError)
    L = loss(input, target)                   # ndarray: 0-d for 'mean'/'sum', the element shape for 'none'
    dinput = loss.backward()                  # dy defaults to 1 for a 0-d output; required for 'none'

``input`` is differentiated (every float input but the target, for a loss with several: ``_SeveralInputs``), the
target where torch differentiates it (``backward(dy, target_grad=True)``). Output dtypes follow torch's promotion
rules, which differ per loss (each class says which); each gradient is in its array's dtype. Class weights are
buffers named as torch's (``weight``, ``pos_weight``), so ``state_dict`` keys match. Every formula and every edge
case (kinks, NaN, empty batches, broadcasting, error classes) was checked against torch 2.13 in float64.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

from ..base import CachedModule

REDUCTIONS = ("none", "mean", "sum")


# -- helpers shared by every loss -----------------------------------------------------------------------------
def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """torch's deprecated ``size_average``/``reduce`` pair mapped to a reduction string (with torch's warning)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "none" if not reduce else ("mean" if size_average else "sum")
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  UserWarning, stacklevel=3)
    return ret


def float_input(x, op: str) -> np.ndarray:
    """The differentiated input: a float ndarray. torch has no integer kernel (NotImplementedError)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{op}" not implemented for input of dtype {x.dtype}')
    return x


def result_type(*dtypes: np.dtype, exc: type[Exception] = RuntimeError, op: str = "loss") -> np.dtype:
    """torch's promotion of tensors: any float beats any integer (keeping its own width), float32 + float64 is
    float64. (NumPy would make int64 + float32 float64.) All-integer: torch has no kernel -> ``exc``."""
    floats = [np.dtype(d) for d in dtypes if np.dtype(d).kind == "f"]
    if not floats:
        raise exc(f'"{op}" not implemented for integer inputs (got {", ".join(str(d) for d in dtypes)})')
    return np.result_type(*floats)


def promoted(*dtypes: np.dtype) -> np.dtype:
    """torch's promotion for a float op: a float beats integers (keeping its width), float32 + float64 is float64;
    all integer: float32, the default dtype a float constant or op (``+ margin``, ``exp``) gives them."""
    floats = [np.dtype(d) for d in dtypes if np.dtype(d).kind == "f"]
    return np.result_type(*floats) if floats else np.dtype(np.float32)


def grad_as(g: np.ndarray, shape: tuple[int, ...], dtype: np.dtype):
    """A gradient summed back to its argument's shape, in its dtype (beyond float32's range it is inf, as torch's
    float32 product is); ``NOT_DIFFERENTIATED`` for an integer argument (see _SeveralInputs)."""
    if np.dtype(dtype).kind != "f":
        return NOT_DIFFERENTIATED
    with np.errstate(over="ignore"):
        return sum_to(g, shape).astype(dtype, copy=False)


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """np.broadcast_shapes, raising torch's RuntimeError (numpy raises ValueError)."""
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        for i in range(1, min(len(a), len(b)) + 1):
            if a[-i] != b[-i] and 1 not in (a[-i], b[-i]):
                raise RuntimeError(f"The size of tensor a ({a[-i]}) must match the size of tensor b ({b[-i]}) at "
                                   f"non-singleton dimension {max(len(a), len(b)) - i}") from None
        raise


def check_fits(shape: tuple[int, ...], other: tuple[int, ...], what: str) -> None:
    """``other`` (a weight) must broadcast to ``shape`` without enlarging it (torch multiplies in place)."""
    if broadcast_shape(shape, other) != tuple(shape):
        raise RuntimeError(f"{what}: output with shape {list(shape)} doesn't match the broadcast shape "
                           f"{list(np.broadcast_shapes(shape, other))}")


def sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient over the dimensions broadcasting added or stretched, back to ``shape``."""
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def nonfinite_guard(*arrays: np.ndarray):
    """Silence NumPy's floating-point warnings only when an input already holds NaN or +-inf: torch then yields
    NaN/inf as well (inf - inf in the softmax shift, 0 * inf). On finite input warnings stay (they are errors)."""
    for a in arrays:
        if a is not None and a.dtype.kind == "f" and not np.isfinite(a).all():
            return np.errstate(all="ignore")
    return contextlib.nullcontext()


def overflowed_as(z: np.ndarray, dtype) -> np.ndarray:
    """``z`` (float64) with +-inf wherever it is beyond ``dtype``'s range: a float32 loss evaluated in float64 keeps
    the overflow torch's float32 evaluation has (torch's float32 exp(89) is inf, float64's is not)."""
    with np.errstate(over="ignore"):  # the cast's overflow is the point
        return np.where(np.isinf(np.asarray(z).astype(dtype)), np.copysign(np.inf, z), z)


def reduce_loss(l: np.ndarray, reduction: str) -> np.ndarray:
    """'none' -> l, 'sum' -> sum, 'mean' -> sum / numel (NaN for an empty batch, as torch)."""
    if reduction == "none":
        return l
    total = np.sum(l)
    if reduction == "sum":
        return np.asarray(total, l.dtype)
    with np.errstate(invalid="ignore"):  # 0 / 0 on an empty batch: torch returns NaN
        return np.asarray(total / l.size, l.dtype)


def reduction_grad(dy: np.ndarray, reduction: str, n: int) -> np.ndarray:
    """d reduce(l) / d l, times dy: dy itself ('none'; 'sum' broadcasts it) or dy / n ('mean')."""
    return dy / n if reduction == "mean" and n else dy


# -- the base classes -----------------------------------------------------------------------------------------
class _Loss(CachedModule):
    """Common base: the reduction string (validated at call time, as torch) and the backward protocol.

    ``backward(dy=None)`` returns d loss / d input; ``backward(dy, target_grad=True)`` returns
    ``(d input, d target)``, where the target gradient is what torch gives a float target that requires grad
    (None where torch's graph does not reach the target). Losses with several float inputs (MarginRankingLoss'
    ``input1, input2, target``, GaussianNLLLoss' ``input, target, var``, TripletMarginLoss' ``anchor, positive,
    negative``) return the gradients of every float input but the target, as a tuple in forward's order, and with
    ``target_grad=True`` the target's too, at its place in that order. Subclasses give ``_backward`` and, if torch
    differentiates their target, ``_target_backward``; both receive the cotangent and the saved cache."""

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = legacy_reduction(size_average, reduce, reduction)

    def _check_reduction(self, valid: tuple[str, ...] = REDUCTIONS) -> str:
        if self.reduction not in valid:
            raise ValueError(f"{self.reduction} is not a valid value for reduction")
        return self.reduction

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def backward(self, dy: np.ndarray | None = None, *, target_grad: bool = False):
        """d loss / d input times ``dy`` (the output's cotangent; 1 by default for a 0-d output); with
        ``target_grad=True`` the pair (d input, d target)."""
        if dy is None and self._cache is not None:
            if self._out_meta.shape != ():
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            dy = np.ones((), self._out_meta.dtype)
        dy, *cache = self._saved(dy)
        grads = self._backward(dy, *cache)
        return self._with_target(grads, self._target_backward(dy, *cache)) if target_grad else grads

    def _with_target(self, grads, dtarget):
        """The target's gradient put at the target's place in forward's arguments: second by default (``(input,
        target)``); losses with several inputs (``(input1, input2, target)``) override."""
        return grads, dtarget

    def _backward(self, dy: np.ndarray, *cache) -> np.ndarray:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return ""  # torch's losses print no arguments: MSELoss(), CrossEntropyLoss()

    def _target_backward(self, dy: np.ndarray, *cache) -> np.ndarray | None:
        raise RuntimeError(f"{type(self).__name__} takes an integer target here, which has no gradient (only "
                           "floating-point tensors can require gradients, as in torch)")

    def _unreached_target(self, dy: np.ndarray, target_dtype: np.dtype) -> None:
        """The gradient of a target torch's graph does not reach: None for a float target (which can require
        grad), torch's error for an integer one (which cannot)."""
        if np.dtype(target_dtype).kind != "f":
            return _Loss._target_backward(self, dy)
        return None



class _SeveralInputs(_Loss):
    """A loss whose forward takes several arrays, named as torch's in ``_args`` (the target among them or not).

    ``_backward`` returns one entry per argument but the target, in forward's order: its gradient, or
    ``NOT_DIFFERENTIATED`` for an integer array or a Python float (torch has no gradient for it, and the protocol
    gives it no entry). ``backward`` drops those, inserts the target's gradient at its place with
    ``target_grad=True`` (kept even when None: torch's graph does not reach it), and returns one array when one
    is left, else a tuple."""

    _args: tuple[str, ...] = ()

    def backward(self, dy: np.ndarray | None = None, *, target_grad: bool = False):
        if target_grad and "target" not in self._args:
            raise RuntimeError(f"{type(self).__name__} has no target (its inputs are {', '.join(self._args)})")
        grads = [g for g in super().backward(dy, target_grad=target_grad) if g is not NOT_DIFFERENTIATED]
        return (grads[0] if len(grads) == 1 else tuple(grads)) if grads else None

    def _with_target(self, grads, dtarget):
        grads = list(grads)
        grads.insert(self._args.index("target"), dtarget)
        return grads


NOT_DIFFERENTIATED = object()  # an argument of a _SeveralInputs loss that torch does not differentiate


class _WeightedLoss(_Loss):
    """A loss with an optional ``weight`` buffer (None is not part of the state_dict, as in torch)."""

    def __init__(self, weight: np.ndarray | None = None, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _buffer(weight, "weight"))


def _buffer(value, name: str) -> np.ndarray | None:
    if value is not None and not isinstance(value, np.ndarray):
        raise TypeError(f"cannot assign {type(value).__name__!r} object to buffer {name!r} (numpy.ndarray or None "
                        "required)")
    return value


class _PointwiseLoss(_Loss):
    """An elementwise loss l(x, t) on broadcast input and target, then reduced.

    Subclasses give ``_pointwise(x, t) -> (l, dl/dx, dl/dt)`` (in the broadcast shape; ``dl/dt`` None when the
    target enters only through ``x - t``, so that dl/dt = -dl/dx costs nothing until asked for) and ``_dtypes``.
    Both gradients are summed back over broadcast dimensions; each is in its own array's dtype."""

    _warn_on_size_mismatch = False  # MSE, L1, Huber, SmoothL1: torch warns, then broadcasts anyway

    def _dtypes(self, x: np.dtype, t: np.dtype) -> tuple[np.dtype, np.dtype]:
        """(compute dtype, output dtype). Default: torch's promotion of input and target."""
        dt = result_type(x, t, exc=NotImplementedError, op=type(self).__name__)
        return dt, dt

    def _pointwise(self, x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        raise NotImplementedError

    def _reduce(self, l: np.ndarray, x: np.ndarray, reduction: str) -> tuple[np.ndarray, int]:
        return reduce_loss(l, reduction), l.size

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        if not isinstance(input, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(input).__name__}")
        x, t = input, np.asarray(target)
        if self._warn_on_size_mismatch and x.shape != t.shape:
            warnings.warn(f"Using a target size ({t.shape}) that is different to the input size ({x.shape}). "
                          "This will likely lead to incorrect results due to broadcasting. "
                          "Please ensure they have the same size.", UserWarning, stacklevel=3)
        broadcast_shape(x.shape, t.shape)
        reduction = self._check_reduction()
        cdt, odt = self._dtypes(x.dtype, t.dtype)
        with nonfinite_guard(x, t):
            l, dl, dlt = self._pointwise(x.astype(cdt, copy=False), t.astype(cdt, copy=False))
        out, n = self._reduce(l.astype(odt, copy=False), x, reduction)
        gdt = x.dtype if x.dtype.kind == "f" else odt  # integer input: never differentiated by torch
        grads = np.broadcast_to(dl, l.shape), None if dlt is None else np.broadcast_to(dlt, l.shape)
        return self._save(out, grads, (x.shape, t.shape), (gdt, t.dtype), reduction, n)

    def _reduction_for_grad(self, reduction: str) -> str:
        return reduction

    def _backward(self, dy, grads, shapes, dtypes, reduction, n) -> np.ndarray:
        with nonfinite_guard(grads[0]):
            g = grads[0] * reduction_grad(dy, self._reduction_for_grad(reduction), n)
        return sum_to(g, shapes[0]).astype(dtypes[0], copy=False)

    def _target_backward(self, dy, grads, shapes, dtypes, reduction, n) -> np.ndarray:
        if dtypes[1].kind != "f":
            return super()._target_backward(dy)
        dl, dlt = grads
        with nonfinite_guard(dl if dlt is None else dlt):
            g = (-dl if dlt is None else dlt) * reduction_grad(dy, self._reduction_for_grad(reduction), n)
        return sum_to(g, shapes[1]).astype(dtypes[1], copy=False)
