"""Helpers shared by the activations family (input checks, the float64 working copy).

Outputs and gradients are in the input's dtype (float32 or float64). For float32 input the transcendental parts
(tanh, exp, erf, log) and the local derivative are evaluated in float64 and rounded once: numpy's float32 tanh is
~1 ulp off where torch's is ~0.5 ulp, and near saturation ``1 - y^2`` magnifies that ulp a hundredfold. Rounding
once makes scratch at least as accurate as torch, so the two differ by torch's own float32 error at most.
Piecewise-linear blocks compute in the input's dtype with torch's own operations and constants (bit for bit).
"""

from __future__ import annotations

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
