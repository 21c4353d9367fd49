"""The convolution family: Conv1d/2d/3d (``convolution.py``: one implementation for every number of spatial dims on
``scratch/nn/_windows.py``), ConvTranspose1d/2d/3d (``transpose.py``: the conv's vjp), and their Lazy versions
(``lazy.py``: in_channels inferred at the first forward, then the module becomes the eager class).
"""

from . import convolution, lazy, transpose
from .convolution import *  # noqa: F403
from .lazy import *  # noqa: F403
from .transpose import *  # noqa: F403

__all__ = convolution.__all__ + transpose.__all__ + lazy.__all__
