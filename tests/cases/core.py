"""Catalog entries: Linear, Identity, Flatten, activations, Sequential."""

from __future__ import annotations

import numpy as np

from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import floats, shapes, with_kinks


def _bad_common(shape: tuple[int, ...], nonfinite_reason: str = "") -> tuple[BadInput, ...]:
    """Bad inputs every elementwise block must treat as torch does."""
    return (
        BadInput("nan", lambda rng, dt: (np.where(rng.random(shape) < 0.3, np.nan, rng.standard_normal(shape))
                                         .astype(dt),), nonfinite_reason),
        BadInput("inf", lambda rng, dt: (np.array([np.inf, -np.inf, 0.5, -0.5, 0.0] * 4, dt),), nonfinite_reason),
        BadInput("empty", lambda rng, dt: (np.zeros((0,) + shape[1:], dt),)),
        BadInput("int64", lambda rng, dt: (rng.integers(-3, 3, shape),)),
        BadInput("0-d", lambda rng, dt: (np.asarray(0.7, dt),)),
    )


def act(name: str, make, kinks=(), low=-3.0, high=3.0, min_dims=1, nonfinite_reason="", **kw) -> Case:
    """An elementwise activation: any shape, kink-free samples for FD, planted kinks compared with torch."""
    shape = (5, 7)
    return Case(name, make, floats(low, high, kinks), shape, shapes=shapes(min_dims, 4),
                kinks=with_kinks(kinks) if kinks else None, bad_inputs=_bad_common(shape, nonfinite_reason), **kw)


def _linear_bad(in_f: int) -> tuple[BadInput, ...]:
    return (
        BadInput("wrong in_features", lambda rng, dt: (rng.standard_normal((3, in_f + 1)).astype(dt),)),
        BadInput("other float dtype", lambda rng, dt: (
            rng.standard_normal((3, in_f)).astype(np.float32 if dt == np.float64 else np.float64),)),
        BadInput("int64", lambda rng, dt: (rng.integers(-3, 3, (3, in_f)),)),
        BadInput("nan", lambda rng, dt: (np.full((2, in_f), np.nan, dt),)),
        BadInput("empty batch", lambda rng, dt: (np.zeros((0, in_f), dt),)),
        BadInput("0-d", lambda rng, dt: (np.asarray(1.0, dt),)),
    )


# Measured on torch 2.13 CPU: ELU's gradient at NaN is the upstream gradient on the scalar path and NaN on the
# vectorized one (float64 from 16 elements, float32 from 35); GELU(+inf) is NaN in float32 and inf in float64.
_SIMD_NAN = "torch's result at NaN/inf depends on its SIMD path (array length, dtype)"

CASES: list[Case] = [
    Case("linear", lambda lib: lib.Linear(6, 4), floats(), (5, 6), shapes=shapes(1, 4, fixed_last=6),
         bad_inputs=_linear_bad(6),
         bad_args=(BadArgs("negative in_features", lambda lib: lib.Linear(-1, 3)),)),
    Case("linear_nobias", lambda lib: lib.Linear(3, 5, bias=False), floats(), (4, 3),
         shapes=shapes(1, 3, fixed_last=3), bad_inputs=_linear_bad(3)),
    Case("linear_1_to_1", lambda lib: lib.Linear(1, 1), floats(), (7, 1), shapes=shapes(1, 3, fixed_last=1)),
    Case("identity", lambda lib: lib.Identity(3, unused="ignored"), floats(), (3, 4), shapes=shapes(0, 4)),
    Case("flatten", lambda lib: lib.Flatten(), floats(), (2, 3, 4), shapes=shapes(2, 5),
         bad_inputs=(BadInput("1-d", lambda rng, dt: (rng.standard_normal(3).astype(dt),)),)),
    Case("flatten_mid", lambda lib: lib.Flatten(1, 2), floats(), (2, 3, 4, 2), shapes=shapes(3, 5),
         bad_args=(BadArgs("start after end", lambda lib: _call(lib.Flatten(2, 1), (2, 3, 4))),)),
    act("relu", lambda lib: lib.ReLU(), kinks=(0.0,)),
    act("leaky_relu", lambda lib: lib.LeakyReLU(0.2), kinks=(0.0,)),
    act("leaky_relu_default", lambda lib: lib.LeakyReLU(), kinks=(0.0,)),
    act("elu", lambda lib: lib.ELU(), kinks=(0.0,), nonfinite_reason=_SIMD_NAN),
    act("elu_alpha", lambda lib: lib.ELU(alpha=0.5), kinks=(0.0,), nonfinite_reason=_SIMD_NAN),
    act("sigmoid", lambda lib: lib.Sigmoid(), low=-8, high=8),
    act("tanh", lambda lib: lib.Tanh()),
    act("gelu", lambda lib: lib.GELU(), low=-6, high=6, nonfinite_reason=_SIMD_NAN,
        bad_args=(BadArgs("approximate='foo'", lambda lib: _call(lib.GELU(approximate="foo"), (3,))),)),
    act("gelu_tanh", lambda lib: lib.GELU(approximate="tanh"), low=-6, high=6, nonfinite_reason=_SIMD_NAN),
    act("softplus", lambda lib: lib.Softplus(), low=-30, high=30, kinks=(20.0,)),
    act("softplus_beta", lambda lib: lib.Softplus(beta=2.0, threshold=5.0), low=-6, high=6, kinks=(2.5,)),
    act("softmax", lambda lib: lib.Softmax(dim=1), min_dims=2,
        bad_args=(BadArgs("dim out of range", lambda lib: _call(lib.Softmax(dim=3), (2, 3))),)),
    act("softmax_last", lambda lib: lib.Softmax(dim=-1)),
    act("softmax_dim0", lambda lib: lib.Softmax(dim=0)),
    act("log_softmax", lambda lib: lib.LogSoftmax(dim=1), min_dims=2,
        bad_args=(BadArgs("dim out of range", lambda lib: _call(lib.LogSoftmax(dim=-4), (2, 3))),)),
    act("log_softmax_last", lambda lib: lib.LogSoftmax(dim=-1)),
    Case("mlp", lambda lib: lib.Sequential(lib.Linear(5, 8), lib.Tanh(), lib.Linear(8, 8), lib.GELU(),
                                           lib.Linear(8, 3), lib.LogSoftmax(dim=1)),
         floats(), (6, 5), shapes=shapes(2, 2, fixed_last=5), bad_inputs=_linear_bad(5)),
]


def _call(module, shape: tuple[int, ...]):
    """Construct-and-call helper for hyper-parameters torch only rejects at call time."""
    return module(np.zeros(shape, np.float64))
