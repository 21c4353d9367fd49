"""The recurrent family: one-step cells (RNNCell, LSTMCell, GRUCell) and whole-sequence layers (RNN, LSTM, GRU)
with torch's layouts, gate orders, state_dict keys, init and errors. ``_kernels`` holds the per-direction
sequence loops and backpropagation through time that the layers stack."""

from . import cells, layers
from .cells import *  # noqa: F403
from .layers import *  # noqa: F403

__all__ = cells.__all__ + layers.__all__
