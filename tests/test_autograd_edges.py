"""Edges of scratch.autograd the op table does not reach, against torch where torch defines them: type promotion
over every category pair (bool < integer < float) across the three operand groups, transpose of a 0-d tensor,
matmul's batch broadcast where a size-1 batch axis follows a leading one, the dim-range message, and the small
nn/optim layer's argument checks and parameter names."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import scratch.autograd as ag
from scratch.autograd import Tensor, result_dtype

DTYPES = [np.bool_, np.uint8, np.int8, np.int64, np.float32, np.float64]


def _operand(kind: str, dtype):
    if kind == "scalar":
        return {np.bool_: True, np.float32: 1.5, np.float64: 1.5}.get(dtype, 2)
    return np.ones((2,) if kind == "dimensioned" else (), dtype)


def _torch(x):
    return torch.from_numpy(x) if isinstance(x, np.ndarray) else x


@pytest.mark.parametrize(("first", "second"), [("dimensioned", "0-d"), ("dimensioned", "scalar"), ("0-d", "scalar")])
def test_result_dtype_like_torch_result_type_over_every_category(first, second):
    for a, b in itertools.product(DTYPES, DTYPES):
        x, y = _operand(first, a), _operand(second, b)
        want = torch.result_type(_torch(x), _torch(y))
        assert result_dtype(x, y) == np.dtype(str(want).removeprefix("torch.").replace("bool", "bool_")), (
            first, a.__name__, second, b.__name__, want)


def test_transpose_of_a_0d_tensor_like_torch():
    t = Tensor(np.array(2.5), requires_grad=True)
    out = ag.transpose(t, 0, -1)
    want = torch.tensor(2.5, dtype=torch.float64).transpose(0, -1)
    assert out.shape == tuple(want.shape) == () and float(out.data) == 2.5
    out.backward(np.array(3.0))
    assert t.grad.shape == () and float(t.grad) == 3.0


def test_matmul_sums_a_size_one_batch_axis_after_a_leading_one_like_torch():
    rng = np.random.default_rng(0)
    a, b, g = rng.standard_normal((1, 3, 4, 5)), rng.standard_normal((1, 5, 2)), rng.standard_normal((1, 3, 4, 2))
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    ag.matmul(ta, tb).backward(g)
    xa, xb = (torch.tensor(v, requires_grad=True) for v in (a, b))
    (xa @ xb).backward(torch.from_numpy(g))
    np.testing.assert_allclose(tb.grad, xb.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ta.grad, xa.grad.numpy(), rtol=1e-12)


def test_dim_out_of_range_message_like_torch():
    with pytest.raises(IndexError) as got:
        ag.sum(Tensor(np.ones((2, 3))), 2)
    with pytest.raises(IndexError) as want:
        torch.ones(2, 3).sum(2)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize(("args", "ok"), [((1, 3), True), ((2, 0), True), ((0, 3), False), ((2, -1), False),
                                          ((2.0, 3), False), ((2, 3.0), False)])
def test_linear_argument_checks(args, ok):
    """in_features >= 1 (a 0-feature layer is refused here; torch allows it), out_features >= 0, both int."""
    make = lambda: ag.nn.Linear(*args, rng=np.random.default_rng(0))  # noqa: E731
    if ok:
        assert make().weight.shape == (args[1], args[0])
    else:
        with pytest.raises(ValueError, match="Linear needs in_features >= 1 and out_features >= 0"):
            make()


def test_nested_parameter_names_and_zero_lr():
    rng = np.random.default_rng(0)
    inner = ag.nn.Sequential(ag.nn.Linear(2, 3, rng=rng), ag.nn.ReLU())
    model = ag.nn.Sequential(inner, ag.nn.Linear(3, 1, rng=rng))
    names = [n for n, _ in model.named_parameters()]
    want = [n for n, _ in torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU()),
                                              torch.nn.Linear(3, 1)).named_parameters()]
    assert names == want == ["0.0.weight", "0.0.bias", "1.weight", "1.bias"]
    ag.optim.SGD(model.parameters(), lr=0.0)  # lr = 0 is valid (torch too); below it is not
    with pytest.raises(ValueError, match="Invalid learning rate"):
        ag.optim.SGD(model.parameters(), lr=-1e-9)


def test_a_size_one_axis_broadcast_against_an_empty_one_gets_a_zero_gradient_like_torch():
    """(3, 1) + (3, 0) is (3, 0): the size-1 operand's gradient is the sum over the empty axis, zeros of (3, 1)."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 1)), rng.standard_normal((3, 0))
    a, b = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (x, y))
    (a * b).sum().backward()
    (ta * tb).sum().backward()
    for got, want in ((a.grad, ta.grad), (b.grad, tb.grad)):
        assert got.shape == tuple(want.shape) and np.array_equal(got, want.numpy())


def test_a_constant_operand_gets_no_grad_like_torch():
    """Operands that do not require grad (a constant Tensor, an array) keep ``grad`` None after backward."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    a, c = Tensor(x, requires_grad=True), Tensor(y)
    ta, tc = torch.tensor(x, requires_grad=True), torch.tensor(y)
    (a * c + c).sum().backward()
    (ta * tc + tc).sum().backward()
    assert c.grad is None and tc.grad is None
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())
