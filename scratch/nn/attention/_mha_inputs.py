"""MultiheadAttention's input checks and masks, as torch's F.multi_head_attention_forward has them: the shape
check (AssertionError throughout), the canonical mask (bool -> 0 / -inf) and the allowed columns appended for
bias_kv / zero_attn.
"""

from __future__ import annotations

import warnings

import numpy as np


def shape_check(q, k, v, kpm, mask, num_heads: int) -> bool:
    """torch's _mha_shape_check (AssertionError throughout); returns whether the input is batched."""
    for name, x in (("query", q), ("key", k), ("value", v), ("key_padding_mask", kpm), ("attn_mask", mask)):
        if x is not None and not isinstance(x, np.ndarray):
            raise TypeError(f"{name} must be a numpy.ndarray, got {type(x).__name__}")
    if q.ndim not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {q.ndim}-D query tensor")
    batched = q.ndim == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if k.ndim != q.ndim or v.ndim != q.ndim:
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {q.ndim}-D but found {k.ndim}-D "
                             f"and {v.ndim}-D tensors respectively")
    if kpm is not None and kpm.ndim != q.ndim - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or {q.ndim - 1}-D but "
                             f"found {kpm.ndim}-D tensor instead")
    if mask is not None and mask.ndim not in (2, 3):
        raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                             f"{mask.ndim}-D tensor instead")
    if not batched and mask is not None and mask.ndim == 3 and mask.shape != (num_heads, q.shape[0], k.shape[0]):
        raise AssertionError(f"Expected `attn_mask` shape to be {(num_heads, q.shape[0], k.shape[0])} but got "
                             f"{mask.shape}")
    return batched


def canonical_mask(mask, name: str, dtype, other=None) -> np.ndarray | None:
    """torch's _canonical_mask: bool -> 0 / -inf in ``dtype``; a float mask as is; other dtypes AssertionError.
    ``other``: the dtype of the other mask (a mismatch warns, as torch does)."""
    if mask is None:
        return None
    if mask.dtype != np.bool_ and mask.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and mask.dtype != other:
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for both "
                      "instead.", UserWarning, stacklevel=4)  # the caller's line
    if mask.dtype == np.bool_:
        if np.dtype(dtype).kind != "f":  # torch's masked_fill_(-inf) into an integer tensor
            raise RuntimeError(f"value cannot be converted to type {np.dtype(dtype)} without overflow")
        return np.where(mask, np.asarray(-np.inf, dtype), np.zeros((), dtype))
    return mask


def pad_columns(mask: np.ndarray, cols: int) -> np.ndarray:
    """``cols`` zero ("allowed") columns after the last (torch's F.pad(mask, (0, 1)) per bias_kv / zero_attn)."""
    if not cols:  # (a branch the configuration decides is a statement: the mutation audit traces lines)
        return mask
    return np.concatenate([mask, np.zeros(mask.shape[:-1] + (cols,), mask.dtype)], axis=-1)
