"""AdaptiveLogSoftmaxWithLoss: the clustered softmax of Grave et al. (2017), torch's layout and numerics.

The classes [0, n_classes) are split by ``cutoffs`` into a shortlist [0, c_0) and clusters [c_i, c_{i+1}).
The head (Linear(in_features, c_0 + n_clusters)) scores the shortlist and one entry per cluster; cluster i's
tail (Linear(in_features, h_i, bias=False), Linear(h_i, c_{i+1} - c_i, bias=False), h_i = in_features //
div_value^(i+1)) scores the classes inside it. For a target t:

    output = log_softmax(head(x))[t]                                      t in the shortlist
    output = log_softmax(head(x))[c_0 + i] + log_softmax(tail_i(x))[t - c_i]    t in cluster i
    loss = mean(-output)

Gradient (log_softmax(z)[k] has dz = onehot(k) - softmax(z)), with g_n = d output_n - d loss / N for each row:
d head(x)_n = g_n (onehot(head index_n) - softmax(head(x)_n)); d tail_i(x)_n = g_n (onehot(t_n - c_i) -
softmax(tail_i(x)_n)) for the rows in cluster i; then back through the Linear layers (head, tails) to x.
"""

from __future__ import annotations

import numpy as np

from ._math import log_softmax, softmax
from .base import CachedModule
from .containers import ModuleList, Sequential
from .linear import Linear
from .module import check_input

__all__ = ["AdaptiveLogSoftmaxWithLoss"]


class ASMOutput(tuple):
    """``(output, loss)`` with torch's _ASMoutput field names (a tuple, so the protocol nests it as any output)."""

    __slots__ = ()

    @property
    def output(self) -> np.ndarray:
        return self[0]

    @property
    def loss(self) -> np.ndarray:
        return self[1]


class AdaptiveLogSoftmaxWithLoss(CachedModule):
    """Efficient softmax approximation over many classes (see the module docstring for the formula).

    Args:
        in_features (int); n_classes (int); cutoffs (increasing sequence of unique ints in [1, n_classes - 1]);
        div_value (float, default 4.0): the tail sizes in_features // div_value^(i+1); head_bias (bool, default
        False); dtype (default np.float32); rng (np.random.Generator, optional: head, then each tail's two layers,
        drawn as Linear draws them).
    Shape: input (N, in_features) with target (N,) int64 or int32, or (in_features,) with a 0-d target; returns
        ``ASMOutput(output, loss)``: output (N,) (or 0-d), loss 0-d. ``log_prob(input)`` (N, n_classes) and
        ``predict(input)`` (N,) are forward-only, as in torch.
    Errors as torch's: ValueError for bad cutoffs; RuntimeError for mismatched sizes and ranks, a target outside
        [0, n_classes - 1] and a target neither int64 nor int32.
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs, div_value: float = 4.0, head_bias: bool = False,
                 dtype=np.float32, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        rng = rng if rng is not None else np.random.default_rng()
        self.in_features, self.n_classes, self.div_value, self.head_bias = in_features, n_classes, div_value, head_bias
        self.cutoffs = cutoffs + [n_classes]
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, dtype=dtype, rng=rng)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, dtype=dtype, rng=rng),
                                        Linear(hsz, osz, bias=False, dtype=dtype, rng=rng)))

    def _checked(self, input_: np.ndarray, target_: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        x, t = check_input(input_, "input_"), np.asarray(target_)
        if t.ndim == 1:
            if x.shape[0] != t.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if x.ndim != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with size "
                                   f"torch.Size({list(x.shape)})")
        elif t.ndim == 0:
            if x.ndim != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with size "
                                   f"torch.Size({list(x.shape)})")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if t.dtype not in (np.int32, np.int64):
            raise RuntimeError("gather(): Expected dtype int32/int64 for index")
        batched = t.ndim == 1
        return (x, t, True) if batched else (x[None], t[None], False)

    def forward(self, input_: np.ndarray, target_: np.ndarray) -> ASMOutput:
        """(output, loss) for ``input_`` and ``target_`` (torch's argument names)."""
        x, t, batched = self._checked(input_, target_)
        n = t.shape[0]
        output = np.zeros(n, x.dtype)
        head_index = t.astype(np.int64)
        clusters = []  # (rows, relative targets, softmax of the tail's output) per cluster reached
        used = int(((t >= 0) & (t < self.shortlist_size)).sum())
        for i in range(self.n_clusters):
            low, high = self.cutoffs[i], self.cutoffs[i + 1]
            rows = np.flatnonzero((t >= low) & (t < high))
            if rows.size == 0:
                continue
            z = self.tail[i](x[rows])
            logp = log_softmax(z, axis=1)
            relative = t[rows] - low
            output[rows] = logp[np.arange(rows.size), relative]
            head_index[rows] = self.shortlist_size + i
            clusters.append((i, rows, relative, softmax(z, axis=1)))
            used += rows.size
        if used != n:
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{t.min()}, {t.max()}] were found. ")
        z_head = self.head(x)
        output = output + log_softmax(z_head, axis=1)[np.arange(n), head_index]
        loss = np.asarray(-output.mean() if n else np.nan, x.dtype)  # torch: the mean of no rows is NaN
        out = ASMOutput((output if batched else output.reshape(()), loss))
        return self._save(out, softmax(z_head, axis=1), head_index, clusters, batched, n)

    def backward(self, d_output=None, d_loss=None) -> np.ndarray:
        (d_output, d_loss), (p_head, head_index, clusters, batched, n) = self._saved_all(d_output, d_loss)
        g = np.reshape(d_output, (n,)) - d_loss / n  # loss = mean(-output)
        dz_head = -g[:, None] * p_head
        dz_head[np.arange(n), head_index] += g
        dx = self.head.backward(dz_head)
        for i, rows, relative, p in clusters:
            dz = -g[rows, None] * p
            dz[np.arange(rows.size), relative] += g[rows]
            dx[rows] += self.tail[i].backward(dz)
        return dx if batched else dx[0]

    # -- forward-only utilities (no cache: they never disturb a pending backward) --------------------------------
    def _full_log_prob(self, x: np.ndarray, z_head: np.ndarray) -> np.ndarray:
        head_logp = log_softmax(z_head, axis=1)
        out = np.empty((x.shape[0], self.n_classes), x.dtype)
        out[:, :self.shortlist_size] = head_logp[:, :self.shortlist_size]
        for i, (start, stop) in enumerate(zip(self.cutoffs[:-1], self.cutoffs[1:], strict=True)):
            z = x
            for layer in self.tail[i]:
                z = z @ layer.weight.data.T
            out[:, start:stop] = log_softmax(z, axis=1) + head_logp[:, self.shortlist_size + i, None]
        return out

    def _head(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.head.weight.data.T
        return z if self.head.bias is None else z + self.head.bias.data

    def log_prob(self, input: np.ndarray) -> np.ndarray:
        """log p(c | x) for every class: (N, n_classes)."""
        x = check_input(input)
        return self._full_log_prob(x, self._head(x))

    def predict(self, input: np.ndarray) -> np.ndarray:
        """argmax_c log p(c | x), (N,) int64: the head's argmax when it is in the shortlist (torch's shortcut)."""
        x = check_input(input)
        z_head = self._head(x)
        out = np.argmax(z_head, axis=1)
        outside = out >= self.shortlist_size
        if outside.any():
            out[outside] = np.argmax(self._full_log_prob(x[outside], z_head[outside]), axis=1)
        return out

    def extra_repr(self) -> str:
        return ""
