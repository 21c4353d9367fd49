"""dtype rules shared by the Tensor constructor and the ops: torch's inference and type promotion."""

from __future__ import annotations

from typing import Any

import numpy as np

DEFAULT_FLOAT = np.dtype(np.float32)  # torch.get_default_dtype(): Python floats and lists become float32


def infer_array(data: Any, dtype: Any) -> np.ndarray:
    """torch.tensor's dtype inference: Python floats -> float32, ints -> int64, bools -> bool; NumPy keeps."""
    if dtype is not None:
        return np.array(data, dtype=dtype)
    if isinstance(data, (np.ndarray, np.generic)):
        arr = np.array(data)
    else:
        arr = np.array(data)
        if arr.dtype.kind == "f" and not _holds_numpy_floats(data):
            arr = arr.astype(DEFAULT_FLOAT)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Tensor supports bool, integer and floating dtypes, got {arr.dtype} from {type(data)}")
    return arr


def _holds_numpy_floats(data: Any) -> bool:
    """torch.tensor([np.float64(1.)]) is float64: NumPy float scalars inside lists keep their dtype."""
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return isinstance(data, (np.floating, np.ndarray))


def _promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """torch.promote_types for bool/int/float: a float beats any integer (int64 + float32 -> float32)."""
    if (a.kind == "f") != (b.kind == "f"):
        return a if a.kind == "f" else b
    return np.promote_types(a, b)


def result_dtype(*operands: Any) -> np.dtype:
    """torch.result_type of Tensors, NumPy arrays and Python/NumPy scalars.

    Dimensioned tensors > 0-d tensors > scalars: a lower group only counts when its category (bool < integer <
    float) is higher. Python floats count as the default dtype, so float32 (3,) + 2.5 -> float32, int64 + 2.5 ->
    float32, float32 (3,) + float64 0-d -> float32, float32 (3,) + float64 (3,) -> float64 (checked against torch).
    """
    groups: list[np.dtype | None] = [None, None, None]  # dimensioned, zero-dim, wrapped Python scalars
    for op in operands:
        arr = op if isinstance(op, np.ndarray) else getattr(op, "data", None)  # a Tensor holds its array in .data
        if isinstance(arr, np.ndarray):
            k, dt = (0 if arr.ndim else 1), arr.dtype
        else:
            k = 2
            dt = np.dtype(bool) if isinstance(op, (bool, np.bool_)) else (
                np.dtype(np.int64) if isinstance(op, (int, np.integer)) else DEFAULT_FLOAT)
        groups[k] = dt if groups[k] is None else _promote(groups[k], dt)

    def cat(d: np.dtype) -> int:
        return {"b": 0, "i": 1, "u": 1, "f": 2}[d.kind]

    def combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
        if higher is None:
            return lower
        if lower is None or cat(higher) >= cat(lower):
            return higher
        return _promote(higher, lower)

    out = combine(groups[0], combine(groups[1], groups[2]))
    assert out is not None
    return out
