"""Linear, Bilinear, Identity, Flatten and Unflatten."""

from __future__ import annotations

import math
import operator

import numpy as np

from ._lazy import LazyModuleMixin
from ._math import normalize_dim
from .base import CachedModule
from .module import Parameter, check_float_dtype, check_input, check_same_dtype

__all__ = ["Identity", "Linear", "LazyLinear", "Bilinear", "Flatten", "Unflatten"]


class Linear(CachedModule):
    """y = x W^T + b.

    Args:
        in_features, out_features (int): sizes of each input and output sample.
        bias (bool, default True): learn an additive bias.
        dtype (default np.float32, like torch): parameter and compute dtype.
        rng (np.random.Generator, optional): source of the initial values; a fresh one if None.
    Init: weight and bias ~ U(-1/sqrt(in_features), 1/sqrt(in_features)) (torch's kaiming_uniform_(a=sqrt 5)).
    Shape: input (*, in_features), output (*, out_features). weight (out_features, in_features), bias (out,).
    Gradient: dx = dy W; dW = sum over samples dy^T x; db = sum over samples dy.
    ``needs_input_grad`` (attribute, default True): set it False on a layer whose input is data, and backward
    skips the dx product and returns None, as torch skips it for an input that does not require grad.
    """

    needs_input_grad: bool = True

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension: "
                               f"in_features={in_features}, out_features={out_features}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        dt = check_float_dtype(dtype)
        self.weight = Parameter(np.empty((out_features, in_features), dt))
        self.bias = Parameter(np.empty(out_features, dt)) if bias else None
        self._reset_parameters(rng if rng is not None else np.random.default_rng())

    def _reset_parameters(self, rng: np.random.Generator) -> None:
        """U(-1/sqrt(in_features), 1/sqrt(in_features)) for both (torch's kaiming_uniform_(a=sqrt 5)); 0 when
        in_features = 0. The weight is drawn first, then the bias."""
        bound = 1.0 / np.sqrt(self.in_features) if self.in_features > 0 else 0.0
        self.weight.data[...] = rng.uniform(-bound, bound, self.weight.shape)
        if self.bias is not None:
            self.bias.data[...] = rng.uniform(-bound, bound, self.out_features)

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = check_input(input)
        if x.ndim == 0:
            raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and 2D")
        weight, bias = self.weight, self.bias  # one attribute lookup each: this is the training hot path
        check_same_dtype(x, weight.dtype, "Linear")
        if x.shape[-1] != self.in_features:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied: input has {x.shape[-1]} features "
                               f"(shape {x.shape}), Linear expects in_features={self.in_features}")
        # A batch of rows as (W x^T)^T: the same dot products as x W^T, but OpenBLAS runs this orientation
        # up to 1.7x faster for small float32 batches (16x784 by 784x600: ~250 us instead of ~415 us).
        y = (weight.data @ x.T).T if x.ndim == 2 else x @ weight.data.T
        if bias is not None:
            y = y + bias.data
        return self._save(y, x.copy())  # owned: the caller may reuse its input array before backward

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        dy, x = self._saved(dy)
        weight, bias = self.weight, self.bias
        n = math.prod(x.shape[:-1])  # not -1: a zero-size layer (out_features=0) must still reshape
        dy2 = dy.reshape(n, self.out_features)
        if weight.requires_grad:  # a frozen weight: skip the product, as torch skips it
            weight.accumulate(dy2.T @ x.reshape(n, self.in_features), owned=True)  # a fresh product
        if bias is not None and bias.requires_grad:
            bias.accumulate(dy2.sum(axis=0), owned=True)
        return dy @ weight.data if self.needs_input_grad else None

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class LazyLinear(LazyModuleMixin, Linear):
    """Linear with in_features inferred from the first input: ``in_features = input.shape[-1]``.

    Until its first forward (or ``initialize_parameters(input)``, or ``load_state_dict`` of a materialized state)
    weight and bias are :class:`UninitializedParameter` s; then they are materialized to (out_features,
    in_features) and (out_features,), drawn as Linear draws them (none at in_features = 0), and the first forward
    turns the module into a :class:`Linear`. As torch's, a module loaded before its first call takes
    in_features from that call's input (AssertionError when it differs from the loaded weight).

    Args:
        out_features (int); bias (bool, default True); dtype (default np.float32); rng (np.random.Generator,
            optional: the parameters are drawn from it at materialization).
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        Linear.__init__(self, 0, 0, False, dtype)
        self.out_features = int(out_features)
        self.weight = self._uninitialized(dtype)
        self.bias = self._uninitialized(dtype) if bias else None
        self._keep_rng(rng)

    def initialize_parameters(self, input: np.ndarray) -> None:
        if not isinstance(input, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(input).__name__}")
        x = input  # any dtype: torch materializes first, then Linear refuses an integer input
        if self.has_uninitialized_params():
            if x.ndim == 0:
                raise IndexError("tuple index out of range")
            self.in_features = x.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self._reset_parameters(self._init_rng)
        if self.in_features == 0:  # loaded before the first call: torch takes in_features from this input
            if x.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(f"The in_features inferred from input: {x.shape[-1]} is not equal to "
                                     f"in_features from self.weight: {self.weight.shape[-1]}")
            self.in_features = x.shape[-1]

    def forward(self, input: np.ndarray) -> np.ndarray:
        self._become_eager(input)
        return self.forward(input)


class Bilinear(CachedModule):
    """y = x1^T A x2 + b, i.e. y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o].

    Args:
        in1_features, in2_features, out_features (int): sizes of input1, input2 and the output (in1 > 0).
        bias (bool, default True): learn an additive bias.
        dtype (default np.float32), rng (np.random.Generator, optional): as :class:`Linear`.
    Init: weight and bias ~ U(-1/sqrt(in1_features), 1/sqrt(in1_features)) (torch: 1/sqrt(weight.size(1))).
    Shape: input1 (*, in1_features) and input2 (*, in2_features) with the SAME leading dims (no broadcasting),
    output (*, out_features); weight (out_features, in1_features, in2_features), bias (out_features,).
    Gradient (two inputs: ``backward(dy)`` returns ``(d_input1, d_input2)``):
        d_input1[n, i] = sum_oj dy[n, o] A[o, i, j] x2[n, j];   d_input2[n, j] = sum_oi dy[n, o] A[o, i, j] x1[n, i]
        dA[o, i, j] = sum_n dy[n, o] x1[n, i] x2[n, j];         db = sum_n dy[n]
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True, dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        shape = (out_features, in1_features, in2_features)
        if min(shape) < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
        if in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={in1_features})")
        self.in1_features, self.in2_features, self.out_features = (int(n) for n in (in1_features, in2_features,
                                                                                      out_features))
        dt = check_float_dtype(dtype)
        rng = rng if rng is not None else np.random.default_rng()
        bound = 1.0 / np.sqrt(in1_features)
        self.weight = Parameter(rng.uniform(-bound, bound, shape).astype(dt))
        self.bias = Parameter(rng.uniform(-bound, bound, out_features).astype(dt)) if bias else None

    def forward(self, input1: np.ndarray, input2: np.ndarray) -> np.ndarray:
        x1, x2 = check_input(input1, "input1"), check_input(input2, "input2")
        if x1.dtype != self.weight.dtype or x2.dtype != self.weight.dtype:
            raise RuntimeError(f"All tensors must have the same dtype, got input1: {x1.dtype}, input2: {x2.dtype}, "
                               f"weight: {self.weight.dtype}")
        if x1.ndim != x2.ndim:
            raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and {x2.ndim}")
        if x1.ndim == 0:
            raise IndexError("Dimension specified as -1 but tensor has no dimensions")
        for d, (a, b) in enumerate(zip(x1.shape[:-1], x2.shape[:-1], strict=True)):
            if a != b:
                raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got {a} and {b}")
        for k, (x, n) in enumerate(((x1, self.in1_features), (x2, self.in2_features)), 1):
            if x.shape[-1] != n:
                raise RuntimeError(f"bilinear(): input{k} size does not match weight size: got {x.shape[-1]} but "
                                   f"expected {n}")
        if self.in2_features == 0:  # torch 2.13's bilinear reshapes input2 to (-1, 0), which it cannot do
            raise RuntimeError("cannot reshape tensor of 0 elements into shape [-1, 0] because the unspecified "
                               "dimension size -1 can be any value and is ambiguous (Bilinear with in2_features=0)")
        n = math.prod(x1.shape[:-1])
        a, b = x1.reshape(n, self.in1_features).copy(), x2.reshape(n, self.in2_features).copy()  # owned
        y = np.einsum("ni,oij,nj->no", a, self.weight.data, b, optimize=True)
        if self.bias is not None:
            y = y + self.bias.data
        return self._save(y.reshape(x1.shape[:-1] + (self.out_features,)), a, b, x1.shape, x2.shape)

    def backward(self, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dy, a, b, shape1, shape2 = self._saved(dy)
        g = dy.reshape(a.shape[0], self.out_features)
        w = self.weight.data
        self.weight.accumulate(np.einsum("no,ni,nj->oij", g, a, b, optimize=True), owned=True)
        if self.bias is not None:
            self.bias.accumulate(g.sum(axis=0), owned=True)
        d1 = np.einsum("no,oij,nj->ni", g, w, b, optimize=True)
        d2 = np.einsum("no,oij,ni->nj", g, w, a, optimize=True)
        return d1.reshape(shape1), d2.reshape(shape2)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Identity(CachedModule):
    """y = x (any arguments are accepted and ignored, as torch's). Gradient: dy."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: np.ndarray) -> np.ndarray:
        return self._save(input)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        (dy,) = self._saved(dy)
        return dy


class Flatten(CachedModule):
    """Flattens dims start_dim..end_dim into one.

    Args: start_dim (int, default 1), end_dim (int, default -1). Shape: (N, *dims) -> (N, prod(dims)).
    Gradient: dy reshaped back to the input shape.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = np.asarray(input)
        s, e = normalize_dim(self.start_dim, x.ndim), normalize_dim(self.end_dim, x.ndim)
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shape = x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:] if x.ndim else (1,)
        return self._save(x.reshape(shape), x.shape)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, shape = self._saved(dy)
        return dy.reshape(shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


def _is_int(value) -> bool:
    """An integer argument as torch's argument parser takes one: Python or NumPy ints, never a bool."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


class Unflatten(CachedModule):
    """Unflattens one dim of the input into the shape ``unflattened_size`` (the inverse of :class:`Flatten`).

    Args:
        dim (int): the dim to unflatten; negative counts from the end (wrapped at call, as torch does).
        unflattened_size (tuple or list of ints): its new shape, non-empty at call, with at most one -1 (inferred);
            the sizes must multiply up to ``input.shape[dim]``. Kept as given (a list stays a list in the repr).
    Shape: input (*, S_dim, *), output (*, U_1, ..., U_n, *) with prod(U) = S_dim; a view of the input where
        numpy can make one (torch returns a view).
    Errors (torch's classes): a size that is not an int is a TypeError at construction; at call, empty sizes,
        sizes that do not multiply up to S_dim, two -1 or a size below -1 are RuntimeError, dim out of range
        IndexError, a bool size or a non-int dim TypeError.
    Gradient: dy reshaped back to the input shape.

    Example::

        >>> Unflatten(1, (2, 5))(np.zeros((3, 10))).shape
        (3, 2, 5)
    """

    def __init__(self, dim: int, unflattened_size: tuple[int, ...] | list[int]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, tuple | list):
            raise TypeError(f"unflattened_size must be a tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        for i, size in enumerate(unflattened_size):
            if not isinstance(size, int):  # torch's own check: bool passes here, numpy ints do not
                raise TypeError(f"unflattened_size must be tuple of ints, but found element of type "
                                f"{type(size).__name__} at pos {i}")
        self.dim, self.unflattened_size = dim, unflattened_size

    def _shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The output shape, with torch's checks in torch's order (Tensor.unflatten, the argument parser,
        maybe_wrap_dim, infer_size)."""
        sizes = self.unflattened_size
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        if not _is_int(self.dim):
            raise TypeError(f"unflatten(): argument 'dim' (position 1) must be int, not {type(self.dim).__name__}")
        for i, size in enumerate(sizes):
            if not _is_int(size):
                raise TypeError(f"unflatten(): argument 'sizes' (position 2) must be tuple of ints, but found "
                                f"element of type {type(size).__name__} at pos {i}")
            if not -2**63 <= size < 2**63:
                raise TypeError(f"unflatten(): argument 'sizes' failed to unpack the object at pos {i} with error "
                                "\"Overflow when unpacking long long\"")
        dim = normalize_dim(operator.index(self.dim), len(shape))
        sizes = [operator.index(s) for s in sizes]
        if not shape:
            raise RuntimeError("unflatten got an unexpected error:\nDimension specified as 0 but tensor has no "
                               "dimensions")
        numel, infer, known = shape[dim], None, 1
        for i, size in enumerate(sizes):
            if size == -1:
                if infer is not None:
                    raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be inferred")
                infer = i
            elif size < 0:
                raise RuntimeError(f"unflatten got an unexpected error:\ninvalid shape dimension {size} at index "
                                   f"{i} of shape {sizes}")
            else:
                known *= size
        if (numel != known) if infer is None else not ((known > 0 and numel % known == 0) or numel == known):
            raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} "
                               f"({numel}) in the input tensor")
        if infer is not None:
            if known == 0:
                raise RuntimeError(f"unflatten got an unexpected error:\ncannot reshape tensor of 0 elements into "
                                   f"shape {sizes} because the unspecified dimension size -1 can be any value and "
                                   "is ambiguous")
            sizes[infer] = numel // known
        return shape[:dim] + tuple(sizes) + shape[dim + 1:]

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = np.asarray(input)
        return self._save(x.reshape(self._shape(x.shape)), x.shape)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, shape = self._saved(dy)
        return dy.reshape(shape)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
