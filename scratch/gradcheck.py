"""A torch-free gradient oracle: float64 central differences and a random-projection check.

Central difference: df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h). Its truncation error is O(h^2 f''') and its
rounding error O(eps_machine |f| / h); h = 1e-6 in float64 balances the two at ~1e-10 (torch.autograd.gradcheck
uses the same h). Inputs must sit away from kinks (relu at 0, |x| at 0, Huber at +-delta) by more than h.

Random projection: for random directions v, the directional derivative (f(x + h v) - f(x - h v)) / (2h) must
equal <grad, v>. One pair of forward passes checks every component at once, so it scales to large inputs.

A whole block: :func:`check_module` checks every float input and every parameter of a scratch block under a
random cotangent on every output and returns a readable report (README: "Check your own block without torch").
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ScalarFn = Callable[[np.ndarray], float]


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with finite differences."""


@dataclass(frozen=True)
class GradcheckResult:
    max_abs_err: float
    max_rel_err: float
    numerical: np.ndarray
    analytic: np.ndarray


def numerical_grad(f: ScalarFn, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x`` (float64; x is restored afterwards).

    This loops over elements by nature (two evaluations of f per element): use small inputs, or
    :func:`projection_check` for large ones.
    """
    grad = np.zeros_like(x)
    grad.reshape(-1)[:] = numerical_grad_at(f, x, np.arange(x.size), eps)
    return grad


def numerical_grad_at(f: ScalarFn, x: np.ndarray, flat_indices: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of ``f`` at the given flat indices of ``x`` only (two evaluations of f per index)."""
    if x.dtype != np.float64:
        raise TypeError(f"finite differences need float64 inputs, got {x.dtype}")
    flat = x.reshape(-1)
    if x.size and not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so it can be perturbed in place")
    grad = np.zeros(len(flat_indices))
    for k, i in enumerate(flat_indices):
        orig = flat[i]
        flat[i] = orig + eps
        f_plus = float(f(x))
        flat[i] = orig - eps
        f_minus = float(f(x))
        flat[i] = orig
        grad[k] = (f_plus - f_minus) / (2 * eps)
    return grad


def directional_derivative(f: ScalarFn, x: np.ndarray, v: np.ndarray, eps: float = 1e-6) -> float:
    """(f(x + eps v) - f(x - eps v)) / (2 eps), leaving x unchanged."""
    orig = x.copy()
    x += eps * v
    f_plus = float(f(x))
    x[...] = orig - eps * v
    f_minus = float(f(x))
    x[...] = orig
    return (f_plus - f_minus) / (2 * eps)


def _compare(numerical: np.ndarray, analytic: np.ndarray, atol: float, rtol: float, what: str) -> GradcheckResult:
    numerical, analytic = np.asarray(numerical, np.float64), np.asarray(analytic, np.float64)
    if numerical.shape != analytic.shape:
        raise GradcheckError(f"{what}: analytic gradient shape {analytic.shape} != input shape {numerical.shape}")
    err = np.abs(numerical - analytic)
    rel = err / np.maximum(np.abs(numerical), 1e-300)
    res = GradcheckResult(float(err.max(initial=0.0)), float(rel.max(initial=0.0)), numerical, analytic)
    bad = err > atol + rtol * np.abs(numerical)
    if bad.any():
        i = int(np.argmax(np.where(bad, err, -1)))
        raise GradcheckError(f"{what}: gradient mismatch at flat index {i}: numerical "
                             f"{float(numerical.ravel()[i])!r}, analytic {float(analytic.ravel()[i])!r} "
                             f"(max abs err {res.max_abs_err:.3g}; atol={atol:g}, rtol={rtol:g})")
    return res


def gradcheck(f: ScalarFn, x: np.ndarray, analytic: np.ndarray, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, what: str = "input") -> GradcheckResult:
    """Compare ``analytic`` (dL/dx) with element-wise central differences of ``f``; raise GradcheckError."""
    return _compare(numerical_grad(f, x, eps), analytic, atol, rtol, what)


def projection_check(f: ScalarFn, x: np.ndarray, analytic: np.ndarray, rng: np.random.Generator, *,
                     n_directions: int = 4, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                     what: str = "input") -> GradcheckResult:
    """Check <analytic, v> against the directional derivative along random unit directions v."""
    v = rng.standard_normal((n_directions,) + x.shape)
    v /= np.linalg.norm(v.reshape(n_directions, -1), axis=1).reshape((-1,) + (1,) * x.ndim) + 1e-300
    numerical = np.array([directional_derivative(f, x, vi, eps) for vi in v])
    projected = np.tensordot(v, np.asarray(analytic, np.float64), axes=x.ndim)
    return _compare(numerical, projected, atol, rtol, f"{what} (random projection)")


# -- a whole module: every float input and every parameter, under a random cotangent ---------------------------
def _leaves(tree, path: str = "") -> list[tuple[str, object]]:
    if isinstance(tree, tuple | list):
        return [item for i, t in enumerate(tree) for item in _leaves(t, f"{path}[{i}]")]
    return [(path, tree)]


def _is_float(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind == "f"


def _cotangents(rng: np.random.Generator, out):
    if isinstance(out, tuple | list):
        return tuple(_cotangents(rng, o) for o in out)
    return rng.standard_normal(np.shape(out)) if _is_float(out) else None


def _inner(u, y) -> float:
    """<u, y> summed over every floating-point output."""
    return float(sum(np.sum(a * b) for (_, a), (_, b) in zip(_leaves(u), _leaves(y), strict=True)
                     if a is not None and _is_float(b)))


@dataclass(frozen=True)
class TensorCheck:
    """One tensor's comparison: analytic gradient vs central differences."""

    name: str
    shape: tuple[int, ...]
    max_abs_err: float
    max_rel_err: float
    worst_index: tuple[int, ...] | None
    ok: bool


@dataclass(frozen=True)
class ModuleReport:
    """The result of :func:`check_module`: one row per differentiated input and parameter. ``str()`` is a table."""

    module: str
    rows: tuple[TensorCheck, ...]
    atol: float
    rtol: float
    eps: float

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    def __str__(self) -> str:
        head = (f"gradcheck of {self.module}: float64 central differences (h={self.eps:g}) under a random "
                f"cotangent, |analytic - numerical| <= {self.atol:g} + {self.rtol:g} |numerical|")
        width = max([len(r.name) for r in self.rows] + [6])
        lines = [head, f"{'tensor':<{width}}  {'shape':<14} {'max abs err':>11}  {'max rel err':>11}  "
                       f"{'worst at':<12} result"]
        for r in self.rows:
            where = "" if r.worst_index is None else str(r.worst_index)
            lines.append(f"{r.name:<{width}}  {str(r.shape):<14} {r.max_abs_err:>11.2e}  {r.max_rel_err:>11.2e}  "
                         f"{where:<12} {'ok' if r.ok else 'MISMATCH'}")
        bad = [r.name for r in self.rows if not r.ok]
        lines.append(f"all {len(self.rows)} tensors agree" if not bad else f"MISMATCH in: {', '.join(bad)}")
        return "\n".join(lines)


def _input_names(module, args: tuple) -> list[str]:
    params = [p.name for p in inspect.signature(module.forward).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [params[i] if i < len(params) else f"arg{i}" for i in range(len(args))]


def _row(name: str, analytic, numerical: np.ndarray, atol: float, rtol: float) -> TensorCheck:
    if analytic is None:  # a backward that returned nothing for a tensor the loss depends on
        analytic = np.full(numerical.shape, np.nan)
    analytic = np.asarray(analytic, np.float64)
    if analytic.shape != numerical.shape:
        return TensorCheck(f"{name} (analytic shape {analytic.shape})", numerical.shape, np.inf, np.inf, None, False)
    err = np.abs(analytic - numerical)
    err = np.where(np.isnan(err) & ~(np.isnan(analytic) & np.isnan(numerical)), np.inf, np.nan_to_num(err))
    significant = np.abs(numerical) > atol  # relative error means nothing where the gradient is ~0
    rel = np.where(significant, err / np.where(significant, np.abs(numerical), 1.0), 0.0)
    bad = err > atol + rtol * np.abs(numerical)
    worst = None
    if err.size:
        worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(err - (atol + rtol * np.abs(numerical)))),
                                                         err.shape))
    return TensorCheck(name, numerical.shape, float(err.max(initial=0.0)), float(rel.max(initial=0.0)), worst,
                       not bad.any())


def check_module(module, *inputs, rng: np.random.Generator | None = None, target_grad: bool = False,
                 eps: float = 1e-6, atol: float = 1e-6, rtol: float = 1e-5) -> ModuleReport:
    """Check a whole block's backward against float64 central differences, without torch.

    With a random cotangent u on every floating-point output y_k (never ones, which would hide e.g. a softmax
    error), ``L = sum_k <u_k, y_k>``; the block's ``backward(u)`` must give dL/d(every float input) and
    accumulate dL/d(every parameter), which are compared element-wise with ``(L(x + h e_i) - L(x - h e_i)) / 2h``.

    Args:
        module: a scratch block in float64 (``.double()`` a float32 one) with deterministic forward: dropout
            draws a new mask at every call, so check such blocks in eval mode.
        *inputs: forward's arguments (nested tuples allowed); float64 arrays are differentiated, others passed.
        rng (np.random.Generator, optional): draws the cotangents (default: seed 0).
        target_grad (bool, default False): for a loss, also check the target's gradient
            (``backward(dy, target_grad=True)``); otherwise a loss is checked in its input only.
        eps (1e-6), atol (1e-6), rtol (1e-5): step and tolerance (inputs must sit farther than eps from kinks).
    Returns:
        a :class:`ModuleReport` (``print`` it; ``report.ok``), one row per input and parameter with the worst
        absolute and relative error and where it occurs. Buffers (running statistics) are restored afterwards,
        and parameter gradients are reset to None.
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    for name, p in module.named_parameters():
        if p.data.dtype != np.float64:
            raise TypeError(f"check_module needs a float64 block: parameter {name} is {p.data.dtype} "
                            "(call module.double())")
    args = tuple(_copy(a) for a in inputs)
    loss = "target_grad" in inspect.signature(module.backward).parameters
    diff = [(n + p, leaf) for n, a in zip(_input_names(module, args), args, strict=True) for p, leaf in _leaves(a)
            if _is_float(leaf)]
    if loss:
        diff = diff[:2] if target_grad else diff[:1]
    for name, leaf in diff:
        if leaf.dtype != np.float64:
            raise TypeError(f"finite differences need float64 inputs: {name} is {leaf.dtype}")
    state = module.state_dict()
    module.zero_grad()
    first, second = module(*args), module(*args)
    if any(not np.array_equal(a, b, equal_nan=True)
           for (_, a), (_, b) in zip(_leaves(first), _leaves(second), strict=True) if _is_float(a)):
        raise ValueError(f"{type(module).__name__}'s forward is not deterministic (a dropout mask in training "
                         "mode?): call module.eval() or check with a fixed mask")
    out = module(*args)  # the forward whose cache backward consumes
    u = _cotangents(rng, out)
    if loss:
        grads = module.backward(u, target_grad=True) if target_grad else (module.backward(u),)
    else:
        grads = module.backward(*u) if isinstance(out, tuple) else module.backward(u)
    flat = [g for _, g in _leaves(grads)] if (len(diff) > 1 or loss) else [grads]
    analytic = {name: g for (name, _), g in zip(diff, flat, strict=False)}
    params = {name: p.grad for name, p in module.named_parameters()}

    def objective(_=None) -> float:
        return _inner(u, module(*args))

    rows = [_row(name, analytic.get(name), numerical_grad(objective, leaf, eps), atol, rtol) for name, leaf in diff]
    rows += [_row(name, params[name], numerical_grad(objective, p.data, eps), atol, rtol)
             for name, p in module.named_parameters()]
    module.load_state_dict(state)
    module.zero_grad()
    return ModuleReport(type(module).__name__, tuple(rows), atol, rtol, eps)


def _copy(tree):
    if isinstance(tree, tuple | list):
        return type(tree)(_copy(t) for t in tree)
    return tree.copy() if isinstance(tree, np.ndarray) else tree
