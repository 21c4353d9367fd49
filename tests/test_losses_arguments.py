"""Every entry of the losses family with other values of its class' arguments (a weight given or not, label
smoothing, ignore_index, p, delta, margins, ...; the rest of its configuration kept), and with the deprecated
size_average / reduce pair, against torch on the entry's sample (tests/test_losses_configurations.py says why
each entry needs its own)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import scratch.nn as S
from tests import test_blocks
from tests.catalog import BadInput, Case, Lib, _parameter_names
from tests.harness import build_pair, compare_pair
from tests.test_losses_configurations import FAMILY, LOSS_CASES, _borrowed, _class_of, _dtype, with_arguments


def _classes(case: Case) -> int:
    """The class count of the entry's input (the class dim: 1, or 0 unbatched; LinearCrossEntropyLoss': its own)."""
    if _class_of(case.name) is S.LinearCrossEntropyLoss:
        return build_pair(case, np.float64)[0].num_classes
    return case.shape[0] if len(case.shape) == 1 else case.shape[1]


def _last(case: Case) -> int:
    return case.shape[-1]


def _weights(n) -> tuple:
    """A weight given or not: None, and positive weights of the length ``n(case)``."""
    return (None, lambda case: np.linspace(0.5, 2.0, n(case)))


_NORMS = (0.0, 0.5, 1.0, 2.0, 3.0, math.inf, -math.inf)
_INDEX = {"weight": _weights(_classes), "ignore_index": (-100, 0, _classes)}
# the arguments with branches in each class' code, and the values each entry is run with (those it has not);
# an argument is a keyword of the constructor and an attribute of the same name (but PairwiseDistance's p: norm)
ARGUMENTS = {
    "CrossEntropyLoss": {"label_smoothing": (0.0, 0.3, 1.0), **_INDEX},
    "NLLLoss": _INDEX,
    "NLLLoss2d": _INDEX,
    "LinearCrossEntropyLoss": {"label_smoothing": (0.0, 0.3), "weight": _weights(_classes), "ignore_index": (None, 0)},
    "BCELoss": {"weight": _weights(_last)},
    "BCEWithLogitsLoss": {"weight": _weights(_last), "pos_weight": _weights(_last)},
    "MultiMarginLoss": {"p": (1, 2), "weight": _weights(_classes)},
    "MultiLabelSoftMarginLoss": {"weight": _weights(_last)},
    "HuberLoss": {"delta": (0.5, 1.0, 2.0)},
    "SmoothL1Loss": {"beta": (0.0, 0.5, 1.0)},
    "KLDivLoss": {"log_target": (False, True)},
    "HingeEmbeddingLoss": {"margin": (1.0, -0.5)},
    "MarginRankingLoss": {"margin": (0.0, 0.5)},
    "CosineEmbeddingLoss": {"margin": (0.0, 0.5)},
    "PoissonNLLLoss": {"log_input": (True, False), "full": (False, True)},
    "GaussianNLLLoss": {"full": (False, True)},
    "TripletMarginLoss": {"swap": (False, True), "p": _NORMS, "eps": (0.0, 1e-6)},
    "TripletMarginWithDistanceLoss": {"swap": (False, True)},
    "PairwiseDistance": {"p": _NORMS, "eps": (0.0, 1e-6), "keepdim": (False, True)},
    "CTCLoss": {"zero_infinity": (False, True)},
}
_ATTRIBUTE = {("PairwiseDistance", "p"): "norm"}


def _differs(own, value) -> bool:
    if own is None or value is None or isinstance(own, np.ndarray):
        return (own is None) != (value is None)
    return own != value


def argument_runs(case: Case) -> list[tuple[str, object]]:
    """(keyword, value) for each value of the class' arguments the entry does not have."""
    s, cls = build_pair(case, np.float64)[0], _class_of(case.name).__name__
    runs = []
    for arg, values in ARGUMENTS.get(cls, {}).items():
        own = getattr(s, _ATTRIBUTE.get((cls, arg), arg))
        for v in values:
            value = v(case) if callable(v) else v
            if _differs(own, value):
                runs.append((arg, value))
    return runs


_WITH_ARGUMENTS = [c for c in FAMILY if _class_of(c.name).__name__ in ARGUMENTS]


@pytest.mark.parametrize("case", _WITH_ARGUMENTS, ids=str)
def test_other_argument_values_like_torch(case, rng):
    """The entry's block with each other value of its class' arguments, one at a time, on its sample and on its
    first sibling's (another shape or target kind): torch's error class (e.g. ignore_index with probabilities) or
    its values and gradients."""
    inputs = [BadInput("the entry's sample", lambda rng, dt: case.sample(rng, dt, case.shape, 1.0))]
    inputs += [b for b in _borrowed(case.name) if b.label.startswith("the sample of")][:1]
    for k, (arg, value) in enumerate(argument_runs(case)):
        dtype = _dtype(case, k)
        value = value.astype(dtype) if isinstance(value, np.ndarray) else value
        for sample in inputs:
            try:
                test_blocks.test_bad_input_like_torch(with_arguments(case, {arg: value}), sample, dtype, rng)
            except AssertionError as e:
                raise AssertionError(f"{case.name} with {arg}={value} on {sample.label} ({np.dtype(dtype).name}): "
                                     f"{e}") from None


def test_every_entry_of_these_classes_meets_another_value():
    """The table above names real arguments, and no entry is left with nothing to run."""
    assert all(argument_runs(c) for c in _WITH_ARGUMENTS)


_TAKES_LEGACY = [c for c in LOSS_CASES if {"size_average", "reduce"} <= (_parameter_names(_class_of(c.name)) or set())]


@pytest.mark.parametrize("case", _TAKES_LEGACY, ids=str)
def test_legacy_size_average_reduce_like_torch(case, rng):
    """One of the deprecated pair given (the other None; the entry's own arguments win): torch's reduction ('sum',
    'none'), its warning, and the values and gradients of the entry's block under it."""
    for k, legacy in enumerate((dict(size_average=False), dict(reduce=False))):
        dtype, other = _dtype(case, k), with_arguments(case, default=legacy)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            other.make(Lib(S, dtype, np.random.default_rng(0)))
        told = [str(w.message) for w in rec if "size_average and reduce" in str(w.message)]
        s, r = build_pair(other, dtype)
        assert s.reduction == r.torch_module.reduction, legacy
        assert told == [f"size_average and reduce args will be deprecated, please use reduction='{s.reduction}' "
                        "instead."], told
        compare_pair(other, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng, prefix=f"legacy {legacy}:")
