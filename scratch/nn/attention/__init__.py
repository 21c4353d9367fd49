"""The attention family: ScaledDotProductAttention (sdpa.py: the shared kernels) and MultiheadAttention
(multihead.py)."""

from . import multihead, sdpa
from .multihead import *  # noqa: F403
from .sdpa import *  # noqa: F403

__all__ = sdpa.__all__ + multihead.__all__
