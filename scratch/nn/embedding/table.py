"""Embedding: y = weight[input], with torch 2.13's padding_idx, max_norm (renormalized in place) and
scale_grad_by_freq rules (docs/torch_facts.md, Embedding). The input is integer and gets no gradient: ``backward``
accumulates the weight's gradient (in input order, one ``np.bincount``) and returns None."""

from __future__ import annotations

import numpy as np

from scratch.sparse import SparseGrad

from ..base import CachedModule
from ._common import _check_norm_args, _indices, _is_int, _options_repr, _padding, _renorm_, _sum_rows, _weight_param

__all__ = ["Embedding"]


class Embedding(CachedModule):
    """y[..., :] = weight[input[...], :], a lookup table.

    Args:
        num_embeddings (int), embedding_dim (int): the table's size (n, d).
        padding_idx (int, optional): a row whose gradient is always zero (negative counts from the end; outside
            [-n, n) AssertionError). It is initialized to zeros but is a normal row in forward.
        max_norm (float, optional): before the lookup, every row the input references whose ``norm_type``-norm
            exceeds max_norm is rescaled IN PLACE by max_norm / (norm + 1e-7) (torch's embedding_renorm_; the
            gradient does not pass through the renorm).
        norm_type (float, default 2.0): p of that norm (0, 1, 2, inf, -inf or any other p).
        scale_grad_by_freq (bool, default False): divide each row's gradient by its count in the whole input.
        sparse (bool, default False): the weight's gradient is a :class:`scratch.sparse.SparseGrad` (torch's
            uncoalesced sparse COO gradient: one row per index in input order, padding_idx rows dropped), for
            SparseAdam. As torch, sparse with scale_grad_by_freq raises RuntimeError in backward.
        _weight (array, optional): the weight itself, used as is (not copied); _freeze (bool, default False):
            requires_grad False.
        dtype (default np.float32), rng (np.random.Generator, optional): the weight's dtype and initial values.
    Init: weight ~ N(0, 1), the padding_idx row zeroed.
    Shape: input (*) of int32 or int64 (any rank, 0-d and empty included), output (*, embedding_dim).
    Errors (torch's classes): an index outside [0, n) IndexError, RuntimeError for a 0-row table or 0-width rows
        (torch's kernels there), IndexError again with max_norm for an index >= n or < -n (torch's renorm selects
        each referenced row first); float, bool or other integer dtypes RuntimeError.
    Gradient: dW[k] = sum over positions i with input[i] = k (k != padding_idx) of dy[i], divided by the count
        of k in the input when scale_grad_by_freq. backward returns None (the input is integer).
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: np.ndarray | None = None, _freeze: bool = False, dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _padding(padding_idx, num_embeddings, "Padding_idx must be within num_embeddings")
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        self.weight = _weight_param(num_embeddings, embedding_dim, self.padding_idx, _weight, not _freeze, dtype,
                                    rng)
        self.sparse = sparse

    @classmethod
    def from_pretrained(cls, embeddings: np.ndarray, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding holding ``embeddings`` (n, d) as its weight (not copied, its padding row NOT zeroed),
        frozen (requires_grad False) unless ``freeze=False``."""
        if np.ndim(embeddings) != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = np.shape(embeddings)
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings,
                   _freeze=freeze)

    def forward(self, input: np.ndarray) -> np.ndarray:
        idx = _indices(input)
        w, n = self.weight.data, self.num_embeddings
        if self.padding_idx is not None and not _is_int(self.padding_idx):
            raise TypeError(f"embedding(): argument 'padding_idx' must be int, not {type(self.padding_idx).__name__}")
        if self.max_norm is not None:
            _check_norm_args(self.max_norm, self.norm_type)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            if self.max_norm is not None and (idx.max() >= n or idx.min() < -n):  # torch's renorm selects each row
                raise IndexError(f"select(): index out of range for tensor of size [{n}, {self.embedding_dim}]")
            if n == 0 or self.embedding_dim == 0:  # torch's kernels for an empty table or empty rows
                raise RuntimeError("index_select(): an index outside [0, num_embeddings) (an empty table or rows)")
            raise IndexError("index out of range in self")
        if self.max_norm is not None:  # checked first: scratch never renormalizes before raising
            _renorm_(w, idx, float(self.max_norm), float(self.norm_type))
        return self._save(np.take(w, idx, axis=0), idx.reshape(-1))

    def backward(self, dy: np.ndarray) -> None:
        dy, idx = self._saved(dy)
        weight = self.weight
        if not weight.requires_grad:
            return None
        if self.sparse and self.scale_grad_by_freq:
            raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with sparse gradients")
        g = dy.reshape(idx.size, self.embedding_dim)
        if self.scale_grad_by_freq:  # torch: grad_weight[k] += (1.0 / count[k]) * dy[i], the scale in double
            g = g * (1.0 / np.bincount(idx, minlength=self.num_embeddings)[idx]).astype(g.dtype)[:, None]
        if self.padding_idx is not None:
            keep = idx != self.padding_idx
            idx, g = idx[keep], g[keep]
        if self.sparse:  # torch's sparse COO gradient: the rows in input order, repeats kept, padding rows dropped
            rows = g if g.base is None else g.copy()  # padding's mask already copied; a view of dy must not be kept
            weight.accumulate(SparseGrad(idx, rows, weight.data.shape), owned=True)
        else:
            weight.accumulate(_sum_rows(g, idx, self.num_embeddings), owned=True)
        return None

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s + _options_repr(self, str) + (", sparse=True" if self.sparse is not False else "")
