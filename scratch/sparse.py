"""Row-sparse gradients: torch's sparse COO tensor of sparse_dim 1, as ``Embedding(sparse=True)`` produces.

A :class:`SparseGrad` of a parameter of shape (n, *row) holds ``indices`` (nnz,) int64 and ``values``
(nnz, *row): the gradient is sum_k onehot(indices[k]) (x) values[k]. As torch's, it is UNCOALESCED as produced
(indices in input order, repeats kept; accumulating two of them concatenates), and :meth:`coalesce` sorts the
indices and sums repeats. ``np.asarray(g)`` is the dense gradient, so every dense comparison still works.
Optimizers: SparseAdam needs one; SGD, Adagrad and LBFGS use its dense form (torch's arithmetic gives the same
numbers); every other optimizer raises torch's RuntimeError.
"""

from __future__ import annotations

import numpy as np


class SparseGrad:
    """A row-sparse gradient (see the module docstring).

    Args:
        indices (array of int, shape (nnz,)): the rows, in any order, repeats allowed.
        values (array, shape (nnz, *row)): one gradient row per index.
        shape (tuple): the parameter's shape (n, *row).
    Raises:
        ValueError: values whose shape is not (nnz, *shape[1:]), or an index outside [0, n).
    """

    __slots__ = ("indices", "values", "shape")

    def __init__(self, indices: np.ndarray, values: np.ndarray, shape: tuple[int, ...]) -> None:
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        self.values = np.asarray(values)
        self.shape = tuple(int(s) for s in shape)
        if self.values.shape != (self.indices.size, *self.shape[1:]):
            raise ValueError(f"values of shape {self.values.shape} for {self.indices.size} indices of a "
                             f"{self.shape} gradient")
        if self.indices.size and (self.indices.min() < 0 or self.indices.max() >= self.shape[0]):
            raise ValueError(f"sparse gradient index out of range [0, {self.shape[0]})")

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def astype(self, dtype, copy: bool = True) -> SparseGrad:
        return SparseGrad(self.indices, self.values.astype(dtype, copy=copy), self.shape)

    def copy(self) -> SparseGrad:
        return SparseGrad(self.indices.copy(), self.values.copy(), self.shape)

    def zero_like(self) -> SparseGrad:
        """No entries (torch's ``zero_()`` on a sparse tensor)."""
        return SparseGrad(np.zeros(0, np.int64), np.zeros((0, *self.shape[1:]), self.dtype), self.shape)

    def coalesce(self) -> SparseGrad:
        """Sorted unique indices, repeats summed in their order of appearance (torch's coalesce)."""
        rows, inverse = np.unique(self.indices, return_inverse=True)
        summed = np.zeros((rows.size, *self.shape[1:]), self.values.dtype)
        np.add.at(summed, inverse, self.values)
        return SparseGrad(rows, summed, self.shape)

    def to_dense(self) -> np.ndarray:
        dense = np.zeros(self.shape, self.values.dtype)
        np.add.at(dense, self.indices, self.values)
        return dense

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        dense = self.to_dense()
        return dense if dtype is None else dense.astype(dtype)

    def __neg__(self) -> SparseGrad:
        return SparseGrad(self.indices, -self.values, self.shape)

    def __add__(self, other):
        """sparse + sparse concatenates (uncoalesced, as torch's); sparse + dense is dense."""
        if isinstance(other, SparseGrad):
            if other.shape != self.shape:
                raise RuntimeError(f"sparse gradients of shapes {self.shape} and {other.shape}")
            return SparseGrad(np.concatenate([self.indices, other.indices]),
                              np.concatenate([self.values, other.values]), self.shape)
        return np.asarray(other) + self.to_dense()

    __radd__ = __add__

    def __repr__(self) -> str:
        return f"SparseGrad(nnz={self.indices.size}, shape={self.shape}, dtype={self.dtype})"
