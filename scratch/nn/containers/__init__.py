"""The containers family: containers of modules (``modules.py``: Sequential, the one with a forward and a backward;
ModuleList, ModuleDict) and of parameters (``parameters.py``: ParameterList, ParameterDict), each following torch
2.13's container API, errors and repr."""

from . import modules, parameters
from .modules import *  # noqa: F403
from .parameters import *  # noqa: F403

__all__ = modules.__all__ + parameters.__all__
