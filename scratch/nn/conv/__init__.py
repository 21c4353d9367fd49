"""The convolution family: Conv1d/2d/3d and ConvTranspose1d/2d/3d (``convolution.py``: one implementation for
every number of spatial dims on ``scratch/nn/_windows.py``), and their Lazy versions (``lazy.py``: in_channels
inferred at the first forward, then the module becomes the eager class).
"""

from . import convolution, lazy
from .convolution import *  # noqa: F403
from .lazy import *  # noqa: F403

__all__ = convolution.__all__ + lazy.__all__
