"""The normalization family: batch, instance, layer, group and RMS normalization (shared kernels in ``_kernels.py``),
and local response normalization across channels (``local_response.py``)."""

from . import batch, layer, local_response
from .batch import *  # noqa: F403
from .layer import *  # noqa: F403
from .local_response import *  # noqa: F403

__all__ = batch.__all__ + layer.__all__ + local_response.__all__
