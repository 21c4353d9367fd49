"""The catalog's mlp (a Sequential of Linear, Tanh, GELU and LogSoftmax) beyond the generic checks, against torch:
every way to construct a Sequential from its modules, and logits large enough that log_softmax needs its shift
(the entry's own weights keep every logit below ~10: tanh bounds the hidden layer). Named for the entry, so that
its mutation audit runs them."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import reference.nn as R
import scratch.nn as S
from tests.catalog import BY_NAME, Lib
from tests.harness import build_pair, compare_pair
from tests.test_activations_edges import like_torch


def _mlp_modules(lib) -> list:
    return list(BY_NAME["mlp"].make(lib))


FORMS = {
    "modules": lambda lib: lib.Sequential(*_mlp_modules(lib)),
    "ordered dict": lambda lib: lib.Sequential(OrderedDict(zip("abcdef", _mlp_modules(lib), strict=True))),
    "one module": lambda lib: lib.Sequential(_mlp_modules(lib)[0]),
    "one module in an ordered dict": lambda lib: lib.Sequential(OrderedDict([("first", _mlp_modules(lib)[0])])),
    "no module": lambda lib: lib.Sequential(),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_mlp_sequential_construction_forms_like_torch(form, rng):
    """Modules named '0', '1', ... or by the OrderedDict's keys: the same state_dict keys, outputs and gradients."""
    make = FORMS[form]
    assert list(make(Lib(S)).state_dict()) == list(make(Lib(R)).state_dict())
    like_torch("mlp", make, (rng.standard_normal((4, 5)),), rng, form)


def test_mlp_with_large_logits_like_torch(rng):
    """The last layer's weights scaled by 1e5 (logits ~1e4-1e5, beyond exp's range): LogSoftmax must subtract the
    row max first."""
    s, r = build_pair(BY_NAME["mlp"], np.float64)
    state = s.state_dict()
    state = {k: v * 1e5 if k.startswith("4.") else v for k, v in state.items()}
    s.load_state_dict(state)
    r.load_state_dict(state)
    compare_pair(BY_NAME["mlp"], np.float64, s, r, (rng.standard_normal((6, 5)) * 3,), rng, prefix="large logits:")
