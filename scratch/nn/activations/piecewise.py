"""Piecewise activations: ReLU, LeakyReLU, PReLU, RReLU, Hardtanh, ReLU6, Hardsigmoid, Hardswish, Hardshrink,
Softshrink, Threshold.

They compute in the input's dtype with torch's operations, order and constants (bit for bit); scalar arguments
are converted to the input's dtype first, as torch converts them (a float32 input compares with float32(0.1)).
Gradients at kinks follow torch exactly: relu'(0) = 0, leaky_relu'(0) = negative_slope, prelu'(0) = a,
rrelu'(0) = its slope, hardtanh' = 0 at min_val and max_val, relu6' = 0 at 0 and 6, hardsigmoid'(+-3) = 0,
hardswish'(-3) = 0 and hardswish'(3) = 1, hardshrink' = softshrink' = 0 at +-lambd, threshold'(threshold) = 0.
At a NaN input torch's gradient depends on its SIMD path for several of them (docs/torch_facts.md section 3);
scratch follows its scalar path: the comparisons as written, all false at NaN.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..base import CachedModule
from ..module import Parameter, check_float_dtype, check_input
from ._common import _any_real_input, _float_input, _scalar

__all__ = ["ReLU", "LeakyReLU", "PReLU", "RReLU", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "Hardshrink",
           "Softshrink", "Threshold"]


class ReLU(CachedModule):
    """ReLU(x) = max(0, x).   Gradient: 1 where x > 0, else 0 (relu'(0) = 0, as torch).   Shape: any."""

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        if not (isinstance(x, np.ndarray) and x.dtype.kind in "iu"):  # relu keeps integer tensors, as torch
            x = check_input(x)
        # torch's backward zeroes the gradient where x <= 0, so a NaN input passes its gradient through
        return self._save(np.maximum(x, 0).astype(x.dtype, copy=False), ~(x <= 0))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, positive = self._saved(dy)
        return dy * positive


class LeakyReLU(CachedModule):
    """LeakyReLU(x) = x if x > 0 else negative_slope * x.

    Args: negative_slope (float, default 0.01).   Gradient: 1 for x > 0, negative_slope for x <= 0.
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "leaky_relu")
        slope = np.where(x > 0, 1, self.negative_slope).astype(x.dtype)
        return self._save(x * slope, slope)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, slope = self._saved(dy)
        return dy * slope

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(CachedModule):
    """PReLU(x) = x if x > 0 else a * x, with a learned slope a: one for every channel, or one per channel.

    Args: num_parameters (int, default 1): 1, or the number of channels C (dim 1 of the input; an input of rank
    < 2 has one channel); init (float, default 0.25): the initial slope; dtype (default np.float32).
    Shape: any; with num_parameters != 1 (0 included: channels of size 0), (N, C, *). weight (num_parameters,).
    Gradient: dx = dy where x > 0, else a dy (prelu'(0) = a; NaN takes the a branch, as torch);
    da = sum of x dy over the elements with x <= 0 (per channel).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype=np.float32) -> None:
        super().__init__()
        if num_parameters < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {num_parameters}: "
                               f"[{num_parameters}]")
        self.num_parameters, self.init = int(num_parameters), init
        self.weight = Parameter(np.full(num_parameters, init, check_float_dtype(dtype)))

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = check_input(input) if input.dtype.kind == "f" else input
        if x.dtype != self.weight.dtype:
            raise RuntimeError(f"prelu: Type promoting not supported. Got {x.dtype} and {self.weight.dtype}")
        channels = x.shape[1] if x.ndim >= 2 else 1
        if self.num_parameters not in (1, channels):
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{self.num_parameters} and channel size = {channels}.")
        shape = (1, -1) + (1,) * (x.ndim - 2) if self.num_parameters != 1 else ()  # 0: an empty channel dim
        a = self.weight.data.reshape(shape)
        positive = x > 0
        return self._save(np.where(positive, x, a * x), positive, np.where(positive, 0, x), a)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, positive, x_neg, a = self._saved(dy)
        axes = tuple(i for i in range(dy.ndim) if not (self.num_parameters != 1 and i == 1))
        self.weight.accumulate(np.sum(dy * x_neg, axis=axes).reshape(self.num_parameters))
        return np.where(positive, dy, a * dy)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class _Masked(CachedModule):
    """A block whose gradient is dy where the saved mask is True and 0 elsewhere (0, not dy * 0: an infinite
    cotangent there gives 0, as torch's where-style backward kernels do)."""

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, passes = self._saved(dy)
        return np.where(passes, dy, 0)


class RReLU(CachedModule):
    """RReLU(x) = x if x > 0 else a * x, with a ~ U(lower, upper) drawn per element in training and
    a = (lower + upper) / 2 in eval (then it is LeakyReLU((lower + upper) / 2)).

    Args: lower (float, default 1/8), upper (float, default 1/3): finite and lower <= upper, else RuntimeError at
    call (in eval too), as torch; inplace (bool, default False: accepted for torch's signature, the output is
    always a new array); rng (np.random.Generator, optional): the source of the training slopes (a fresh unseeded
    one if None).
    Draws: at each training forward ONE call ``rng.uniform(lower, upper, x.shape)``, rounded to the input's dtype
    (torch rounds its double draw to the dtype too) and used where x <= 0; the twin makes the same call from an
    identically seeded generator and applies those slopes in torch (torch itself draws one number per non-positive
    element from its own generator, a stream numpy cannot replay).
    Shape: any. Gradient: the slope the forward used: 1 where x > 0, a where x <= 0 (rrelu'(0) = a in both modes).
    At NaN the modes differ, as torch's: training passes dy (its kernel tests x <= 0), eval gives a dy (leaky_relu
    tests x > 0).
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, input: np.ndarray) -> np.ndarray:
        for name, bound in (("lower", self.lower), ("upper", self.upper)):
            if not math.isfinite(bound):
                raise RuntimeError(f"rrelu: {name} bound must be finite, got {bound}")
        if self.lower > self.upper:
            raise RuntimeError("Lower bound should be less than or equal to the upper bound")
        x = _float_input(input, "rrelu_with_noise_out_cpu" if self.training else "leaky_relu_cpu")
        if self.training:
            _scalar(self.lower, x.dtype), _scalar(self.upper, x.dtype)  # a float32 overflow raises, as torch
            drawn = np.asarray(self.rng.uniform(self.lower, self.upper, x.shape)).astype(x.dtype)
            slope = np.where(x <= 0, drawn, np.ones((), x.dtype))
        else:
            slope = np.where(x > 0, np.ones((), x.dtype), _scalar((self.lower + self.upper) / 2, x.dtype))
        return self._save(x * slope, slope)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, slope = self._saved(dy)
        return dy * slope

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


class Hardtanh(_Masked):
    """Hardtanh(x) = min(max(x, min_val), max_val) (torch's clamp: NaN stays NaN).

    Args: min_val (float, default -1.0), max_val (float, default 1.0): max_val <= min_val is an AssertionError at
    construction, as torch; inplace (bool, default False: accepted for torch's signature); min_value, max_value:
    torch's deprecated names of the limits (FutureWarning).
    Shape: any. Integer input is clamped in its own dtype with the limits truncated toward zero (torch converts
    them so: Hardtanh(-0.7, 1.3) clamps an int64 input to [0, 1]); bool input is a RuntimeError.
    Gradient: 1 for min_val < x < max_val, else 0 (hardtanh'(min_val) = hardtanh'(max_val) = 0; NaN passes dy).
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        for old, new in (("min_value", min_value), ("max_value", max_value)):
            if new is not None:
                warnings.warn(f"keyword argument `{old}` is deprecated and renamed to `{old[:3]}_val`", FutureWarning,
                              stacklevel=2)
        min_val = min_val if min_value is None else min_value
        max_val = max_val if max_value is None else max_value
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})")

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _any_real_input(input, RuntimeError("Bool inputs not supported for hardtanh"))
        lo, hi = _scalar(self.min_val, x.dtype), _scalar(self.max_val, x.dtype)
        return self._save(np.minimum(np.maximum(x, lo), hi), ~((x <= lo) | (x >= hi)))

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """ReLU6(x) = min(max(0, x), 6), i.e. Hardtanh(0, 6) (integer input too).

    Args: inplace (bool, default False: accepted for torch's signature). Shape: any.
    Gradient: 1 for 0 < x < 6, else 0 (relu6'(0) = relu6'(6) = 0; NaN passes dy).
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


# torch's hardsigmoid backward multiplies by this float32 constant in every dtype (float64 included).
_ONE_SIXTH_F32 = float(np.float32(1.0 / 6.0))  # 0.1666666716337204, 3e-8 above 1/6


class Hardsigmoid(CachedModule):
    """Hardsigmoid(x) = 0 if x <= -3, 1 if x >= 3, else x / 6 + 1 / 2, computed as min(max(x + 3, 0), 6) / 6.

    Args: inplace (bool, default False: accepted for torch's signature). Shape: any.
    Gradient: 1/6 for -3 < x < 3, else 0 (hardsigmoid'(+-3) = 0, and 0 at NaN). TRAP: torch's backward multiplies
    by float32(1/6) = 0.1666666716337204 in float64 too; scratch uses that constant.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "hardsigmoid_cpu")
        return self._save(np.minimum(np.maximum(x + 3, 0), 6) / 6, (x > -3) & (x < 3))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, inside = self._saved(dy)
        return np.where(inside, dy * _ONE_SIXTH_F32, 0)


class Hardswish(CachedModule):
    """Hardswish(x) = x * min(max(x + 3, 0), 6) / 6: 0 for x <= -3, x for x >= 3 (NaN at -inf: -inf * 0).

    Args: inplace (bool, default False: accepted for torch's signature). Shape: any.
    Gradient: 0 for x <= -3, x / 3 + 1/2 for -3 < x < 3, 1 for x >= 3: hardswish'(-3) = 0 and hardswish'(3) = 1,
    torch's choice at both kinks (the left limit at 3 would be 1.5); NaN passes dy.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "hardswish_cpu")
        with np.errstate(invalid="ignore"):  # -inf * 0 = NaN, torch's result
            y = x * np.minimum(np.maximum(x + 3, 0), 6) / 6
        return self._save(y, np.where(x <= -3, 0, np.where(x < 3, x / 3 + 0.5, 1)).astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx


class Hardshrink(_Masked):
    """Hardshrink(x) = x if |x| > lambd, else 0.

    Args: lambd (float, default 0.5; a negative lambd shrinks nothing, as torch). Shape: any.
    Gradient: 1 for |x| > lambd, 0 on [-lambd, lambd] (hardshrink'(+-lambd) = 0; NaN passes dy).
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "hardshrink_cpu")
        lambd = _scalar(self.lambd, x.dtype)
        shrunk = (x >= -lambd) & (x <= lambd)
        return self._save(np.where(shrunk, np.zeros((), x.dtype), x), ~shrunk)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(_Masked):
    """Softshrink(x) = x - lambd if x > lambd, x + lambd if x < -lambd, else 0 (torch's x * 0: -0 and NaN kept).

    Args: lambd (float, default 0.5): in [0, the dtype's largest value], else RuntimeError at call, as torch.
    Shape: any. Gradient: 1 for |x| > lambd, 0 on [-lambd, lambd] (softshrink'(+-lambd) = 0; NaN passes dy).
    """

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "softshrink_check")
        top = float(np.finfo(x.dtype).max)
        if not 0 <= self.lambd <= top:  # NaN fails too
            raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype "
                               f"{'Float' if x.dtype == np.float32 else 'Double'}, but found {self.lambd:g}")
        lambd = np.asarray(self.lambd, x.dtype)
        with np.errstate(invalid="ignore"):  # x * 0 at +-inf is NaN in the branch np.where discards
            y = np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, x * 0))
        return self._save(y, ~((x >= -lambd) & (x <= lambd)))

    def extra_repr(self) -> str:
        return str(self.lambd)


class Threshold(_Masked):
    """Threshold(x) = x if x > threshold, else value.

    Args: threshold (float), value (float), inplace (bool, default False: accepted for torch's signature).
    Shape: any. Integer input keeps its dtype, with threshold and value truncated toward zero (torch converts them
    so: Threshold(-1.5, -2.5) maps int x <= -1 to -2); bool input is NotImplementedError.
    Gradient: 1 for x > threshold, else 0 (threshold'(threshold) = 0; NaN passes dy, x <= threshold being false).
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _any_real_input(input, NotImplementedError('"threshold_cpu" not implemented for \'Bool\''))
        threshold, value = _scalar(self.threshold, x.dtype), _scalar(self.value, x.dtype)
        below = x <= threshold
        return self._save(np.where(below, value, x), ~below)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")
