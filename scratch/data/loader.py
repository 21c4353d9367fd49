"""one_hot (torch.nn.functional.one_hot) and DataLoader (seeded, vectorized mini-batches)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def one_hot(labels: np.ndarray, num_classes: int | None = None) -> np.ndarray:
    """out[..., c] = 1 if labels[...] == c else 0, like torch.nn.functional.one_hot.

    Args:
        labels: integer class indices, any shape. torch accepts only int64 (LongTensor); any numpy integer
            dtype is accepted here because numpy code often carries int32 or uint8 labels.
        num_classes: number of classes C. None or -1 (torch's default): max(labels) + 1.

    Shape: labels (*), output (*, C), int64 (like torch).

    Raises (the classes torch raises):
        RuntimeError: non-integer labels (float, bool); a negative label; a label >= num_classes;
            an empty `labels` with num_classes unset or <= 0 (C cannot be inferred).
        TypeError: num_classes is not an integer.
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":  # bool is kind 'b': torch rejects it too
        raise RuntimeError(f"one_hot is only applicable to integer index arrays (torch: LongTensor), "
                           f"got dtype {labels.dtype}")
    if num_classes is None:
        num_classes = -1
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot(): argument 'num_classes' must be int, not {type(num_classes).__name__}")
    num_classes = int(num_classes)
    if labels.size == 0:
        if num_classes <= 0:  # torch raises here even for num_classes=0
            raise RuntimeError("Can not infer total number of classes from empty array "
                               f"(labels shape {labels.shape}, num_classes={num_classes})")
        return np.zeros((*labels.shape, num_classes), dtype=np.int64)
    lo, hi = int(labels.min()), int(labels.max())
    if lo < 0:
        raise RuntimeError(f"Class values must be non-negative: found label {lo}")
    if num_classes == -1:
        num_classes = hi + 1
    elif hi >= num_classes:
        raise RuntimeError(f"Class values must be smaller than num_classes: found label {hi}, "
                           f"num_classes={num_classes}")
    out = np.zeros((*labels.shape, num_classes), dtype=np.int64)
    np.put_along_axis(out, labels[..., None].astype(np.intp), 1, axis=-1)
    return out


def _check_flag(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} should be a boolean value, but got {name}={value!r}")
    return bool(value)


class DataLoader:
    """Mini-batches (X[idx], y[idx]) over one pass of the data per iteration, optionally shuffled.

    Args:
        X: samples, first axis = sample index.
        y: targets, same length as X.
        batch_size (int, default 1): samples per batch; the last batch may be smaller.
        shuffle (bool, default False): visit the samples in a new random order each epoch.
        rng (np.random.Generator): required when shuffle=True. Every iteration (epoch) draws one
            permutation rng.permutation(N), so epochs differ, and loaders built with identically seeded
            generators yield identical batches.
        drop_last (bool, default False): drop the final batch if it is smaller than batch_size.

    Shape: X (N, *), y (N, *); each batch: X (B, *), y (B, *), B = batch_size except maybe the last.
    len(loader) = ceil(N / B), or floor(N / B) with drop_last.

    The order is public: batch_indices() draws an epoch's permutation and returns the index array of each
    batch, and iterating the loader is exactly ((X[i], y[i]) for i in loader.batch_indices()), so a
    side-by-side runner can feed the same batches to torch (torch.from_numpy(i) is a LongTensor).

    Raises:
        ValueError: batch_size not a positive int, drop_last/shuffle not bool, len(X) != len(y),
            0-dimensional X or y, or shuffle=True without rng (torch raises ValueError for the first two).
        TypeError: rng is not an np.random.Generator.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, batch_size: int = 1, shuffle: bool = False,
                 rng: np.random.Generator | None = None, drop_last: bool = False) -> None:
        X, y = np.asarray(X), np.asarray(y)
        if X.ndim == 0 or y.ndim == 0:
            raise ValueError(f"X and y need a leading sample axis, got shapes {X.shape} and {y.shape}")
        if len(X) != len(y):
            raise ValueError(f"X and y must have the same length: got {len(X)} samples and {len(y)} targets")
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, "
                             f"but got batch_size={batch_size!r}")
        self.shuffle = _check_flag(shuffle, "shuffle")
        self.drop_last = _check_flag(drop_last, "drop_last")
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be an np.random.Generator (np.random.default_rng(seed)), "
                            f"got {type(rng).__name__}")
        if self.shuffle and rng is None:
            # No hidden global seed: every random draw in scratch comes from an explicit generator.
            raise ValueError("shuffle=True needs rng=np.random.Generator, e.g. np.random.default_rng(0)")
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.rng = rng

    def __len__(self) -> int:
        n, b = len(self.X), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def batch_indices(self) -> list[np.ndarray]:
        """One epoch's batches as int64 index arrays; draws a new permutation now when shuffling.

        Returns: len(self) arrays; together (without drop_last) a permutation of range(N).
        """
        n = len(self.X)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)  # type: ignore[union-attr]
        order = order.astype(np.int64, copy=False)
        stop = len(self) * self.batch_size
        # A loop over batches, not samples: each batch is one fancy-indexing call.
        return [order[s: min(s + self.batch_size, n)] for s in range(0, stop, self.batch_size)]

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        # Draw the permutation when iteration starts (not lazily at the first next()), so the generator's
        # state advances at a well-defined point, the same as a batch_indices() call.
        batches = self.batch_indices()
        return ((self.X[idx], self.y[idx]) for idx in batches)

    def __repr__(self) -> str:
        return (f"DataLoader(N={len(self.X)}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")
