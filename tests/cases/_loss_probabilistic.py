"""Samplers, kink samplers and bad inputs for the negative log-likelihoods: PoissonNLLLoss (input, target) and
GaussianNLLLoss (input, target, var)."""

from __future__ import annotations

import numpy as np

from tests.cases._loss_bad_inputs import _bad, _nan_inf, _planted
from tests.cases._loss_samplers import _M, _other
from tests.catalog import BadInput
from tests.strategies import away_from


# -- PoissonNLLLoss ---------------------------------------------------------------------------------------------
def _poisson(log_input: bool = True, full: bool = False):
    """Log-rates N(0, 1) (log_input) or rates U(0.1, 3), scaled (exp overflows at 1e2/1e4, as torch's does), and
    targets: Poisson(2) counts, or with ``full`` continuous counts U(0.05, 4) away from 1 (Stirling's term is
    switched on at t > 1, a jump) so that finite differences of the target apply."""

    def sample(rng, dtype, shape, scale=1.0):
        x = rng.standard_normal(shape) if log_input else rng.uniform(0.1, 3.0, shape)
        t = away_from(rng.uniform(0.05, 4.0, shape), (1.0,), _M) if full else rng.poisson(2.0, shape)
        return (x * scale).astype(dtype), np.asarray(t, np.float64).astype(dtype)

    return sample


def _poisson_kinks(log_input: bool = True):
    """Integer counts 0..4 (t = 0: torch's Stirling branch gives a NaN target gradient; t = 1: just below the
    switch) and, without log_input, some rates exactly 0 (log(0 + eps))."""

    def sample(rng, dtype, shape, scale=1.0):
        x, _ = _poisson(log_input)(rng, dtype, shape)
        if not log_input:
            x = np.where(rng.random(shape) < 0.25, 0.0, x).astype(dtype)
        return x, rng.integers(0, 5, shape).astype(dtype)

    return sample


def _poisson_bad(log_input: bool = True) -> tuple[BadInput, ...]:
    def xy(rng, dt, shape=(3, 4)):
        return _poisson(log_input)(rng, dt, shape)

    return (
        _bad("broadcast target (4,)", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt, (4,))[1])),
        _bad("broadcast input (3, 1)", lambda rng, dt: (xy(rng, dt, (3, 1))[0], xy(rng, dt)[1])),
        _bad("incompatible shapes", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt, (3, 5))[1])),
        _bad("int64 target", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt)[1].astype(np.int64))),
        # a float64 input with a float32 target: torch evaluates exp / log in the input's dtype, so a float32 input
        # with a float64 target (or an int64 one) has float32 accuracy in a float64 loss; test_losses.py compares
        # that case at float32's tolerance
        _bad("float32 target with a float64 input", lambda rng, dt: (xy(rng, np.float64)[0],
                                                                     xy(rng, dt)[1].astype(np.float32))),
        _bad("int64 input (float32 target)", lambda rng, dt: (rng.integers(0, 3, (3, 4)),
                                                              xy(rng, np.float32)[1])),
        _bad("int64 input and target (float32 loss)", lambda rng, dt: (rng.integers(0, 3, (3, 4)),
                                                                       rng.integers(0, 4, (3, 4)))),
        _bad("zero and negative targets", lambda rng, dt: (xy(rng, dt)[0], np.resize(np.array(
            [0.0, -1.0, 0.5, 1.0, 2.0, 7.0], dt), (3, 4)))),
        _bad("inputs +-1e4 and at float32's exp overflow", lambda rng, dt: (
            np.array([1e4, -1e4, 88.0, 89.0, 708.0, 710.0, 0.0, -50.0], dt) if log_input else
            np.array([1e4, 1e-12, 0.0, -1e-8, -0.5, 3.0, 1e30, 1e-30], dt), np.array([1, 0, 2, 3, 0, 1, 4, 2.0], dt))),
        _bad("nan and inf", lambda rng, dt: (_nan_inf(xy(rng, dt)[0]), _planted(xy(rng, dt)[1], np.nan, 1))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, 3), dt), np.zeros((0, 3), dt))),
        _bad("0-d", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(2.0, dt))),
    )


# -- GaussianNLLLoss: var of the input's shape, with the last dim 1, with one dim fewer, or a float ---------------
def _var_shape(shape: tuple[int, ...], mode: str) -> tuple[int, ...]:
    if mode == "same":
        return shape
    if mode == "last1":
        return shape[:-1] + (1,)
    if mode == "fewer":
        return shape[:-1]
    assert mode == "mid1"  # one mismatched dim of size 1 in the middle: (N, 1, D) for (N, K, D)
    return shape[:1] + (1,) + shape[2:]


def _gaussian(mode: str = "same"):
    """Means and targets N(0, 1) * scale, variances U(0.3, 2) * scale^2 (above every catalog eps at scale 1; at 1e-4
    and 0 below it: clamped, compared with torch only), of the shape ``mode`` says; mode 'float': var the Python
    float 0.7 (no gradient)."""

    def sample(rng, dtype, shape, scale=1.0):
        x, t = rng.standard_normal(shape) * scale, rng.standard_normal(shape) * scale
        if mode == "float":
            return x.astype(dtype), t.astype(dtype), 0.7
        v = rng.uniform(0.3, 2.0, _var_shape(shape, mode)) * scale * scale
        return x.astype(dtype), t.astype(dtype), np.asarray(v).astype(dtype)

    return sample


def _gaussian_kinks(mode: str = "same"):
    """Variances planted at the clamp: exactly 0, below eps, exactly eps (1e-6 and 0.25 are the catalog's eps)
    and just above (torch's gradient there is the formula at the clamped value, not 0)."""

    def sample(rng, dtype, shape, scale=1.0):
        x, t, v = _gaussian(mode)(rng, dtype, shape)
        flat = v.reshape(-1)
        idx = rng.permutation(flat.size)[: max(2, flat.size // 2)]
        flat[idx] = np.resize(np.array([0.0, 1e-8, 1e-6, 2e-6, 0.25, 0.1], dtype), idx.size)
        return x, t, v

    return sample


def _gaussian_bad() -> tuple[BadInput, ...]:
    def xtv(rng, dt, shape=(3, 4), vshape=None):
        x, t, v = _gaussian()(rng, dt, shape)
        return x, t, (v if vshape is None else rng.uniform(0.2, 2.0, vshape).astype(dt))

    return (
        _bad("negative var", lambda rng, dt: (*xtv(rng, dt)[:2], _planted(xtv(rng, dt)[2], -0.1))),
        _bad("negative float var", lambda rng, dt: (*xtv(rng, dt)[:2], -0.5)),
        _bad("var (1, 1) for (3, 4)", lambda rng, dt: xtv(rng, dt, vshape=(1, 1))),
        _bad("var (4,) for (3, 4)", lambda rng, dt: xtv(rng, dt, vshape=(4,))),
        _bad("0-d var for (3, 4)", lambda rng, dt: xtv(rng, dt, vshape=())),
        _bad("0-d var for (4,)", lambda rng, dt: xtv(rng, dt, (4,), vshape=())),
        _bad("var (1, 4) for (3, 4)", lambda rng, dt: xtv(rng, dt, vshape=(1, 4))),
        _bad("int64 var", lambda rng, dt: (*xtv(rng, dt)[:2], rng.integers(1, 3, (3, 4)))),
        _bad("var a list", lambda rng, dt: (*xtv(rng, dt)[:2], [0.5] * 4)),
        _bad("var a Python int", lambda rng, dt: (*xtv(rng, dt)[:2], 1)),
        _bad("target broadcast (4,)", lambda rng, dt: (xtv(rng, dt)[0], xtv(rng, dt, (4,))[1], xtv(rng, dt)[2])),
        _bad("target enlarging the input", lambda rng, dt: (xtv(rng, dt, (3, 1))[0], xtv(rng, dt, (3, 4))[1],
                                                            xtv(rng, dt, (3, 1))[2])),
        _bad("incompatible target", lambda rng, dt: (xtv(rng, dt)[0], xtv(rng, dt, (3, 5))[1], xtv(rng, dt)[2])),
        _bad("zero and nan var", lambda rng, dt: (*xtv(rng, dt)[:2], _planted(_planted(xtv(rng, dt)[2], 0.0, 0),
                                                                               np.nan, 5))),
        _bad("int64 target (float input and var: one gradient)", lambda rng, dt: (
            xtv(rng, dt)[0], rng.integers(-2, 3, (3, 4)), 0.5)),
        _bad("int64 input (float var)", lambda rng, dt: (rng.integers(-2, 3, (3, 4)), xtv(rng, dt)[1], 0.5)),
        _bad("int64 input and target", lambda rng, dt: (rng.integers(-2, 3, (3, 4)), rng.integers(-2, 3, (3, 4)),
                                                        xtv(rng, dt)[2])),
        _bad("var of the other float dtype", lambda rng, dt: (*xtv(rng, dt)[:2], xtv(rng, dt)[2].astype(_other(dt)))),
        _bad("target of the other float dtype", lambda rng, dt: (xtv(rng, dt)[0], xtv(rng, dt)[1].astype(_other(dt)),
                                                                 xtv(rng, dt)[2])),
        _bad("nan and inf", lambda rng, dt: (_nan_inf(xtv(rng, dt)[0]), *xtv(rng, dt)[1:])),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, 3), dt), np.zeros((0, 3), dt), np.ones((0, 3), dt))),
        _bad("empty batch, var (0, 1)", lambda rng, dt: (np.zeros((0, 3), dt), np.zeros((0, 3), dt),
                                                         np.ones((0, 1), dt))),
        _bad("0-d", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(-0.2, dt), np.asarray(0.3, dt))),
    )
