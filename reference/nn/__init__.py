"""reference.nn: the torch twins of scratch.nn, one module per family with the same name as scratch's."""

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
from .base import TorchModule, TorchParameter, seeded, to_torch, torch_dtype, twin
from .containers import *  # noqa: F403
from .conv import *  # noqa: F403
from .distance import *  # noqa: F403
from .dropout import *  # noqa: F403
from .embedding import *  # noqa: F403
from .fold import *  # noqa: F403
from .linear import *  # noqa: F403
from .losses import *  # noqa: F403
from .normalization import *  # noqa: F403
from .padding import *  # noqa: F403
from .pooling import *  # noqa: F403
from .recurrent import *  # noqa: F403
from .shuffle import *  # noqa: F403
from .transformer import *  # noqa: F403
from .upsampling import *  # noqa: F403

FAMILIES = (activations, linear, conv, fold, containers, losses, normalization, dropout, recurrent, padding, pooling,
            embedding, attention, transformer, shuffle, distance, adaptive, upsampling)

__all__ = ["TorchModule", "TorchParameter", "seeded", "to_torch", "torch_dtype", "twin"]
__all__ += [name for family in FAMILIES for name in family.__all__]
