"""Samplers and shape strategies for the embedding entries (a helper module: the underscore keeps it out of family
discovery).

A sampler is ``sample(rng, dtype, shape, scale)`` as everywhere, but the inputs here are INTEGER indices: the
drawn shape is the index array's (Embedding) or (bags B, entries per bag N) (EmbeddingBag), and ``scale`` only
scales per_sample_weights, the one float input. Padding indices are planted (at least once) where an entry asks.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


def _plant(x: np.ndarray, pad: int | None, rng: np.random.Generator) -> np.ndarray:
    """About a quarter of the entries set to ``pad``, and at least one (a no-op without pad or entries)."""
    if pad is not None and x.size:
        flat = x.reshape(-1)
        flat[rng.random(flat.size) < 0.25] = pad
        flat[rng.integers(flat.size)] = pad
    return x


def indices(n: int, pad: int | None = None, high: int | None = None, low: int = 0, index_dtype=np.int64):
    """Embedding's input: indices in [low, high or n) of the drawn shape (0-d and empty too), ``pad`` planted.
    A small ``high`` repeats indices (counts > 1 for scale_grad_by_freq, and unequal counts)."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        x = np.asarray(rng.integers(low, high or n, shape), np.int64)
        return (_plant(x, pad, rng).astype(index_dtype),)

    return sample


def _equal_counts(total: int, high: int, pad: int | None, rng: np.random.Generator) -> np.ndarray:
    """``total`` indices in which every value present occurs equally often (2 or 3 times where ``total`` allows),
    ``pad`` among the values when given: torch 2.13's EmbeddingBag frequency divisor is right only then."""
    reps = next((r for r in (2, 3) if total % r == 0), 1)
    pool = np.arange(high) if pad is None else np.r_[pad, np.setdiff1d(np.arange(high), [pad])]
    values = pool[:total // reps] if pad is not None else rng.permutation(pool)[:total // reps]
    assert values.size * reps == total, f"{total} entries need {total // reps} distinct values, high is {high}"
    return rng.permutation(np.repeat(values, reps))


def bags(n: int, pad: int | None = None, high: int | None = None, offsets: bool = False, ilo: bool = False,
         psw: bool = False, index_dtype=np.int64, offsets_dtype=np.int64, equal_counts: bool = False):
    """EmbeddingBag's arguments for the drawn (B, N): a 2-d (B, N) input, or (``offsets``) a 1-d input of B bags
    of 0..2N entries (one of them empty when B > 1, one all padding when ``pad`` and B > 2) with its offsets
    (B + 1 of them, the last the input's length, with ``ilo``); ``psw``: per_sample_weights of the input's shape,
    uniform in +-[0.5, 2] * scale (2-d input: passed as (input, None, psw)); ``equal_counts``: every index value
    occurs equally often (see :func:`_equal_counts`; the padding planting is then skipped)."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        b, m = shape
        if equal_counts:
            total = b * m if not offsets else int(rng.integers(0, 2 * m + 1, b).sum())
            x = _equal_counts(total, high or n, pad, rng)
            if not offsets:
                args = (x.reshape(b, m).astype(index_dtype), None)
            else:
                cuts = np.sort(rng.integers(0, total + 1, max(b - 1, 0)))
                starts = np.r_[0, cuts, total]
                args = (x.astype(index_dtype), (starts if ilo else starts[:-1]).astype(offsets_dtype))
        elif not offsets:
            x = _plant(rng.integers(0, high or n, (b, m)), pad, rng)
            args = (x.astype(index_dtype), None)
        else:
            lengths = rng.integers(0, 2 * m + 1, b)
            if b > 1:
                lengths[rng.integers(b)] = 0
            starts = np.r_[0, np.cumsum(lengths)]
            x = _plant(rng.integers(0, high or n, starts[-1]), pad, rng)
            if pad is not None and b > 2 and lengths.max() > 0:
                full = rng.choice(np.flatnonzero(lengths))
                x[starts[full]:starts[full + 1]] = pad
            args = (x.astype(index_dtype), (starts if ilo else starts[:-1]).astype(offsets_dtype))
        if not psw:
            return args if offsets else args[:1]
        w = rng.uniform(0.5, 2.0, args[0].shape) * rng.choice((-1.0, 1.0), args[0].shape) * scale
        return args + (np.asarray(w, dtype),)

    return sample


def index_shapes(max_dims: int = 3, max_side: int = 4) -> st.SearchStrategy:
    """Index shapes of 0..max_dims dims with sides 0..max_side (0-d and empty arrays included)."""
    return st.lists(st.integers(0, max_side), min_size=0, max_size=max_dims).map(tuple)


def bag_shapes(max_bags: int = 4, max_len: int = 4) -> st.SearchStrategy:
    """(bags, entries per bag): no bags at all included; a 2-d input needs N >= 1 (torch's arange step)."""
    return st.tuples(st.integers(0, max_bags), st.integers(1, max_len))
