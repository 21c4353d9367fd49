"""scratch.nn: building blocks with closed-form backward, following torch.nn's names and layouts."""

from .activations import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .linear import Flatten, Identity, Linear
from .module import Module, Parameter, Sequential

__all__ = ["Module", "Parameter", "Sequential", "Linear", "Identity", "Flatten", "ReLU", "LeakyReLU", "ELU",
           "Sigmoid", "Tanh", "GELU", "Softplus", "Softmax", "LogSoftmax"]
