"""The losses family: torch.nn's losses with closed-form gradients (the protocol is in ``_base.py``), and the
PairwiseDistance block the triplet losses use."""

from . import (
               binary,
               classification,
               ctc,
               linear_cross_entropy,
               margin,
               multilabel,
               pointwise,
               probabilistic,
               ranking,
               triplet,
)
from .binary import *  # noqa: F403
from .classification import *  # noqa: F403
from .ctc import *  # noqa: F403
from .linear_cross_entropy import *  # noqa: F403
from .linear_cross_entropy import LinearCrossEntropyOptions as LinearCrossEntropyOptions  # not a block: no entry
from .margin import *  # noqa: F403
from .multilabel import *  # noqa: F403
from .pointwise import *  # noqa: F403
from .probabilistic import *  # noqa: F403
from .ranking import *  # noqa: F403
from .triplet import *  # noqa: F403

__all__ = (pointwise.__all__ + classification.__all__ + margin.__all__ + binary.__all__ + ranking.__all__
           + probabilistic.__all__ + multilabel.__all__ + triplet.__all__ + ctc.__all__ + linear_cross_entropy.__all__)
