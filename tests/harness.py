"""One helper checks a case completely (tinygrad's test_ops style): build both twins, run forward and backward
with a random cotangent, compare the output, the input gradient and every parameter gradient."""

from __future__ import annotations

import warnings

import numpy as np

import reference.nn
import scratch.nn
from tests.catalog import Case, Lib
from tests.strategies import cotangent
from tests.tolerances import SLACK_REASON, Tol, assert_close, default_tol, float32_slack


def build(case: Case, namespace, dtype, seed: int = 0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. torch's zero-element-init warning; warnings are tested apart
        return case.make(Lib(namespace, dtype, np.random.default_rng(seed)))


def build_pair(case: Case, dtype, seed: int = 0):
    """The scratch block and its twin, the twin loaded with the scratch state_dict."""
    s = build(case, scratch.nn, dtype, seed)
    r = build(case, reference.nn, dtype, seed)
    r.load_state_dict(s.state_dict())
    return s, r


def float64_twin(case: Case, s):
    """A float64 torch twin holding the scratch block's (float32) parameters, cast exactly."""
    r64 = build(case, reference.nn, np.float64)
    r64.load_state_dict({k: np.asarray(v, np.float64) if np.asarray(v).dtype == np.float32 else v
                         for k, v in s.state_dict().items()})
    return r64


def forward(module, args: tuple):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # same inputs warn alike on both sides; tested in test_warnings
        return module(*args)


def _as64(args: tuple) -> tuple:
    return tuple(a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype == np.float32 else a for a in args)


def compare_pair(case: Case, dtype, s, r, args: tuple, rng: np.random.Generator, prefix: str = "",
                 oracle64=None) -> None:
    """forward, backward with a random cotangent, then output, input grad and every param grad vs torch.

    ``oracle64``: a float64 twin holding the same parameters; float32 comparisons then allow the element-wise
    slack of :func:`tests.tolerances.float32_slack` (used for hypothesis extremes only).
    """
    ys, yr = forward(s, args), forward(r, args)
    dy = cotangent(rng, yr)
    slack = {}
    if oracle64 is not None and dtype == np.float32:
        y64 = forward(oracle64, _as64(args))
        dx64 = oracle64.backward(dy.astype(np.float64))
        slack = {"forward": float32_slack(yr, y64), "grad_input": (dx64, None)}
        slack.update({f"grad[{n}]": p.grad for n, p in oracle64.named_parameters()})
    tol = {k: (Tol(t.rtol, t.atol, SLACK_REASON) if slack else t) for k, t in
           (("forward", case.tol.get("forward") or default_tol(dtype)),
            ("grad", case.tol.get("grad") or default_tol(dtype)))}
    assert_close(ys, yr, block=case.name, check=prefix + "forward", tol=tol["forward"], dtype=dtype,
                 slack=slack.get("forward"))
    dxs, dxr = s.backward(dy), r.backward(dy)
    dx_slack = float32_slack(dxr, slack["grad_input"][0]) if slack else None
    assert_close(dxs, dxr, block=case.name, check=prefix + "grad_input", tol=tol["grad"], dtype=dtype,
                 slack=dx_slack)
    ps, pr = dict(s.named_parameters()), dict(r.named_parameters())
    assert list(ps) == list(pr), f"parameter names differ: {list(ps)} vs torch {list(pr)}"
    for name in ps:
        gs, gr = ps[name].grad, pr[name].grad
        assert (gs is None) == (gr is None), f"{name}: grad is {gs is None and 'None'} vs torch {gr is None}"
        if gr is not None:
            g_slack = float32_slack(gr, slack[f"grad[{name}]"]) if slack else None
            assert_close(gs, gr, block=case.name, check=f"{prefix}grad[{name}]", tol=tol["grad"],
                         dtype=dtype, slack=g_slack)


def outcome(fn):
    """('ok', value) or ('raise', exception)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn()
    except Exception as e:  # noqa: BLE001 - the class is what we compare
        return "raise", e


def builtin_base(exc: BaseException) -> type:
    """The first Python built-in class in the exception's MRO (torch raises e.g. torch.OutOfMemoryError)."""
    for cls in type(exc).__mro__:
        if cls.__module__ == "builtins":
            return cls
    return Exception


def assert_same_outcome(label: str, got, expected) -> None:
    """Both raise the same class (scratch may raise a subclass), or neither raises."""
    (ks, vs), (kr, vr) = got, expected
    if kr == "raise":
        assert ks == "raise", f"{label}: torch raises {type(vr).__name__}({vr}) but scratch returned {vs!r:.200}"
        assert isinstance(vs, builtin_base(vr)), (
            f"{label}: torch raises {type(vr).__name__}, scratch raises {type(vs).__name__}({vs})")
        assert str(vs), f"{label}: scratch's {type(vs).__name__} has no message"
    else:
        assert ks == "ok", f"{label}: torch accepts this input but scratch raises {type(vs).__name__}: {vs}"
