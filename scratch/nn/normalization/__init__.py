"""The normalization family: batch, instance, layer, group and RMS normalization (shared kernels in ``_kernels.py``),
local response normalization across channels (``local_response.py``), and the Lazy batch and instance norms
(``lazy.py``)."""

from . import batch, layer, lazy, local_response
from .batch import *  # noqa: F403
from .layer import *  # noqa: F403
from .lazy import *  # noqa: F403
from .local_response import *  # noqa: F403

__all__ = batch.__all__ + layer.__all__ + local_response.__all__ + lazy.__all__
