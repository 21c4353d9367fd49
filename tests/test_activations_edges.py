"""Activation arguments at the edges of what torch accepts, compared with torch (the mutation audit found these
unchecked): scalar arguments at the dtype's largest value and just beyond it, every dim of the along-dim blocks
(in range and just out of it, 0-d to 3-d), PReLU's parameter shapes, RReLU's eval kink and equal bounds,
Softshrink's signed zeros.

Each test is parametrized by the catalog entries whose block it exercises (the ids name them), so that the
audit of an entry (``python -m tests.mutate <entry>``: its generic checks and ``-k <entry>`` here) runs it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import reference.nn as R
import scratch.nn as S
from conftest import DTYPES
from tests.catalog import BY_NAME, Lib
from tests.harness import assert_same_outcome, compare_pair, outcome
from tests.tolerances import assert_close

dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)


def like_torch(entry: str, make, args: tuple, rng: np.random.Generator, label: str, grads: bool = True) -> None:
    """``make(lib)`` built and called on ``args`` in scratch and in torch: the same error class, or the same
    outputs and (``grads``) gradients (random cotangents, the entry's tolerances). ``make`` must build a fresh
    block each call (a fresh seeded generator for blocks that draw)."""
    dtype = np.asarray(args[0]).dtype
    got = outcome(lambda: make(Lib(S, dtype))(*args))
    want = outcome(lambda: make(Lib(R, dtype))(*args))
    assert_same_outcome(f"{entry}/{label}", got, want)
    if want[0] == "ok" and not grads:
        assert_close(got[1], want[1], block=entry, check=f"{label}:forward", dtype=dtype)
    elif want[0] == "ok":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. torch's zero-element init warning; warnings are tested apart
            s, r = make(Lib(S, dtype)), make(Lib(R, dtype))
            if getattr(s, "has_uninitialized_params", None) is not None and s.has_uninitialized_params():
                s.initialize_parameters(args[0])  # a lazy block: the twin loads scratch's draws, as harness.build
        r.load_state_dict(s.state_dict())
        compare_pair(BY_NAME[entry], dtype, s, r, args, rng, prefix=f"{label}:")


def _seeded() -> np.random.Generator:
    return np.random.default_rng(5)


# Scalar arguments: torch converts each to the input's dtype and raises RuntimeError beyond its largest finite
# value (the float32 maximum itself passes, the next float64 above it does not; inf and NaN pass the conversion).
EDGE_ARGS = [
    pytest.param("elu", lambda lib, v: lib.ELU(alpha=v), id="elu-elu_alpha"),
    pytest.param("hardshrink", lambda lib, v: lib.Hardshrink(v), id="hardshrink-hardshrink_lambd"),
    pytest.param("hardtanh", lambda lib, v: lib.Hardtanh(-abs(v), abs(v)), id="hardtanh-hardtanh_range"),
    pytest.param("threshold", lambda lib, v: lib.Threshold(v, 0.5), id="threshold-threshold_negative-at"),
    pytest.param("threshold", lambda lib, v: lib.Threshold(0.5, v), id="threshold-threshold_negative-value"),
    pytest.param("rrelu", lambda lib, v: lib.RReLU(0.1, abs(v), rng=_seeded()), id="rrelu-rrelu_default-"
                 "rrelu_fixed-upper"),
    pytest.param("rrelu", lambda lib, v: lib.RReLU(-abs(v), -0.1, rng=_seeded()), id="rrelu-rrelu_default-"
                 "rrelu_fixed-lower"),
    pytest.param("rrelu", lambda lib, v: lib.RReLU(v, v, rng=_seeded()).eval(), id="rrelu-rrelu_default-"
                 "rrelu_fixed-eval"),
    pytest.param("softshrink", lambda lib, v: lib.Softshrink(abs(v)), id="softshrink-softshrink_lambd"),
]


@pytest.mark.parametrize("entry, make", EDGE_ARGS)
@dtypes
def test_scalar_argument_at_the_dtype_maximum_like_torch(entry, make, dtype, rng):
    top = float(np.finfo(dtype).max)
    values = [top, -top]
    if dtype == np.float32:  # the next double above float32's maximum: torch refuses it
        above = float(np.nextafter(top, np.inf))
        values += [above, -above]
    x = np.array([-2.0, -0.5, 0.0, 0.25, 3.0], dtype)
    for v in values:
        # outputs only: at such magnitudes the gradient overflows, or not, with the order of the products
        like_torch(entry, lambda lib, v=v: make(lib, v), (x,), rng, f"argument {v!r}", grads=False)


# ------------------------------------------------------------------------------------------------------------
# Along-dim blocks: every dim from two below the range to two above it, at every rank 0-3, with shapes whose
# sizes differ (a wrong axis changes the result), once at unit scale (gradients) and once at +-1000 (a missing
# max shift overflows), and a one-element and an empty input.
ALONG_DIM = [
    pytest.param("softmax", lambda lib, d: lib.Softmax(dim=d), id="softmax-softmax_last-softmax_dim0"),
    pytest.param("log_softmax", lambda lib, d: lib.LogSoftmax(dim=d), id="log_softmax-log_softmax_last"),
    pytest.param("softmin", lambda lib, d: lib.Softmin(dim=d), id="softmin-softmin_last"),
    pytest.param("glu", lambda lib, d: lib.GLU(dim=d), id="glu-glu_dim0"),
]
SHAPES = [(), (1,), (1, 1), (4,), (2, 0), (4, 2), (2, 6, 4)]


@pytest.mark.parametrize("entry, make", ALONG_DIM)
def test_every_dim_and_rank_like_torch(entry, make, rng):
    for shape in SHAPES:
        x = rng.standard_normal(shape)
        for dim in range(-len(shape) - 2, len(shape) + 2):
            for scale in (1.0, 1000.0):
                like_torch(entry, lambda lib, d=dim: make(lib, d), (np.asarray(x * scale),), rng,
                           f"dim {dim} of {shape} x{scale}")
    x32 = rng.standard_normal((2, 6, 4)).astype(np.float32)
    for dim in (-3, 1, 2):
        like_torch(entry, lambda lib, d=dim: make(lib, d), (x32,), rng, f"float32 dim {dim}")


# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("num_parameters", [0, 1, 2, 3])
def test_prelu_channels_and_ranks_like_torch(num_parameters, rng):
    """One slope or one per channel (dim 1; a 1-d input has one channel), at every rank and with a channel count
    that does not match: outputs, input and weight gradients, or the error, as torch's (also named for the
    entries prelu and prelu_channels)."""
    for shape in [(), (3,), (1,), (2, 3), (2, 1), (2, 0), (2, 3, 4), (3, 3, 1), (2, 3, 2, 2), (2, 2, 3)]:
        for dtype in DTYPES:
            x = rng.standard_normal(shape).astype(dtype)
            like_torch("prelu", lambda lib: lib.PReLU(num_parameters, init=0.3), (x,), rng, f"input {shape}")


# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ["rrelu", "rrelu_default", "rrelu_fixed"])
@dtypes
def test_rrelu_kinks_in_eval_and_equal_bounds_like_torch(entry, dtype, rng):
    """Eval mode at +-0 (rrelu'(0) is the mean slope, leaky_relu tests x > 0), and bounds made equal at the
    entry's upper bound (lower == upper is allowed), in training and eval."""
    x = np.array([-1.5, -0.0, 0.0, 0.75], dtype)
    make = BY_NAME[entry].make
    like_torch(entry, lambda lib: make(lib).eval(), (x,), rng, "eval at 0")
    upper = make(Lib(S)).upper
    for mode in ("train", "eval"):
        like_torch(entry, lambda lib, m=mode: getattr(lib.RReLU(upper, upper, rng=_seeded()), m)(), (x,), rng,
                   f"lower == upper ({mode})")


# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ["softshrink", "softshrink_lambd"])
@dtypes
def test_softshrink_signed_zeros_and_nan_like_torch_scalar_path(entry, dtype):
    """torch's ``x * 0`` on [-lambd, lambd]: -0 for a negative x (at -lambd too), NaN at NaN; bit for bit, at the
    entry's lambd and at lambd = 0 (allowed). torch's sign of zero depends on its SIMD path (its vectorized
    kernel gives +0 from 8 float64 or 16 float32 elements); scratch follows its scalar path, so each value is
    compared with torch on a one-element tensor, which always takes it."""
    import torch

    lambd = BY_NAME[entry].make(Lib(S)).lambd
    for lam in (lambd, 0.0):
        x = np.array([-2 * lam - 1, -lam, -lam / 2, -0.0, 0.0, lam / 2, lam, 2 * lam + 1, np.nan, -np.inf], dtype)
        got = S.Softshrink(lam)(x)
        want = np.concatenate([torch.nn.Softshrink(lam)(torch.from_numpy(x[i:i + 1])).numpy() for i in range(x.size)])
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want), err_msg=f"sign of zero, lambd {lam}")


@pytest.mark.parametrize("entry", ["celu"])
@pytest.mark.parametrize("alpha", [1e-320, 5e-324])
def test_celu_subnormal_alpha_without_warnings_like_torch(entry, alpha, rng):
    """1 / alpha is inf: 0 * inf = NaN in the branch np.where drops (no RuntimeWarning for it, torch gives none)
    and NaN gradients on the negative side as torch's."""
    x = np.array([-1.0, -1e-300, 0.0, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        S.CELU(alpha)(x)
    like_torch(entry, lambda lib: lib.CELU(alpha), (x,), rng, f"alpha {alpha!r}")
