"""What a failing comparison prints: the worst element's index, got / expected there, and the block's input at that
index; a failing hypothesis example names the catalog entry and the block it builds, not the dataclass fields.
Each failure is provoked in-process on purpose, recorded in a throw-away recorder (not in this run's audit)."""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from tests import tolerances
from tests.catalog import BY_NAME, Case
from tests.harness import build_pair, compare_pair
from tests.strategies import floats
from tests.test_blocks import test_hypothesis_shapes_and_extremes_vs_torch as hypothesis_check
from tests.tolerances import assert_close


@pytest.fixture(autouse=True)
def private_recorder(monkeypatch):
    monkeypatch.setattr(tolerances, "RECORDER", tolerances._Recorder())


def test_names_the_index_the_values_and_the_input_there():
    x = np.arange(24.0).reshape(2, 3, 4) - 12
    expected = 2 * x
    got = expected.copy()
    got[1, 2, 0] += 1e-3
    with pytest.raises(AssertionError) as e:
        assert_close(got, expected, block="double", check="grad_input", inputs={"input": x, "weight": np.ones(3)})
    msg = str(e.value)
    assert "[double / grad_input / float64] not close" in msg
    assert "worst at index (1, 2, 0) of shape (2, 3, 4): got 16.001, expected 16.0" in msg
    assert "input[1, 2, 0] = 8.0" in msg and "weight" not in msg  # only inputs of the compared shape


def test_without_inputs_still_the_index_and_values():
    with pytest.raises(AssertionError, match=r"worst at index \(2,\) of shape \(3,\): got 3\.5, expected 3\.0 "
                                             r"\(error 0\.5, allowed 1\.39e-05\)$"):
        assert_close(np.array([1.0, 2.0, 3.5], np.float32), np.array([1.0, 2.0, 3.0], np.float32),
                     block="b", check="forward")
    with pytest.raises(AssertionError, match=r"worst at the 0-d value: got 1\.0, expected nan"):
        assert_close(np.float64(1.0), np.float64(np.nan), block="b", check="forward")


def _wrong_backward(case_name: str, factor: float):
    case = BY_NAME[case_name]
    s, r = build_pair(case, np.float64)
    right = s.backward
    s.backward = lambda *a, **k: right(*a, **k) * factor  # a deliberately wrong input gradient
    return case, s, r


def test_the_harness_passes_the_block_input():
    case, s, r = _wrong_backward("tanh", 1.001)
    rng = np.random.default_rng(0)
    x = case.sample(rng, np.float64, case.shape, 1.0)[0]
    with pytest.raises(AssertionError) as e:
        compare_pair(case, np.float64, s, r, (x,), rng)
    msg = str(e.value)
    idx = tuple(int(i) for i in re.search(r"worst at index \(([\d, ]+)\)", msg)[1].split(","))
    assert msg.startswith("[tanh / grad_input / float64] not close")
    assert f"input{list(idx)} = {x[idx].item()!r}" in msg


def test_a_parameter_gradient_shows_the_parameter():
    case = BY_NAME["linear"]
    s, r = build_pair(case, np.float64)
    right = s.backward

    def backward(dy):
        dx = right(dy)
        s.weight.grad = s.weight.grad * 1.001
        return dx

    s.backward = backward
    rng = np.random.default_rng(0)
    with pytest.raises(AssertionError) as e:
        compare_pair(case, np.float64, s, r, case.sample(rng, np.float64, case.shape, 1.0), rng)
    msg = str(e.value)
    idx = tuple(int(i) for i in re.search(r"worst at index \(([\d, ]+)\)", msg)[1].split(","))
    assert msg.startswith("[linear / grad[weight] / float64]") and f"weight{list(idx)} = " in msg


BROKEN = Case("broken_leaky_relu", lambda lib: lib.LeakyReLU(0.5 if "scratch" in lib.namespace.__name__ else 0.25),
              floats(), (3, 4), shapes=st.just((3, 4)), scales=(1.0,), family="activations")


def test_a_hypothesis_failure_prints_the_case_name_and_block_not_its_fields():
    body = hypothesis_check.hypothesis.inner_test  # the real test's body, run for one example

    @given(data=st.data())
    @settings(max_examples=1, database=None, phases=[Phase.generate])
    @functools.wraps(body)  # a fresh function: settings() must not mark the real test's body
    def check(case, dtype, data):
        body(case, dtype, data)

    with pytest.raises(AssertionError) as e:
        check(case=BROKEN, dtype=np.float64)
    notes = "\n".join(getattr(e.value, "__notes__", []))
    assert "case=Case('broken_leaky_relu', family='activations', block=LeakyReLU(negative_slope=0.5), " \
           "shape=(3, 4))" in notes
    assert "Draw 1 (shape, scale, seed): ((3, 4), 1.0, " in notes
    assert "lambda" not in notes and "sample=" not in notes and len(notes.splitlines()) < 12, notes
    assert "[broken_leaky_relu / hypothesis:forward / float64] not close" in str(e.value)
    assert re.search(r"worst at index \(\d, \d\) of shape \(3, 4\): .*; input\[\d, \d\] = -", str(e.value))
