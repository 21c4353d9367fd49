"""Hypothesis-generated expression programs run through scratch.autograd and torch autograd (float64).

A program has 1-3 inputs of broadcast-compatible shapes (sub-shapes of one base shape) and 1-12 ops; every
op reads any earlier value (inputs or intermediates, so values are reused, also as both operands of one op).
Every intermediate value, the output and every input's gradient (for a random cotangent) must match torch.
Values stay in safe domains by construction (log only of |x| + 1, exp only of tanh, divisions by x^2 + 1,
powers of bounded values) and any value above 100 in magnitude is rescaled by an exact power of two.
With ``snap`` the inputs are multiples of 0.5, which creates exact zeros and ties: relu/abs kinks and max /
maximum ties then use torch's rules on both sides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from hypothesis import given, note
from hypothesis import strategies as st

import scratch.autograd as ag
from tests.tolerances import assert_close


class ScratchLib:
    tensor = staticmethod(lambda a: ag.Tensor(a, requires_grad=True))
    sum = staticmethod(lambda x, ax, kd: x.sum(axis=ax, keepdims=kd))
    mean = staticmethod(lambda x, ax, kd: x.mean(axis=ax, keepdims=kd))
    amax = staticmethod(lambda x, ax, kd: x.max(axis=ax, keepdims=kd))
    maximum = staticmethod(ag.maximum)
    where = staticmethod(ag.where)
    index = staticmethod(np.array)


class TorchLib:
    tensor = staticmethod(lambda a: torch.tensor(a, requires_grad=True))
    sum = staticmethod(lambda x, ax, kd: x.sum(dim=ax, keepdim=kd))
    mean = staticmethod(lambda x, ax, kd: x.mean(dim=ax, keepdim=kd))
    amax = staticmethod(lambda x, ax, kd: x.amax(dim=ax, keepdim=kd))
    maximum = staticmethod(torch.maximum)
    where = staticmethod(torch.where)
    index = staticmethod(torch.tensor)


Shape = tuple[int, ...]


@dataclass(frozen=True)
class Op:
    arity: int
    fn: Callable[..., Any]  # fn(lib, *operands, **params)
    ok: Callable[..., bool] = lambda *shapes: True  # applicable to these operand shapes
    params: Callable[[Any, Shape], dict] = lambda data, shape: {}


def _axes(data: Any, shape: Shape) -> dict:
    axis = data.draw(st.sampled_from([None, *range(len(shape)), *([(0, len(shape) - 1)] if len(shape) > 1
                                                                    else [])]))
    keepdims = data.draw(st.booleans())
    return dict(axis=tuple(range(len(shape))) if axis is None else axis, keepdims=keepdims)


def _one_axis(data: Any, shape: Shape) -> dict:
    return dict(axis=data.draw(st.sampled_from(range(-len(shape), len(shape)))))


def _matmul_ok(a: Shape, b: Shape) -> bool:
    if len(a) < 2 or len(b) < 2 or a[-1] != b[-1]:
        return False
    try:
        np.broadcast_shapes(a[:-2], b[:-2])
    except ValueError:
        return False
    return True


def _has_dims(*shapes: Shape) -> bool:
    return len(shapes[0]) >= 1


OPS: dict[str, Op] = {
    "neg": Op(1, lambda L, x: -x),
    "tanh": Op(1, lambda L, x: x.tanh()),
    "sigmoid": Op(1, lambda L, x: x.sigmoid()),
    "relu": Op(1, lambda L, x: x.relu()),
    "abs": Op(1, lambda L, x: x.abs()),
    "exp_tanh": Op(1, lambda L, x: x.tanh().exp()),
    "log_abs1": Op(1, lambda L, x: (x.abs() + 1.0).log()),
    "sqrt_sq1": Op(1, lambda L, x: (x * x + 1.0).sqrt()),
    "tanh_pow": Op(1, lambda L, x, k: x.tanh() ** k, params=lambda d, s: dict(k=d.draw(st.sampled_from([2, 3])))),
    "sig_pow": Op(1, lambda L, x, p: (x.sigmoid() + 0.5) ** p,
                  params=lambda d, s: dict(p=d.draw(st.sampled_from([-1.5, 0.5, 2.5])))),
    "affine": Op(1, lambda L, x, c, b: c * x + b,
                 params=lambda d, s: dict(c=d.draw(st.sampled_from([-1.5, 0.5, 1.25])),
                                          b=d.draw(st.sampled_from([-1.0, 0.0, 0.75])))),
    "rdiv": Op(1, lambda L, x: 2.5 / (x * x + 1.0)),
    "sum": Op(1, lambda L, x, axis, keepdims: L.sum(x, axis, keepdims), _has_dims, _axes),
    "mean": Op(1, lambda L, x, axis, keepdims: L.mean(x, axis, keepdims), _has_dims, _axes),
    "max": Op(1, lambda L, x, axis, keepdims: L.amax(x, axis, keepdims), _has_dims, _axes),
    "softmax": Op(1, lambda L, x, axis: x.softmax(axis), _has_dims, _one_axis),
    "log_softmax": Op(1, lambda L, x, axis: x.log_softmax(axis), _has_dims, _one_axis),
    "transpose": Op(1, lambda L, x: x.transpose(-1, -2), lambda s: len(s) >= 2),
    "flatten": Op(1, lambda L, x: x.reshape(-1)),
    "index_repeat": Op(1, lambda L, x, idx: x[..., L.index(idx)], _has_dims,
                       lambda d, s: dict(idx=d.draw(st.lists(st.integers(0, s[-1] - 1), min_size=1, max_size=4)))),
    "slice": Op(1, lambda L, x: x[1:], lambda s: len(s) >= 1 and s[0] > 1),
    "add": Op(2, lambda L, a, b: a + b),
    "sub": Op(2, lambda L, a, b: a - b),
    "mul_tanh": Op(2, lambda L, a, b: a * b.tanh()),
    "div_sq1": Op(2, lambda L, a, b: a / (b * b + 1.0)),
    "maximum": Op(2, lambda L, a, b: L.maximum(a, b)),
    "where_pos": Op(2, lambda L, a, b: L.where(a > 0, a, b)),
    "pow_tensor": Op(2, lambda L, a, b: (a.sigmoid() + 0.5) ** b.tanh()),
    "matmul_t": Op(2, lambda L, a, b: a @ b.tanh().transpose(-1, -2), _matmul_ok),
    "scale": Op(1, lambda L, x, f: x * f),  # inserted by the generator only (exact power-of-two rescaling)
}
DRAWN = [name for name in OPS if name != "scale"]


def _broadcastable(a: Shape, b: Shape) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def run_program(lib: Any, inputs: list[np.ndarray], program: list[tuple]) -> tuple[list, list]:
    leaves = [lib.tensor(a) for a in inputs]
    values = list(leaves)
    for name, operands, params in program:
        values.append(OPS[name].fn(lib, *[values[i] for i in operands], **params))
    return leaves, values


def draw_program(data: Any, n_inputs: int) -> tuple[list[np.ndarray], list[tuple]]:
    base = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3), label="base shape")
    shapes = []
    for _ in range(n_inputs):
        drop = data.draw(st.integers(0, len(base)))
        shapes.append(tuple(1 if data.draw(st.booleans()) else n for n in base[drop:]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    inputs = [rng.uniform(-2.0, 2.0, s) for s in shapes]
    if data.draw(st.booleans(), label="snap to multiples of 0.5"):
        inputs = [np.round(x * 2.0) / 2.0 for x in inputs]
    program: list[tuple] = []
    values = [ag.Tensor(x) for x in inputs]  # scratch values, to know shapes and magnitudes while drawing
    with ag.no_grad():
        for _ in range(data.draw(st.integers(1, 12), label="ops")):
            i = data.draw(st.integers(0, len(values) - 1))
            names = [n for n in DRAWN if OPS[n].arity == 1 and OPS[n].ok(values[i].shape)]
            partners = {n: [j for j in range(len(values)) if (OPS[n].ok(values[i].shape, values[j].shape)
                                                              and _broadcastable(values[i].shape, values[j].shape))]
                        for n in DRAWN if OPS[n].arity == 2}
            names += [n for n, js in partners.items() if js]
            name = data.draw(st.sampled_from(names))
            operands = (i,) if OPS[name].arity == 1 else (i, data.draw(st.sampled_from(partners[name])))
            params = OPS[name].params(data, values[i].shape)
            program.append((name, operands, params))
            values.append(OPS[name].fn(ScratchLib, *[values[k] for k in operands], **params))
            big = float(np.max(np.abs(values[-1].data), initial=0.0))
            if big > 100.0:  # keep magnitudes moderate with an exact (power of two) rescaling
                program.append(("scale", (len(values) - 1,), dict(f=2.0 ** -int(np.ceil(np.log2(big))))))
                values.append(OPS["scale"].fn(ScratchLib, values[-1], **program[-1][2]))
    return inputs, program


def check_program(data: Any, n_inputs: int) -> None:
    inputs, program = draw_program(data, n_inputs)
    note(f"inputs {[x.tolist() for x in inputs]}\nprogram {program}")
    leaves, values = run_program(ScratchLib, inputs, program)
    t_leaves, t_values = run_program(TorchLib, inputs, program)
    for v, tv in zip(values[n_inputs:], t_values[n_inputs:], strict=True):  # every intermediate value
        assert_close(v.data, tv.detach().numpy(), block="autograd.program", check="forward", dtype=np.float64)
    out, t_out = values[-1], t_values[-1]
    cot = np.random.default_rng(len(program)).standard_normal(out.shape)
    out.backward(cot)
    t_out.backward(torch.from_numpy(cot))
    for x, t in zip(leaves, t_leaves, strict=True):
        assert (x.grad is None) == (t.grad is None), "one side has a gradient, the other none"
        if x.grad is not None:
            assert_close(x.grad, t.grad.numpy(), block="autograd.program", check="grad", dtype=np.float64)


@given(data=st.data())
def test_random_program_one_input(data: Any) -> None:
    check_program(data, 1)


@given(data=st.data())
def test_random_program_two_inputs(data: Any) -> None:
    check_program(data, 2)


@given(data=st.data())
def test_random_program_three_inputs(data: Any) -> None:
    check_program(data, 3)
