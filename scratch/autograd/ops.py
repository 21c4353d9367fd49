"""Element-wise ops. Each forward is followed by its gradient rule; binary ops broadcast like torch and reduce
their gradients back to each operand's shape (:func:`~scratch.autograd.tensor.unbroadcast`).

Operands may be Tensors, NumPy arrays or Python scalars; the result dtype follows torch's type promotion
(:func:`~scratch.autograd.tensor.result_dtype`), e.g. float32 (3,) + float64 (3,) -> float64, float32 (3,) + 0-d
float64 -> float32, float32 * 2.5 -> float32. IEEE results (log(0) = -inf, 1/0 = inf) are returned silently,
as torch does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .tensor import DEFAULT_FLOAT, Tensor, as_tensor, float_operand, make_result, result_dtype, unbroadcast

_IEEE = dict(divide="ignore", invalid="ignore", over="ignore")


def _binary(a: Any, b: Any, floating: bool = False) -> tuple[Tensor, Tensor, np.ndarray, np.ndarray]:
    """Promote two operands to their common dtype (at least float32 if ``floating``); check that their shapes
    broadcast (RuntimeError as torch). Returns both as Tensors and their promoted arrays."""
    dt = result_dtype(a, b)
    if floating and dt.kind != "f":
        dt = DEFAULT_FLOAT
    a = a if isinstance(a, Tensor) else as_tensor(a, dt)
    b = b if isinstance(b, Tensor) else as_tensor(b, dt)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise RuntimeError(f"shapes {a.shape} and {b.shape} are not broadcastable") from None
    return a, b, a.data.astype(dt, copy=False), b.data.astype(dt, copy=False)


def add(a: Any, b: Any) -> Tensor:
    """``a + b``. Gradient: ``g`` to both, summed over broadcast axes."""
    a, b, x, y = _binary(a, b)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return unbroadcast(g, a.shape), unbroadcast(g, b.shape)

    return make_result(x + y, (a, b), backward, "add")


def sub(a: Any, b: Any) -> Tensor:
    """``a - b``. Gradient: ``g`` and ``-g``."""
    a, b, x, y = _binary(a, b)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return unbroadcast(g, a.shape), unbroadcast(-g, b.shape)

    return make_result(x - y, (a, b), backward, "sub")


def mul(a: Any, b: Any) -> Tensor:
    """``a * b``. Gradient: ``g * b`` and ``g * a``."""
    a, b, x, y = _binary(a, b)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return unbroadcast(g * y, a.shape), unbroadcast(g * x, b.shape)

    return make_result(x * y, (a, b), backward, "mul")


def div(a: Any, b: Any) -> Tensor:
    """True division ``a / b`` (integers give float32, as torch). Gradient: ``g / b`` and ``-g * (a / b) / b``."""
    a, b, x, y = _binary(a, b, floating=True)
    with np.errstate(**_IEEE):
        out = x / y

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(**_IEEE):
            return unbroadcast(g / y, a.shape), unbroadcast(-g * out / y, b.shape)

    return make_result(out, (a, b), backward, "div")


def neg(a: Tensor) -> Tensor:
    """``-a``. Gradient: ``-g``."""
    return make_result(-a.data, (a,), lambda g: (-g,), "neg")


def pow(a: Any, p: Any) -> Tensor:
    """``a ** p`` for a scalar or tensor exponent (and ``scalar ** tensor``); tensors broadcast.

    Args:
        a (Tensor | scalar): base. p (Tensor | scalar): exponent. Integer tensor ** negative integer raises
            RuntimeError, as torch.

    Gradient, as torch: d/da = ``g * p * a**(p-1)``, taken as 0 where ``p == 0`` (so 0**0 has slope 0);
    d/dp = ``g * a**p * log(a)``, taken as 0 where ``a == 0 and p >= 0``. Negative bases give NaN like torch.
    """
    if isinstance(p, np.generic):
        p = p.item()
    if not isinstance(p, (Tensor, np.ndarray)) and isinstance(a, Tensor):  # scalar exponent
        x = float_operand(a) if isinstance(p, float) else a.data
        try:
            with np.errstate(**_IEEE):
                out = x ** p
        except ValueError as e:  # integer tensor ** negative integer
            raise RuntimeError(str(e)) from None

        def backward_scalar(g: np.ndarray) -> tuple[np.ndarray]:
            if p == 0:
                return (np.zeros_like(g),)
            with np.errstate(**_IEEE):
                return (g * p * x ** (p - 1),)

        return make_result(out, (a,), backward_scalar, "pow")
    a, p, x, y = _binary(a, p)
    with np.errstate(**_IEEE):
        out = x ** y

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(**_IEEE):
            ga = np.where(y == 0, 0.0, g * y * x ** (y - 1)).astype(out.dtype, copy=False)
            gp = g * np.where((x == 0) & (y >= 0), 0.0, out * np.log(x)).astype(out.dtype, copy=False)
        return unbroadcast(ga, a.shape), unbroadcast(gp, p.shape)

    return make_result(out, (a, p), backward, "pow")


def exp(a: Tensor) -> Tensor:
    """``exp(a)``. Gradient: ``g * exp(a)``."""
    with np.errstate(over="ignore"):
        out = np.exp(float_operand(a))
    return make_result(out, (a,), lambda g: (g * out,), "exp")


def log(a: Tensor) -> Tensor:
    """Natural log (``log(0) = -inf``, negative -> NaN, as torch). Gradient: ``g / a``."""
    x = float_operand(a)
    with np.errstate(**_IEEE):
        out = np.log(x)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(**_IEEE):
            return (g / x,)

    return make_result(out, (a,), backward, "log")


def sqrt(a: Tensor) -> Tensor:
    """``sqrt(a)``. Gradient: ``g / (2 sqrt(a))`` (inf at 0, as torch)."""
    with np.errstate(**_IEEE):
        out = np.sqrt(float_operand(a))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        with np.errstate(**_IEEE):
            return (g / (2 * out),)

    return make_result(out, (a,), backward, "sqrt")


def abs(a: Tensor) -> Tensor:
    """``|a|``. Gradient: ``g * sign(a)``; ``abs'(0) = 0`` as torch."""
    x = a.data
    return make_result(np.abs(x), (a,), lambda g: (g * np.sign(x),), "abs")


def relu(a: Tensor) -> Tensor:
    """``max(a, 0)``. Gradient: ``g`` where the output is > 0, else 0; ``relu'(0) = 0`` as torch."""
    out = np.maximum(a.data, 0)
    return make_result(out, (a,), lambda g: (np.where(out > 0, g, 0).astype(g.dtype, copy=False),), "relu")


def sigmoid(a: Tensor) -> Tensor:
    """``1 / (1 + exp(-a))``, computed without overflow through ``exp(-|a|)``. Gradient: ``g * y * (1 - y)``."""
    x = float_operand(a)
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return make_result(out, (a,), lambda g: (g * out * (1 - out),), "sigmoid")


def tanh(a: Tensor) -> Tensor:
    """``tanh(a)``. Gradient: ``g * (1 - y**2)``."""
    out = np.tanh(float_operand(a))
    return make_result(out, (a,), lambda g: (g * (1 - out * out),), "tanh")


def maximum(a: Any, b: Any) -> Tensor:
    """Element-wise maximum (NaN propagates). Gradient, as torch: ``g`` to the larger operand and ``g / 2`` to
    each where they are equal."""
    a, b, x, y = _binary(a, b)
    out = np.maximum(x, y)

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        share = np.where(x == y, g / 2, g)
        return (unbroadcast(np.where(x < y, 0, share).astype(g.dtype, copy=False), a.shape),
                unbroadcast(np.where(y < x, 0, share).astype(g.dtype, copy=False), b.shape))

    return make_result(out, (a, b), backward, "maximum")


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` else ``b`` (all three broadcast). ``condition`` must be boolean (RuntimeError
    otherwise, as torch) and gets no gradient. Gradient: ``g`` masked by ``condition`` / by ``~condition``."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got dtype {cond.dtype}")
    a, b, x, y = _binary(a, b)
    try:
        out = np.where(cond, x, y)
    except ValueError:
        raise RuntimeError(f"where: shapes {cond.shape}, {a.shape}, {b.shape} are not broadcastable") from None

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        zero = np.zeros((), g.dtype)
        return unbroadcast(np.where(cond, g, zero), a.shape), unbroadcast(np.where(cond, zero, g), b.shape)

    return make_result(out, (a, b), backward, "where")


def compare(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], a: Any, b: Any) -> Tensor:
    """A comparison (``>``, ``<``, ...) as a boolean tensor outside the graph."""
    _, _, x, y = _binary(a, b)
    return Tensor(fn(x, y))


__all__ = ["add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "relu", "sigmoid", "tanh",
           "maximum", "where", "compare"]
