"""scratch.nn: building blocks with closed-form backward, following torch.nn's names and layouts."""

from . import dropout, losses, normalization
from .activations import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .dropout import *  # noqa: F403
from .linear import Flatten, Identity, Linear
from .losses import *  # noqa: F403
from .module import Module, Parameter, Sequential
from .normalization import *  # noqa: F403

__all__ = ["Module", "Parameter", "Sequential", "Linear", "Identity", "Flatten", "ReLU", "LeakyReLU", "ELU",
           "Sigmoid", "Tanh", "GELU", "Softplus", "Softmax", "LogSoftmax"]
__all__ += losses.__all__ + normalization.__all__ + dropout.__all__
