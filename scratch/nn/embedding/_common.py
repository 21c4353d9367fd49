"""What Embedding and EmbeddingBag share: index and argument checks, the weight, torch's max_norm renorm and
the ordered row sums."""

from __future__ import annotations

import numbers

import numpy as np

from ..module import FLOAT_DTYPES, Parameter, check_float_dtype


def _is_int(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _indices(x, what: str = "indices") -> np.ndarray:
    """An int32/int64 array as an owned int64 copy (torch accepts Long and Int indices only)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"argument '{what}' must be a numpy.ndarray (torch: a Tensor), not {type(x).__name__}")
    if x.dtype.type not in (np.int32, np.int64):
        raise RuntimeError(f"Expected tensor for argument #1 '{what}' to have one of the following scalar types: "
                           f"Long, Int; but got {x.dtype} instead")
    return x.astype(np.int64)


def _padding(padding_idx, n: int, message: str):
    """torch's rule: -n <= padding_idx < n (AssertionError otherwise), negatives wrapped to n + padding_idx."""
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError(message)
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError(message)
            padding_idx = n + padding_idx
    return padding_idx


def _weight_param(n, d, padding_idx, _weight, requires_grad: bool, dtype, rng) -> Parameter:
    """The (n, d) weight: ``_weight`` as given (not copied: torch's Parameter shares the tensor), else N(0, 1)
    from ``rng`` with the padding row zeroed."""
    if _weight is not None:
        w = np.asarray(_weight)
        if list(w.shape) != [n, d]:
            raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
        if w.dtype.type not in FLOAT_DTYPES:
            raise RuntimeError(f"Only Tensors of floating point dtype can require gradients (weight of {w.dtype})")
        return Parameter(w, requires_grad)
    for pos, size in enumerate((n, d)):  # torch's size parser takes a bool after the first element (as 0 / 1)
        if not (_is_int(size) or pos and isinstance(size, bool | np.bool_)):
            raise TypeError(f"empty(): argument 'size' (position 1) must be tuple of ints, but found element of "
                            f"type {type(size).__name__} at pos {pos}")
    if n < 0 or d < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(n, d)}: [{n}, {d}]")
    dt = check_float_dtype(dtype)
    w = (rng if rng is not None else np.random.default_rng()).standard_normal((int(n), int(d))).astype(dt)
    # numpy's IndexError for a float index or an empty table, as torch's; a bool is kept as given and zeroes
    # nothing: torch's weight[True].fill_(0) fills a copy (advanced indexing), numpy's w[True] = 0 all rows
    if padding_idx is not None and not isinstance(padding_idx, bool | np.bool_):
        w[padding_idx] = 0
    return Parameter(w, requires_grad)


def _check_norm_args(max_norm, norm_type) -> None:
    for name, v in (("max_norm", max_norm), ("norm_type", norm_type)):
        if not isinstance(v, numbers.Real):
            raise TypeError(f"embedding_renorm_(): argument '{name}' must be float, not {type(v).__name__}")


def _norms(rows: np.ndarray, p: float) -> np.ndarray:
    """torch's ``row.norm(p)`` per row, in the rows' dtype (then as float64, as torch's ``.item<double>()``)."""
    a, t = np.abs(rows), rows.dtype.type
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if p == 2:
            n = np.sqrt(np.sum(a * a, axis=1))
        elif p == 1:
            n = a.sum(axis=1)
        elif p == np.inf:
            n = a.max(axis=1, initial=0)
        elif p == -np.inf:
            n = a.min(axis=1, initial=np.inf)
        elif p == 0:
            n = np.count_nonzero(rows, axis=1)
        else:
            n = np.sum(a ** t(p), axis=1) ** t(1 / p)
    return np.asarray(n, np.float64)


def _renorm_(w: np.ndarray, idx: np.ndarray, max_norm: float, p: float) -> None:
    """torch's embedding_renorm_, in place: each referenced row (once) whose p-norm exceeds max_norm is scaled by
    max_norm / (norm + 1e-7), computed in double and rounded to the weight's dtype before the multiply."""
    rows = np.unique(idx)
    sub = w[rows]
    norms = _norms(sub, p)
    over = norms > max_norm
    if over.any():
        scale = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
        w[rows[over]] = sub[over] * scale[:, None]


def _sum_rows(values: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """out[rows[i], j] += values[i, j] into an (n, d) array (``rows`` (m,), or (m, d): one row per element),
    added in the order of i as torch's CPU loops add them, accumulated in float64 and rounded once (one
    ``np.bincount`` over the flattened cells: no Python loop, faster than ``np.add.at``)."""
    d = values.shape[1]
    cells = (rows[:, None] if rows.ndim == 1 else rows) * d + np.arange(d)
    out = np.bincount(cells.reshape(-1), weights=values.reshape(-1), minlength=n * d)
    return out.reshape(n, d).astype(values.dtype, copy=False)


def _options_repr(m, show) -> str:
    """The options both reprs print when not at their defaults (Embedding formats them with str, EmbeddingBag
    with repr, as torch's)."""
    s = f", max_norm={show(m.max_norm)}" if m.max_norm is not None else ""
    s += f", norm_type={show(m.norm_type)}" if m.norm_type != 2 else ""
    return s + (f", scale_grad_by_freq={show(m.scale_grad_by_freq)}" if m.scale_grad_by_freq is not False else "")
