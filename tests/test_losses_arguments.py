"""Every loss entry with other values of its class' arguments (a weight given or not, label smoothing, p, delta,
margins, ...; the rest of its configuration kept) and with the deprecated size_average / reduce pair, against
torch on the entry's sample (tests/test_losses_configurations.py says why each entry needs its own)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import reference.nn as R
import scratch.nn as S
from tests.catalog import Case, Lib, _parameter_names
from tests.harness import compare_pair
from tests.test_losses_configurations import LOSS_CASES, _class_of, _dtype


class _ArgumentsLib(Lib):
    """A Lib view whose ``cls`` (the entry's block class) gets extra keyword arguments: ``override`` replaces the
    entry's own, ``default`` does not. Scratch's signature decides which it takes, for the twin too (whose
    signature is torch's)."""

    def __init__(self, namespace, dtype, rng, cls: str, override: dict | None = None,
                 default: dict | None = None) -> None:
        super().__init__(namespace, dtype, rng)
        self.cls, self.override, self.default = cls, override or {}, default or {}

    def __getattr__(self, name: str):
        make = super().__getattr__(name)
        if name != self.cls:
            return make
        taken = _parameter_names(getattr(S, name)) or set()
        extra = {k: v for k, v in self.default.items() if k in taken}
        return lambda *args, **kwargs: make(*args, **{**extra, **kwargs, **self.override})


def _pair(case: Case, dtype, **kw):
    """The entry's block and its twin, built with ``_ArgumentsLib(**kw)``; the warnings scratch's construction
    gave (torch's twin warns alike: tests/test_losses.py)."""
    cls = _class_of(case.name).__name__
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        s = case.make(_ArgumentsLib(S, dtype, np.random.default_rng(0), cls, **kw))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = case.make(_ArgumentsLib(R, dtype, np.random.default_rng(0), cls, **kw))
    r.load_state_dict(s.state_dict())
    return s, r, [str(w.message) for w in rec]


def _classes(case: Case) -> int:
    """The class count of the entry's input (the class dim: 1, or 0 unbatched; LinearCrossEntropyLoss': its own)."""
    if _class_of(case.name) is S.LinearCrossEntropyLoss:
        return 5
    return case.shape[0] if len(case.shape) == 1 else case.shape[1]


def _last(case: Case) -> int:
    return case.shape[-1]


def _weights(n) -> tuple:
    """A weight given or not: None, and positive weights of the length ``n(case)``."""
    return (None, lambda case: np.linspace(0.5, 2.0, n(case)))


# the arguments with branches in each class' code, and the values each entry is run with (those it has not)
ARGUMENTS = {
    "CrossEntropyLoss": {"label_smoothing": (0.0, 0.3, 1.0), "weight": _weights(_classes)},
    "NLLLoss": {"weight": _weights(_classes)},
    "NLLLoss2d": {"weight": _weights(_classes)},
    "LinearCrossEntropyLoss": {"label_smoothing": (0.0, 0.3), "weight": _weights(_classes)},
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
    "TripletMarginLoss": {"swap": (False, True), "p": (1.0, 2.0, math.inf)},
    "TripletMarginWithDistanceLoss": {"swap": (False, True)},
    "CTCLoss": {"zero_infinity": (False, True)},
}


def _runs(case: Case) -> list[tuple[str, object]]:
    """(argument, value) for each value of the class' arguments the entry does not have."""
    s = _pair(case, np.float64)[0]
    runs = []
    for arg, values in ARGUMENTS.get(_class_of(case.name).__name__, {}).items():
        own = getattr(s, arg)
        for v in values:
            value = v(case) if callable(v) else v
            if (own is None) != (value is None) or (own is not None and not isinstance(own, np.ndarray)
                                                    and own != value):
                runs.append((arg, value))
    return runs


_WITH_ARGUMENTS = [c for c in LOSS_CASES if _class_of(c.name).__name__ in ARGUMENTS]


@pytest.mark.parametrize("case", _WITH_ARGUMENTS, ids=str)
def test_other_argument_values_like_torch(case, rng):
    """The entry's block with each other value of its class' arguments, one at a time, on its sample."""
    for k, (arg, value) in enumerate(_runs(case)):
        dtype = _dtype(case, k)
        value = value.astype(dtype) if isinstance(value, np.ndarray) else value
        s, r, _ = _pair(case, dtype, override={arg: value})
        compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng, prefix=f"{arg}={value}:")


def test_every_entry_of_these_classes_meets_another_value():
    """The table above names real arguments, and no entry is left with nothing to run."""
    assert all(_runs(c) for c in _WITH_ARGUMENTS)


_TAKES_LEGACY = [c for c in LOSS_CASES if {"size_average", "reduce"} <= (_parameter_names(_class_of(c.name)) or set())]


@pytest.mark.parametrize("case", _TAKES_LEGACY, ids=str)
def test_legacy_size_average_reduce_like_torch(case, rng):
    """One of the deprecated pair given (the other None; the entry's own arguments win): torch's reduction ('sum',
    'none'), its warning, and the values and gradients of the entry's block under it."""
    for k, legacy in enumerate((dict(size_average=False), dict(reduce=False))):
        dtype = _dtype(case, k)
        s, r, told = _pair(case, dtype, default=legacy)
        assert s.reduction == r.torch_module.reduction, legacy
        told = [m for m in told if "size_average and reduce" in m]
        assert told == [f"size_average and reduce args will be deprecated, please use reduction='{s.reduction}' "
                        "instead."], told
        compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng, prefix=f"legacy {legacy}:")
