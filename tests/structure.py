"""The shapes of a call under the several-inputs/outputs protocol (docs/design.md): which inputs are differentiated,
what each output's cotangent is, how the backward is called, and a readable key for every tensor compared.

- Inputs: the arguments of forward (nested tuples allowed). Every floating-point array is differentiated,
  except the target of a loss (the argument named ``target``), which is differentiated only where the loss says
  so (``backward(dy, target_grad=True)`` gives ``(d_input, d_target)``, or every float input's gradient in
  forward's order for a loss with several inputs; the target gradient is None where torch gives none).
- Outputs: an array or a nested tuple; every floating-point array gets a RANDOM cotangent (never ones), every
  other leaf (integer indices, None) none.
- Keys: ``forward`` / ``forward[1][0]``; ``grad_input`` when one array is differentiated, else
  ``grad_<argument name>`` plus the position inside a nested argument (``grad_hx[1]``).
"""

from __future__ import annotations

import numpy as np

from reference.nn.base import forward_signature
from tests.strategies import cotangent


def is_float_array(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind == "f"


def leaves(tree, path: str = "") -> list[tuple[str, object]]:
    """(path, leaf) for every leaf of nested tuples/lists, in order; paths like ``[1][0]``."""
    if isinstance(tree, tuple | list):
        return [item for i, t in enumerate(tree) for item in leaves(t, f"{path}[{i}]")]
    return [(path, tree)]


def copy_arrays(tree):
    """A deep copy of the arrays in nested tuples (finite differences perturb the inputs in place)."""
    if isinstance(tree, tuple | list):
        return type(tree)(copy_arrays(t) for t in tree)
    return tree.copy() if isinstance(tree, np.ndarray) else tree


def output_items(out) -> list[tuple[str, np.ndarray]]:
    """('forward...', array) for every floating-point output."""
    return [(f"forward{p}", leaf) for p, leaf in leaves(out) if is_float_array(leaf)]


def cotangents(rng: np.random.Generator, out):
    """A random cotangent (tests/strategies.py) for every floating-point output, nested like the outputs."""
    if isinstance(out, tuple | list):
        return tuple(cotangents(rng, o) for o in out)
    return cotangent(rng, out) if is_float_array(out) else None


def argument_names(module, args: tuple) -> list[str]:
    """forward's parameter names for the positional arguments given (torch's names: input, target, hx, ...)."""
    target = getattr(module, "torch_module", module)  # a twin names its arguments as torch does
    params = [p for p in forward_signature(type(target)).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [params[i].name if i < len(params) else f"arg{i}" for i in range(len(args))]


def differentiated(module, args: tuple, loss: bool, target_grad: bool) -> list[tuple[str, np.ndarray]]:
    """(key, array) for each input whose gradient backward returns, in backward's order. A loss: every float
    argument but the target (``grad_input``; ``grad_input1``, ``grad_input2`` for MarginRankingLoss, ...), and the
    argument named ``target`` only with ``target_grad``, at its place in forward's order."""
    if loss:
        return [(f"grad_{name}", a) for name, a in zip(argument_names(module, args), args, strict=True)
                if (target_grad if name == "target" else is_float_array(a))]
    found = [(name, p, leaf) for name, arg in zip(argument_names(module, args), args, strict=True)
             for p, leaf in leaves(arg) if is_float_array(leaf)]
    if len(found) == 1:
        return [("grad_input", found[0][2])]
    return [(f"grad_{name}{p}", leaf) for name, p, leaf in found]


def wants_target_grad(module, args: tuple, loss: bool) -> bool:
    """A loss with a floating-point target: ask both sides for the target gradient (torch decides if it has one).
    The target is the argument named ``target`` (TripletMarginLoss' anchor, positive, negative has none)."""
    if not loss:
        return False
    names = argument_names(module, args)
    return "target" in names and is_float_array(args[names.index("target")])


def call_backward(module, out, cots, loss: bool, target_grad: bool):
    if loss:
        return module.backward(cots, target_grad=target_grad) if target_grad else module.backward(cots)
    return module.backward(*cots) if isinstance(out, tuple) else module.backward(cots)


def float_nesting(args: tuple):
    """The nesting backward must return: args with only their float arrays kept (as ``True``), empty tuples
    dropped, and a top-level tuple of one entry replaced by that entry (one array when there was one)."""
    def prune(t):
        if isinstance(t, tuple | list):
            kept = tuple(k for k in (prune(c) for c in t) if k is not None)
            return kept or None
        return True if is_float_array(t) else None

    kept = prune(tuple(args))
    return kept[0] if kept is not None and len(kept) == 1 else kept


def gradient_items(grads, keys: list[str], args: tuple | None = None) -> list[tuple[str, np.ndarray | None]]:
    """Pair backward's result with the keys of :func:`differentiated`. With ``args`` (blocks, not losses) the
    result must be nested exactly like the float inputs."""
    if args is not None:
        want = [p for p, _ in leaves(float_nesting(args))]
        got = [p for p, _ in leaves(grads)]
        assert got == want, f"backward's gradients are nested as {got}, the float inputs as {want}"
    if not keys:  # every input is an integer array (Embedding): backward returns None, as torch has no gradient
        assert grads is None, f"backward returned {type(grads).__name__} for a call without float inputs"
        return []
    flat = [leaf for _, leaf in leaves(grads)] if len(keys) > 1 else [grads]
    assert len(flat) == len(keys), f"backward returned {len(flat)} gradients for the inputs {keys}"
    return list(zip(keys, flat, strict=True))
