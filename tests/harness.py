"""One helper checks a case completely (tinygrad's test_ops style): build both twins, run forward and backward
with a random cotangent on every output, compare every output, every input gradient and every parameter
gradient (tests/structure.py says which inputs and outputs those are)."""

from __future__ import annotations

import warnings

import numpy as np

import reference.nn
import scratch.nn
from tests.catalog import Case, Lib
from tests.structure import (
    call_backward,
    cotangents,
    differentiated,
    gradient_items,
    output_items,
    wants_target_grad,
)
from tests.tolerances import SLACK_REASON, Tol, assert_close, family_tol, float32_slack


def build(case: Case, namespace, dtype, seed: int = 0):
    """The entry's block. A Lazy block (``has_uninitialized_params()``) is materialized by
    ``initialize_parameters`` on the entry's default input shape, so that both sides hold parameters the twin can
    load and the init checks can see; it stays the Lazy class until its first forward (tests/test_lazy.py
    checks materialization inside the first forward itself)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. torch's zero-element-init warning; warnings are tested apart
        block = case.make(Lib(namespace, dtype, np.random.default_rng(seed)))
    if getattr(block, "has_uninitialized_params", None) is not None and block.has_uninitialized_params():
        block.initialize_parameters(np.zeros(case.shape, dtype))
    return block


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


def forward(module, args: tuple, kwargs: dict | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # same inputs warn alike on both sides; tested in test_warnings
        return module(*args, **(kwargs or {}))


def _as64(args):
    """float32 arrays (nested too) as float64."""
    if isinstance(args, tuple | list):
        return type(args)(_as64(a) for a in args)
    return args.astype(np.float64) if isinstance(args, np.ndarray) and args.dtype == np.float32 else args


def _grads(module) -> dict[str, np.ndarray | None]:
    return {f"grad[{n}]": p.grad for n, p in module.named_parameters()}


def run(case: Case, module, args: tuple, cots, target_grad: bool, check_nesting: bool = True) -> dict:
    """forward, then backward with the given cotangents (nested like the outputs; or a function of the outputs
    that makes them): every float output, every differentiated input's gradient and every parameter gradient,
    by key (tests/structure.py)."""
    out = forward(module, args)
    cots = cots(out) if callable(cots) else cots
    result = dict(output_items(out))
    keys = [k for k, _ in differentiated(module, args, case.loss, target_grad)]
    grads = call_backward(module, out, cots, case.loss, target_grad)
    result.update(gradient_items(grads, keys, None if case.loss or not check_nesting else args))
    return {**result, **_grads(module)}


def _nudge(a, rng: np.random.Generator):
    """A float32 array moved by up to one unit of float32 rounding (relative 2^-24) per element."""
    if isinstance(a, tuple | list):
        return type(a)(_nudge(x, rng) for x in a)
    if not (isinstance(a, np.ndarray) and a.dtype == np.float32):
        return a
    return np.asarray(a.astype(np.float64) * (1 + rng.uniform(-1, 1, a.shape) * 2.0**-24), dtype=np.float32)


def float32_noise(case: Case, s, r_out: dict, args: tuple, cots, target_grad: bool, seed: int,
                  nudges: int = 2) -> dict:
    """Per tensor, SLACK_FACTOR x the worst deviation from float64 truth of torch's float32 results: the plain run
    and ``nudges`` runs whose inputs and parameters were moved by one float32 rounding. The nudged runs measure
    how far float32 rounding can move this computation (its conditioning: e.g. a hidden unit that is a
    cancellation of 1e4-sized terms), so one lucky torch result cannot decide the tolerance."""
    truth = run(case, float64_twin(case, s, seed).train(s.training), _as64(args), _as64(cots), target_grad)
    runs = [r_out]
    for k in range(nudges):
        rng = np.random.default_rng([seed, k])
        nudged = build(case, reference.nn, np.float32, seed)
        nudged.load_state_dict({name: _nudge(v, rng) for name, v in s.state_dict().items()})
        nudged.train(s.training)
        runs.append(run(case, nudged, _nudge(args, rng), cots, target_grad))
    return {key: max(float32_slack(run[key], truth[key]) for run in runs)
            for key in r_out if truth.get(key) is not None and all(run.get(key) is not None for run in runs)}


def compare_pair(case: Case, dtype, s, r, args: tuple, rng: np.random.Generator, prefix: str = "",
                 slack_seed: int | None = None) -> None:
    """forward and backward with a random cotangent on EVERY output, then every output, every differentiated
    input's gradient (the target's too, for losses whose torch graph reaches it) and every parameter gradient
    vs torch.

    ``slack_seed``: the seed the pair was built with. When given, float32 comparisons allow the slack of
    :func:`float32_noise`, measured with a float64 twin (and nudged float32 twins) built from that same seed, so
    blocks that draw from their generator (dropout masks) draw the same values (for extreme scales only).
    """
    target_grad = wants_target_grad(s, args, case.loss)
    drawn = []
    r_out = run(case, r, args, lambda out: drawn.append(cotangents(rng, out)) or drawn[0], target_grad,
                check_nesting=False)
    cots = drawn[0]
    s_out = run(case, s, args, cots, target_grad)
    assert list(s_out) == list(r_out), f"compared tensors differ: {list(s_out)} vs torch {list(r_out)}"
    use_slack = slack_seed is not None and dtype == np.float32
    slack = float32_noise(case, s, r_out, args, cots, target_grad, slack_seed, case.nudges) if use_slack else {}
    named = named_inputs(s, args, case.loss, target_grad)
    for key in r_out:
        got, expected = s_out[key], r_out[key]
        if key.startswith("grad"):
            assert (got is None) == (expected is None), f"{key}: scratch gives {got is None and 'None'}, torch " \
                                                        f"{expected is None and 'None'}"
            if expected is None:
                continue
        base = case_tol(case, "forward" if key.startswith("forward") else "grad", dtype) or \
            family_tol(case.family, dtype)
        tol = Tol(base.rtol, base.atol, SLACK_REASON) if use_slack else base.for_tensor(np.asarray(expected))
        assert_close(got, expected, block=case.name, check=prefix + key, tol=tol, dtype=dtype,
                     slack=slack.get(key), inputs=inputs_of(key, named))


def named_inputs(module, args: tuple, loss: bool, target_grad: bool) -> dict[str, np.ndarray]:
    """The differentiated inputs by name (``input``, ``target``, ``hx[1]``) and the parameters by their names."""
    named = {k.removeprefix("grad_"): a for k, a in differentiated(module, args, loss, target_grad)}
    return {**named, **{f"[{n}]": p.data for n, p in module.named_parameters()}}


def inputs_of(key: str, named: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What a failure message shows beside the worst element of ``key`` (tolerances.worst_element): for an
    output, every input; for ``grad_<name>``, that input; for ``grad[<p>]``, the parameter (as ``weight``)."""
    if key.startswith("grad["):
        return {key[5:-1]: named[key[4:]]} if key[4:] in named else {}
    if key.startswith("grad_"):
        name = key.removeprefix("grad_")
        return {name: named[name]} if name in named else {}
    return {k: v for k, v in named.items() if not k.startswith("[")}


def case_tol(case: Case, check: str, dtype) -> Tol | None:
    """A catalog entry's override for a check ('forward', 'grad', 'fd'), per dtype ('grad:float32') or for both."""
    return case.tol.get(f"{check}:{np.dtype(dtype).name}") or case.tol.get(check)


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
