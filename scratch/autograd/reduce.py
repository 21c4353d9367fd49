"""Ops that mix elements across axes: reductions (sum, mean, max), shape ops (reshape, transpose, permute),
indexing, matmul and softmax / log_softmax. Each forward is followed by its gradient rule.

Axes use NumPy's names (``axis``, ``keepdims``) with torch's meaning: ``axis`` is an int, a tuple of ints or
None (all axes; an empty tuple also means all axes, as torch's ``dim=()``). An axis out of range raises
IndexError, as torch.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .tensor import Tensor, as_tensor, float_operand, make_result

_IEEE = dict(divide="ignore", invalid="ignore", over="ignore")


def _axes(axis: int | tuple[int, ...] | None, ndim: int) -> tuple[int, ...]:
    """Normalize ``axis`` to a sorted tuple of non-negative axes (torch's range check and messages)."""
    if axis is None or (isinstance(axis, tuple) and not axis):
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    bound = builtins.max(ndim, 1)
    for ax in axes:
        if not -bound <= ax < bound:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, {bound - 1}], "
                             f"but got {ax})")
    out = sorted(int(ax) % bound for ax in axes)
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {axis} appears multiple times in the list of dims")
    return tuple(out) if ndim else ()


def _restore(g: np.ndarray, axes: tuple[int, ...], keepdims: bool, shape: tuple[int, ...]) -> np.ndarray:
    """Broadcast a reduced gradient back to the input ``shape`` (re-inserting reduced axes if dropped)."""
    return np.broadcast_to(g if keepdims else np.expand_dims(g, axes), shape)


def sum(a: Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
    """Sum over axes: ``out = sum_{i in axis} a_i``.

    Args:
        a (Tensor): input.
        axis (int | tuple[int, ...] | None, default None): axes to reduce; None or () reduces all of them.
        keepdims (bool, default False): keep the reduced axes with size 1.

    Shape: ``a.shape`` without the reduced axes (with them as 1 if ``keepdims``).

    Gradient: ``g`` broadcast back over the reduced axes.
    """
    axes = _axes(axis, a.ndim)
    out = a.data.sum(axis=axes, keepdims=keepdims)
    return make_result(out, (a,), lambda g: (_restore(g, axes, keepdims, a.shape),), "sum")


def mean(a: Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
    """Mean over axes: ``sum / n`` with ``n`` the number of reduced elements.

    Args: as :func:`sum`. Floating tensors only (RuntimeError otherwise, as torch).

    Shape: as :func:`sum`.

    Gradient: ``g / n`` broadcast back over the reduced axes.
    """
    if a.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be floating, got {a.dtype}")
    axes = _axes(axis, a.ndim)
    n = int(np.prod([a.shape[ax] for ax in axes]))
    with np.errstate(invalid="ignore"):
        out = np.asarray(a.data.mean(axis=axes, keepdims=keepdims))
    return make_result(out, (a,), lambda g: (_restore(g / n, axes, keepdims, a.shape),), "mean")


def max(a: Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
    """Maximum over axes (torch's ``amax``; with ``axis=None`` also torch's ``max()``).

    Args: as :func:`sum`. Shape: as :func:`sum`.

    Gradient with ties, as ``torch.amax`` (checked against torch 2.13): ``g`` is split evenly between all
    elements equal to the maximum, ``g / count``. (``torch.max(x, dim)`` differs: it sends all of ``g`` to the
    single index it returns; this library does not implement that variant.) A NaN in a slice makes the output
    and that slice's gradients NaN, as torch.
    """
    axes = _axes(axis, a.ndim)
    x = a.data
    m = x.max(axis=axes, keepdims=True)
    out = np.asarray(m if keepdims else np.squeeze(m, axis=axes))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        mask = x == m
        count = mask.sum(axis=axes, keepdims=True).astype(g.dtype)
        g = g if keepdims else np.expand_dims(g, axes)
        with np.errstate(**_IEEE):
            return (g / count * mask,)

    return make_result(out, (a,), backward, "max")


def reshape(a: Tensor, *shape: Any) -> Tensor:
    """View ``a`` with a new shape (one entry may be -1); ``reshape(2, 3)`` or ``reshape((2, 3))``.
    RuntimeError if the sizes do not match, as torch. Gradient: ``g`` reshaped back."""
    shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    try:
        out = a.data.reshape(shape)
    except ValueError:
        raise RuntimeError(f"shape {list(shape)} is invalid for input of size {a.data.size}") from None
    return make_result(out, (a,), lambda g: (g.reshape(a.shape),), "reshape")


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap axes ``dim0`` and ``dim1`` (torch's ``transpose``). Gradient: ``g`` with the same axes swapped."""
    d0, d1 = _axes(dim0, a.ndim) or (0,), _axes(dim1, a.ndim) or (0,)
    out = np.swapaxes(a.data, d0[0], d1[0]) if a.ndim else a.data
    return make_result(out, (a,), lambda g: (np.swapaxes(g, d0[0], d1[0]) if g.ndim else g,), "transpose")


def permute(a: Tensor, *dims: Any) -> Tensor:
    """Reorder axes: output axis ``i`` is input axis ``dims[i]``; ``permute(2, 0, 1)`` or
    ``permute((2, 0, 1))``. Gradient: ``g`` permuted by the inverse permutation ``argsort(dims)``."""
    dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
    if len(dims) != a.ndim:
        raise RuntimeError(f"permute: number of dims {len(dims)} does not match the tensor's {a.ndim}")
    perm = tuple(int(d) % builtins.max(a.ndim, 1) for d in dims)
    if sorted(perm) != list(range(a.ndim)):
        raise RuntimeError(f"permute: {dims} is not a permutation of the dims of a {a.ndim}-d tensor")
    inverse = tuple(np.argsort(perm))
    return make_result(np.transpose(a.data, perm), (a,), lambda g: (np.transpose(g, inverse),), "permute")


def _plain_index(index: Any) -> tuple[Any, bool]:
    """Index with Tensors/lists turned into arrays, and whether it uses advanced (array) indexing."""
    parts = index if isinstance(index, tuple) else (index,)
    parts = tuple(p.data if isinstance(p, Tensor) else np.asarray(p) if isinstance(p, list) else p for p in parts)
    advanced = any(isinstance(p, np.ndarray) for p in parts)
    return (parts if isinstance(index, tuple) else parts[0]), advanced


def getitem(a: Tensor, index: Any) -> Tensor:
    """``a[index]`` with ints, slices, None, Ellipsis, integer arrays and boolean masks (NumPy/torch rules).

    Gradient: zeros of ``a``'s shape with ``g`` scattered back. With integer arrays an element selected several
    times receives the SUM of its gradients (``np.add.at``, unbuffered); basic indexing is a plain assignment.
    """
    idx, advanced = _plain_index(index)
    out = a.data[idx]

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = np.zeros(a.shape, dtype=g.dtype)
        if advanced:
            np.add.at(grad, idx, g)
        else:
            grad[idx] = g
        return (grad,)

    return make_result(out, (a,), backward, "getitem")


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b`` with torch's rules: 1-D @ 1-D is a dot product, a 1-D left (right) operand gets
    a 1 prepended (appended) that is removed afterwards, leading batch axes broadcast. Both operands must share
    one dtype and be at least 1-D (RuntimeError otherwise, as torch).

    Shape: (*, n, k) @ (*', k, m) -> (broadcast(*, *'), n, m); (k,) @ (*, k, m) -> (*, m);
    (*, n, k) @ (k,) -> (*, n); (k,) @ (k,) -> ().

    Gradient (on the 2-D promoted forms A, B, G): ``dA = G @ B^T``, ``dB = A^T @ G``, each summed over the
    broadcast batch axes and reshaped back to the operand's shape.
    """
    a, b = as_tensor(a), as_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}")
    A = a.data if a.ndim > 1 else a.data[None, :]
    B = b.data if b.ndim > 1 else b.data[:, None]
    try:
        out = np.matmul(a.data, b.data)
    except ValueError:
        raise RuntimeError(f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied") from None

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        G = g[..., None] if b.ndim == 1 else g  # (.., m) -> (.., m, 1); for 1-D @ 1-D: () -> (1,)
        G = np.expand_dims(G, -2) if a.ndim == 1 else G
        dA = np.matmul(G, np.swapaxes(B, -1, -2))
        dB = np.matmul(np.swapaxes(A, -1, -2), G)
        return _sum_to(dA, A.shape).reshape(a.shape), _sum_to(dB, B.shape).reshape(b.shape)

    return make_result(out, (a, b), backward, "matmul")


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum the broadcast batch axes of a matmul gradient (leading axes and batch axes of size 1)."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape[:-2]) if n == 1 and g.shape[lead + i] != 1)
    return g.sum(axis=axes, keepdims=False).reshape(shape) if axes else g


def softmax(a: Tensor, axis: int = -1) -> Tensor:
    """``softmax(x)_i = exp(x_i - max) / sum_j exp(x_j - max)`` along ``axis`` (the shift avoids overflow).

    Args:
        a (Tensor): input (integer tensors are computed as float32).
        axis (int, default -1): the axis that sums to 1 (torch requires ``dim`` explicitly).

    Shape: same as ``a``.

    Gradient: ``y * (g - sum(g * y, axis))``.
    """
    (ax,) = _axes(axis, a.ndim) or (None,)
    x = float_operand(a)
    with np.errstate(**_IEEE):
        e = np.exp(x - x.max(axis=ax, keepdims=True))
        out = e / e.sum(axis=ax, keepdims=True)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (out * (g - (g * out).sum(axis=ax, keepdims=True)),)

    return make_result(out, (a,), backward, "softmax")


def log_softmax(a: Tensor, axis: int = -1) -> Tensor:
    """``log_softmax(x)_i = z_i - log(sum_j exp(z_j))`` with ``z = x - max`` along ``axis``: finite where
    ``log(softmax(x))`` underflows to -inf.

    Args: as :func:`softmax`. Shape: same as ``a``.

    Gradient: ``g - softmax(x) * sum(g, axis)``.
    """
    (ax,) = _axes(axis, a.ndim) or (None,)
    x = float_operand(a)
    with np.errstate(**_IEEE):
        z = x - x.max(axis=ax, keepdims=True)
        out = z - np.log(np.exp(z).sum(axis=ax, keepdims=True))

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (g - np.exp(out) * g.sum(axis=ax, keepdims=True),)

    return make_result(out, (a,), backward, "log_softmax")
