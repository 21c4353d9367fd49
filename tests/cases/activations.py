"""Catalog entries: the activations (elementwise, and (log-)softmax along a dim)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.cases._common import call_on_zeros
from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import floats, shapes, with_kinks
from tests.tolerances import Tol


def _bad_common(shape: tuple[int, ...], nonfinite_reason: str = "", nan_reason: str = "",
                inf_shape: tuple[int, ...] = (20,)) -> tuple[BadInput, ...]:
    """Bad inputs every elementwise block must treat as torch does. ``nonfinite_reason``: compare the NaN and inf
    inputs at finite positions only; ``nan_reason``: the NaN input only (torch's inf results are path-independent
    there); ``inf_shape``: the shape of the 20 values of the inf input."""
    return (
        BadInput("nan", lambda rng, dt: (np.where(rng.random(shape) < 0.3, np.nan, rng.standard_normal(shape))
                                         .astype(dt),), nonfinite_reason or nan_reason),
        BadInput("inf", lambda rng, dt: (np.array([np.inf, -np.inf, 0.5, -0.5, 0.0] * 4, dt).reshape(inf_shape),),
                 nonfinite_reason),
        BadInput("empty", lambda rng, dt: (np.zeros((0,) + shape[1:], dt),)),
        BadInput("int64", lambda rng, dt: (rng.integers(-3, 3, shape),)),
        BadInput("0-d", lambda rng, dt: (np.asarray(0.7, dt),)),
    )


_ZERO_D = BadInput("0-d input (dims -1 and 0 only)", lambda rng, dt: (np.asarray(0.7, dt),))
# the blocks that keep integer inputs still refuse bool (RuntimeError, Threshold's NotImplementedError)
_BOOL = BadInput("bool", lambda rng, dt: (rng.random((3, 4)) < 0.5,))


def act(name: str, make, kinks=(), low=-3.0, high=3.0, min_dims=1, nonfinite_reason="", nan_reason="",
        **kw) -> Case:
    """An elementwise activation: any shape, kink-free samples for FD, planted kinks compared with torch."""
    shape = (5, 7)
    bad = _bad_common(shape, nonfinite_reason, nan_reason) + kw.pop("bad_inputs", ())
    return Case(name, make, floats(low, high, kinks), shape, shapes=shapes(min_dims, 4),
                kinks=with_kinks(kinks) if kinks else None, bad_inputs=bad, **kw)


# Measured on torch 2.13 CPU: ELU's gradient at NaN is the upstream gradient on the scalar path and NaN on the
# vectorized one (float64 from 16 elements, float32 from 35); GELU(+inf) is NaN in float32 and inf in float64.
_SIMD_NAN = "torch's result at NaN/inf depends on its SIMD path (array length, dtype)"
# Measured likewise: CELU, SELU, Hardswish (NaN gradient vectorized, dy scalar), Hardtanh, ReLU6, Hardshrink and
# Softshrink (0 vectorized, dy scalar) at a NaN input, float64 from 8 elements, float32 from 16; inf is not affected.
_SIMD_NAN_ONLY = "torch's gradient at a NaN input depends on its SIMD path (array length, dtype)"
# The float64 twin computes the same expression (measured worst 2e-16 relative): tight enough that torch's float32
# constants in float64 (CELU's 1/float32(alpha), 1.7e-8 at alpha 0.7; Hardsigmoid's float32(1/6), 3e-8) and a
# SELU constant wrong in its 9th digit fail, where the default rtol 1e-7 would pass them.
_SAME64 = {f"{check}:float64": Tol(1e-13, 1e-15, "float64: the same expression as torch's, constants included")
           for check in ("forward", "grad")}


# RReLU draws its training slopes from its generator: each entry builds it with a FRESH generator of a fixed seed,
# not the Lib's rng, because generic checks build the two twins with different Lib seeds where they must still
# agree (as tests/cases/dropout.py does for masks).
SLOPE_SEED = 20261214


def _slopes() -> np.random.Generator:
    return np.random.default_rng(SLOPE_SEED)


def _f32(lib_block):
    """Calls the block on float32 zeros: torch converts scalar arguments to the input's dtype and raises on an
    overflow (1e39 does not fit a float32)."""
    return lib_block(np.zeros(3, np.float32))


def _even(axis: int):
    """Hypothesis shapes with an even size along ``axis`` (GLU halves it)."""
    def fix(s: tuple[int, ...]) -> tuple[int, ...]:
        s = list(s)
        s[axis] *= 2
        return tuple(s)
    return shapes(1, 4).map(fix)


def _glu(name: str, dim: int, shape: tuple[int, ...]) -> Case:
    odd = tuple(n + 1 if i == dim % len(shape) else n for i, n in enumerate(shape))
    return Case(name, lambda lib: lib.GLU(dim), floats(-6, 6), shape, shapes=_even(dim),
                bad_inputs=_bad_common(shape) + (BadInput("odd halving dim", lambda rng, dt: (np.ones(odd, dt),)),),
                bad_args=(BadArgs("dim out of range", lambda lib: call_on_zeros(lib.GLU(dim=2), (2, 4))),))


def _softmax2d(name: str, shape: tuple[int, ...]) -> Case:
    channels_first = (1, 5, 2, 2) if len(shape) == 4 else (5, 2, 2)  # the inf input's 20 values, 5 channels
    ranks = tuple(BadInput(f"{n}-d", lambda rng, dt, n=n: (np.ones((2, 3, 2, 2, 2)[:n], dt),)) for n in (1, 2, 5))
    other = (2, 3, 4, 2)[len(shape) - 3:]  # the other rank it takes (dim -3 is dim 0 of a 3-d input)
    ranks += (BadInput(f"{len(other)}-d", lambda rng, dt: (rng.standard_normal(other).astype(dt),)),)
    return Case(name, lambda lib: lib.Softmax2d(), floats(), shape, shapes=shapes(len(shape), len(shape)),
                bad_inputs=_bad_common(shape, inf_shape=channels_first) + ranks)
CASES: list[Case] = [
    act("relu", lambda lib: lib.ReLU(), kinks=(0.0,), bad_inputs=(_BOOL,)),
    act("leaky_relu", lambda lib: lib.LeakyReLU(0.2), kinks=(0.0,)),
    act("leaky_relu_default", lambda lib: lib.LeakyReLU(), kinks=(0.0,)),
    act("elu", lambda lib: lib.ELU(), kinks=(0.0,), nonfinite_reason=_SIMD_NAN),
    act("elu_alpha", lambda lib: lib.ELU(alpha=0.5), kinks=(0.0,), nonfinite_reason=_SIMD_NAN),
    act("sigmoid", lambda lib: lib.Sigmoid(), low=-8, high=8),
    act("tanh", lambda lib: lib.Tanh()),
    act("gelu", lambda lib: lib.GELU(), low=-6, high=6, nonfinite_reason=_SIMD_NAN,
        bad_args=(BadArgs("approximate='foo'", lambda lib: call_on_zeros(lib.GELU(approximate="foo"), (3,))),)),
    act("gelu_tanh", lambda lib: lib.GELU(approximate="tanh"), low=-6, high=6, nonfinite_reason=_SIMD_NAN),
    act("softplus", lambda lib: lib.Softplus(), low=-30, high=30, kinks=(20.0,)),
    act("softplus_beta", lambda lib: lib.Softplus(beta=2.0, threshold=5.0), low=-6, high=6, kinks=(2.5,)),
    # dims just outside [-ndim, ndim - 1], and a 0-d input (range [-1, 0]): the mutation audit found the bounds
    # unchecked when the bad dims were 2 beyond the range
    act("softmax", lambda lib: lib.Softmax(dim=1), min_dims=2, bad_inputs=(_ZERO_D,),
        bad_args=(BadArgs("dim = ndim", lambda lib: call_on_zeros(lib.Softmax(dim=2), (2, 3))),)),
    act("softmax_last", lambda lib: lib.Softmax(dim=-1), bad_inputs=(_ZERO_D,)),
    act("softmax_dim0", lambda lib: lib.Softmax(dim=0), bad_inputs=(_ZERO_D,)),
    act("log_softmax", lambda lib: lib.LogSoftmax(dim=1), min_dims=2,
        bad_args=(BadArgs("dim = -ndim - 1", lambda lib: call_on_zeros(lib.LogSoftmax(dim=-3), (2, 3))),)),
    act("log_softmax_last", lambda lib: lib.LogSoftmax(dim=-1)),
    act("silu", lambda lib: lib.SiLU(), low=-8, high=8),
    act("prelu", lambda lib: lib.PReLU(), kinks=(0.0,)),
    Case("prelu_channels", lambda lib: lib.PReLU(3, init=0.1), floats(kinks=(0.0,)), (4, 3, 5),
         shapes=st.tuples(st.integers(1, 4), st.just(3)).map(tuple), kinks=with_kinks((0.0,)),
         bad_inputs=(BadInput("channels differ", lambda rng, dt: (np.ones((2, 4), dt),)),
                     BadInput("1-d input", lambda rng, dt: (np.ones(3, dt),))),
         bad_args=(BadArgs("negative num_parameters", lambda lib: lib.PReLU(-1)),)),
    act("celu", lambda lib: lib.CELU(), kinks=(0.0,), nan_reason=_SIMD_NAN_ONLY),
    act("celu_alpha", lambda lib: lib.CELU(alpha=0.7), kinks=(0.0,), nan_reason=_SIMD_NAN_ONLY, tol=_SAME64,
        bad_args=(BadArgs("alpha = 0", lambda lib: call_on_zeros(lib.CELU(0.0), (3,))),
                  BadArgs("1/alpha overflows float32", lambda lib: _f32(lib.CELU(1e-50))))),
    act("selu", lambda lib: lib.SELU(), kinks=(0.0,), nan_reason=_SIMD_NAN_ONLY, tol=_SAME64),
    _glu("glu", -1, (4, 6)),
    _glu("glu_dim0", 0, (4, 3)),
    act("hardshrink", lambda lib: lib.Hardshrink(), kinks=(-0.5, 0.5), nan_reason=_SIMD_NAN_ONLY),
    act("hardshrink_lambd", lambda lib: lib.Hardshrink(0.3), kinks=(-0.3, 0.3), nan_reason=_SIMD_NAN_ONLY,
        bad_args=(BadArgs("lambd overflows float32", lambda lib: _f32(lib.Hardshrink(1e39))),)),
    act("hardsigmoid", lambda lib: lib.Hardsigmoid(), kinks=(-3.0, 3.0), low=-5, high=5, tol=_SAME64),
    act("hardswish", lambda lib: lib.Hardswish(), kinks=(-3.0, 3.0), low=-5, high=5, nan_reason=_SIMD_NAN_ONLY,
        tol=_SAME64),
    act("hardtanh", lambda lib: lib.Hardtanh(), kinks=(-1.0, 1.0), nan_reason=_SIMD_NAN_ONLY, bad_inputs=(_BOOL,),
        bad_args=(BadArgs("min_val == max_val", lambda lib: lib.Hardtanh(1.0, 1.0)),)),
    act("hardtanh_range", lambda lib: lib.Hardtanh(-0.7, 1.3), kinks=(-0.7, 1.3), nan_reason=_SIMD_NAN_ONLY,
        bad_inputs=(_BOOL,),
        bad_args=(BadArgs("min_val > max_val", lambda lib: lib.Hardtanh(1.0, -1.0)),
                  BadArgs("min_val == max_val", lambda lib: lib.Hardtanh(0.5, 0.5)),
                  BadArgs("limit overflows int64", lambda lib: lib.Hardtanh(-1e30, 1.0)(np.zeros(3, np.int64))))),
    act("relu6", lambda lib: lib.ReLU6(), kinks=(0.0, 6.0), low=-2, high=8, nan_reason=_SIMD_NAN_ONLY,
        bad_inputs=(_BOOL,)),
    act("logsigmoid", lambda lib: lib.LogSigmoid(), low=-8, high=8),
    act("mish", lambda lib: lib.Mish(), low=-8, high=8),
    act("rrelu", lambda lib: lib.RReLU(0.1, 0.3, rng=_slopes()), kinks=(0.0,), fd=False, train_steps=3,
        bad_args=(BadArgs("lower > upper", lambda lib: call_on_zeros(lib.RReLU(0.5, 0.1), (3,))),
                  BadArgs("lower > upper (eval)", lambda lib: call_on_zeros(lib.RReLU(0.5, 0.1).eval(), (3,))),
                  BadArgs("upper not finite", lambda lib: call_on_zeros(lib.RReLU(0.1, float("inf")), (3,))))),
    act("rrelu_default", lambda lib: lib.RReLU(rng=_slopes()), fd=False),
    # lower == upper: every drawn slope is 0.2, so the training forward is a fixed function and FD applies
    act("rrelu_fixed", lambda lib: lib.RReLU(0.2, 0.2, rng=_slopes()), kinks=(0.0,)),
    act("softmin", lambda lib: lib.Softmin(dim=1), min_dims=2,
        bad_args=(BadArgs("dim out of range", lambda lib: call_on_zeros(lib.Softmin(dim=3), (2, 3))),)),
    act("softmin_last", lambda lib: lib.Softmin(dim=-1)),
    _softmax2d("softmax2d", (2, 3, 4, 4)),
    _softmax2d("softmax2d_3d", (3, 4, 5)),
    act("softshrink", lambda lib: lib.Softshrink(), kinks=(-0.5, 0.5), nan_reason=_SIMD_NAN_ONLY),
    act("softshrink_lambd", lambda lib: lib.Softshrink(0.3), kinks=(-0.3, 0.3), nan_reason=_SIMD_NAN_ONLY,
        bad_args=(BadArgs("lambd < 0", lambda lib: call_on_zeros(lib.Softshrink(-0.5), (3,))),
                  BadArgs("lambd NaN", lambda lib: call_on_zeros(lib.Softshrink(float("nan")), (3,))),
                  BadArgs("lambd beyond float32", lambda lib: _f32(lib.Softshrink(1e39))))),
    act("softsign", lambda lib: lib.Softsign(), kinks=(0.0,), low=-5, high=5),
    act("tanhshrink", lambda lib: lib.Tanhshrink()),
    act("threshold", lambda lib: lib.Threshold(0.1, 20.0), kinks=(0.1,), low=-1, high=1, bad_inputs=(_BOOL,),
        bad_args=(BadArgs("value overflows float32", lambda lib: _f32(lib.Threshold(0.5, 1e39))),
                  BadArgs("NaN value, int64 input", lambda lib: lib.Threshold(0.5, float("nan"))(
                      np.zeros(3, np.int64))))),
    # int64 input: threshold and value truncate toward zero (-1 and -2; flooring would give -2 and -3)
    act("threshold_negative", lambda lib: lib.Threshold(-1.5, -2.5), kinks=(-1.5,), bad_inputs=(_BOOL,)),
]
