"""Samplers, bad inputs and catalog entries for LinearCrossEntropyLoss (torch 2.13's fused linear + cross entropy):
input (N, F) or (F,) and class-index targets (some ignored), probabilities, or K-dimensional targets; the
reference path and the chunked one (``options``)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.cases._loss_bad_inputs import _bad, _nan_inf
from tests.cases._loss_samplers import _call, _softmax, _weight
from tests.catalog import BadArgs, BadInput, Case

F, C = 4, 5  # in_features, num_classes of every entry


def _lce(out: tuple[int, ...] = (), probs: bool = False, ignore: int | None = -100):
    """input = 2 scale z (N, F) / (F,); targets: classes of (N, *out) with a quarter set to ``ignore`` (never the
    first), or probabilities of the logits' shape (N, C, *out) / (C,)."""

    def sample(rng, dtype, shape, scale=1.0):
        x = (rng.standard_normal(shape) * 2.0 * scale).astype(dtype)
        batch = shape[:-1]
        if probs:
            p = _softmax(rng.standard_normal((*batch, *out, C)) * 2.0, -1)
            return x, np.moveaxis(p, -1, len(batch)).astype(dtype)
        t = rng.integers(0, C, (*batch, *out))
        if ignore is not None and t.ndim:
            drop = rng.random(t.shape) < 0.25
            drop.reshape(-1)[:1] = False
            t = np.where(drop, ignore, t)
        return x, np.asarray(t, np.int64)

    return sample


def _options(lib, **kw):
    return lib.losses.LinearCrossEntropyOptions(**kw)  # scratch's and torch's class, by the same name


def _lce_bad(chunked: bool = False) -> tuple[BadInput, ...]:
    def xt(rng, dt, shape=(4, F)):
        return _lce()(rng, dt, shape)

    common = (
        _bad("class out of range", lambda rng, dt: (xt(rng, dt)[0], np.array([0, C, 1, 2]))),
        _bad("target of another batch size", lambda rng, dt: (xt(rng, dt)[0], xt(rng, dt)[1][:3])),
        _bad("every target ignored (mean NaN)", lambda rng, dt: (xt(rng, dt)[0], np.full(4, -100))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, F), dt), np.zeros(0, np.int64))),
        _bad("nan and inf inputs, an ignored row", lambda rng, dt: (_nan_inf(xt(rng, dt)[0]),
                                                                   np.array([1, -100, 2, 0]))),
    )
    if chunked:  # torch's chunked path: IndexError (weighted) and RuntimeError, NaN gradients for the third
        return common + (_bad("uint8 target (falls back to the reference path)", lambda rng, dt: (
            xt(rng, dt)[0], np.abs(xt(rng, dt)[1]).astype(np.uint8) % C)),
            _bad("a 2-d target (the class weights' index_select: IndexError)", lambda rng, dt: (
                xt(rng, dt)[0], np.abs(xt(rng, dt)[1][:, None]))),
            _bad("int64 input (its acc_dtype: ValueError)", lambda rng, dt: (np.ones((4, F), np.int64),
                                                                              xt(rng, dt)[1])))
    return common + (
        _bad("3-d input", lambda rng, dt: (xt(rng, dt)[0][None], xt(rng, dt)[1][None])),
        _bad("0-d input", lambda rng, dt: (np.asarray(xt(rng, dt)[0][0, 0]), np.asarray(1))),
        _bad("in_features differ", lambda rng, dt: (xt(rng, dt, (4, F - 1))[0], xt(rng, dt)[1])),
        _bad("input of the other float dtype", lambda rng, dt: (
            xt(rng, dt)[0].astype(np.float32 if np.dtype(dt) == np.float64 else np.float64), xt(rng, dt)[1])),
        _bad("int64 input", lambda rng, dt: (np.ones((4, F), np.int64), xt(rng, dt)[1])),
        _bad("int32 target", lambda rng, dt: (xt(rng, dt)[0], np.abs(xt(rng, dt)[1]).astype(np.int32) % C)),
        _bad("float target of the index shape", lambda rng, dt: (xt(rng, dt)[0], np.ones(4, dt))),
    )


def _lce_call(lib, **kw):
    return _call(lib.LinearCrossEntropyLoss(F, C, **kw), np.linspace(-1, 1, 3 * F).reshape(3, F), np.array([0, 1, 2]))


_BAD_ARGS = (
    BadArgs("in_features -1", lambda lib: lib.LinearCrossEntropyLoss(-1, C)),
    BadArgs("num_classes -1", lambda lib: lib.LinearCrossEntropyLoss(F, -1)),
    BadArgs("weight of another length", lambda lib: lib.LinearCrossEntropyLoss(F, C, weight=np.ones(C - 1))),
    BadArgs("label_smoothing 1.5", lambda lib: lib.LinearCrossEntropyLoss(F, C, label_smoothing=1.5)),
    BadArgs("label_smoothing -0.1", lambda lib: lib.LinearCrossEntropyLoss(F, C, label_smoothing=-0.1)),
    BadArgs("reduction='foo' (at call)", lambda lib: _lce_call(lib, reduction="foo", dtype=np.float64)),
    BadArgs("options: batch_chunk_size 0", lambda lib: _options(lib, batch_chunk_size=0)),
    BadArgs("options: chunking_method 'foo'", lambda lib: _options(lib, chunking_method="foo")),
    BadArgs("options: acc_policy 'foo'", lambda lib: _options(lib, acc_policy="foo")),
    BadArgs("options: chunk size and method disagree (at call)", lambda lib: _lce_call(
        lib, dtype=np.float64, options=_options(lib, batch_chunk_size=3, chunking_method="aspect_ratio"))),
)

_ROWS = st.tuples(st.integers(1, 6), st.just(F))
_NO_1E4 = (1.0, 0.0, 1e-4, 1e2)  # +-1e4 inputs on the first entry only (test_extreme_scales: 6 runs per entry)

LINEAR_CE_CASES: list[Case] = [
    Case("linear_cross_entropy", lambda lib: lib.LinearCrossEntropyLoss(F, C), _lce(), (6, F), shapes=_ROWS,
         loss=True, bad_inputs=_lce_bad(), bad_args=_BAD_ARGS),
    Case("linear_cross_entropy_bias_weight_smooth_ignore_sum", lambda lib: lib.LinearCrossEntropyLoss(
        F, C, bias=True, weight=_weight(lib, C), ignore_index=1, label_smoothing=0.2, reduction="sum"),
         _lce(ignore=1), (6, F), shapes=_ROWS, scales=_NO_1E4, loss=True, bad_inputs=(
             _bad("probabilities with an ignore_index", lambda rng, dt: _lce(probs=True)(rng, dt, (3, F))),)),
    Case("linear_cross_entropy_probs_none", lambda lib: lib.LinearCrossEntropyLoss(
        F, C, bias=True, reduction="none", label_smoothing=0.1), _lce(probs=True), (6, F), shapes=_ROWS,
         scales=_NO_1E4, loss=True),
    Case("linear_cross_entropy_out_features", lambda lib: lib.LinearCrossEntropyLoss(
        F, C, out_features=(2, 3), bias=True, weight=_weight(lib, C)), _lce((2, 3)), (3, F), scales=_NO_1E4,
         loss=True, bad_inputs=(_bad("unbatched input", lambda rng, dt: _lce((2, 3))(rng, dt, (F,))),)),
    Case("linear_cross_entropy_unbatched", lambda lib: lib.LinearCrossEntropyLoss(F, C, bias=True), _lce(), (F,),
         scales=_NO_1E4, loss=True),
    Case("linear_cross_entropy_chunked", lambda lib: lib.LinearCrossEntropyLoss(
        F, C, bias=True, weight=_weight(lib, C), options=_options(lib, batch_chunk_size=2)), _lce(), (5, F),
         shapes=_ROWS, scales=_NO_1E4, loss=True, bad_inputs=_lce_bad(chunked=True)),
    Case("linear_cross_entropy_chunked_auto_none", lambda lib: lib.LinearCrossEntropyLoss(
        F, C, reduction="none", options=_options(lib)), _lce(), (6, F), shapes=_ROWS, scales=_NO_1E4, loss=True,
         bad_inputs=(_bad("class out of range, no class weights (RuntimeError)", lambda rng, dt: (
             _lce()(rng, dt, (4, F))[0], np.array([0, -3, 1, 2]))),
                     _bad("an ignored row with a NaN input ('none': NaN, the reference path's 0)", lambda rng, dt: (
                         _nan_inf(_lce()(rng, dt, (4, F))[0]), np.array([-100, 1, 2, 0]))))),
]
