"""LinearCrossEntropyLoss beyond its catalog entries' samples: the init of its Linear child (the generic init check
pools one entry per distinct init and checks the others only for the same draws), and configurations each entry's
own sample never reaches (unbatched chunks, an empty 'sum', ignored rows whose placeholder class is -inf, the
chunk-size rules, in_features 0, one class, a -inf logit), against torch. Parametrized by entry, so that each
entry's audit (``-k <entry>``) runs them with its own configuration."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest

import reference.nn as R
import scratch.nn as S
from tests import test_blocks
from tests.cases._loss_linear_cross_entropy import LINEAR_CE_CASES, C, F
from tests.catalog import BadInput, Lib
from tests.harness import build
from tests.test_init import assert_same_distribution

_BY_NAME = {c.name: c for c in LINEAR_CE_CASES}


def _config(case, dtype=np.float64) -> dict:
    """The entry's constructor arguments (but in_features, num_classes), read off its scratch block."""
    s = build(case, S, dtype)
    return dict(out_features=tuple(s.out_features), bias=s.linear.bias is not None, reduction=s.reduction,
                weight=s.weight, ignore_index=s.ignore_index, label_smoothing=s.label_smoothing,
                options=None if s.options is None else dataclasses.asdict(s.options))


def _make(lib, in_features: int, num_classes: int, kw: dict):
    kw = dict(kw)
    if kw.get("options") is not None:  # each library's own options class, same fields
        kw["options"] = lib.losses.LinearCrossEntropyOptions(**kw["options"])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)  # torch's zero-element-init warning
        return lib.LinearCrossEntropyLoss(in_features, num_classes, **kw)


def _pooled(namespace, in_features: int, num_classes: int, kw: dict, seeds) -> dict[str, np.ndarray]:
    pooled: dict[str, list] = {}
    for seed in seeds:
        m = _make(Lib(namespace, np.float32, np.random.default_rng(seed)), in_features, num_classes, kw)
        for name, p in m.named_parameters():
            pooled.setdefault(name, []).append(np.array(p.data, copy=True))
    return {name: np.stack(a) for name, a in pooled.items()}


@pytest.mark.parametrize("case", LINEAR_CE_CASES, ids=str)
def test_internal_linear_init_like_torch(case):
    """linear.weight and linear.bias ~ U(-1/sqrt(in_features), 1/sqrt(in_features)) (torch's kaiming_uniform_(a=
    sqrt 5) and its bias rule) at the entry's sizes and at in_features 1 (bound 1), by distribution against torch's
    (support, both edges reached, moments, KS); at in_features 0 an empty weight and a zero bias, and num_classes 0
    an empty layer, exactly as torch's."""
    kw = {k: _config(case)[k] for k in ("out_features", "bias")}
    for in_features in (F, 1):
        xs, ys = (_pooled(ns, in_features, C, kw, range(80)) for ns in (S, R))
        assert list(xs) == list(ys), (list(xs), list(ys))
        bound = 1.0 / math.sqrt(in_features)
        for name in xs:
            assert xs[name].shape == ys[name].shape and xs[name].dtype == ys[name].dtype == np.float32, name
            assert_same_distribution(xs[name], ys[name], block=f"init.{case.name}.{name}[in_features={in_features}]",
                                     dtype=np.float32, support=(-bound, bound), edges=True)
    for in_features, num_classes in ((0, C), (F, 0)):
        xs, ys = (_pooled(ns, in_features, num_classes, kw, range(2)) for ns in (S, R))
        assert list(xs) == list(ys), (list(xs), list(ys))
        for name in xs:
            np.testing.assert_array_equal(xs[name], ys[name], strict=True,
                                          err_msg=f"{case.name}.{name} at ({in_features}, {num_classes})")


def _rows(rng, dt, n=4, f=F):
    return (rng.standard_normal((n, f)) * 2.0).astype(dt)


def _probs(rng, dt, shape):
    p = np.exp(rng.standard_normal(shape))
    return (p / p.sum(-1, keepdims=True)).astype(dt)


# (label, constructor overrides, in_features, the (input, target) sampler, the bias' class set to -inf or None)
_CHUNKED = ("linear_cross_entropy_chunked", "linear_cross_entropy_chunked_auto_none")
_SCENARIOS = [
    *[(e, "unbatched, a class index", {}, F, lambda rng, dt: (_rows(rng, dt, 1)[0], np.array(2)), None)
      for e in _CHUNKED],
    *[(e, "unbatched probabilities (options ignored)", {}, F,
       lambda rng, dt: (_rows(rng, dt, 1)[0], _probs(rng, dt, (C,))), None) for e in _CHUNKED],
    *[(e, "an empty batch, 'sum'", {"reduction": "sum"}, F,
       lambda rng, dt: (np.zeros((0, F), dt), np.zeros(0, np.int64)), None) for e in _CHUNKED],
    # an ignored row's loss is its placeholder class' -lsm times 0: NaN where that class is -inf (torch's class 0)
    *[(e, f"an ignored row, class {k} at -inf", {"bias": True}, F,
       lambda rng, dt: (_rows(rng, dt), np.array([2, -100, 3, 4])), k) for e in _CHUNKED for k in (0, 1)],
    *[(e, "a 2-d target with class weights (IndexError)", {"weight": np.linspace(0.5, 2.0, C)}, F,
       lambda rng, dt: (_rows(rng, dt), np.array([[0], [1], [2], [3]])), None) for e in _CHUNKED],
    # 'aspect_ratio' (factor 1) on 3 rows, in_features 4, 5 classes: next_pow2(ceil(3 / ceil(5 / 4))) = 2 rows
    *[(e, "aspect_ratio and its own batch_chunk_size", {"options": {"batch_chunk_size": 2,
                                                                    "chunking_method": "aspect_ratio"}}, F,
       lambda rng, dt: (_rows(rng, dt, 3), np.array([0, 4, 2])), None) for e in _CHUNKED],
    *[(e, "in_features 0", {}, 0, lambda rng, dt: (np.zeros((3, 0), dt), np.array([0, 4, 2])), None)
      for e in _CHUNKED],
    # the reference path (no smoothing): a -inf logit of a class no row targets; an ignored row keeps it off the
    # row fast path
    ("linear_cross_entropy", "a class at -inf, an ignored row", {"bias": True}, F,
     lambda rng, dt: (_rows(rng, dt), np.array([0, -100, 1, 4])), 3),
    # one class: log_softmax is 0 whatever the logit, even past exp's range (one row: a single logit in all)
    ("linear_cross_entropy", "one class, one row, a logit past exp's range", {"num_classes": 1}, F,
     lambda rng, dt: (_rows(rng, dt, 1) * 1e4, np.array([0])), None),
    # no classes: (N, 0) logits and probabilities, label smoothing's eps / C never evaluated at C = 0 (torch: 0)
    ("linear_cross_entropy_probs_none", "no classes, probabilities", {"num_classes": 0}, F,
     lambda rng, dt: (_rows(rng, dt, 3), np.zeros((3, 0), dt)), None),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("entry, label, override, in_features, sample, minus_inf",
                         _SCENARIOS, ids=[f"{s[0]}-{s[1]}" for s in _SCENARIOS])
def test_configuration_like_torch(entry, label, override, in_features, sample, minus_inf, dtype, rng):
    """The entry's block with these overrides (its options, weight, reduction otherwise kept): torch's error class,
    or its loss and every gradient (the generic bad-input comparison)."""
    case = _BY_NAME[entry]
    override = dict(override)
    num_classes = override.pop("num_classes", C)

    def make(lib):
        kw = {**_config(case, lib.dtype), **override}
        kw["weight"] = None if kw["weight"] is None else np.asarray(kw["weight"], lib.dtype)
        m = _make(lib, in_features, num_classes, kw)
        if minus_inf is not None and lib.namespace is S:  # the twin loads the scratch state (build_pair)
            m.linear.bias.data[minus_inf] = -np.inf
        return m

    test_blocks.test_bad_input_like_torch(dataclasses.replace(case, make=make), BadInput(label, sample), dtype, rng)
