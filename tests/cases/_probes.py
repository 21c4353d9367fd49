"""Probes: extra inputs and constructor variants of a catalog entry's block, each compared with torch, for the
targeted test files of the windowed and normalization families (tests/test_<family>_probes.py).

A probe is ``(label, args)``: both twins of the SAME pair are called with ``args`` (one pair for every probe of
an entry, so a second call with another shape is checked too); where torch accepts, every output and every
gradient is compared (harness.compare_pair), where torch raises, scratch must raise the same class. The probes
sit where the entry's own sample cannot reach: at the boundaries of its hyper-parameters (the smallest valid
input, one below it), the other batching, an empty batch, a rank or dtype torch refuses.

A variant is the entry's class built with some arguments changed (``groups=0``, ``in_channels=0``): the same
constructor code with the argument values at its boundaries, compared by outcome, state and warnings.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np

import reference.nn
import scratch.nn
from tests.catalog import Case, Lib
from tests.harness import assert_same_outcome, compare_pair, forward, outcome, run
from tests.structure import cotangents, leaves, wants_target_grad


def _probe_dtype(args, default):
    """float32 tolerances for float32 and float16 inputs (a probe of another dtype than the pair's)."""
    kinds = {a.dtype for a in leaves_of(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"}
    return np.float32 if kinds and kinds <= {np.dtype(np.float32), np.dtype(np.float16)} else default


def leaves_of(args) -> list:
    return [leaf for _, leaf in leaves(args)]


def _run_outcome(case: Case, module, args: tuple, seed: int):
    """('ok', every output and gradient by key) or ('raise', e) of a forward and a backward with cotangents drawn
    from ``seed``."""
    cots = np.random.default_rng(seed)
    target_grad = wants_target_grad(module, args, case.loss)
    return outcome(lambda: run(case, module, args, lambda out: cotangents(cots, out), target_grad,
                               check_nesting=False))


def compare_probes(case: Case, s, r, probes, rng: np.random.Generator, dtype=np.float64) -> None:
    """Every probe on the pair (s, r), each twin running it once: torch's outcome is first found on a copy of the
    twin (a call may move its state: running statistics, a generator); where torch accepts, the whole comparison
    (outputs only, exactly, where no output is a float array: an integer input), else the same exception class,
    in forward or in backward."""
    for label, args in probes:
        if "forward only:" in label:  # torch's gradient there depends on its rounding
            compare_forward(case, s, r, label, args)
            continue
        expected = outcome(lambda a=args: forward(copy.deepcopy(r), a))
        if expected[0] != "ok":
            assert_same_outcome(f"{case.name}/{label}", outcome(lambda a=args: forward(s, a)),
                                outcome(lambda a=args: forward(r, a)))
            continue
        floats = [np.asarray(v).dtype for v in leaves_of(expected[1]) if np.asarray(v).dtype.kind == "f"]
        if not floats:
            got, expected = outcome(lambda a=args: forward(s, a)), outcome(lambda a=args: forward(r, a))
            assert_same_outcome(f"{case.name}/{label}", got, expected)
            for g, e in zip(leaves_of(got[1]), leaves_of(expected[1]), strict=True):
                assert np.asarray(g).dtype == np.asarray(e).dtype, (label, np.asarray(g).dtype, np.asarray(e).dtype)
                np.testing.assert_array_equal(g, e, err_msg=f"{case.name}/{label}")
            continue
        seed = int(rng.integers(2**31))
        if _run_outcome(case, copy.deepcopy(r), args, seed)[0] != "ok":  # torch's backward refuses
            assert_same_outcome(f"{case.name}/{label}", outcome(lambda a=args: forward(copy.deepcopy(s), a)),
                                expected)  # scratch's forward must accept, as torch's does
            assert_same_outcome(f"{case.name}/{label} backward", _run_outcome(case, s, args, seed),
                                _run_outcome(case, r, args, seed))
            continue
        tol_dtype = np.float32 if set(floats) == {np.dtype(np.float32)} else _probe_dtype(args, dtype)
        compare_pair(case, tol_dtype, s, r, args, rng, prefix=f"{label}:")


def compare_frozen(case: Case, s, r, args: tuple, rng: np.random.Generator, dtype=np.float64) -> None:
    """Every parameter frozen (requires_grad False) on both sides: the same outputs and input gradients, and no
    parameter gradient (None on both sides). The parameters are unfrozen again after."""
    params = [p for m in (s, r) for p in m.parameters()]
    for p in params:
        p.grad, p.requires_grad = None, False
    try:
        compare_pair(case, dtype, s, r, args, rng, prefix="frozen:")
    finally:
        for p in params:
            p.requires_grad = True


def compare_forward(case: Case, s, r, label: str, args: tuple) -> None:
    """The outcome and the outputs (NaN where torch's is NaN) of one call; then a backward on scratch's side must
    run (its warnings are errors in the suite) without the values compared."""
    got, expected = outcome(lambda: forward(s, args)), outcome(lambda: forward(r, args))
    assert_same_outcome(f"{case.name}/{label}", got, expected)
    if expected[0] != "ok":
        return
    for g, e in zip(leaves_of(got[1]), leaves_of(expected[1]), strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-10, err_msg=f"{case.name}/{label}")
    s.backward(np.ones_like(got[1]))
    for p in s.parameters():  # the gradients of that backward are not torch's: not kept
        p.grad = None
    for p in r.parameters():
        p.grad = None


def normal(rng: np.random.Generator, shape, dtype=np.float64) -> np.ndarray:
    return rng.standard_normal(shape).astype(dtype)


def build_both(make, dtype=np.float64, seed: int = 0):
    """(scratch outcome, torch outcome, scratch warnings, torch warnings) of ``make(lib)`` on both namespaces."""
    results = []
    for namespace in (scratch.nn, reference.nn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                results.append(("ok", make(Lib(namespace, dtype, np.random.default_rng(seed)))))
            except Exception as e:  # noqa: BLE001 - the class is compared
                results.append(("raise", e))
        results.append(sorted({type(w.message).__name__ for w in caught}))
    s, s_warn, r, r_warn = results
    return s, r, s_warn, r_warn


def compare_variant(label: str, make, check_state: bool = True, dtype=np.float64):
    """The entry's class built with other arguments: the same outcome and warning classes as torch; where both
    build, the same state_dict keys and shapes (and values, where ``check_state`` and torch's are
    deterministic). Returns the pair (scratch, torch) or None."""
    s, r, s_warn, r_warn = build_both(make, dtype)
    assert_same_outcome(label, s, r)
    assert s_warn == r_warn, f"{label}: scratch warns {s_warn}, torch {r_warn}"
    if r[0] != "ok":
        return None
    if getattr(s[1], "has_uninitialized_params", lambda: False)():
        return s[1], r[1]  # a Lazy module: its state exists after its first call
    ss, sr = s[1].state_dict(), r[1].state_dict()
    assert list(ss) == list(sr), f"{label}: state_dict keys {list(ss)} vs torch {list(sr)}"
    for key in ss:
        assert np.shape(ss[key]) == np.shape(sr[key]), (label, key, np.shape(ss[key]), np.shape(sr[key]))
        if check_state and np.asarray(sr[key]).size and not np.asarray(sr[key]).any():  # torch's zeros
            np.testing.assert_array_equal(ss[key], sr[key], err_msg=f"{label}: {key}")
    return s[1], r[1]
