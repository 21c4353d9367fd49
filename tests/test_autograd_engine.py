"""The engine of scratch.autograd: DAG order and accumulation, backward's contract, leaves and .grad, no_grad,
detach, torch's gradients at kinks and ties, and the package's import isolation."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

import scratch.autograd as ag
from scratch.autograd import Tensor
from tests.tolerances import Tol, assert_close

ROOT = Path(__file__).resolve().parents[1]


def run_both(fn: Callable, arrays: list[np.ndarray], cot: np.ndarray | None, block: str, check: str = "grad"):
    """Run ``fn`` on scratch Tensors and on torch tensors (float64), backward with ``cot``, compare all."""
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, t_out = fn(*xs), fn(*ts)
    assert_close(out.data, t_out.detach().numpy(), block=block, check="forward")
    out.backward(None if cot is None else cot)
    t_out.backward(None if cot is None else torch.from_numpy(cot))
    for x, t in zip(xs, ts, strict=True):
        assert (x.grad is None) == (t.grad is None)
        if x.grad is not None:
            assert_close(x.grad, t.grad.numpy(), block=block, check=check)
    return xs, ts


# ------------------------------------------------------------------------------------- DAG and accumulation
def test_reused_leaf_accumulates_over_every_use(rng: np.random.Generator) -> None:
    """x feeds four ops, one of them twice (x * x): its gradient is the sum of all five contributions."""
    x = rng.standard_normal((3, 4))
    run_both(lambda x: x * x + x * 3.0 + x.exp() - x / 2.0, [x], rng.standard_normal((3, 4)),
             "autograd.engine", "reuse")


def test_diamond_intermediate_accumulates(rng: np.random.Generator) -> None:
    """An intermediate used by several consumers (a diamond and a longer path) gets the sum before its own rule
    runs: with overwritten gradients or a node processed before all consumers, the result differs."""
    def f(x, w):
        a = x @ w
        b = a * a
        c = a.sigmoid()
        d = (b + c) * a.tanh()
        return d + a
    cot = rng.standard_normal((3, 2))
    run_both(f, [rng.standard_normal((3, 4)), rng.standard_normal((4, 2))], cot, "autograd.engine", "diamond")


def test_every_backward_rule_runs_exactly_once(rng: np.random.Generator) -> None:
    """Each recorded node appears once on the tape and its closure is called once per backward, however many
    paths lead to it (b * b lists b twice as a parent; a feeds three consumers)."""
    x = Tensor(rng.standard_normal(4), requires_grad=True)
    a = x * 2.0
    b = a.exp()
    c = a * b + b * b + a
    out = c.sum()
    tape = out._topological_order()
    assert len(tape) == len({id(n) for n in tape}) == 8  # x, a, b, a*b, b*b, +, +, sum
    position = {id(n): k for k, n in enumerate(tape)}
    assert all(position[id(p)] < position[id(n)] for n in tape for p in n._parents if p.requires_grad)
    calls: dict[str, int] = {}
    for name, node in {"a": a, "b": b, "c": c, "out": out}.items():
        rule = node._backward

        def counted(g, rule=rule, name=name):
            calls[name] = calls.get(name, 0) + 1
            return rule(g)
        node._backward = counted
    out.backward()
    assert calls == {"a": 1, "b": 1, "c": 1, "out": 1}


def test_deep_chain_has_no_recursion_limit() -> None:
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    z = x
    for _ in range(1500):  # graph depth 3000, deeper than Python's default recursion limit (1000)
        z = z * 1.0001 + x * 1e-3
    z.sum().backward()
    expected = 1.0  # forward-mode derivative of the recurrence z <- 1.0001 z + 1e-3 x, z0 = x
    for _ in range(1500):
        expected = expected * 1.0001 + 1e-3
    assert_close(x.grad, np.full(2, expected), block="autograd.engine", check="deep_chain",
                 tol=Tol(1e-12, 0, reason="1500 float64 multiply-adds, error ~ n*eps"))


def test_grad_flows_through_ndarray_and_scalar_operands(rng: np.random.Generator) -> None:
    a = rng.standard_normal((2, 3))
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    y = (a * x + 2.0) / (1.0 + a * a) - a  # ndarray on the left defers to Tensor (__array_ufunc__ = None)
    assert isinstance(y, Tensor)
    y.sum().backward()
    assert_close(x.grad, a / (1 + a * a), block="autograd.engine", check="ndarray_operand")


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
def test_zero_dim_chains_keep_dtype_and_match_torch(dtype: type) -> None:
    """NumPy turns 0-d results into scalars (np.float64(...)); every op output must stay a 0-d array of the
    right dtype, or the next op's promotion treats it as a Python scalar."""
    def f(x):
        y = (x.abs() + 1.0).log() * 2.5 - x.exp() / 3.0
        return y.sigmoid() ** 2.0 + y.tanh() * x
    a = np.array(0.75, dtype)
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, t_out = f(x), f(t)
    assert isinstance(out.data, np.ndarray) and out.dtype == dtype and out.shape == ()
    out.backward()
    t_out.backward()
    assert_close(out.data, t_out.detach().numpy(), block="autograd.engine", check="zero_dim", dtype=dtype)
    assert_close(x.grad, t.grad.numpy(), block="autograd.engine", check="zero_dim", dtype=dtype)


# ------------------------------------------------------------------------------------- backward's contract
def test_backward_with_explicit_gradient_for_non_scalar(rng: np.random.Generator) -> None:
    run_both(lambda x: x.tanh() * 2.0, [rng.standard_normal((2, 3))], rng.standard_normal((2, 3)),
             "autograd.engine", "explicit_gradient")


def test_implicit_gradient_needs_one_element() -> None:
    x = Tensor(np.ones((1, 1)), requires_grad=True)
    (x * 3.0).backward()  # one element: allowed, as torch
    assert_close(x.grad, np.full((1, 1), 3.0), block="autograd.engine", check="implicit_gradient")
    for lib_tensor in (Tensor(np.ones(2), requires_grad=True), torch.ones(2, dtype=torch.float64,
                                                                          requires_grad=True)):
        with pytest.raises(RuntimeError, match="scalar outputs"):
            (lib_tensor * 2.0).backward()


@pytest.mark.parametrize("what", ["shape", "no_grad_fn"])
def test_backward_errors_match_torch(what: str) -> None:
    for lib in ("scratch", "torch"):
        x = Tensor(np.ones(2), requires_grad=True) if lib == "scratch" else torch.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError):
            if what == "shape":
                (x * 2.0).sum().backward(np.ones(3) if lib == "scratch" else torch.ones(3))
            else:
                (x.detach() * 2.0).sum().backward()


def test_second_backward_needs_retain_graph(rng: np.random.Generator) -> None:
    a = rng.standard_normal(3)
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = (x * x).sum(), (t * t).sum()
    y.backward(retain_graph=True)
    ty.backward(retain_graph=True)
    y.backward()
    ty.backward()
    assert_close(x.grad, t.grad.numpy(), block="autograd.engine", check="accumulate_over_calls")
    assert_close(x.grad, 4 * a, block="autograd.engine", check="accumulate_over_calls")
    for out in (y, ty):  # the graph is freed now: both libraries refuse
        with pytest.raises(RuntimeError, match="second time"):
            out.backward()


def test_leaf_grad_accumulates_over_separate_graphs(rng: np.random.Generator) -> None:
    """Two forward passes, two backward calls, no zero_grad: .grad holds the sum, as torch."""
    a, w = rng.standard_normal((3, 2)), rng.standard_normal((2, 2))
    x, t = Tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    for k in range(2):
        (Tensor(a * (k + 1)) @ x).tanh().sum().backward()
        (torch.tensor(a * (k + 1)) @ t).tanh().sum().backward()
    assert_close(x.grad, t.grad.numpy(), block="autograd.engine", check="accumulate_over_calls")


def test_grad_dtype_shape_and_zero_grad(rng: np.random.Generator) -> None:
    x = Tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    y = x * 2.0
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == (2, 3)
    assert y.grad is None and not y.is_leaf and x.is_leaf  # only leaves keep .grad, as torch
    x.zero_grad(set_to_none=False)
    assert_close(x.grad, np.zeros((2, 3), np.float32), block="autograd.engine", check="zero_grad")
    x.zero_grad()
    assert x.grad is None


def test_requires_grad_on_non_float_raises_like_torch() -> None:
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        Tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError):
        Tensor([True]).requires_grad = True
    y = Tensor([1.0], requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False
    with pytest.raises(RuntimeError):
        (torch.ones(1, requires_grad=True) * 2.0).requires_grad = False


def test_ops_on_constants_record_nothing(rng: np.random.Generator) -> None:
    a, b = Tensor(rng.standard_normal(3)), Tensor(rng.standard_normal(3))
    c = (a * b).exp()
    assert not c.requires_grad and c.is_leaf and c._parents == ()
    with pytest.raises(RuntimeError):
        c.sum().backward()


# ------------------------------------------------------------------------------------- no_grad and detach
def test_no_grad_blocks_recording_and_restores(rng: np.random.Generator) -> None:
    x = Tensor(rng.standard_normal(3), requires_grad=True)
    with ag.no_grad():
        y = x * 2.0
        with ag.no_grad():
            pass
        assert not ag.is_grad_enabled()  # the inner block restored the outer (disabled) state
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y._parents == ()
    with pytest.raises(ValueError), ag.no_grad():
        raise ValueError
    assert ag.is_grad_enabled()

    @ag.no_grad()
    def double(t: Tensor) -> Tensor:
        return t * 2.0
    assert not double(x).requires_grad and ag.is_grad_enabled()
    # a no_grad value is a constant for later recorded ops, as torch
    t = torch.tensor(x.data, requires_grad=True)
    with torch.no_grad():
        ty = t * 2.0
    (y * x).sum().backward()
    (ty * t).sum().backward()
    assert_close(x.grad, t.grad.numpy(), block="autograd.engine", check="no_grad")


def test_detach_shares_data_and_cuts_the_graph(rng: np.random.Generator) -> None:
    run_both(lambda x: x * x.detach() + x.detach().exp(), [rng.standard_normal(4)], rng.standard_normal(4),
             "autograd.engine", "detach")
    x = Tensor(np.ones(2), requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf
    d.data[0] = 5.0  # shares storage, as torch's detach
    assert x.data[0] == 5.0


# ------------------------------------------------------------------------------------- kinks and ties
@pytest.mark.parametrize("fn_name", ["relu", "abs"])
def test_kink_gradient_at_zero_is_zero_as_torch(fn_name: str) -> None:
    a = np.array([-1.0, -0.0, 0.0, 2.0])
    xs, _ = run_both(lambda x: getattr(x, fn_name)(), [a], np.array([1.0, 2.0, 3.0, 4.0]), f"autograd.{fn_name}",
                     "kink")
    assert xs[0].grad[1] == 0 and xs[0].grad[2] == 0


TIED = np.array([[3.0, 1.0, 3.0, 0.0], [2.0, 2.0, 2.0, -1.0], [0.0, 5.0, 1.0, 5.0]])


@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), ((0, 1), True)])
def test_max_ties_split_evenly_like_torch_amax(axis, keepdims, rng: np.random.Generator) -> None:
    x = Tensor(TIED, requires_grad=True)
    t = torch.tensor(TIED, requires_grad=True)
    out = x.max(axis=axis, keepdims=keepdims)
    t_out = t.amax() if axis is None else t.amax(dim=axis, keepdim=keepdims)
    cot = rng.standard_normal(out.shape)
    out.backward(cot)
    t_out.backward(torch.from_numpy(cot))
    assert_close(out.data, t_out.detach().numpy(), block="autograd.max", check="ties_forward")
    assert_close(x.grad, t.grad.numpy(), block="autograd.max", check="ties")


def test_torch_max_dim_differs_from_amax_on_ties() -> None:
    """Why the max rule is documented as amax's: torch.max(x, dim) sends the whole gradient to one index."""
    t = torch.tensor(TIED, requires_grad=True)
    t.max(dim=1).values.sum().backward()
    x = Tensor(TIED, requires_grad=True)
    x.max(axis=1).sum().backward()
    assert not np.array_equal(x.grad, t.grad.numpy())
    assert_close(x.grad[1], np.array([1 / 3, 1 / 3, 1 / 3, 0]), block="autograd.max", check="ties")
    assert_close(t.grad.numpy()[1], np.array([1.0, 0, 0, 0]), block="autograd.max", check="torch_max_dim")


def test_maximum_ties_split_half_like_torch() -> None:
    a, b = np.array([1.0, 2.0, 3.0, -1.0]), np.array([1.0, 0.0, 5.0, -1.0])
    xs, _ = run_both(lambda x, y: x.maximum(y), [a, b], np.array([2.0, 3.0, 5.0, 7.0]), "autograd.maximum", "ties")
    assert_close(xs[0].grad, np.array([1.0, 3.0, 0.0, 3.5]), block="autograd.maximum", check="ties")


def test_repeated_integer_indices_accumulate(rng: np.random.Generator) -> None:
    idx = np.array([0, 2, 0, 0, 1])
    xs, _ = run_both(lambda x: x[idx if isinstance(x, Tensor) else torch.from_numpy(idx)] * 1.0,
                     [rng.standard_normal((3, 2))], np.arange(10.0).reshape(5, 2) + 1, "autograd.getitem", "repeat")
    assert_close(xs[0].grad[0], np.array([1 + 5 + 7, 2 + 6 + 8.0]), block="autograd.getitem", check="repeat")


# ------------------------------------------------------------------------------------- import isolation
def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_import_does_not_import_torch() -> None:
    r = _python("import sys, scratch.autograd; assert 'torch' not in sys.modules, 'torch imported'")
    assert r.returncode == 0, r.stderr


def test_autograd_is_self_contained() -> None:
    """Importing scratch.autograd pulls in no other scratch package (nn, optim, ...), and its sources import
    only numpy, the standard library and each other."""
    code = ("import sys, scratch; before = set(sys.modules); import scratch.autograd; "
            "new = {m for m in set(sys.modules) - before if m.startswith('scratch.')}; "
            "bad = {m for m in new if not m.startswith('scratch.autograd')}; assert not bad, bad; "
            "assert 'scratch.nn' not in sys.modules and 'scratch.optim' not in sys.modules")
    r = _python(code)
    assert r.returncode == 0, r.stderr
    import ast
    allowed = set(sys.stdlib_module_names) | {"numpy", "__future__"}
    for path in sorted((ROOT / "scratch" / "autograd").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                roots = [] if node.level else [(node.module or "").split(".")[0]]
            else:
                continue
            assert set(roots) <= allowed, f"{path.name} imports {roots}"
