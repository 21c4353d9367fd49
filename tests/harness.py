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


def float64_twin(case: Case, s, seed: int = 0):
    """A float64 torch twin holding the scratch block's (float32) parameters, cast exactly; ``seed`` must be the
    pair's, so that blocks drawing from their generator (dropout masks) draw the same values."""
    r64 = build(case, reference.nn, np.float64, seed)
    r64.load_state_dict({k: np.asarray(v, np.float64) if np.asarray(v).dtype == np.float32 else v
                         for k, v in s.state_dict().items()})
    return r64


def forward(module, args: tuple):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # same inputs warn alike on both sides; tested in test_warnings
        return module(*args)


def _as64(args: tuple) -> tuple:
    return tuple(a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype == np.float32 else a for a in args)


def _grads(module) -> dict[str, np.ndarray | None]:
    return {f"grad[{n}]": p.grad for n, p in module.named_parameters()}


def _run(module, args: tuple, dy: np.ndarray) -> dict[str, np.ndarray | None]:
    """forward + backward with the given cotangent: output, input grad, every parameter grad by name."""
    out = {"forward": forward(module, args)}
    out["grad_input"] = module.backward(dy)
    return {**out, **_grads(module)}


def _nudge(a, rng: np.random.Generator):
    """A float32 array moved by up to one unit of float32 rounding (relative 2^-24) per element."""
    if not (isinstance(a, np.ndarray) and a.dtype == np.float32):
        return a
    return np.asarray(a.astype(np.float64) * (1 + rng.uniform(-1, 1, a.shape) * 2.0**-24), dtype=np.float32)


def float32_noise(case: Case, s, r_out: dict, args: tuple, dy: np.ndarray, seed: int, nudges: int = 2) -> dict:
    """Per tensor, SLACK_FACTOR x the worst deviation from float64 truth of torch's float32 results: the plain run
    and ``nudges`` runs whose inputs and parameters were moved by one float32 rounding. The nudged runs measure
    how far float32 rounding can move this computation (its conditioning: e.g. a hidden unit that is a
    cancellation of 1e4-sized terms), so one lucky torch result cannot decide the tolerance."""
    truth = _run(float64_twin(case, s, seed).train(s.training), _as64(args), dy.astype(np.float64))
    runs = [r_out]
    for k in range(nudges):
        rng = np.random.default_rng([seed, k])
        nudged = build(case, reference.nn, np.float32, seed)
        nudged.load_state_dict({name: _nudge(v, rng) for name, v in s.state_dict().items()})
        nudged.train(s.training)
        runs.append(_run(nudged, tuple(_nudge(a, rng) for a in args), dy))
    return {key: max(float32_slack(run[key], truth[key]) for run in runs)
            for key in r_out if truth.get(key) is not None and all(run.get(key) is not None for run in runs)}


def compare_pair(case: Case, dtype, s, r, args: tuple, rng: np.random.Generator, prefix: str = "",
                 slack_seed: int | None = None) -> None:
    """forward, backward with a random cotangent, then output, input grad and every param grad vs torch.

    ``slack_seed``: the seed the pair was built with. When given, float32 comparisons allow the slack of
    :func:`float32_noise`, measured with a float64 twin (and nudged float32 twins) built from that same seed, so
    blocks that draw from their generator (dropout masks) draw the same values (for extreme scales only).
    """
    ys, yr = forward(s, args), forward(r, args)
    dy = cotangent(rng, yr)
    s_out = {"forward": ys, "grad_input": s.backward(dy)}
    r_out = {"forward": yr, "grad_input": r.backward(dy)}
    ps, pr = _grads(s), _grads(r)
    assert list(ps) == list(pr), f"parameter names differ: {list(ps)} vs torch {list(pr)}"
    s_out.update(ps)
    r_out.update(pr)
    use_slack = slack_seed is not None and dtype == np.float32
    slack = float32_noise(case, s, r_out, args, dy, slack_seed) if use_slack else {}
    for key in r_out:
        got, expected = s_out[key], r_out[key]
        if key.startswith("grad["):
            assert (got is None) == (expected is None), f"{key}: scratch grad {got is None and 'None'}, torch's " \
                                                        f"{expected is None and 'None'}"
            if expected is None:
                continue
        base = case.tol.get("forward" if key == "forward" else "grad") or default_tol(dtype)
        tol = Tol(base.rtol, base.atol, SLACK_REASON) if use_slack else base
        assert_close(got, expected, block=case.name, check=prefix + key, tol=tol, dtype=dtype,
                     slack=slack.get(key))


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
