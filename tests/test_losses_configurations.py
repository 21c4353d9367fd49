"""Every entry of the losses family with its configuration (its constructor arguments: weights, ignore_index,
smoothing, margins, ...) beyond its own sample: under every reduction of its class, on the inputs of the other
entries of its class (their samples, other shapes and target kinds, and their bad inputs), with torch's
warnings, and with its siblings' invalid hyper-parameters (tests/test_losses_arguments.py: other argument
values, the deprecated size_average / reduce pair). Always against torch.

An entry's own checks (tests/test_blocks.py) meet one reduction and one kind of input; the shared code (the
reductions and validation in losses/_base.py, CrossEntropyLoss' index, probability and spatial paths) runs
under every entry, so each entry's checks must reach its other branches too (the mutation audit audits each
entry with its own checks: README "Mutation audit"). Each extra run is in one dtype, float64 and float32 in
turn (inputs of mixed float dtypes: both), so that the whole costs about 3 s of CPU."""

from __future__ import annotations

import dataclasses
import functools
import warnings

import numpy as np
import pytest

import scratch.nn as S
from conftest import DTYPES
from scratch.nn.losses._base import REDUCTIONS
from tests import test_blocks, test_losses
from tests.catalog import CATALOG, BadArgs, BadInput, Case, Lib, _parameter_names
from tests.harness import assert_same_outcome, build, build_pair, compare_pair, forward, outcome
from tests.structure import argument_names, call_backward, cotangents

FAMILY = [c for c in CATALOG if c.family == "losses"]  # the losses and PairwiseDistance
LOSS_CASES = [c for c in FAMILY if c.loss]
family = pytest.mark.parametrize("case", FAMILY, ids=str)

# torch's 'mean' / 'sum' of an empty batch is uninitialized memory for these two: their 'none' entries' inputs
# stay their own
_OWN_INPUTS = {"multi_margin_none", "multilabel_margin_none"}
# torch's float32 recursion over 200 frames is ~1e-5 off (tests/test_losses_ctc.py compares scratch's float32
# with float64 there): its sample is not lent, and its other reductions allow torch's measured float32 error
_TORCH_FLOAT32_ERROR = {"ctc_long_sequence"}
# lent only between entries of the same reduction: torch returns an integer loss for the first three with 'sum' /
# 'none' (scratch requires a float input: the classes' docstrings); the fourth's float64 target gradient is
# float32-accurate on both sides (log_softmax of the float32 input), within float64's tolerance only at the
# magnitude its own entry's reduction gives it
_SAME_REDUCTION_ONLY = {("L1Loss", "int64 input and target"), ("SmoothL1Loss", "int64 input and target"),
                        ("HingeEmbeddingLoss", "int64 input"),
                        ("CrossEntropyLoss", "probabilities of the other float dtype")}
_KIN = {S.NLLLoss2d: S.NLLLoss}  # the deprecated alias is NLLLoss' code: their entries are siblings


@functools.cache
def _class_of(name: str) -> type:
    return type(build(next(c for c in FAMILY if c.name == name), S, np.float64))


def _siblings(case: Case) -> list[Case]:
    """The other entries whose scratch block is of the case's class (or its kin)."""
    kind = _KIN.get(_class_of(case.name), _class_of(case.name))
    return [c for c in FAMILY if c is not case and _KIN.get(_class_of(c.name), _class_of(c.name)) is kind]


def _dtype(case: Case, k: int):
    """The dtype of the entry's k-th extra run: float64 and float32 in turn."""
    return DTYPES[(FAMILY.index(case) + k) % len(DTYPES)]


def _sampler_key(c: Case):
    """Entries sampling alike (the same sampler function with the same closure, at the same shape) share one."""
    f = c.sample
    cells = tuple(repr(cell.cell_contents) for cell in (getattr(f, "__closure__", None) or ()))
    return getattr(f, "__code__", f), cells, c.shape


def _reduction(case: Case):
    return getattr(build(case, S, np.float64), "reduction", None)


@functools.cache
def _borrowed(name: str) -> tuple[BadInput, ...]:
    """The inputs of the entry's siblings that it does not have itself: each distinct sample (at the sibling's
    default shape, scale 1) and each bad input (by label), compared with torch by the bad-input check (the
    same error class, or the same values and gradients)."""
    case = next(c for c in FAMILY if c.name == name)
    own, cls = {b.label for b in case.bad_inputs}, _class_of(name).__name__
    samples, bad = {_sampler_key(case): None}, {}
    for sib in _siblings(case):
        if sib.name not in _TORCH_FLOAT32_ERROR:
            samples.setdefault(_sampler_key(sib), BadInput(f"the sample of {sib.name}", functools.partial(
                lambda rng, dt, sib: sib.sample(rng, dt, sib.shape, 1.0), sib=sib)))
        if sib.name in _OWN_INPUTS:
            continue
        same_reduction = _reduction(sib) == _reduction(case)
        for b in sib.bad_inputs:
            if b.label not in own and (same_reduction or (cls, b.label) not in _SAME_REDUCTION_ONLY):
                bad.setdefault(b.label, b)
    return tuple(b for b in samples.values() if b is not None) + tuple(bad.values())


@functools.cache
def _borrowed_args(name: str) -> tuple[BadArgs, ...]:
    """The invalid hyper-parameters of the entry's siblings that it does not have itself (by label)."""
    case = next(c for c in FAMILY if c.name == name)
    own, lent = {b.label for b in case.bad_args}, {}
    for sib in _siblings(case):
        for b in sib.bad_args:
            if b.label not in own:
                lent.setdefault(b.label, b)
    return tuple(lent.values())


class ArgumentsLib(Lib):
    """A Lib view whose ``cls`` (the entry's block class) gets extra keyword arguments: ``override`` replaces the
    entry's own, ``default`` does not. Scratch's signature decides which it takes, for the twin too (whose
    signature is torch's)."""

    def __init__(self, namespace, dtype, rng, cls: str, override: dict, default: dict) -> None:
        super().__init__(namespace, dtype, rng)
        self.cls, self.override, self.default = cls, override, default

    def __getattr__(self, name: str):
        make = super().__getattr__(name)
        if name != self.cls:
            return make
        taken = _parameter_names(getattr(S, name)) or set()
        extra = {k: v for k, v in self.default.items() if k in taken}
        return lambda *args, **kwargs: make(*args, **{**extra, **kwargs, **self.override})


def with_arguments(case: Case, override: dict | None = None, default: dict | None = None) -> Case:
    """The entry built with other keyword arguments (every block the case builds: the twins of the float32 slack
    and of the bad-input checks too)."""
    cls = _class_of(case.name).__name__

    def make(lib):
        return case.make(ArgumentsLib(lib.namespace, lib.dtype, lib.rng, cls, override or {}, default or {}))

    return dataclasses.replace(case, make=make)


def _reductions(case: Case) -> tuple[str, ...]:
    return REDUCTIONS + (("batchmean",) if _class_of(case.name) is S.KLDivLoss else ())


@pytest.mark.parametrize("case", LOSS_CASES, ids=str)
def test_every_reduction_like_torch(case, rng):
    """The entry's block under each other reduction of its class (its own is the generic checks')."""
    for k, reduction in enumerate(r for r in _reductions(case) if r != _reduction(case)):
        other, dtype = with_arguments(case, {"reduction": reduction}), _dtype(case, k)
        s, r = build_pair(other, dtype)
        compare_pair(other, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng, prefix=f"{reduction}:",
                     slack_seed=0 if case.name in _TORCH_FLOAT32_ERROR else None)


def _mixed(args: tuple) -> bool:
    """float32 and float64 arrays together (which one is the narrower matters: run both ways)."""
    return len({np.asarray(a).dtype for a in args if np.asarray(a).dtype.kind == "f"}) > 1


@family
def test_inputs_of_the_other_entries_like_torch(case, rng):
    """The entry's block on its siblings' samples and bad inputs: other shapes (spatial, unbatched), target kinds
    (probabilities, ignored classes), dtypes, NaN/inf, empty batches, broadcasting; as torch, and without a
    RuntimeWarning; an integer target's gradient (its own inputs' too); its siblings' invalid hyper-parameters."""
    for k, bad in enumerate(_borrowed(case.name)):
        for dtype in DTYPES if _mixed(bad.sample(rng, np.float64)) else (_dtype(case, k),):
            try:
                test_blocks.test_bad_input_like_torch(case, bad, dtype, rng)
                test_losses.assert_no_runtime_warning(case, bad.sample(rng, dtype), rng)
                _integer_target_grad_like_torch(case, bad.sample(rng, dtype), dtype, rng)
            except AssertionError as e:
                raise AssertionError(f"{case.name} on '{bad.label}' ({np.dtype(dtype).name}): {e}") from None
    for k, bad in enumerate(case.bad_inputs):
        _integer_target_grad_like_torch(case, bad.sample(rng, _dtype(case, k)), _dtype(case, k), rng)
    for bad in _borrowed_args(case.name):
        test_blocks.test_invalid_hyper_parameters_like_torch(case, bad)


def _integer_target_grad_like_torch(case: Case, args: tuple, dtype, rng) -> None:
    """An integer target's gradient asked for (``target_grad=True``): torch's error (an integer tensor cannot
    require grad), on both sides. (The generic checks ask for a float target's only.)"""
    if not case.loss:
        return
    s, r = build_pair(case, dtype)
    names = argument_names(s, args)
    if "target" not in names or np.asarray(args[names.index("target")]).dtype.kind not in "iub":
        return
    outs = [outcome(lambda m=m: forward(m, args)) for m in (s, r)]
    if outs[0][0] == outs[1][0] == "ok" and np.asarray(args[0]).dtype.kind == "f":
        cots = cotangents(rng, outs[1][1])
        assert_same_outcome("backward(target_grad=True), an integer target", *(
            outcome(lambda m=m, y=y: call_backward(m, y, cots, True, True)) for m, y in ((s, outs[0][1]),
                                                                                       (r, outs[1][1]))))


def _warning_classes(module, args: tuple) -> list[str] | None:
    """The classes of the warnings ``module(*args)`` emits (NumPy's RuntimeWarnings aside: errors in this suite);
    None when it raises."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            module(*args)
        except Exception:  # noqa: BLE001 - the bad-input checks compare errors
            return None
    return sorted(w.category.__name__ for w in rec if not issubclass(w.category, RuntimeWarning))


def _mismatched(args: tuple) -> bool:
    """Two float arrays first, of different shapes (the inputs a size-mismatch warning is about)."""
    a, b = (np.asarray(v) for v in args[:2])
    return a.dtype.kind == b.dtype.kind == "f" and a.shape != b.shape


@family
def test_forward_warns_like_torch(case, rng):
    """The same warnings as torch's forward (KLDivLoss' 'mean', options the chunked path ignores, MSELoss' size
    mismatch, which other losses broadcast silently, ...) on the entry's sample, its siblings' and its own and
    its siblings' inputs of two float arrays of different shapes; none where torch has none."""
    inputs = [case.sample(rng, np.float64, case.shape, 1.0)]
    for b in (*case.bad_inputs, *_borrowed(case.name)):
        args = b.sample(rng, np.float64)
        if b.label.startswith("the sample of") or _mismatched(args):
            inputs.append(args)
    for args in inputs:
        s, r = build_pair(case, np.float64)
        expected, got = _warning_classes(r, args), _warning_classes(s, args)
        if expected is not None and got is not None:  # (which inputs raise: the bad-input checks)
            assert got == expected, f"{case.name} on inputs of shapes {[np.shape(a) for a in args]}"


def test_the_borrowed_inputs_are_not_empty_by_accident():
    """A class renamed or a sampler key that merges everything would leave the checks above with nothing."""
    assert len(_borrowed("cross_entropy")) >= 10 and len(_borrowed("mse_sum")) >= 5
    assert {b.label for b in _borrowed("nll2d_sum")} >= {"the sample of nll_2d", "class == C"}
    assert {b.label for b in _borrowed("pairwise_distance_p3")} >= {"the sample of pairwise_distance", "0-d"}
