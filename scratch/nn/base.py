"""CachedModule: the forward/backward caching contract every scratch block follows.

``forward`` ends with ``return self._save(output, *what_backward_needs)``; ``backward`` starts with
``dy, *cache = self._saved(dy)``. Between the two the contract guarantees, as torch's autograd does:

- the cotangent has the output's shape (RuntimeError otherwise) and is cast to the output's dtype (a float64
  cotangent into a float32 block gives float32 gradients);
- backward consumes the cache: a second backward without a new forward raises RuntimeError;
- what backward needs is owned by the block (a copy where it is an input array): an input the caller modifies in
  place after forward cannot change the gradient.

Blocks with several outputs save a tuple (nested as forward returns it) and call :meth:`_saved_all`, which
takes one cotangent per output, nested the same way, with ``None`` (or a trailing cotangent left out) meaning
zeros.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .module import Module


class _Leaf(NamedTuple):
    """What backward needs to know of one floating-point output: its shape and dtype (a NamedTuple: it is
    built at every forward, and a tuple builds in a fraction of a dataclass's time)."""

    shape: tuple[int, ...]
    dtype: np.dtype


def _meta(out):
    """A _Leaf per floating-point array of a (nested) output; None where an output takes no cotangent."""
    if isinstance(out, np.ndarray) and out.dtype.kind == "f":
        return _Leaf(out.shape, out.dtype)
    if isinstance(out, tuple):
        return tuple(_meta(o) for o in out)
    return None


def _check_cotangent(dy, leaf: _Leaf, where: str) -> np.ndarray:
    dy = np.asarray(dy)
    if dy.shape != leaf.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output{where} has a shape of {dy.shape} and output{where} has "
                           f"a shape of {leaf.shape}")
    return dy if dy.dtype == leaf.dtype else dy.astype(leaf.dtype)  # torch's engine casts to the output dtype


def _fill(cots: tuple, meta: tuple, where: str) -> tuple:
    """Cotangents nested like the outputs: None (or missing trailing entries) become zeros; shapes checked."""
    if len(cots) > len(meta):
        raise RuntimeError(f"backward got {len(cots)} cotangents{where} for {len(meta)} outputs")
    cots = tuple(cots) + (None,) * (len(meta) - len(cots))
    out = []
    for i, (c, m) in enumerate(zip(cots, meta, strict=True)):
        at = f"{where}[{i}]"
        if isinstance(m, _Leaf):
            out.append(np.zeros(m.shape, m.dtype) if c is None else _check_cotangent(c, m, at))
        elif isinstance(m, tuple):
            out.append(_fill(() if c is None else tuple(c), m, at))
        elif c is not None:  # integer indices, None: no cotangent
            raise RuntimeError(f"output{at} is not a floating-point array and takes no cotangent")
        else:
            out.append(None)
    return tuple(out)


class CachedModule(Module):
    """A module whose forward stores a cache for backward; see the module docstring for the contract."""

    _cache = None
    _out_meta = None

    def _save(self, out, *cache):
        object.__setattr__(self, "_cache", cache)
        if isinstance(out, np.ndarray):  # the common case, kept cheap: a block runs this at every forward
            meta = tuple.__new__(_Leaf, (out.shape, out.dtype))
        elif isinstance(out, tuple):
            meta = _meta(out)
        else:
            a = np.asarray(out)
            meta = tuple.__new__(_Leaf, (a.shape, a.dtype))
        object.__setattr__(self, "_out_meta", meta)
        return out

    def _take(self) -> tuple:
        cache = self._cache
        if cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called without a forward since the last backward "
                               "(backward consumes what forward saved, as torch frees its graph)")
        object.__setattr__(self, "_cache", None)
        return cache

    def _saved(self, dy) -> tuple:
        """(the cotangent, checked and cast to the output dtype, *the cache); consumes the cache."""
        cache = self._take()
        shape, dtype = self._out_meta
        dy = dy if isinstance(dy, np.ndarray) else np.asarray(dy)
        if dy.shape != shape:
            raise RuntimeError(f"Mismatch in shape: grad_output has a shape of {dy.shape} and output has a shape "
                               f"of {shape}")
        return (dy if dy.dtype == dtype else dy.astype(dtype), *cache)  # torch's engine casts to the output dtype

    def _saved_all(self, *cotangents) -> tuple[tuple, tuple]:
        """Several outputs: (cotangents nested like the outputs, zeros for None, the cache); consumes the cache."""
        meta = self._out_meta
        cache = self._take()
        return _fill(cotangents, meta, ""), cache
