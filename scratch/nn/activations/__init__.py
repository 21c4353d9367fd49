"""The activations family: torch.nn's activations with closed-form gradients.

``pointwise`` holds the smooth elementwise ones, ``piecewise`` the piecewise-linear ones (kinks, thresholds,
random slopes), ``along_dim`` those that act along one dim (softmax and friends). ``_common`` states the float32
policy and holds the shared input checks.
"""

from . import along_dim, piecewise, pointwise
from .along_dim import *  # noqa: F403
from .piecewise import *  # noqa: F403
from .pointwise import *  # noqa: F403

__all__ = piecewise.__all__ + pointwise.__all__ + along_dim.__all__
