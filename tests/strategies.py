"""Shared input samplers (plain numpy, seeded) and hypothesis strategies for the catalog.

A *sampler* is ``sample(rng, dtype, shape, scale) -> tuple of arrays`` (the first array is the differentiated
input; the rest are targets). The deterministic checks call it with the case's default shape and scale 1;
hypothesis draws shapes, a value scale (including extremes: 1e-4, 1e2, 1e4, and 0 for all-zero input) and the
seed, then calls the same sampler, so failures shrink to a small shape, scale and seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from hypothesis import strategies as st

Sampler = Callable[[np.random.Generator, type, tuple, float], tuple]

SCALES = (1.0, 0.0, 1e-4, 1e2, 1e4)


def away_from(x: np.ndarray, kinks: Sequence[float], margin: float) -> np.ndarray:
    """Push values within ``margin`` of a kink to kink +- margin, so finite differences never straddle one."""
    for k in kinks:
        near = np.abs(x - k) < margin
        x = np.where(near, k + np.where(x >= k, margin, -margin), x)
    return x


def floats(low: float = -3.0, high: float = 3.0, kinks: Sequence[float] = (), margin: float = 1e-2) -> Sampler:
    """Uniform values in [low, high] * scale, away from the given kinks (checked at scale 1)."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        x = away_from(rng.uniform(low, high, shape), kinks, margin) * scale
        return (np.asarray(x, dtype=dtype),)

    return sample


def with_kinks(kinks: Sequence[float], low: float = -3.0, high: float = 3.0) -> Sampler:
    """Random values with every kink planted exactly (at least once each), for gradient-at-kink checks."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        x = np.asarray(rng.uniform(low, high, shape))
        flat = x.reshape(-1)
        idx = rng.permutation(flat.size)[: max(len(kinks), flat.size // 3)]
        flat[idx] = np.resize(np.asarray(kinks, np.float64), idx.size)
        return (np.asarray(x, dtype=dtype),)

    return sample


def shapes(min_dims: int = 1, max_dims: int = 4, min_side: int = 1, max_side: int = 6,
           fixed_last: int | None = None) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes; ``fixed_last`` pins the feature dimension (e.g. a Linear's in_features)."""
    base = st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)
    if fixed_last is None:
        return base
    return base.map(lambda s: s[:-1] + (fixed_last,) if s else (fixed_last,))


def draws(shape_strategy: st.SearchStrategy, scales: Sequence[float] = SCALES) -> st.SearchStrategy:
    """(shape, scale, seed) triples for a case's sampler."""
    return st.tuples(shape_strategy, st.sampled_from(tuple(scales)), st.integers(0, 2**32 - 1))


def cotangent(rng: np.random.Generator, like: np.ndarray) -> np.ndarray:
    """A RANDOM cotangent (never ones: a ones cotangent makes softmax and batch-norm gradients vacuous)."""
    return rng.standard_normal(np.shape(like)).astype(np.asarray(like).dtype)
