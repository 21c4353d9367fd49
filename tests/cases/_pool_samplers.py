"""Samplers and shape strategies for the pooling entries (a helper module: the underscore keeps it out of family
discovery).

- :func:`distinct`: kink-free input for max pooling: every value of a plane is distinct, at least ``spacing``
  from every other (a jittered permutation of a grid), so the top two values of ANY window differ by a margin
  and finite differences never move an argmax. The catalog's configurations keep every window partly inside
  the input (no window entirely in the -inf padding).
- :func:`ties`: the kinks of max pooling, compared with torch (not with finite differences): values from
  {-1, 0, 1} (ties inside a window and across overlapping windows), the first plane all -inf (every window
  routes to its first in-input element), NaN in about half of the second plane (several per window: the LAST
  wins) and in a tenth of the rest.
- :func:`positive` / :func:`signed_distinct`: LPPool inputs (fractional p needs x > 0; p = inf needs distinct
  |x| away from 0).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


def _planes(shape: tuple[int, ...], d: int) -> int:
    return int(np.prod(shape[: len(shape) - d])) if len(shape) > d else 1


def distinct(low: float = -2.0, high: float = 2.0):
    """Values of each array a permutation of an evenly spaced grid on [low, high], jittered by a third of the
    spacing: any two values differ by at least a third of (high - low) / size."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        n = int(np.prod(shape))
        step = (high - low) / max(n, 1)
        grid = low + (rng.permutation(n) + 0.5 + rng.uniform(-1 / 3, 1 / 3, n)) * step
        return (np.asarray(grid.reshape(shape) * scale, dtype=dtype),)

    return sample


def signed_distinct(low: float = 0.5, high: float = 2.5):
    """Distinct |x| in [low, high] (a margin between any two) with random signs: kink-free for LPPool(inf)."""
    base = distinct(low, high)

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        (x,) = base(rng, np.float64, shape, scale)
        return (np.asarray(x * rng.choice((-1.0, 1.0), shape), dtype=dtype),)

    return sample


def positive(low: float = 0.5, high: float = 2.0):
    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        return (np.asarray(rng.uniform(low, high, shape) * scale, dtype=dtype),)

    return sample


def ties(d: int, nan: bool = True, neg_inf: bool = True):
    """Max-pool kinks: ties from {-1, 0, 1}; plane 0 all -inf; NaN in half of plane 1 and a tenth of the rest."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        x = rng.integers(-1, 2, shape).astype(np.float64) * scale
        planes = x.reshape((_planes(shape, d),) + shape[len(shape) - d:])
        if nan:
            rate = np.full(planes.shape[0], 0.1)
            rate[1:2] = 0.5
            planes[rng.random(planes.shape) < rate.reshape((-1,) + (1,) * d)] = np.nan
        if neg_inf and planes.shape[0] > 1:
            planes[0] = -np.inf
        return (np.asarray(planes.reshape(shape), dtype=dtype),)

    return sample


def zero_windows(d: int):
    """LPPool kinks: values from {-1, 0, 1} with plane 0 all zeros (a = 0: torch's gradient there is 0)."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        x = rng.integers(-1, 2, shape).astype(np.float64) * scale
        x.reshape((_planes(shape, d),) + shape[len(shape) - d:])[0] = 0.0
        return (np.asarray(x, dtype=dtype),)

    return sample


def pool_shapes(d: int, low: int | tuple[int, ...], high: int | tuple[int, ...], channels: int = 2,
                batch: tuple[int, int] = (0, 2)) -> st.SearchStrategy:
    """(N, C, *spatial) with N in ``batch`` (0 included), or unbatched (C, *spatial); spatial sizes per dim in
    [low, high] (ints apply to every dim): the ranges an entry's kernel, padding and ceil_mode accept."""
    lows = (low,) * d if isinstance(low, int) else low
    highs = (high,) * d if isinstance(high, int) else high
    spatial = st.tuples(*(st.integers(lo, hi) for lo, hi in zip(lows, highs, strict=True)))
    batched = st.tuples(st.integers(*batch), st.just(channels), spatial).map(lambda t: (t[0], t[1], *t[2]))
    unbatched = spatial.map(lambda s: (channels, *s))
    return st.one_of(batched, unbatched)


def unpool_inputs(d: int, kernel, stride, padding=0, extra: int = 0, prefix: bool = False, repeats: bool = False):
    """(values, indices[, output_size]) for MaxUnpool: each input position o gets an index in its pooling window
    ``o s - p + j`` (j random in [0, k), clipped to the plane), as MaxPool's return_indices would give; ``extra``
    > 0 passes ``output_size`` = default + extra per dim (``prefix``: with the (N, C) dims in front); ``repeats``
    gives each odd position of a plane (row-major) its even neighbour's index (which value is kept?)."""
    k, s, p = ((v,) * d if isinstance(v, int) else tuple(v) for v in (kernel, stride, padding))

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        x = rng.uniform(-2.0, 2.0, shape) * scale
        lead = len(shape) - d
        size = tuple((n - 1) * s[i] - 2 * p[i] + k[i] + extra for i, n in enumerate(shape[lead:]))
        pos = [np.clip(np.arange(n).reshape((n,) + (1,) * (d - 1 - i)) * s[i] - p[i]
                       + rng.integers(0, k[i], shape), 0, size[i] - 1) for i, n in enumerate(shape[lead:])]
        flat = np.ravel_multi_index(pos, size).astype(np.int64) if x.size else np.zeros(shape, np.int64)
        if repeats and x.size:
            plane = flat.reshape(-1, int(np.prod(shape[lead:])))
            plane[:, 1::2] = plane[:, 0:-1:2][:, : plane[:, 1::2].shape[1]]
        args = (np.asarray(x, dtype=dtype), flat)
        return args + ((tuple(shape[:lead]) + size if prefix else size,) if extra else ())

    return sample


def fractional_samples(d: int, planted: dict | None = None, seed: int = 11, n: int = 2, c: int = 2):
    """``samples(dtype)``: fixed FractionalMaxPool ``_random_samples`` (n, c, d), uniform [0, 1) from ``seed``,
    with ``planted[(i, j, column)]`` values, in the block's dtype: an entry built with them pools through the
    same windows at every call (finite differences apply) and for every shape the hypothesis draws (N <= n, C = c,
    unbatched: the first row)."""

    def samples(dtype) -> np.ndarray:
        u = np.random.default_rng(seed).random((n, c, d))
        for at, value in (planted or {}).items():
            u[at] = value
        return u.astype(dtype)

    return samples
