"""Twins of scratch.nn's activations: the real torch modules behind the numpy boundary.

RReLU draws random slopes in training. torch's RNG stream cannot be replayed in NumPy, so its twin owns a numpy
Generator (injected like scratch's ``rng=``) and, wherever torch would draw, makes scratch's draw
(``rng.uniform(lower, upper, x.shape)``, rounded to the input's dtype, used where x <= 0) and applies it as
torch's kernel does (``y = x * noise``, noise the slope where x <= 0 and 1 elsewhere), with torch's own backward
op ``aten.rrelu_with_noise_backward``. Before that it runs torch's ``F.rrelu`` once under no_grad (and a forked
RNG), so every check and error is torch's own; eval mode and integer inputs are torch's path unchanged.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .base import TorchModule, twin

__all__ = ["ReLU", "LeakyReLU", "PReLU", "RReLU", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "Hardshrink",
           "Softshrink", "Threshold", "ELU", "CELU", "SELU", "Sigmoid", "LogSigmoid", "Tanh", "Tanhshrink", "GELU",
           "Softplus", "SiLU", "Mish", "Softsign", "Softmax", "LogSoftmax", "Softmin", "Softmax2d", "GLU"]

ReLU = twin(torch.nn.ReLU)
LeakyReLU = twin(torch.nn.LeakyReLU)
ELU = twin(torch.nn.ELU)
CELU = twin(torch.nn.CELU)
SELU = twin(torch.nn.SELU)
Sigmoid = twin(torch.nn.Sigmoid)
LogSigmoid = twin(torch.nn.LogSigmoid)
Tanh = twin(torch.nn.Tanh)
Tanhshrink = twin(torch.nn.Tanhshrink)
GELU = twin(torch.nn.GELU)
Softplus = twin(torch.nn.Softplus)
SiLU = twin(torch.nn.SiLU)
Mish = twin(torch.nn.Mish)
Softsign = twin(torch.nn.Softsign)
Softmax = twin(torch.nn.Softmax)
LogSoftmax = twin(torch.nn.LogSoftmax)
Softmin = twin(torch.nn.Softmin)
Softmax2d = twin(torch.nn.Softmax2d)
GLU = twin(torch.nn.GLU)
PReLU = twin(torch.nn.PReLU, has_params=True)
Hardtanh = twin(torch.nn.Hardtanh)
ReLU6 = twin(torch.nn.ReLU6)
Hardsigmoid = twin(torch.nn.Hardsigmoid)
Hardswish = twin(torch.nn.Hardswish)
Hardshrink = twin(torch.nn.Hardshrink)
Softshrink = twin(torch.nn.Softshrink)
Threshold = twin(torch.nn.Threshold)


class _WithNoise(torch.autograd.Function):
    """torch's training rrelu with a given noise tensor: ``y = x * noise``; the gradient is torch's own
    ``rrelu_with_noise_backward`` (which, in training, multiplies by the noise)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, noise: torch.Tensor, lower: float, upper: float) -> torch.Tensor:
        ctx.save_for_backward(x, noise)
        ctx.bounds = (lower, upper)
        return x * noise

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        x, noise = ctx.saved_tensors
        dx = torch.ops.aten.rrelu_with_noise_backward(grad, x, noise, *ctx.bounds, True, False)
        return dx, None, None, None


class SeededRReLU(torch.nn.RReLU):
    """torch.nn.RReLU whose training slopes come from a numpy Generator (see the module docstring)."""

    def _get_name(self) -> str:
        return "RReLU"  # the repr of the module it stands for

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__(lower, upper, inplace)
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        x = input
        if not self.training or not x.is_floating_point():
            return F.rrelu(x, self.lower, self.upper, self.training)
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            F.rrelu(x, self.lower, self.upper, True)  # torch's checks and errors; its own draw is discarded
        drawn = torch.from_numpy(np.asarray(self.rng.uniform(self.lower, self.upper, tuple(x.shape)))).to(x.dtype)
        noise = torch.where(x.detach() <= 0, drawn, torch.ones((), dtype=x.dtype))
        return _WithNoise.apply(x, noise, self.lower, self.upper)


class RReLU(TorchModule):
    """Twin of scratch.nn.RReLU (lower=1/8, upper=1/3, inplace=False, rng=None)."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__(SeededRReLU(lower, upper, inplace, rng))
