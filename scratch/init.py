r"""Weight initializers with torch.nn.init's names and semantics, drawing from an explicit numpy Generator.

Every function fills its array IN PLACE and returns it (a :class:`scratch.nn.Parameter` is filled through its
``.data``). Random ones take ``rng: np.random.Generator`` (a fresh unseeded generator if None). torch's random
stream cannot be reproduced in numpy, so these agree with torch.nn.init in DISTRIBUTION (tests compare
moments, support and a two-sample Kolmogorov-Smirnov statistic against torch's own samples).

Fans (torch's ``_calculate_fan_in_and_fan_out``): for a weight of shape ``(out, in, *kernel)``,
``fan_in = in * prod(kernel)`` and ``fan_out = out * prod(kernel)``; a Linear weight is ``(out, in)``.
Tensors with fewer than 2 dimensions have no fans (ValueError, as torch).

.. code-block:: text

    xavier_uniform_:  U(-a, a),   a   = gain * sqrt(6 / (fan_in + fan_out))
    xavier_normal_:   N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))
    kaiming_uniform_: U(-b, b),   b   = gain * sqrt(3 / fan),   fan = fan_in or fan_out (mode)
    kaiming_normal_:  N(0, std^2), std = gain / sqrt(fan)        gain = calculate_gain(nonlinearity, a)

Note ``std = sqrt(2 / n)``, i.e. ``(2 / n) ** 0.5`` -- not ``(2 / n) ** 1 / 2``, which is ``1 / n``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from scratch.nn.module import Parameter

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (torch's table).

    linear / conv* / sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu: sqrt(2 / (1 + slope^2)) with
    ``slope = param`` (0.01 if None; must be an int or float, not a bool); selu: 3/4.
    Raises: ValueError for another nonlinearity or a non-number slope (torch's messages).
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _array(tensor) -> np.ndarray:
    arr = tensor.data if isinstance(tensor, Parameter) else tensor
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected a numpy.ndarray or Parameter, got {type(tensor).__name__}")
    if arr.dtype.kind != "f":
        raise NotImplementedError(f"initializers fill floating point arrays, got dtype {arr.dtype}")
    return arr


def _fill(tensor, values):
    arr = _array(tensor)
    arr[...] = np.asarray(values).astype(arr.dtype, copy=False).reshape(arr.shape)
    return tensor


def _rng(rng: np.random.Generator | None) -> np.random.Generator:
    return rng if rng is not None else np.random.default_rng()


def _calculate_fan_in_and_fan_out(tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight ``(out, in, *kernel)``; ValueError below 2 dimensions (torch's message)."""
    shape = np.shape(tensor.data if isinstance(tensor, Parameter) else tensor)
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field_size = math.prod(shape[2:])
    return shape[1] * receptive_field_size, shape[0] * receptive_field_size


def _calculate_correct_fan(tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a: float = 0.0, b: float = 1.0, *, rng: np.random.Generator | None = None):
    """Fill with U(a, b). Raises RuntimeError if a > b (torch's message)."""
    arr = _array(tensor)
    if a > b:  # torch formats the numbers in C++ (like %g): "from=1 > to=0"
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}")
    return _fill(tensor, _rng(rng).uniform(a, b, arr.shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0, *, rng: np.random.Generator | None = None):
    """Fill with N(mean, std^2). Raises RuntimeError if std < 0 (torch's message)."""
    arr = _array(tensor)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    return _fill(tensor, _rng(rng).normal(mean, std, arr.shape))


def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, *,
                  rng: np.random.Generator | None = None):
    """Fill with N(mean, std^2) truncated to [a, b] (torch's algorithm: exact rejection sampling).

    If the interval holds more than 30% of the mass, out-of-range normal draws are redrawn; otherwise uniform
    proposals on [a, b] are accepted with probability exp(-((x-mean)/std)^2/2 - log_peak). Warns, as torch,
    when the mean is more than 2 std outside [a, b]. Loops over rejection ROUNDS, never over elements.
    """
    arr = _array(tensor)
    gen = _rng(rng)
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values "
                      "may be incorrect.", stacklevel=2)

    def cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    lo, hi = float(np.asarray(a, arr.dtype)), float(np.asarray(b, arr.dtype))  # the bounds in the array dtype
    if cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3:
        out = gen.normal(mean, std, arr.shape).astype(arr.dtype)
        bad = (out < lo) | (out > hi)
        while bad.any():
            out[bad] = gen.normal(mean, std, int(bad.sum())).astype(arr.dtype)
            bad = (out < lo) | (out > hi)
    else:
        log_peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2
        out = np.empty(arr.shape, np.float64)
        pending = np.ones(arr.shape, bool)
        while pending.any():
            n = int(pending.sum())
            x = gen.uniform(a, b, n)
            accept = np.log(gen.uniform(0.0, 1.0, n)) <= -0.5 * ((x - mean) / std) ** 2 - log_peak
            idx = np.flatnonzero(pending)[accept]
            out.flat[idx] = x[accept]
            pending.flat[idx] = False
    return _fill(tensor, out)


def constant_(tensor, val: float):
    """Fill with ``val``."""
    return _fill(tensor, np.full(_array(tensor).shape, val))


def ones_(tensor):
    """Fill with 1."""
    return constant_(tensor, 1.0)


def zeros_(tensor):
    """Fill with 0."""
    return constant_(tensor, 0.0)


def eye_(tensor):
    """The identity matrix (ones on the main diagonal of a 2-D, possibly rectangular, array).

    Raises: ValueError unless the array is 2-D (torch's message).
    """
    arr = _array(tensor)
    if arr.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*arr.shape))


def xavier_uniform_(tensor, gain: float = 1.0, *, rng: np.random.Generator | None = None):
    """Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)) (torch computes sqrt(3) * std)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, rng=rng)


def xavier_normal_(tensor, gain: float = 1.0, *, rng: np.random.Generator | None = None):
    """Glorot normal: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, rng=rng)


def _kaiming_std(tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    if 0 in np.shape(_array(tensor)):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", *,
                     rng: np.random.Generator | None = None):
    """He uniform: U(-b, b), b = gain * sqrt(3 / fan).

    Args: a (negative slope for leaky_relu's gain), mode ('fan_in' keeps forward variance, 'fan_out'
    backward; case-insensitive), nonlinearity (see :func:`calculate_gain`). Zero-element arrays: a warning
    and no-op (as torch). Raises ValueError for an unknown mode or nonlinearity.
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, rng=rng)


def kaiming_normal_(tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", *,
                    rng: np.random.Generator | None = None):
    """He normal: N(0, std^2), std = gain / sqrt(fan). Arguments as :func:`kaiming_uniform_`."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, rng=rng)


def orthogonal_(tensor, gain: float = 1, *, rng: np.random.Generator | None = None):
    """A (semi-)orthogonal matrix times ``gain``: QR of a standard normal (rows, numel/rows) matrix, with Q's
    columns signed by diag(R) so the result is Haar-distributed; trailing dims are flattened.

    Raises: ValueError below 2 dimensions (torch's message). Zero-element arrays are returned unchanged.
    """
    arr = _array(tensor)
    if arr.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if arr.size == 0:
        return tensor
    rows = arr.shape[0]
    cols = arr.size // rows
    flat = _rng(rng).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, q * gain)


__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_"]
