"""Helpers shared by the activations family (input checks, the float64 working copy).

Outputs and gradients are in the input's dtype (float32 or float64). For float32 input the transcendental parts
(tanh, exp, erf, log) and the local derivative are evaluated in float64 and rounded once: numpy's float32 tanh is
~1 ulp off where torch's is ~0.5 ulp, and near saturation ``1 - y^2`` magnifies that ulp a hundredfold. Rounding
once makes scratch at least as accurate as torch, so the two differ by torch's own float32 error at most.
Piecewise-linear blocks compute in the input's dtype with torch's own operations and constants (bit for bit).
"""

from __future__ import annotations

import math

import numpy as np

from ..module import check_input


def _float_input(x: np.ndarray, op: str) -> np.ndarray:
    """torch has no integer kernel for these ops and raises NotImplementedError."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "iub":
        raise NotImplementedError(f'"{op}" not implemented for integer input (got {x.dtype})')
    return check_input(x)


def _hi(x: np.ndarray) -> np.ndarray:
    """float64 working copy (no copy for float64 input)."""
    return x.astype(np.float64, copy=False)


def _promote_int(x: np.ndarray) -> np.ndarray:
    """sigmoid/tanh of an integer tensor is a float32 tensor in torch (its default float dtype)."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "iub":
        return x.astype(np.float32)
    return check_input(x)


def _any_real_input(x: np.ndarray, bool_error: Exception) -> np.ndarray:
    """Blocks torch also runs on integer tensors (the clamps Hardtanh, ReLU6 and Threshold): integers pass and
    keep their dtype, bool raises torch's error for it, anything else must be a float array."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "iu":
        return x
    if isinstance(x, np.ndarray) and x.dtype.kind == "b":
        raise bool_error
    return check_input(x)


_CTYPES = {"float32": "float", "float64": "double", "int64": "int64_t", "int32": "int", "int16": "int16_t",
           "int8": "int8_t", "uint8": "uint8_t"}


def _scalar(value: float, dtype: np.dtype) -> np.ndarray:
    """``value`` converted to the input's dtype as torch converts a Scalar argument, as a 0-d array (so that
    arithmetic stays in that dtype): rounded for floats, where a finite value beyond the dtype's range is a
    RuntimeError (inf and NaN pass); truncated toward zero for integers (-0.7 -> 0), where NaN, inf or a value out
    of range is a RuntimeError."""
    dt = np.dtype(dtype)
    v = value if isinstance(value, int) else float(value)
    if dt.kind == "f":
        # compared as Python floats: against a float32 scalar, v would be rounded first (NEP 50), and the doubles
        # just above float32's maximum, which torch refuses, would round to it and pass
        ok, converted = not math.isfinite(v) or abs(v) <= float(np.finfo(dt).max), v
    else:
        info = np.iinfo(dt)
        ok = math.isfinite(v) and info.min <= math.trunc(v) <= info.max
        converted = math.trunc(v) if ok else 0
    if not ok:
        raise RuntimeError(f"value cannot be converted to type {_CTYPES.get(dt.name, dt.name)} without overflow")
    return np.asarray(converted, dt)
