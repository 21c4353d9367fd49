"""Catalog entries: the activations (elementwise, and (log-)softmax along a dim)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.cases._common import call_on_zeros
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


# Measured on torch 2.13 CPU: ELU's gradient at NaN is the upstream gradient on the scalar path and NaN on the
# vectorized one (float64 from 16 elements, float32 from 35); GELU(+inf) is NaN in float32 and inf in float64.
_SIMD_NAN = "torch's result at NaN/inf depends on its SIMD path (array length, dtype)"
CASES: list[Case] = [
    act("relu", lambda lib: lib.ReLU(), kinks=(0.0,)),
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
    act("softmax", lambda lib: lib.Softmax(dim=1), min_dims=2,
        bad_args=(BadArgs("dim out of range", lambda lib: call_on_zeros(lib.Softmax(dim=3), (2, 3))),)),
    act("softmax_last", lambda lib: lib.Softmax(dim=-1)),
    act("softmax_dim0", lambda lib: lib.Softmax(dim=0)),
    act("log_softmax", lambda lib: lib.LogSoftmax(dim=1), min_dims=2,
        bad_args=(BadArgs("dim out of range", lambda lib: call_on_zeros(lib.LogSoftmax(dim=-4), (2, 3))),)),
    act("log_softmax_last", lambda lib: lib.LogSoftmax(dim=-1)),
    act("silu", lambda lib: lib.SiLU(), low=-8, high=8),
    act("prelu", lambda lib: lib.PReLU(), kinks=(0.0,)),
    Case("prelu_channels", lambda lib: lib.PReLU(3, init=0.1), floats(kinks=(0.0,)), (4, 3, 5),
         shapes=st.tuples(st.integers(1, 4), st.just(3)).map(tuple), kinks=with_kinks((0.0,)),
         bad_inputs=(BadInput("channels differ", lambda rng, dt: (np.ones((2, 4), dt),)),
                     BadInput("1-d input", lambda rng, dt: (np.ones(3, dt),))),
         bad_args=(BadArgs("negative num_parameters", lambda lib: lib.PReLU(-1)),)),
]
