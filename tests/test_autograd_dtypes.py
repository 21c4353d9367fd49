"""dtype inference and type promotion of scratch.autograd against torch, the error classes of bad input, and
IEEE special values / extreme inputs (same results as torch, and no RuntimeWarning from scratch)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import scratch.autograd as ag
from scratch.autograd import Tensor
from tests.tolerances import Tol, assert_close

NP_OF_TORCH = {torch.float32: np.float32, torch.float64: np.float64, torch.int64: np.int64, torch.bool: np.bool_,
               torch.int32: np.int32}

CONSTRUCTED = [1.5, [1.0, 2.0], [1, 2.5], 3, [1, 2], [True, False], np.array([1.0]), np.array([1.0], np.float32),
               np.float64(2.0), np.float32(2.0), [np.float64(1.0), np.float64(2.0)], np.array([1, 2], np.int32)]


@pytest.mark.parametrize("data", CONSTRUCTED, ids=lambda d: f"{type(d).__name__}:{d!r}")
def test_constructor_dtype_like_torch_tensor(data) -> None:
    assert Tensor(data).dtype == NP_OF_TORCH[torch.tensor(data).dtype]


# operand specs: a dimensioned / 0-d tensor of a dtype, or a Python scalar
SPECS = {
    "f32": np.array([0.5, 1.5, 2.0], np.float32), "f64": np.array([0.75, 1.25, 1.5]),
    "f32_0d": np.array(1.5, np.float32), "f64_0d": np.array(1.25), "i64": np.array([1, 2, 3]),
    "pyfloat": 1.5, "pyint": 2,
}
BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
          "div": lambda a, b: a / b, "pow": lambda a, b: a ** b}


def _operand(spec: str, lib: str, grad: bool):
    v = SPECS[spec]
    if not isinstance(v, np.ndarray):
        return v
    if lib == "torch":
        return torch.tensor(v, requires_grad=grad and v.dtype.kind == "f")
    return Tensor(v, requires_grad=grad and v.dtype.kind == "f")


@pytest.mark.parametrize("left", list(SPECS))
@pytest.mark.parametrize("op", list(BINARY))
def test_type_promotion_and_mixed_precision_grads_like_torch(op: str, left: str) -> None:
    """Result dtype = torch.result_type (f32 + f64 -> f64, f32 + 0-d f64 -> f32, int + 1.5 -> f32, ...);
    values match torch; each float leaf's gradient has the leaf's own dtype and torch's values."""
    fn = BINARY[op]
    for right in SPECS:
        if not any(isinstance(SPECS[s], np.ndarray) for s in (left, right)):
            continue
        a, b = _operand(left, "scratch", True), _operand(right, "scratch", True)
        ta, tb = _operand(left, "torch", True), _operand(right, "torch", True)
        out, t_out = fn(a, b), fn(ta, tb)
        where = f"{left} {op} {right}"
        assert out.dtype == NP_OF_TORCH[t_out.dtype], f"{where}: {out.dtype} vs torch {t_out.dtype}"
        exact = None if out.dtype.kind == "f" else Tol(0.0, 0.5, reason="integers: exact, any difference is >= 1")
        assert_close(out.data, t_out.detach().numpy(), block=f"autograd.{op}", check="promotion", dtype=out.dtype,
                     tol=exact)
        if not t_out.requires_grad:
            assert not out.requires_grad, where
            continue
        cot = np.linspace(-1.0, 2.0, out.numel()).reshape(out.shape)
        out.backward(cot)
        t_out.backward(torch.tensor(cot, dtype=t_out.dtype))
        for x, t in ((a, ta), (b, tb)):
            if isinstance(x, Tensor) and x.requires_grad:
                assert x.grad.dtype == x.dtype, where
                assert_close(x.grad, t.grad.numpy(), block=f"autograd.{op}", check="promotion_grad",
                             dtype=out.dtype)


def test_where_and_maximum_promote_like_torch() -> None:
    c = np.array([True, False, True])
    f32, f64, f64_0d = np.ones(3, np.float32), np.full(3, 2.0), np.array(3.0)
    cases = [(lambda L, x, y: L.where(x > 1.5, x, y), f32, f64), (lambda L, x, y: L.maximum(x, y), f32, f64_0d),
             (lambda L, x, y: L.maximum(x, y), f32, f64)]
    for fn, x, y in cases:
        out = fn(ag, Tensor(x), Tensor(y))
        t_out = fn(torch, torch.tensor(x), torch.tensor(y))
        assert out.dtype == NP_OF_TORCH[t_out.dtype]
    assert ag.where(c, Tensor(f32), 2.5).dtype == np.float32 == NP_OF_TORCH[torch.where(torch.tensor(c),
                                                                                       torch.tensor(f32), 2.5).dtype]


# ------------------------------------------------------------------------------------- bad input
BAD = {
    "matmul_mixed_dtype": lambda L: L.ones((2, 3)) @ L.ones((3, 2), "f64"),
    "matmul_0d": lambda L: L.ones(()) @ L.ones((2,)),
    "matmul_shapes": lambda L: L.ones((2, 3)) @ L.ones((4, 2)),
    "add_not_broadcastable": lambda L: L.ones((2, 3)) + L.ones((4,)),
    "mul_not_broadcastable": lambda L: L.ones((2, 3)) * L.ones((2, 1, 2)),
    "reshape_size": lambda L: L.ones((2, 3)).reshape(4, 2),
    "sum_axis_range": lambda L: L.sum(L.ones((2, 3)), 2),
    "max_axis_range": lambda L: L.amax(L.ones((2, 3)), -3),
    "transpose_range": lambda L: L.ones((2, 3)).transpose(0, 5),
    "permute_length": lambda L: L.ones((2, 3)).permute(1, 0, 2),
    "index_out_of_range": lambda L: L.ones((2, 3))[5],
    "index_array_out_of_range": lambda L: L.ones((2, 3))[L.index([0, 5])],
    "where_non_bool_condition": lambda L: L.where(L.ones((3,)), L.ones((3,)), L.ones((3,))),
    "mean_of_integers": lambda L: L.int_ones((3,)).mean(),
    "backward_non_scalar": lambda L: (L.ones((3,), grad=True) * 2.0).backward(),
    "int_negative_power": lambda L: L.int_ones((3,)) ** -1,
}


class _Scratch:
    @staticmethod
    def ones(shape, dt="f32", grad=False):
        return Tensor(np.ones(shape, np.float64 if dt == "f64" else np.float32), requires_grad=grad)

    int_ones = staticmethod(lambda shape: Tensor(np.ones(shape, np.int64)))
    index = staticmethod(np.array)
    sum = staticmethod(lambda x, d: x.sum(axis=d))
    amax = staticmethod(lambda x, d: x.max(axis=d))
    where = staticmethod(ag.where)


class _Torch:
    @staticmethod
    def ones(shape, dt="f32", grad=False):
        return torch.ones(shape, dtype=torch.float64 if dt == "f64" else torch.float32, requires_grad=grad)

    int_ones = staticmethod(lambda shape: torch.ones(shape, dtype=torch.int64))
    index = staticmethod(torch.tensor)
    sum = staticmethod(lambda x, d: x.sum(dim=d))
    amax = staticmethod(lambda x, d: x.amax(dim=d))
    where = staticmethod(torch.where)


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_raises_the_class_torch_raises(name: str) -> None:
    with pytest.raises(Exception) as t_exc:
        BAD[name](_Torch)
    with pytest.raises(t_exc.type):
        BAD[name](_Scratch)


# ------------------------------------------------------------------------------------- IEEE values, extremes
IEEE = {
    "log_zero_negative": (lambda x: x.log(), [0.0, -1.0, 2.0]),
    "div_by_zero": (lambda x: 1.0 / x, [0.0, -0.0, 2.0]),
    "sqrt_zero_negative": (lambda x: x.sqrt(), [0.0, -1.0, 4.0]),
    "exp_overflow": (lambda x: x.exp(), [1000.0, -1000.0, 1.0]),
    "pow_scalar_at_zero": (lambda x: x ** 0.0 + x ** -1.0 + x ** 0.5, [0.0, 1.0, 2.0]),
    "pow_zero_exponent_int": (lambda x: x ** 0, [0.0, 1.0, -2.0]),
    "sigmoid_extreme": (lambda x: x.sigmoid(), [-1000.0, 1000.0, 0.0]),
    "tanh_extreme": (lambda x: x.tanh(), [-1000.0, 1000.0, 0.0]),
    "softmax_huge_logits": (lambda x: x.softmax(-1), [1e4, -1e4, 0.0]),
    "log_softmax_huge_logits": (lambda x: x.log_softmax(-1), [1e4, -1e4, 0.0]),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", list(IEEE))
def test_special_values_match_torch_without_warnings(name: str, dtype: type) -> None:
    """Same inf/NaN/finite values and gradients as torch; pyproject turns RuntimeWarnings from scratch into
    errors, so an unguarded log(0) or exp overflow fails here."""
    fn, values = IEEE[name]
    a = np.array(values, dtype)
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, t_out = fn(x), fn(t)
    cot = np.array([0.5, -1.5, 2.0], dtype)
    out.backward(cot)
    t_out.backward(torch.from_numpy(cot))
    assert_close(out.data, t_out.detach().numpy(), block="autograd.ieee", check=name, dtype=dtype)
    assert_close(x.grad, t.grad.numpy(), block="autograd.ieee", check=f"{name}_grad", dtype=dtype)


def test_pow_tensor_exponent_special_cases_like_torch() -> None:
    """torch masks d/dx where p == 0 and d/dp where x == 0 and p >= 0 (0 instead of NaN)."""
    base, expo = np.array([0.0, 0.0, 0.0, 2.0, -1.0]), np.array([0.0, 1.0, -1.0, 2.0, 0.5])
    x, p = Tensor(base, requires_grad=True), Tensor(expo, requires_grad=True)
    tx, tp = torch.tensor(base, requires_grad=True), torch.tensor(expo, requires_grad=True)
    (x ** p).backward(np.ones(5) * 3.0)
    (tx ** tp).backward(torch.full((5,), 3.0, dtype=torch.float64))
    assert_close(x.grad, tx.grad.numpy(), block="autograd.pow", check="special")
    assert_close(p.grad, tp.grad.numpy(), block="autograd.pow", check="special")
