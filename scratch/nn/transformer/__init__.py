"""The transformer family: encoder (encoder.py), decoder (decoder.py) and the whole Transformer (model.py)."""

from . import decoder, encoder, model
from .decoder import *  # noqa: F403
from .encoder import *  # noqa: F403
from .model import *  # noqa: F403

__all__ = encoder.__all__ + decoder.__all__ + model.__all__
