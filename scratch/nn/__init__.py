"""scratch.nn: building blocks with closed-form backward, following torch.nn's names and layouts.

One family per module or package (activations, linear, containers, losses, normalization, dropout, ...): a family
has the same name here, in ``reference/nn`` (the torch twins) and in ``tests/cases`` (the catalog entries).
``module.py`` and ``base.py`` hold the protocol itself (Module, Parameter, CachedModule).
"""

from . import (
    activations,
    adaptive,
    attention,
    containers,
    conv,
    distance,
    dropout,
    embedding,
    fold,
    linear,
    losses,
    normalization,
    padding,
    pooling,
    recurrent,
    shuffle,
    transformer,
    upsampling,
)
from .activations import *  # noqa: F403
from .adaptive import *  # noqa: F403
from .attention import *  # noqa: F403
from .containers import *  # noqa: F403
from .conv import *  # noqa: F403
from .distance import *  # noqa: F403
from .dropout import *  # noqa: F403
from .embedding import *  # noqa: F403
from .fold import *  # noqa: F403
from .linear import *  # noqa: F403
from .losses import *  # noqa: F403
from .module import Module, Parameter, UninitializedBuffer, UninitializedParameter
from .normalization import *  # noqa: F403
from .padding import *  # noqa: F403
from .pooling import *  # noqa: F403
from .recurrent import *  # noqa: F403
from .shuffle import *  # noqa: F403
from .transformer import *  # noqa: F403
from .upsampling import *  # noqa: F403

FAMILIES = (activations, linear, conv, fold, containers, losses, normalization, dropout, recurrent, padding, pooling,
            embedding, attention, transformer, shuffle, distance, adaptive, upsampling)

__all__ = ["Module", "Parameter", "UninitializedBuffer", "UninitializedParameter"] + [
    name for family in FAMILIES for name in family.__all__]
