"""EmbeddingBag: per-bag sums, means or maxima of embedding rows (2-d input or 1-d input + offsets,
per_sample_weights, padding_idx), with torch 2.13's rules (docs/torch_facts.md, Embedding and EmbeddingBag).
Integer inputs get no gradient; ``backward`` returns None, or the per_sample_weights' gradient where given."""

from __future__ import annotations

import numpy as np

from ..base import CachedModule
from ._common import _check_norm_args, _indices, _is_int, _options_repr, _padding, _renorm_, _sum_rows, _weight_param

__all__ = ["EmbeddingBag"]


_MODES = ("sum", "mean", "max")


def _bag_of_entries(off: np.ndarray, bags: int, length: int) -> np.ndarray:
    """The bag of each entry: entries from offsets[b] on belong to bag b (those after the last offset too, as
    torch's offset2bag); -1 when there is no bag."""
    if bags == 0 or length == 0:
        return np.full(length, -1, np.int64)
    marks = np.bincount(off[:bags], minlength=length + 1)[:length]
    marks[0] -= 1
    return np.cumsum(marks)


class EmbeddingBag(CachedModule):
    """y[b] = reduce over the entries i of bag b (input[i] != padding_idx) of w_i * weight[input[i]].

    Args:
        num_embeddings, embedding_dim, max_norm, norm_type, _weight, dtype, rng: as :class:`Embedding`.
        scale_grad_by_freq (bool, default False): divide each entry's gradient by its index's frequency in the
            whole input (the documented rule, Embedding's; torch 2.13's CPU EmbeddingBag divides by the wrong
            count when indices occur unequally often, pytorch#190063: tests/test_embedding.py shows it).
        mode (str, default 'mean'): 'sum', 'mean' (divided by the bag's number of non-padding entries) or
            'max' (per dimension; a tie goes to the bag's FIRST entry holding the maximum).
        sparse (bool, default False): stored; the gradient stays dense (see :class:`Embedding`).
        include_last_offset (bool, default False): offsets has one more entry, the end of the last bag.
        padding_idx (int, optional): entries equal to it are left out of every bag (and of the mean's count).
    Init: weight ~ N(0, 1), the padding_idx row zeroed.
    Shape: input (B, N) int: B bags of N entries, offsets None; or input (L,) with offsets (B,) (B + 1 with
        include_last_offset), non-decreasing from 0, each <= L. per_sample_weights (mode 'sum' only) has
        input's shape and dtype = the weight's. Output (B, embedding_dim); an empty bag gives zeros.
    Errors (torch's classes): ValueError for offsets with a 2-d input, none with a 1-d one, other ranks, a
        per_sample_weights of another shape, an unknown mode, max with scale_grad_by_freq or sparse;
        NotImplementedError for per_sample_weights outside 'sum'; RuntimeError for offsets[0] != 0, offsets[-1] >
        L, decreasing offsets (torch's float32 fast path; its other paths return undefined bags), indices outside
        [0, n) (IndexError for an index >= n with max_norm, from torch's renorm), non-integer indices, a
        (B, 0) input; IndexError for a negative offset.
    Gradient: sum/mean: dW[input[i]] += w_i dy[bag(i)] (/ bag size for mean; / frequency); max: dW[k, d] +=
        dy[b, d] where row k holds bag b's maximum in dimension d. d per_sample_weights[i] = <dy[bag(i)],
        weight[input[i]]> (0 for padding entries). backward returns it, or None without per_sample_weights.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                 _weight: np.ndarray | None = None, include_last_offset: bool = False, padding_idx: int | None = None,
                 dtype=np.float32, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        self.padding_idx = _padding(padding_idx, num_embeddings, "padding_idx must be within num_embeddings")
        self.weight = _weight_param(num_embeddings, embedding_dim, self.padding_idx, _weight, True, dtype, rng)
        self.mode, self.sparse, self.include_last_offset = mode, sparse, include_last_offset

    @classmethod
    def from_pretrained(cls, embeddings: np.ndarray, freeze: bool = True, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> EmbeddingBag:
        """An EmbeddingBag holding ``embeddings`` (n, d) as its weight (not copied, padding row not zeroed),
        frozen unless ``freeze=False``."""
        if np.ndim(embeddings) != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = np.shape(embeddings)
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse, embeddings, include_last_offset,
                  padding_idx)
        bag.weight.requires_grad = not freeze
        return bag

    def _flat(self, input, offsets, psw):
        """torch's F.embedding_bag checks, in its order: (input, offsets, include_last_offset) as 1-d arrays."""
        if not isinstance(input, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, not {type(input).__name__}")
        if psw is not None and np.shape(psw) != input.shape:
            raise ValueError(f"embedding_bag: If per_sample_weights ({np.shape(psw)}) is not None, then it must have "
                             f"the same shape as the input ({input.shape})")
        if input.ndim == 2:
            if offsets is not None:
                raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                                 f"of fixed length sequences. However, found offsets of type {type(offsets)}")
            if input.shape[1] == 0:
                raise RuntimeError("step must be nonzero (torch's arange of the offsets of bags of length 0)")
            if input.dtype == np.bool_:
                raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool' (the offsets of a 2-d input)")
            offsets, ilo = np.arange(0, input.size, input.shape[1]).astype(input.dtype), False
        elif input.ndim == 1:
            if offsets is None:
                raise ValueError("offsets has to be a 1D Tensor but got None")
            if not isinstance(offsets, np.ndarray):
                raise TypeError(f"offsets must be a numpy.ndarray, not {type(offsets).__name__}")
            if offsets.ndim != 1:
                raise ValueError("offsets has to be a 1D Tensor")
            ilo = self.include_last_offset
        else:
            raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
        mode = self.mode
        if mode not in _MODES:
            raise ValueError("mode has to be one of sum, mean or max")
        if mode == "max" and self.scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if mode == "max" and self.sparse:
            raise ValueError("max mode does not support sparse weights")
        n = self.num_embeddings
        if self.max_norm is not None:  # torch renormalizes here, on the input as given; its select() IndexError
            _check_norm_args(self.max_norm, self.norm_type)
            raw = _indices(input)
            if raw.size and (raw.max() >= n or raw.min() < -n):
                raise IndexError(f"select(): index {raw.max()} out of range for tensor of size [{n}, "
                                 f"{self.embedding_dim}] at dimension 0")
        if psw is not None and mode != "sum":
            raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                      f"supported for mode='sum' (got mode='{mode}')")
        if self.padding_idx is not None and not _is_int(self.padding_idx):  # torch.embedding_bag's argument parser
            raise TypeError(f"embedding_bag(): argument 'padding_idx' must be int, not "
                            f"{type(self.padding_idx).__name__}")
        common = np.promote_types(input.dtype, offsets.dtype)  # torch promotes indices and offsets together
        if common.type not in (np.int32, np.int64):
            raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                               f"Long, Int; but got {common} instead (input {input.dtype}, offsets {offsets.dtype})")
        idx, off = input.astype(np.int64).reshape(-1), offsets.astype(np.int64)
        length = idx.size
        if off.size and off[0] != 0:
            raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
                               f"from position 0. However, got {off[0]}")
        if off.size and off[-1] > length:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {length} but got offsets[-1] "
                               f"of {off[-1]}")
        if psw is not None and (not isinstance(psw, np.ndarray) or psw.dtype != self.weight.dtype):
            raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as tensor for "
                               f"argument #1 'per_sample_weights' ({self.weight.dtype} vs {np.asarray(psw).dtype})")
        if ilo and off.size < 1:
            raise RuntimeError("include_last_offset: number of offset should be at least 1")
        if off.size and (off.min() < 0 or off.max() > length):
            raise IndexError("index out of range in self (an offset outside [0, len(input)])")
        if np.any(off[1:] < off[:-1]):
            raise RuntimeError("offsets must be non-decreasing (torch: 'Expected i < index_size' on its float32 "
                               "path; undefined bags on the others)")
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            bad = idx[(idx < 0) | (idx >= n)][0]
            raise RuntimeError(f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be {bad}")
        return idx, off, ilo

    def forward(self, input: np.ndarray, offsets: np.ndarray | None = None,
                per_sample_weights: np.ndarray | None = None) -> np.ndarray:
        psw = per_sample_weights
        idx, off, ilo = self._flat(input, offsets, psw)
        w, n, d, dt = self.weight.data, self.num_embeddings, self.embedding_dim, self.weight.dtype
        if self.max_norm is not None:
            _renorm_(w, idx, float(self.max_norm), float(self.norm_type))
        nb = off.size
        if ilo:  # (a branch the configuration decides is a statement or a line of its own: the mutation audit
            nb -= 1  # traces lines, and an entry's mutants are made on the lines it runs)
        seg = _bag_of_entries(off, nb, idx.size)
        keep = seg >= 0
        if self.padding_idx is not None:
            keep &= idx != self.padding_idx
        seg_k, idx_k = seg[keep], idx[keep]
        rows = np.take(w, idx_k, axis=0)
        if self.mode == "max":
            out, arg = np.zeros((nb, d), dt), None
            if seg_k.size:
                new = np.r_[True, seg_k[1:] != seg_k[:-1]]
                starts, group = np.flatnonzero(new), np.cumsum(new) - 1
                top = np.maximum.reduceat(rows, starts, axis=0)
                hit = (rows == top[group]) | np.isnan(top[group])
                first = np.minimum.reduceat(np.where(hit, np.arange(rows.shape[0])[:, None], rows.shape[0]), starts,
                                            axis=0)
                out[seg_k[starts]], arg = top, (seg_k[starts], idx_k[first])
            return self._save(out, "max", arg, None, None, None, None, None)
        flat_psw = (None if psw is None
                    else psw.reshape(-1)[keep])
        values = (rows if psw is None
                  else rows * flat_psw[:, None])
        out = _sum_rows(values, seg_k, nb)
        scale = None
        if psw is not None or self.scale_grad_by_freq or self.mode == "mean":  # torch: in double, then rounded
            s = np.ones(idx_k.size) if psw is None else flat_psw.astype(np.float64)
            if self.scale_grad_by_freq:
                s = s / np.bincount(idx, minlength=n)[idx][keep]
            if self.mode == "mean":
                size = np.bincount(seg_k, minlength=nb)
                out /= np.maximum(size, 1).astype(dt)[:, None]
                s = s / size[seg_k]
            scale = s.astype(dt)
        grad_psw = None if psw is None else (keep, psw.shape)
        return self._save(out, self.mode, None, seg_k, idx_k, scale, rows if psw is not None else None, grad_psw)

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        dy, mode, arg, seg_k, idx_k, scale, rows, grad_psw = self._saved(dy)
        weight, n, d = self.weight, self.num_embeddings, self.embedding_dim
        if weight.requires_grad:
            if self.sparse and self.scale_grad_by_freq:
                raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with sparse gradients")
            if mode == "max":  # dW[k, j] += dy[b, j] for the row k holding bag b's max in dim j, in bag order
                gw = np.zeros((n, d), dy.dtype)
                if arg is not None:
                    bags, rows_of_max = arg
                    gw = _sum_rows(dy[bags], rows_of_max, n)
            else:
                g = dy[seg_k]
                if scale is not None:
                    g = g * scale[:, None]
                gw = _sum_rows(g, idx_k, n)
            weight.accumulate(gw, owned=True)
        if grad_psw is None:
            return None
        keep, shape = grad_psw
        dpsw = np.zeros(keep.size, dy.dtype)
        dpsw[keep] = np.einsum("ij,ij->i", dy[seg_k], rows)
        return dpsw.reshape(shape)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings!r}, {self.embedding_dim!r}" + _options_repr(self, repr) + f", mode={self.mode!r}"
        return s + (f", padding_idx={self.padding_idx!r}" if self.padding_idx is not None else "")
