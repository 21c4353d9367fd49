"""The pooling family: max, average, power-average, adaptive and fractional pooling, and max unpooling, over 1,
2 and 3 spatial dims.

One windowed implementation per operation (a private base parametrized by the number of spatial dims, built on
``scratch/nn/_windows.py``); the public classes are thin subclasses. ``windowed.py``: MaxPool, AvgPool, LPPool;
``adaptive.py``: AdaptiveAvgPool, AdaptiveMaxPool; ``unpool.py``: MaxUnpool; ``fractional.py``:
FractionalMaxPool2d/3d (random window starts); ``_kernels.py``: the n-d kernels; ``_args.py``: torch's argument
checks (classes and messages as torch's, per path).
"""

from . import adaptive, fractional, unpool, windowed
from .adaptive import *  # noqa: F403
from .fractional import *  # noqa: F403
from .unpool import *  # noqa: F403
from .windowed import *  # noqa: F403

__all__ = windowed.__all__ + adaptive.__all__ + unpool.__all__ + fractional.__all__
