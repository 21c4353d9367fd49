"""The pooling family: max, average, power-average and adaptive pooling over 1, 2 and 3 spatial dims.

One windowed implementation per operation (a private base parametrized by the number of spatial dims, built on
``scratch/nn/_windows.py``); the public classes are thin subclasses. ``windowed.py``: MaxPool, AvgPool, LPPool;
``adaptive.py``: AdaptiveAvgPool, AdaptiveMaxPool; ``_kernels.py``: the n-d kernels; ``_args.py``: torch's
argument checks (classes and messages as torch's, per path).
"""

from . import adaptive, windowed
from .adaptive import *  # noqa: F403
from .windowed import *  # noqa: F403

__all__ = windowed.__all__ + adaptive.__all__
