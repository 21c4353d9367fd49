"""F.pad's argument parsing and shape checks, with torch's error classes and messages: shared by the padding
layers (scratch/nn/padding.py) and by a convolution with a non-zero padding_mode, which F.pad pads first.

``pairs`` is the (lo, hi) padding of the last len(pairs) dims, outermost first; a negative entry crops.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ._parameter import _typename

_NOT_SUPPORTED = ("Padding size {} is not supported for {}D input tensor.\n"
                  "Supported combinations for non-constant padding:\n"
                  "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                  "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                  "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")

# c10's names in "value cannot be converted to type X without overflow" (float64 never overflows)
_C_TYPES = {"int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t", "uint8": "uint8_t",
            "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t", "float16": "c10::Half",
            "float32": "float", "complex64": "c10::complex<float>"}


# -- torch's argument parsing (F.pad's ``pad`` and ``value``) ------------------------------------------------------
def _as_tuple(padding, n: int) -> tuple:
    """torch's ``_ntuple``: an iterable becomes a tuple as it is (any length), anything else is repeated n times."""
    return tuple(padding) if isinstance(padding, Iterable) else (padding,) * n


def _pad_argument(padding: tuple) -> tuple[int, ...]:
    """ints (numpy integers too); torch's parser refuses a bool only as the FIRST entry."""
    for i, p in enumerate(padding):
        if isinstance(p, int | np.integer) and not (i == 0 and isinstance(p, bool)):
            continue
        if i == 0:
            raise TypeError("pad(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                            f"{_typename(p)} at pos 0")
        raise TypeError(f"pad(): argument 'pad' failed to unpack the object at pos {i + 1} with error \"type must "
                        f"be tuple of ints,but got {_typename(p)}\"")
    return tuple(int(p) for p in padding)


def _value_argument(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, int | float | np.integer | np.floating | np.bool_):
        return float(value)
    raise TypeError(f"pad(): argument 'value' (position 4) must be float, not {_typename(value)}")


def _check_fill(value: float, dtype: np.dtype) -> None:
    """c10's checked conversion of the fill value into the input's dtype (bool and float64 take anything)."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        ok = math.isfinite(value) and info.min <= value <= info.max
    elif dtype.name in ("float16", "float32", "complex64"):
        ok = not math.isfinite(value) or abs(value) <= np.finfo(dtype).max
    else:
        ok = True
    if not ok:
        raise RuntimeError(f"value cannot be converted to type {_C_TYPES[dtype.name]} without overflow")


# -- torch's shape checks, per mode ------------------------------------------------------------------------------
def _check_constant(x: np.ndarray, pairs: list[tuple[int, int]], value: float) -> None:
    """constant_pad_nd: every negative pad is a narrow() first, then the fill value is converted (only if a
    positive pad writes it)."""
    for n, (lo, hi) in zip(x.shape[x.ndim - len(pairs):], pairs, strict=True):
        if n + min(lo, 0) + min(hi, 0) < 0:  # (a narrow of the low side below 0 is below 0 after both)
            raise RuntimeError("narrow(): length must be non-negative.")
    if any(p > 0 for pair in pairs for p in pair):
        _check_fill(value, x.dtype)


def _too_small(mode: str, sizes: tuple[int, ...], out: list[int]) -> str:
    """reflection_pad{1,2,3}d / replication_pad{1,2,3}d's messages, torch's spacing included."""
    if len(sizes) == 1:
        return f"input (W: {sizes[0]}) is too small. Calculated output W: {out[0]}"
    if len(sizes) == 2:
        gap = " " if mode == "replicate" else ""
        return (f"input (H: {sizes[0]}, W: {sizes[1]}{gap}) is too small. Calculated output H: {out[0]} "
                f"W: {out[1]}")
    return (f"input (D: {sizes[0]} H: {sizes[1]}, W: {sizes[2]}) is too small. Calculated output D: {out[0]} "
            f"H: {out[1]} W: {out[2]}")


def _check_edge_mode(x: np.ndarray, pairs: list[tuple[int, int]], mode: str) -> None:
    """reflect / replicate: the kernels of 1, 2, 3 padded dims and their input checks, in torch's order."""
    k = len(pairs)
    batched = x.ndim == k + 2
    if not all(x.shape[1 if batched else 0:]):  # check_valid_input: only the batch dim may be 0
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(x.shape)}")
    sizes = x.shape[-k:]
    if mode == "reflect":  # W first (argument #4), then H (#6), then D (#8)
        for j in range(k):
            (lo, hi), n = pairs[-1 - j], sizes[-1 - j]
            if lo >= n or hi >= n:
                raise RuntimeError(f"Argument #{4 + 2 * j}: Padding size should be less than the corresponding input "
                                   f"dimension, but got: padding ({lo}, {hi}) at dimension {x.ndim - 1 - j} of "
                                   f"input {list(x.shape)}")
    out = [n + lo + hi for n, (lo, hi) in zip(sizes, pairs, strict=True)]
    if all(o < 1 for o in out):  # torch only requires ONE padded output size >= 1 (0-size outputs are legal)
        raise RuntimeError(_too_small(mode, sizes, out))
    shape = list(x.shape[:-k]) + out
    if any(o < 0 for o in out) and not (mode == "reflect" and k == 2 and 0 in shape):
        # what torch's allocation of the output then says
        raise RuntimeError("numel: integer multiplication overflow" if mode == "reflect" and k == 2 else
                           f"Trying to create tensor with negative dimension {next(o for o in out if o < 0)}: "
                           f"{shape}")
    if x.dtype == np.bool_:
        name = "reflection" if mode == "reflect" else "replication"
        raise NotImplementedError(f'"{name}_pad{k}d" not implemented for \'Bool\'')
    if any(o < 0 for o in out):  # torch 2.13 bug: reflection_pad2d with N = 0 returns a tensor of this size
        raise RuntimeError(f"Trying to create tensor with negative dimension {next(o for o in out if o < 0)}: "
                           f"{shape} (torch 2.13 returns a tensor of negative size here)")


def _check_circular(x: np.ndarray, pairs: list[tuple[int, int]]) -> None:
    """_pad_circular's checks (outermost padded dim first) and its copy of the cropped input into the output's
    interior (a copy_ between slices, which fails unless the sizes broadcast), then one of scratch's own: a pad
    may not exceed what the crop on the other side leaves. torch 2.13 does not check that: there it raises a
    memory-overlap RuntimeError ("some elements of the input tensor and the written-to tensor refer to a single
    memory location"), or copies through the overlap for a batched input (a result that depends on its copy
    order), or returns uninitialized memory for a dim cropped to nothing."""
    k = len(pairs)
    sizes = x.shape[-k:]
    for n, (lo, hi) in zip(sizes, pairs, strict=True):
        if lo > n or hi > n:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n + lo + hi < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
    out = [n + lo + hi for n, (lo, hi) in zip(sizes, pairs, strict=True)]
    # the interior copy, with torch's slice bounds (a negative end wraps, then both clamp) and copy_'s broadcasting
    into = [len(range(*slice(max(lo, 0), o - max(hi, 0)).indices(o))) for (lo, hi), o in zip(pairs, out, strict=True)]
    src = [len(range(*slice(max(-lo, 0), n - max(-hi, 0)).indices(n))) for (lo, hi), n in zip(pairs, sizes,
                                                                                               strict=True)]
    for j in reversed(range(k)):
        if into[j] != src[j] and 1 not in (into[j], src[j]):
            raise RuntimeError(f"The size of tensor a ({into[j]}) must match the size of tensor b ({src[j]}) at "
                               f"non-singleton dimension {x.ndim - k + j}")
    if any(a == 1 != b for a, b in zip(into, src, strict=True)):
        lead = list(x.shape[:-k])
        raise RuntimeError(f"output with shape {lead + into} doesn't match the broadcast shape "
                           f"{lead + [b if a == 1 else a for a, b in zip(into, src, strict=True)]}")
    if math.prod(x.shape[:-k]) * math.prod(out) == 0:
        return  # an empty output: torch copies nothing more, so nothing wraps
    for axis, (n, (lo, hi)) in enumerate(zip(sizes, pairs, strict=True), start=x.ndim - k):
        left = n + min(lo, 0) + min(hi, 0)
        if max(lo, hi) > left:
            raise RuntimeError(f"Padding value causes wrapping around more than once: padding ({lo}, {hi}) of "
                               f"dimension {axis} wraps the {left} elements its negative padding leaves")


def check_edge_padding(x: np.ndarray, pairs: list[tuple[int, int]], mode: str) -> None:
    """F.pad's checks for a non-constant mode ('reflect', 'replicate', 'circular'), ``pairs`` the (lo, hi) of the
    last len(pairs) dims (also run by a convolution with such a padding_mode, which F.pad pads first)."""
    k = len(pairs)
    if not (1 <= k <= 3 and x.ndim in (k + 1, k + 2)):
        raise NotImplementedError(_NOT_SUPPORTED.format(2 * k, x.ndim))
    _check_circular(x, pairs) if mode == "circular" else _check_edge_mode(x, pairs, mode)
