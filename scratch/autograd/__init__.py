"""Tape-based reverse-mode automatic differentiation on NumPy arrays (NumPy only, self-contained).

>>> from scratch.autograd import Tensor
>>> x = Tensor([[1.0, 2.0]], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
array([[2., 4.]], dtype=float32)

Submodules: ``tensor`` (Tensor, engine, dtype rules, no_grad), ``ops`` (element-wise ops), ``reduce``
(reductions, shape ops, indexing, matmul, softmax), ``nn`` (Module, Parameter, Linear, activations, MSE) and
``optim`` (SGD).
"""

from . import nn, optim
from .ops import abs, add, div, exp, log, maximum, mul, neg, pow, relu, sigmoid, sqrt, sub, tanh, where
from .reduce import getitem, log_softmax, matmul, max, mean, permute, reshape, softmax, sum, transpose
from .tensor import Tensor, is_grad_enabled, no_grad, result_dtype, unbroadcast

__all__ = [
    "Tensor", "no_grad", "is_grad_enabled", "result_dtype", "unbroadcast", "nn", "optim",
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "relu", "sigmoid", "tanh", "maximum",
    "where", "sum", "mean", "max", "reshape", "transpose", "permute", "getitem", "matmul", "softmax",
    "log_softmax",
]
