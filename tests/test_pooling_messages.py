"""Every pooling entry's refusals carry torch's MESSAGE, not only its class (the generic checks and the probes compare
classes): scratch/nn/pooling/_args.py reproduces torch's checks in torch's order with torch's words, so which check
fires first (a kernel of 0 with a padding too large, an empty input with a wrong rank) and what it says about the
arguments (positions, the torch-view shape of a 1-d pool, the dims of a 3-d one) are compared too.

One test per entry (its id is the entry's name: the mutation audit of an entry runs it), over the entry's bad inputs
and bad arguments, the probes and class variants of tests/test_pooling_probes.py, and backward refusals (an empty
adaptive output). A few messages differ from torch's on purpose or by torch's internals (KNOWN_DIFFERENT, each with
its reason); there only the class is compared, as everywhere else.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.cases._probes import normal
from tests.catalog import CATALOG, Lib
from tests.harness import build_pair, builtin_base, forward, outcome
from tests.test_pooling_probes import _adaptive_variants, _shapes, _window_variants

POOLING = [c for c in CATALOG if c.family == "pooling"]

# (entry, label) -> why the message is not torch's (the class is)
KNOWN_DIFFERENT = {
    ("avgpool2d", "dilation= (TypeError: no dilation)"): "Python names the class that defines __init__ "
                                                         "(_AvgPoolNd) where torch's is AvgPool2d's own",
    ("maxunpool2d_output_size_nc", "output_size below the default: dropped values"):
        "torch reports the first bad index of its (parallel) loop; scratch the first in memory order",
    ("maxunpool3d_unbatched", "negative index"): "as above: which of several bad indices is named",
    ("fractional_maxpool2d", "kernel (2, 2.5) (TypeError)"): "torch's parser for a module-held tuple names "
                                                             "an unpacking failure; scratch the element",
    ("fractional_maxpool2d", "kernel 0: backward"): "torch's is an INTERNAL ASSERT with a source path",
    ("fractional_maxpool2d", "samples a list (TypeError)"): "'numpy.ndarray' where torch says 'torch Tensor'",
}


def _forward_calls(case, rng):
    """(label, args) of every forward probe of the entry's own pair."""
    calls = [(b.label, b.sample(np.random.default_rng(1), np.float64)) for b in case.bad_inputs]
    args = case.sample(rng, np.float64, case.shape, 1.0)
    calls += [(f"{dt.__name__} input", (args[0].astype(dt),) + args[1:]) for dt in (np.int64, np.uint8, np.int32)]
    if len(args) == 1:
        calls += [(label, (normal(rng, shape),)) for label, shape in _shapes(case.shape)]
    return calls


def _argument_errors(block) -> list[tuple[str, dict]]:
    """The class with one argument of a wrong type or length, or a kernel of -2 or -1 (the half of the dilated
    kernel, truncated toward zero, decides whether torch's padding check fires before its kernel check), on top
    of the probes' variants."""
    name, d = type(block).__name__, block._d
    if name.startswith("Adaptive"):
        kw = {"output_size": block.output_size} | ({"return_indices": block.return_indices}
                                                   if hasattr(block, "return_indices") else {})
        return [(f"output_size {v!r}", dict(kw, output_size=v)) for v in (2.0, None, (2.0,) * d, (2,) * (d + 1))]
    names = ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices", "count_include_pad",
             "divisor_override", "norm_type")
    kw = {k: getattr(block, k) for k in names if hasattr(block, k)}
    if name.startswith("LP"):
        kw.pop("padding", None)
    found = [("kernel 2.0", dict(kw, kernel_size=2.0)), ("stride 2.0", dict(kw, stride=2.0)),
             ("kernel -2", dict(kw, kernel_size=-2, stride=1) | ({"padding": 0} if "padding" in kw else {})),
             ("kernel -1", dict(kw, kernel_size=-1, stride=1) | ({"padding": 0} if "padding" in kw else {})),
             ("stride ()", dict(kw, stride=())), ("ceil_mode 1", dict(kw, ceil_mode=1))]
    found += [(f"{k} 1.0", dict(kw, **{k: 1.0})) for k in ("padding", "dilation") if k in kw]
    if "dilation" in kw:  # half of the dilated kernel -1 (truncated toward zero: 0) lets padding 0 pass
        found.append(("kernel 0, dilation 2", dict(kw, kernel_size=0, stride=1, padding=0, dilation=2)))
    if "return_indices" in kw:  # the parser's name: max_pool{d}d_with_indices
        found.append(("kernel 2.0, return_indices flipped", dict(kw, kernel_size=2.0,
                                                                 return_indices=not kw["return_indices"])))
    found += [(f"{k} of {d + 1} ints", dict(kw, **{k: (1,) * (d + 1)})) for k in ("kernel_size", "stride", "padding",
                                                                                    "dilation") if k in kw]
    if "count_include_pad" in kw:
        found.append(("count_include_pad None", dict(kw, count_include_pad=None)))
    return found


def _variant_calls(case, rng):
    """(label, scratch block, torch block, args) of the class variants of test_pooling_probes and
    :func:`_argument_errors`."""
    s = case.make(Lib(scratch.nn))
    name, d = type(s).__name__, getattr(s, "_d", 0)
    if not name.startswith(("MaxPool", "AvgPool", "LPPool", "Adaptive")):
        return []
    variants = _adaptive_variants(s) if name.startswith("Adaptive") else _window_variants(s)
    variants += _argument_errors(s)
    calls = []
    for label, kw in variants:
        for shape in ((2, 2) + (7,) * d, (2,) + (4,) * d, (2, 2) + (1,) * d):
            blocks = [outcome(lambda ns=ns, kw=kw: getattr(Lib(ns, np.float64), name)(**kw))
                      for ns in (scratch.nn, reference.nn)]
            calls.append((f"{label} {shape}", blocks, (normal(rng, shape),)))
    return calls


def _assert_same_message(label, got, expected):
    (ks, vs), (kr, vr) = got, expected
    if kr != "raise":
        assert ks == "ok", f"{label}: torch accepts, scratch raises {type(vs).__name__}({vs})"
        return
    assert ks == "raise", f"{label}: torch raises {type(vr).__name__}({vr}), scratch returned"
    assert isinstance(vs, builtin_base(vr)), f"{label}: torch raises {type(vr).__name__}, scratch {type(vs).__name__}"
    assert str(vs) == str(vr), f"{label}:\n scratch: {vs}\n   torch: {vr}"


def _backward(module, out):
    """backward under a ones cotangent of the (first) output."""
    y = out[0] if isinstance(out, tuple) else out
    return module.backward(np.ones(np.shape(y)))


def _compare(label, s, r, args):
    """The forward's outcome and, for an adaptive pool both accept, the backward's (torch refuses an empty output;
    no other pool refuses in backward, and torch's max-pool backward writes outside the plane for a window entirely
    in the padding, which a probe of size 1 makes)."""
    got, expected = outcome(lambda: forward(s, args)), outcome(lambda: forward(r, args))
    _assert_same_message(label, got, expected)
    if expected[0] == "ok" and np.asarray(args[0]).dtype.kind == "f" and type(s).__name__.startswith("Adaptive"):
        _assert_same_message(f"{label} backward", outcome(lambda: _backward(s, got[1])),
                             outcome(lambda: _backward(r, expected[1])))


@pytest.mark.parametrize("case", POOLING, ids=str)
def test_pooling_refusals_carry_torchs_messages(case, rng):
    s, r = build_pair(case, np.float64)
    for label, args in _forward_calls(case, rng):
        if (case.name, label) in KNOWN_DIFFERENT:
            continue
        _compare(label, copy.deepcopy(s), copy.deepcopy(r), args)
    for label, (bs, br), args in _variant_calls(case, rng):
        _assert_same_message(f"{label} (constructor)", bs, br)
        if br[0] == "ok":
            _compare(label, bs[1], br[1], args)
    for bad in case.bad_args:
        if (case.name, bad.label) not in KNOWN_DIFFERENT:
            _assert_same_message(bad.label, outcome(lambda b=bad: b.make(Lib(scratch.nn))),
                                 outcome(lambda b=bad: b.make(Lib(reference.nn))))
