"""Bad inputs and invalid hyper-parameters for the loss catalog (each must behave as torch does)."""

from __future__ import annotations

import numpy as np

from tests.cases._loss_samplers import (
    C,
    _bce,
    _bce_kinks,
    _call,
    _classes,
    _hinge,
    _kl,
    _logits,
    _margin,
    _other,
    _softmax,
    _tshape,
    _weight,
    _x,
)
from tests.catalog import BadArgs, BadInput


# -- bad inputs --------------------------------------------------------------------------------------------------
def _bad(label, fn, why=""):
    return BadInput(label, fn, why)


def _planted(a: np.ndarray, value, where: int = -1) -> np.ndarray:
    """``a`` with one entry (the last by default) set to ``value``."""
    a = np.array(a, copy=True)
    a.reshape(-1)[where] = value
    return a


def _nan_inf(a: np.ndarray) -> np.ndarray:
    """Every fifth entry replaced by NaN, +inf or -inf in turn."""
    a = np.array(a, copy=True)
    flat = a.reshape(-1)
    idx = np.arange(0, flat.size, 5)
    flat[idx] = np.resize(np.array([np.nan, np.inf, -np.inf]), idx.size)
    return a


def _regression_bad(huber: bool = False, all_int: bool = True) -> tuple[BadInput, ...]:
    """MSE/L1/Huber/SmoothL1: torch warns on a size mismatch and broadcasts, promotes dtypes (Huber keeps the
    input's), accepts integer inputs (Huber: integer input is a RuntimeError), raises on incompatible shapes.
    ``all_int``: integer input AND target, which torch rejects for 'mean' (with 'sum'/'none' its L1 returns an
    integer loss, which scratch does not do)."""
    return (
        _bad("broadcast target (3,4) vs input (3,1)", lambda rng, dt: (rng.standard_normal((3, 1)).astype(dt),
                                                                      rng.standard_normal((3, 4)).astype(dt))),
        _bad("broadcast target (4,) vs input (3,4)", lambda rng, dt: (rng.standard_normal((3, 4)).astype(dt),
                                                                     rng.standard_normal(4).astype(dt))),
        _bad("incompatible shapes", lambda rng, dt: (np.zeros((3, 4), dt), np.zeros((3, 5), dt))),
        _bad("broadcast input (1, 4) against (3, 4)", lambda rng, dt: (rng.standard_normal((1, 4)).astype(dt),
                                                                      rng.standard_normal((3, 4)).astype(dt))),
        _bad("an input dim of 1 against an empty target", lambda rng, dt: (np.ones(1, dt), np.zeros(0, dt))),
    ) + (() if huber else (  # torch's huber backward raises for another target dtype: tests/test_losses.py
        _bad("target of the other float dtype", lambda rng, dt: (rng.standard_normal((3, 4)).astype(dt),
                                                                rng.standard_normal((3, 4)).astype(_other(dt)))),
        _bad("int64 target", lambda rng, dt: (rng.standard_normal((3, 4)).astype(dt), rng.integers(-2, 3, (3, 4)))),
    )) + (
        _bad("int64 input", lambda rng, dt: (rng.integers(-2, 3, (3, 4)), rng.standard_normal((3, 4)).astype(dt))),
        _bad("nan and inf (inf - inf too)", lambda rng, dt: (np.array([np.nan, np.inf, -np.inf, 1.0, 0.5, np.inf], dt),
                                                             np.array([0.0, 0.0, 1.0, np.nan, 0.5, np.inf], dt))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, 3), dt), np.zeros((0, 3), dt))),
        _bad("0-d", lambda rng, dt: (np.asarray(0.7, dt), np.asarray(-0.2, dt))),
    ) + ((_bad("int64 input and target", lambda rng, dt: (rng.integers(-2, 3, 5), rng.integers(-2, 3, 5))),)
         if all_int else ())


def _index_bad(log_probs: bool = False, weighted: bool = False, spatial: bool = False) -> tuple[BadInput, ...]:
    """Class-index losses (CE, NLL): target dtype/shape/range errors as torch's nll_loss_nd, NaN/inf, empty."""
    shape = (2, C, 3) if spatial else (5, C)
    ts = _tshape(shape)

    def x(rng, dt):
        return _classes(log_probs=log_probs)(rng, dt, shape, 1.0)[0]

    out = [
        _bad("int32 target", lambda rng, dt: (x(rng, dt), rng.integers(0, C, ts).astype(np.int32))),
        _bad("float target of the batch shape", lambda rng, dt: (x(rng, dt), rng.integers(0, C, ts).astype(dt))),
        _bad("class == C", lambda rng, dt: (x(rng, dt), _planted(rng.integers(0, C, ts), C))),
        _bad("class -1", lambda rng, dt: (x(rng, dt), _planted(rng.integers(0, C, ts), -1))),
        _bad("target batch mismatch", lambda rng, dt: (x(rng, dt), np.zeros((shape[0] + 1,) + ts[1:], np.int64))),
        _bad("target with an extra dim", lambda rng, dt: (x(rng, dt), np.zeros(ts + (1,), np.int64))),
        _bad("nan and inf inputs", lambda rng, dt: (_nan_inf(x(rng, dt)), rng.integers(0, C, ts))),
        # padding rows: an ignored row of +-inf (its loss is 0, not 0 * inf) and a masked class (a -inf logit or
        # log-probability 0 off the target: a finite loss)
        _bad("an ignored row holding +-inf", lambda rng, dt: (
            _planted(_planted(x(rng, dt), np.inf, 0), -np.inf, 1), _planted(rng.integers(1, C, ts), -100, 0))),
        _bad("+inf and -inf at two targets (inf - inf in the sum)", lambda rng, dt: (
            _planted(_planted(x(rng, dt), np.inf, 0), -np.inf, shape[-1] + 1), _planted(_planted(
                rng.integers(0, C, ts), 0, 0), 1, 1))),
        _bad("a -inf score off the target (a masked class)", lambda rng, dt: (
            _planted(x(rng, dt), -np.inf, 1), _planted(rng.integers(0, C, ts), 0, 0))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0,) + shape[1:], dt), np.zeros((0,) + ts[1:], np.int64))),
        _bad("all targets ignored", lambda rng, dt: (x(rng, dt), np.full(ts, -100))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-3, 3, shape), rng.integers(0, C, ts))),
        _bad("0-d input", lambda rng, dt: (np.asarray(0.3, dt), np.asarray(0))),
        _bad("uint8 target", lambda rng, dt: (x(rng, dt), rng.integers(0, C, ts).astype(np.uint8))),
        _bad("one class, one row, at 1e3 (log_softmax's max shift)", lambda rng, dt: (
            np.full((1, 1), 1e3, dt), np.zeros(1, np.int64))),
        _bad("one class and an ignored target", lambda rng, dt: (np.full((2, 1), 0.5, dt), np.array([0, -100]))),
        _bad("unbatched (C,) input with a (1,) target == C (IndexError before any smoothing refusal)",
             lambda rng, dt: (x(rng, dt)[0, :, 0] if spatial else x(rng, dt)[0], np.array([C]))),
        # torch: CrossEntropyLoss' log_softmax over dim 1 fails first (IndexError), NLLLoss' ValueError
        _bad("0-d input with a (1,) target", lambda rng, dt: (np.asarray(0.3, dt), np.array([0]))),
        _bad("(1, C) input with a 0-d target", lambda rng, dt: (x(rng, dt)[:1], np.asarray(1))),
        # with label smoothing torch's CrossEntropyLoss refuses the (1,) target (RuntimeError)
        _bad("unbatched (C,) input with a (1,) target", lambda rng, dt: (x(rng, dt)[0, :, 0] if spatial else
                                                                        x(rng, dt)[0], np.array([2]))),
    ]
    if weighted:
        out.append(_bad("input of the other float dtype than the weight", lambda rng, dt: (
            x(rng, _other(dt)), rng.integers(0, C, ts))))
    if spatial:
        out.append(_bad("spatial target of the wrong size", lambda rng, dt: (
            x(rng, dt), np.zeros((shape[0], shape[2] + 1), np.int64))))
    return tuple(out)


def _probs_bad() -> tuple[BadInput, ...]:
    """Probability targets: the target's dtype promotes; int targets of the input's shape are rejected."""
    return (
        _bad("probabilities of the other float dtype", lambda rng, dt: (
            _logits(rng, dt, (3, C), 1.0), _softmax(rng.standard_normal((3, C)), 1).astype(_other(dt)))),
        _bad("int64 target of the input's shape", lambda rng, dt: (_logits(rng, dt, (3, C), 1.0),
                                                                   rng.integers(0, 2, (3, C)))),
        _bad("probabilities of another class count", lambda rng, dt: (_logits(rng, dt, (3, C), 1.0),
                                                                      np.full((3, C + 1), 0.2, dt))),
        _bad("targets outside [0, 1]", lambda rng, dt: (_logits(rng, dt, (3, C), 1.0),
                                                        rng.standard_normal((3, C)).astype(dt) * 3.0)),
        _bad("nan and inf inputs", lambda rng, dt: (_nan_inf(_logits(rng, dt, (3, C), 1.0)),
                                                    _softmax(rng.standard_normal((3, C)), 1).astype(dt))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
        _bad("no classes (3, 0): mean NaN", lambda rng, dt: (np.zeros((3, 0), dt), np.zeros((3, 0), dt))),
        _bad("one class, one row, at 1e3", lambda rng, dt: (np.full((1, 1), 1e3, dt), np.ones((1, 1), dt))),
    )


def _bce_bad(weighted: bool = False) -> tuple[BadInput, ...]:
    shape = (3, C)
    return (
        _bad("input > 1", lambda rng, dt: (_planted(_bce(rng, dt, shape)[0], 1.5), _bce(rng, dt, shape)[1])),
        _bad("input < 0", lambda rng, dt: (_planted(_bce(rng, dt, shape)[0], -0.1), _bce(rng, dt, shape)[1])),
        _bad("nan input", lambda rng, dt: (_planted(_bce(rng, dt, shape)[0], np.nan), _bce(rng, dt, shape)[1])),
        _bad("target > 1", lambda rng, dt: (_bce(rng, dt, shape)[0], _planted(_bce(rng, dt, shape)[1], 2.0))),
        _bad("nan target", lambda rng, dt: (_bce(rng, dt, shape)[0], _planted(_bce(rng, dt, shape)[1], np.nan))),
        _bad("target of another shape", lambda rng, dt: (_bce(rng, dt, (3, 1))[0], _bce(rng, dt, shape)[1])),
        _bad("target of the other float dtype", lambda rng, dt: (
            _bce(rng, dt, shape)[0], _bce(rng, dt, shape)[1].astype(_other(dt)))),
        _bad("int64 target", lambda rng, dt: (_bce(rng, dt, shape)[0], rng.integers(0, 2, shape))),
        _bad("exact 0 and 1 inputs", lambda rng, dt: _bce_kinks(rng, dt, shape)),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
        _bad("0-d", lambda rng, dt: (np.asarray(0.3, dt), np.asarray(1.0, dt))),
    ) + ((_bad("input without the weight's last dim", lambda rng, dt: _bce(rng, dt, (3, C + 1))),)
         if weighted else ())


def _bce_logits_bad() -> tuple[BadInput, ...]:
    shape = (3, C)
    return (
        _bad("target of another shape", lambda rng, dt: (_logits(rng, dt, (3, 1), 1.0), np.ones(shape, dt))),
        _bad("int64 target", lambda rng, dt: (_logits(rng, dt, shape, 1.0), rng.integers(0, 2, shape))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-3, 3, shape), np.ones(shape, dt))),
        _bad("target of the other float dtype (output takes the target's)", lambda rng, dt: (
            _logits(rng, dt, shape, 1.0), rng.uniform(0, 1, shape).astype(_other(dt)))),
        _bad("targets outside [0, 1]", lambda rng, dt: (_logits(rng, dt, shape, 1.0),
                                                        rng.uniform(-2, 3, shape).astype(dt))),
        _bad("logits +-1e4", lambda rng, dt: (np.array([[1e4, -1e4, 1e4, -1e4]] * 2, dt),
                                              np.array([[1.0, 0.0, 0.0, 1.0], [0.3, 0.7, 1.0, 0.0]], dt))),
        _bad("nan and inf logits", lambda rng, dt: (_nan_inf(_logits(rng, dt, shape, 1.0)),
                                                    rng.uniform(0, 1, shape).astype(dt))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
    )


def _kl_bad() -> tuple[BadInput, ...]:
    shape = (3, C)
    return (
        _bad("broadcast target (C,)", lambda rng, dt: (_kl()(rng, dt, shape)[0], _kl()(rng, dt, (C,))[1])),
        _bad("broadcast input (3,1)", lambda rng, dt: (_kl()(rng, dt, (3, 1))[0], _kl()(rng, dt, shape)[1])),
        _bad("incompatible shapes", lambda rng, dt: (np.zeros(shape, dt), np.zeros((3, C + 1), dt))),
        _bad("target of the other float dtype", lambda rng, dt: (
            _kl()(rng, dt, shape)[0], _kl()(rng, dt, shape)[1].astype(_other(dt)))),
        _bad("int64 target", lambda rng, dt: (_kl()(rng, dt, shape)[0], rng.integers(0, 2, shape))),
        _bad("negative target (xlogy: NaN)", lambda rng, dt: (_kl()(rng, dt, shape)[0],
                                                              _planted(_kl()(rng, dt, shape)[1], -0.2))),
        _bad("-inf input at zero target (0 * inf: NaN)", lambda rng, dt: (
            np.array([-np.inf, -1.0, -np.inf], dt), np.array([0.0, 0.0, 0.5], dt))),
        _bad("nan and inf inputs", lambda rng, dt: (_nan_inf(_kl()(rng, dt, shape)[0]), _kl()(rng, dt, shape)[1])),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
        _bad("0-d", lambda rng, dt: (np.asarray(-1.0, dt), np.asarray(0.3, dt))),
    )


def _hinge_bad() -> tuple[BadInput, ...]:
    shape = (3, C)
    return (
        _bad("broadcast target (C,)", lambda rng, dt: (_hinge()(rng, dt, shape)[0], _hinge()(rng, dt, (C,))[1])),
        _bad("broadcast input (3, 1)", lambda rng, dt: (_hinge()(rng, dt, (3, 1))[0], _hinge()(rng, dt, shape)[1])),
        _bad("incompatible shapes", lambda rng, dt: (np.zeros(shape, dt), np.ones((3, C + 1), dt))),
        _bad("target of the other float dtype (output keeps the input's)", lambda rng, dt: (
            _hinge()(rng, dt, shape)[0], _hinge()(rng, dt, shape)[1].astype(_other(dt)))),
        _bad("int64 +-1 target", lambda rng, dt: (_hinge()(rng, dt, shape)[0],
                                                  _hinge()(rng, dt, shape)[1].astype(np.int64))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-2, 3, shape), _hinge()(rng, dt, shape)[1])),
        _bad("nan and inf inputs (-inf with target 0: inf - inf)", lambda rng, dt: (
            _planted(_nan_inf(_hinge()(rng, dt, (3, 5))[0]), -np.inf),
            _planted(np.resize(np.array([1.0, -1.0, 0.0], dt), (3, 5)), 0.0))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
    )


def _margin_bad(weighted: bool = False) -> tuple[BadInput, ...]:
    shape = (5, C)

    def x(rng, dt):
        return _margin()(rng, dt, shape)[0]

    out = [
        _bad("class == C", lambda rng, dt: (x(rng, dt), _planted(rng.integers(0, C, 5), C))),
        _bad("class -1", lambda rng, dt: (x(rng, dt), _planted(rng.integers(0, C, 5), -1))),
        _bad("int32 target", lambda rng, dt: (x(rng, dt), rng.integers(0, C, 5).astype(np.int32))),
        _bad("uint8 target", lambda rng, dt: (x(rng, dt), rng.integers(0, C, 5).astype(np.uint8))),
        _bad("target of another length", lambda rng, dt: (x(rng, dt), rng.integers(0, C, 4))),
        _bad("2-d target", lambda rng, dt: (x(rng, dt), rng.integers(0, C, (5, 1)))),
        _bad("3-d input", lambda rng, dt: (rng.standard_normal((2, 3, C)).astype(dt), np.zeros((2, 3), np.int64))),
        _bad("no classes", lambda rng, dt: (np.zeros((3, 0), dt), np.zeros(3, np.int64))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-3, 3, shape), rng.integers(0, C, 5))),
        # z = margin - x[y] + x[i] is NaN there and torch's `z > 0` test drops the term: loss and gradient 0
        _bad("nan input", lambda rng, dt: (_planted(x(rng, dt), np.nan, 1), rng.integers(0, C, 5))),
        _bad("one class", lambda rng, dt: (x(rng, dt)[:, :1], np.zeros(5, np.int64))),
        _bad("3-d input of one sample (1, 1, C)", lambda rng, dt: (x(rng, dt)[:1, None], np.zeros(1, np.int64))),
        _bad("unbatched input with no classes (0,)", lambda rng, dt: (np.zeros(0, dt), np.asarray(0))),
        _bad("inf at the target and another class (inf - inf: a NaN term, dropped)", lambda rng, dt: (
            _planted(_planted(x(rng, dt), np.inf, 0), np.inf, 1), _planted(rng.integers(0, C, 5), 0, 0))),
        _bad("unbatched (C,) with a (1,) target", lambda rng, dt: (x(rng, dt)[0], np.array([2]))),
        _bad("0-d input", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(0))),
    ]
    if weighted:
        out.append(_bad("input of the other float dtype than the weight", lambda rng, dt: (
            x(rng, _other(dt)), rng.integers(0, C, 5))))
    return tuple(out)


def _reduction_bad(make) -> tuple[BadArgs, ...]:
    """torch validates the reduction string only when the loss is called."""
    return (BadArgs("reduction='foo' (at call)", lambda lib: make(lib, "foo")),
            BadArgs("reduction='batchmean' outside KLDivLoss", lambda lib: make(lib, "batchmean")))


def _reg_call(name, **kw):
    return lambda lib, red: _call(getattr(lib, name)(reduction=red, **kw), _x((3, 4)), _x((3, 4)) * 0.5)


def _ce_call(lib, red):
    return _call(lib.CrossEntropyLoss(reduction=red), _x((3, C)), np.array([0, 1, 2]))


def _w(lib, *shape) -> np.ndarray:
    return lib.rng.uniform(0.5, 2.0, shape).astype(lib.dtype)


_BAD_WEIGHT_CE = (
    BadArgs("weight of length C + 1", lambda lib: _call(lib.CrossEntropyLoss(weight=_weight(lib, C + 1)),
                                                        _x((3, C)), np.array([0, 1, 2]))),
    BadArgs("weight of shape (1, C)", lambda lib: _call(lib.CrossEntropyLoss(weight=_w(lib, 1, C)),
                                                        _x((3, C)), np.array([0, 1, 2]))),
    BadArgs("weight of length C + 1, probability targets", lambda lib: _call(
        lib.CrossEntropyLoss(weight=_weight(lib, C + 1)), _x((3, C)), np.full((3, C), 1.0 / C))),
    BadArgs("label_smoothing=1.5", lambda lib: _call(lib.CrossEntropyLoss(label_smoothing=1.5), _x((3, C)),
                                                     np.array([0, 1, 2]))),
    BadArgs("label_smoothing=1.5, probability targets", lambda lib: _call(
        lib.CrossEntropyLoss(label_smoothing=1.5), _x((3, C)), np.full((3, C), 1.0 / C))),
    BadArgs("ignore_index >= 0 with probability targets", lambda lib: _call(
        lib.CrossEntropyLoss(ignore_index=0), _x((3, C)), np.full((3, C), 1.0 / C))),
) + _reduction_bad(_ce_call)

_BAD_WEIGHT_NLL = (
    BadArgs("weight of length C + 1", lambda lib: _call(lib.NLLLoss(weight=_weight(lib, C + 1)), _x((3, C)),
                                                        np.array([0, 1, 2]))),
) + _reduction_bad(lambda lib, red: _call(lib.NLLLoss(reduction=red), _x((3, C)), np.array([0, 1, 2])))

_BCE_XY = (np.full((3, C), 0.25), np.full((3, C), 0.5))
_BAD_BCE = (
    BadArgs("weight not broadcastable", lambda lib: _call(lib.BCELoss(weight=_weight(lib, C + 1)), *_BCE_XY)),
    BadArgs("weight larger than the input", lambda lib: _call(lib.BCELoss(weight=_w(lib, 2, 3, C)), *_BCE_XY)),
) + _reduction_bad(lambda lib, red: _call(lib.BCELoss(reduction=red), *_BCE_XY))

_BAD_BCE_LOGITS = (
    BadArgs("pos_weight not broadcastable", lambda lib: _call(lib.BCEWithLogitsLoss(pos_weight=_weight(lib, C + 1)),
                                                              _x((3, C)), _BCE_XY[1])),
    BadArgs("weight larger than the input", lambda lib: _call(lib.BCEWithLogitsLoss(weight=_w(lib, 2, 3, C)),
                                                              _x((3, C)), _BCE_XY[1])),
) + _reduction_bad(lambda lib, red: _call(lib.BCEWithLogitsLoss(reduction=red), _x((3, C)), _BCE_XY[1]))

_MM_XY = (_x((3, C)), np.array([0, 1, 2]))
_BAD_MARGIN = (
    BadArgs("p=3", lambda lib: _call(lib.MultiMarginLoss(p=3), *_MM_XY)),
    BadArgs("p=0", lambda lib: _call(lib.MultiMarginLoss(p=0), *_MM_XY)),
    BadArgs("weight of length C + 1", lambda lib: _call(lib.MultiMarginLoss(weight=_weight(lib, C + 1)), *_MM_XY)),
    BadArgs("2-d weight", lambda lib: _call(lib.MultiMarginLoss(weight=_w(lib, 1, C)), *_MM_XY)),
) + _reduction_bad(lambda lib, red: _call(lib.MultiMarginLoss(reduction=red), *_MM_XY))
