"""The normalization family: batch, instance, layer, group and RMS normalization (shared kernels in ``_kernels.py``)."""

from . import batch, layer
from .batch import *  # noqa: F403
from .layer import *  # noqa: F403

__all__ = batch.__all__ + layer.__all__
