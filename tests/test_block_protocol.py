"""The module protocol, checked on every catalog entry x dtype against its twin (docs/design.md 'The module protocol'):
torch's keyword names in forward, a repr like torch's, backward consuming the cache, a float64 cotangent into a
float32 block giving float32 gradients, and gradients that no in-place change of an input or output array made
after forward can alter."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import scratch.nn
from conftest import DTYPES
from tests.catalog import CATALOG
from tests.harness import assert_same_outcome, build, build_pair, forward, outcome, run
from tests.structure import call_backward, copy_arrays, cotangents, leaves, output_items, wants_target_grad

cases = pytest.mark.parametrize("case", CATALOG, ids=str)
dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)


def _names(forward_fn) -> list[str]:
    return [p.name for p in inspect.signature(forward_fn).parameters.values() if p.name != "self"]


@cases
def test_forward_takes_torch_argument_names(case, rng):
    """forward's parameters are named as torch's, and calling by keyword is calling by position (two pairs
    built alike, so blocks that draw masks draw the same ones)."""
    (s, r), (s_kw, r_kw) = build_pair(case, np.float64), build_pair(case, np.float64)
    assert _names(s.forward) == _names(r.torch_module.forward)
    args = case.sample(rng, np.float64, case.shape, 1.0)
    kwargs = dict(zip(_names(s.forward), args, strict=False))
    for by_position, by_name in ((forward(s, args), forward(s_kw, (), kwargs)),
                                 (forward(r, args), forward(r_kw, (), kwargs))):
        for (key, y), (_, y_kw) in zip(output_items(by_position), output_items(by_name), strict=True):
            np.testing.assert_array_equal(y_kw, y, err_msg=f"{case.name} {key} by keyword")


@cases
def test_repr_is_torchs(case):
    s, r = build_pair(case, np.float64)
    assert repr(s) == repr(r.torch_module)


@cases
@dtypes
def test_second_backward_without_forward_raises_like_torch(case, dtype, rng):
    s, r = build_pair(case, dtype)
    args = case.sample(rng, dtype, case.shape, 1.0)
    target_grad = wants_target_grad(s, args, case.loss)
    seen = []  # (outputs, cotangents) of each side's first forward/backward

    def remember(out):
        seen.append((out, cotangents(np.random.default_rng(1), out)))
        return seen[-1][1]

    for module in (s, r):
        run(case, module, args, remember, target_grad, check_nesting=module is s)
    second = [outcome(lambda m=m, o=o: call_backward(m, o[0], o[1], case.loss, target_grad))
              for m, o in zip((s, r), seen, strict=True)]
    assert_same_outcome(f"{case.name}: second backward", *second)
    assert second[1][0] == "raise" and isinstance(second[1][1], RuntimeError)


@cases
def test_float64_cotangent_gives_float32_gradients(case, rng):
    """torch's engine casts a cotangent to its output's dtype: the gradients equal, bit for bit, those of the
    float32 cotangent, in float32 (and torch's twin gives float32 too)."""
    args = case.sample(rng, np.float32, case.shape, 1.0)
    s32, (s64, r64) = build(case, scratch.nn, np.float32), build_pair(case, np.float32)
    target_grad = wants_target_grad(s32, args, case.loss)
    want = run(case, s32, args, lambda out: cotangents(np.random.default_rng(3), out), target_grad)
    for module in (s64, r64):
        got = run(case, module, args, lambda out: _as64(cotangents(np.random.default_rng(3), out)), target_grad,
                  check_nesting=module is s64)
        for key, g in got.items():
            if key.startswith("grad") and g is not None:
                assert g.dtype == want[key].dtype, f"{type(module).__name__} {key}: {g.dtype}"
                if module is s64:
                    np.testing.assert_array_equal(g, want[key], err_msg=key)


def _as64(tree):
    if isinstance(tree, tuple):
        return tuple(_as64(t) for t in tree)
    return None if tree is None else np.asarray(tree, np.float64)


def _scribble(tree, rng: np.random.Generator) -> None:
    """Overwrite every array in place: floats with noise, integers (class indices) with zeros."""
    for _, leaf in leaves(tree):
        if isinstance(leaf, np.ndarray) and leaf.size and leaf.flags.writeable:
            leaf[...] = rng.standard_normal(leaf.shape) if leaf.dtype.kind == "f" else 0


@cases
@dtypes
def test_inputs_and_outputs_changed_in_place_after_forward_leave_gradients_alone(case, dtype, rng):
    """torch raises when a tensor saved for backward was modified in place; scratch keeps what backward needs in
    arrays it owns, so the gradients are those of the arrays forward saw, bit for bit."""
    args = case.sample(rng, dtype, case.shape, 1.0)
    clean, dirty = build(case, scratch.nn, dtype), build(case, scratch.nn, dtype)  # the same seed: identical
    target_grad = wants_target_grad(clean, args, case.loss)
    want = run(case, clean, copy_arrays(args), lambda out: cotangents(np.random.default_rng(4), out), target_grad)
    mine = copy_arrays(args)

    def scribble_then_cotangents(out):
        cots = cotangents(np.random.default_rng(4), out)
        _scribble(mine, np.random.default_rng(5))
        _scribble(out, np.random.default_rng(6))
        return cots

    got = run(case, dirty, mine, scribble_then_cotangents, target_grad)
    for key in want:
        if key.startswith("grad") and want[key] is not None:
            np.testing.assert_array_equal(got[key], want[key], err_msg=f"{case.name} {key}")
