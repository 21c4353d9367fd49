"""The op table for scratch.autograd: one row per op (minitorch / OpInfo style).

Each row names the op, gives the scratch function and the torch function (both take tensors of their library,
in the same order), an input generator that draws float64 arrays inside the op's safe domain (log/sqrt/pow on
positive values, kinks and ties avoided by a margin much larger than any perturbation the checks use), and
whether the op is LOCALLY LINEAR in its inputs (affine, or piecewise affine away from kinks), which decides what
the Taylor-remainder check expects: quadratic decay for curved ops, a remainder at rounding level for linear ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

import scratch.autograd as ag

MARGIN = 0.3  # distance kept from kinks (relu/abs at 0, max/maximum ties); perturbations stay below 0.02

Gen = Callable[[np.random.Generator], list[np.ndarray]]


@dataclass(frozen=True)
class OpCase:
    name: str
    scratch: Callable[..., Any]
    torch: Callable[..., Any]
    make: Gen
    linear: bool = False  # (piecewise) affine in all inputs around the drawn point

    @property
    def block(self) -> str:
        return f"autograd.{self.name}"

    def __repr__(self) -> str:
        return self.name


# --------------------------------------------------------------------------------------- input domains
def normal(*shapes: tuple[int, ...]) -> Gen:
    return lambda rng: [rng.standard_normal(s) for s in shapes]


def positive(*shapes: tuple[int, ...], lo: float = 0.5, hi: float = 2.0) -> Gen:
    return lambda rng: [rng.uniform(lo, hi, s) for s in shapes]


def away_from_zero(x: np.ndarray) -> np.ndarray:
    return np.where(x >= 0, 1.0, -1.0) * (MARGIN + np.abs(x))


def nonzero(*shapes: tuple[int, ...]) -> Gen:
    return lambda rng: [away_from_zero(rng.standard_normal(s)) for s in shapes]


def distinct(shape: tuple[int, ...]) -> Gen:
    """No two entries within 2*MARGIN of each other: no ties anywhere, so max has one winner per slice."""
    def make(rng: np.random.Generator) -> list[np.ndarray]:
        n = int(np.prod(shape))
        return [(rng.permutation(n) * 2 * MARGIN + rng.uniform(0, 0.05, n) - n * MARGIN).reshape(shape)]
    return make


def gapped_pair(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> Gen:
    """(a, b) with |a - b| >= MARGIN wherever they broadcast together (maximum's tie kink avoided)."""
    def make(rng: np.random.Generator) -> list[np.ndarray]:
        b = rng.standard_normal(shape_b)
        full = np.broadcast_shapes(shape_a, shape_b)
        a = np.broadcast_to(b, full) + away_from_zero(rng.standard_normal(full))
        assert a.shape == shape_a, "gapped_pair needs shape_a to be the broadcast shape"
        return [a, b]
    return make


def mixed(*gens: Gen) -> Gen:
    return lambda rng: [x for g in gens for x in g(rng)]


# --------------------------------------------------------------------------------------- the table
COND = (np.arange(12).reshape(3, 4) % 3 == 0)
MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])


def tcond() -> torch.Tensor:
    return torch.from_numpy(COND)


S234, S34 = (2, 3, 4), (3, 4)

OPS: list[OpCase] = [
    # arithmetic, with broadcasting over leading, middle and trailing axes and with Python scalars
    OpCase("add", lambda a, b: a + b, lambda a, b: a + b, normal(S34, S34), linear=True),
    OpCase("add_bcast_mid", lambda a, b: a + b, lambda a, b: a + b, normal(S234, (3, 1)), linear=True),
    OpCase("add_bcast_both", lambda a, b: a + b, lambda a, b: a + b, normal((2, 1, 4), (1, 3, 1)), linear=True),
    OpCase("sub_bcast_mid", lambda a, b: a - b, lambda a, b: a - b, normal(S234, (2, 1, 4)), linear=True),
    OpCase("sub_0d", lambda a, b: a - b, lambda a, b: a - b, normal(S34, ()), linear=True),
    OpCase("radd_scalar", lambda a: 2.5 + a, lambda a: 2.5 + a, normal(S34), linear=True),
    OpCase("rsub_scalar", lambda a: 2.5 - a, lambda a: 2.5 - a, normal(S34), linear=True),
    OpCase("sub_scalar", lambda a: a - 1.5, lambda a: a - 1.5, normal(S34), linear=True),
    OpCase("rmul_scalar", lambda a: 2.5 * a, lambda a: 2.5 * a, normal(S34), linear=True),
    OpCase("div_scalar", lambda a: a / 4.0, lambda a: a / 4.0, normal(S34), linear=True),
    OpCase("neg", lambda a: -a, lambda a: -a, normal(S34), linear=True),
    OpCase("mul", lambda a, b: a * b, lambda a, b: a * b, normal(S34, S34)),
    OpCase("mul_bcast_both", lambda a, b: a * b, lambda a, b: a * b, normal((2, 1, 4), (1, 3, 1))),
    OpCase("mul_self", lambda a: a * a, lambda a: a * a, normal(S34)),
    OpCase("div", lambda a, b: a / b, lambda a, b: a / b, mixed(normal(S34), nonzero(S34))),
    OpCase("div_bcast_mid", lambda a, b: a / b, lambda a, b: a / b, mixed(normal(S234), nonzero((1, 3, 1)))),
    OpCase("rdiv_scalar", lambda a: 2.5 / a, lambda a: 2.5 / a, nonzero(S34)),
    # powers
    OpCase("pow_int", lambda a: a ** 3, lambda a: a ** 3, normal(S34)),
    OpCase("pow_frac", lambda a: a ** 1.5, lambda a: a ** 1.5, positive(S34)),
    OpCase("pow_neg", lambda a: a ** -2.0, lambda a: a ** -2.0, nonzero(S34)),
    OpCase("pow_tensor", lambda a, p: a ** p, lambda a, p: a ** p, mixed(positive(S34), normal(S34))),
    OpCase("pow_tensor_bcast", lambda a, p: a ** p, lambda a, p: a ** p, mixed(positive((2, 3)), normal((3,)))),
    OpCase("rpow_scalar", lambda a: 2.0 ** a, lambda a: 2.0 ** a, normal(S34)),
    # element-wise functions (kinks avoided)
    OpCase("exp", lambda a: a.exp(), lambda a: a.exp(), normal(S34)),
    OpCase("log", lambda a: a.log(), lambda a: a.log(), positive(S34, lo=0.3, hi=3.0)),
    OpCase("sqrt", lambda a: a.sqrt(), lambda a: a.sqrt(), positive(S34, lo=0.3, hi=3.0)),
    OpCase("abs", lambda a: a.abs(), lambda a: a.abs(), nonzero(S34), linear=True),
    OpCase("relu", lambda a: a.relu(), lambda a: a.relu(), nonzero(S34), linear=True),
    OpCase("sigmoid", lambda a: a.sigmoid(), lambda a: a.sigmoid(), normal(S34)),
    OpCase("tanh", lambda a: a.tanh(), lambda a: a.tanh(), normal(S34)),
    OpCase("maximum", lambda a, b: ag.maximum(a, b), torch.maximum, gapped_pair(S34, S34), linear=True),
    OpCase("maximum_bcast", lambda a, b: ag.maximum(a, b), torch.maximum, gapped_pair(S34, (4,)), linear=True),
    OpCase("where", lambda a, b: ag.where(COND, a, b), lambda a, b: torch.where(tcond(), a, b),
           normal(S34, (4,)), linear=True),
    # reductions
    OpCase("sum_all", lambda a: a.sum(), lambda a: a.sum(), normal(S234), linear=True),
    OpCase("sum_axis1", lambda a: a.sum(axis=1), lambda a: a.sum(dim=1), normal(S234), linear=True),
    OpCase("sum_axes_keep", lambda a: a.sum(axis=(0, 2), keepdims=True),
           lambda a: a.sum(dim=(0, 2), keepdim=True), normal(S234), linear=True),
    OpCase("sum_neg_axis", lambda a: a.sum(axis=-1), lambda a: a.sum(dim=-1), normal(S234), linear=True),
    OpCase("mean_all", lambda a: a.mean(), lambda a: a.mean(), normal(S234), linear=True),
    OpCase("mean_axis0_keep", lambda a: a.mean(axis=0, keepdims=True), lambda a: a.mean(dim=0, keepdim=True),
           normal(S234), linear=True),
    OpCase("mean_axes", lambda a: a.mean(axis=(1, 2)), lambda a: a.mean(dim=(1, 2)), normal(S234), linear=True),
    OpCase("max_all", lambda a: a.max(), lambda a: a.amax(), distinct(S234), linear=True),
    OpCase("max_axis1", lambda a: a.max(axis=1), lambda a: a.amax(dim=1), distinct(S234), linear=True),
    OpCase("max_axes_keep", lambda a: a.max(axis=(0, 2), keepdims=True),
           lambda a: a.amax(dim=(0, 2), keepdim=True), distinct(S234), linear=True),
    # shape ops and indexing
    OpCase("reshape", lambda a: a.reshape(4, -1), lambda a: a.reshape(4, -1), normal(S234), linear=True),
    OpCase("transpose", lambda a: a.transpose(0, 2), lambda a: a.transpose(0, 2), normal(S234), linear=True),
    OpCase("permute", lambda a: a.permute(2, 0, 1), lambda a: a.permute(2, 0, 1), normal(S234), linear=True),
    OpCase("T", lambda a: a.T, lambda a: a.T, normal(S34), linear=True),
    OpCase("getitem_slice", lambda a: a[1:, ::2], lambda a: a[1:, ::2], normal(S34), linear=True),
    OpCase("getitem_int", lambda a: a[1, :, -1], lambda a: a[1, :, -1], normal(S234), linear=True),
    OpCase("getitem_repeat", lambda a: a[np.array([0, 2, 0, 0])], lambda a: a[torch.tensor([0, 2, 0, 0])],
           normal(S34), linear=True),
    OpCase("getitem_mixed", lambda a: a[:, np.array([1, 1, 2])], lambda a: a[:, torch.tensor([1, 1, 2])],
           normal(S234), linear=True),
    OpCase("getitem_pairs", lambda a: a[np.array([0, 0, 2]), np.array([1, 1, 3])],
           lambda a: a[torch.tensor([0, 0, 2]), torch.tensor([1, 1, 3])], normal(S34), linear=True),
    OpCase("getitem_bool", lambda a: a[MASK], lambda a: a[torch.from_numpy(MASK)], normal(S34), linear=True),
    OpCase("getitem_none_ellipsis", lambda a: a[..., None, 1], lambda a: a[..., None, 1], normal(S234),
           linear=True),
    # matmul (bilinear), every operand rank torch accepts
    OpCase("matmul_2d", lambda a, b: a @ b, lambda a, b: a @ b, normal((3, 4), (4, 5))),
    OpCase("matmul_batched", lambda a, b: a @ b, lambda a, b: a @ b, normal((2, 3, 4), (2, 4, 5))),
    OpCase("matmul_bcast_batch", lambda a, b: a @ b, lambda a, b: a @ b, normal((2, 1, 3, 4), (5, 4, 2))),
    OpCase("matmul_bcast_mat", lambda a, b: a @ b, lambda a, b: a @ b, normal((2, 3, 4), (4, 5))),
    OpCase("matmul_vec_mat", lambda a, b: a @ b, lambda a, b: a @ b, normal((4,), (4, 5))),
    OpCase("matmul_mat_vec", lambda a, b: a @ b, lambda a, b: a @ b, normal((3, 4), (4,))),
    OpCase("matmul_vec_vec", lambda a, b: a @ b, lambda a, b: a @ b, normal((4,), (4,))),
    OpCase("matmul_batch_vec", lambda a, b: a @ b, lambda a, b: a @ b, normal((2, 3, 4), (4,))),
    OpCase("matmul_vec_batch", lambda a, b: a @ b, lambda a, b: a @ b, normal((4,), (2, 4, 5))),
    # softmax family
    OpCase("softmax_last", lambda a: a.softmax(-1), lambda a: a.softmax(-1), normal((3, 5))),
    OpCase("softmax_axis0", lambda a: a.softmax(0), lambda a: a.softmax(0), normal((3, 5))),
    OpCase("softmax_mid", lambda a: a.softmax(1), lambda a: a.softmax(1), normal(S234)),
    OpCase("log_softmax_last", lambda a: a.log_softmax(-1), lambda a: a.log_softmax(-1), normal((3, 5))),
    OpCase("log_softmax_axis0", lambda a: a.log_softmax(0), lambda a: a.log_softmax(0), normal((3, 5))),
]

# Ops every row set must cover (a completeness test checks that each public op appears in some row).
COVERED = {
    "add": "add", "sub": "sub_bcast_mid", "mul": "mul", "div": "div", "neg": "neg", "pow": "pow_tensor",
    "exp": "exp", "log": "log", "sqrt": "sqrt", "abs": "abs", "relu": "relu", "sigmoid": "sigmoid",
    "tanh": "tanh", "maximum": "maximum", "where": "where", "sum": "sum_all", "mean": "mean_all",
    "max": "max_all", "reshape": "reshape", "transpose": "transpose", "permute": "permute",
    "getitem": "getitem_repeat", "matmul": "matmul_2d", "softmax": "softmax_last", "log_softmax": "log_softmax_last",
}
