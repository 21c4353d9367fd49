"""Helpers for the forward/backward caching contract shared by every scratch block."""

from __future__ import annotations

import numpy as np

from .module import Module


class CachedModule(Module):
    """A module whose forward stores a cache for backward; backward checks it exists and the cotangent fits."""

    _cache = None
    _out_shape: tuple[int, ...] | None = None

    def _save(self, out: np.ndarray, *cache) -> np.ndarray:
        object.__setattr__(self, "_cache", cache)
        object.__setattr__(self, "_out_shape", np.shape(out))
        return out

    def _saved(self, dy: np.ndarray) -> tuple:
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        dy = np.asarray(dy)
        if dy.shape != self._out_shape:
            raise RuntimeError(f"Mismatch in shape: grad_output has a shape of {dy.shape} and output has a "
                               f"shape of {self._out_shape}")
        return self._cache
