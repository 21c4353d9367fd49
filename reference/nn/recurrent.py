"""Twins of scratch.nn's recurrent family. Their forward takes torch's nested arguments (``hx`` is ``(h, c)`` for
LSTM and LSTMCell) and backward takes one cotangent per output (TorchModule).

The layers (RNN, LSTM, GRU) are real ``torch.nn.RNN/LSTM/GRU`` modules, initialized by torch's own code (seeded
from the numpy Generator, so the init checks compare two independent implementations), with one addition:
dropout between layers with scratch's masks. torch's own RNG stream cannot be replayed in NumPy, so the twin
takes the same mask generator as scratch (``default_rng(rng.integers(2**63))``, the first draw from ``rng``),
and in training with ``dropout > 0`` and several layers it runs the stack as single-layer torch modules that share
the stack's Parameters, multiplying each layer's time-major output (but the last) by ``keep / (1 - p)`` with
``keep = mask_rng.random(shape) >= p`` (no draw for p = 1, which zeroes, or an empty output), as scratch does.
tests/test_recurrent_layers.py proves that layered path equal to torch's native multi-layer kernel where the
mask does not matter (dropout = 0 and dropout = 1 in training). Every other call is torch's native forward.
"""

from __future__ import annotations

import numpy as np
import torch

from .base import TorchModule, seeded, torch_dtype, twin

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU"]

RNNCell = twin(torch.nn.RNNCell, has_params=True)
LSTMCell = twin(torch.nn.LSTMCell, has_params=True)
GRUCell = twin(torch.nn.GRUCell, has_params=True)


class _Seeded:
    """Mixin for torch.nn.RNN/LSTM/GRU: injected inter-layer dropout masks (see the module docstring)."""

    _rng: np.random.Generator | None = None
    force_layered = False  # tests: take the per-layer path even where the mask does not matter

    def __init__(self, *args, rng: np.random.Generator | None = None, **kwargs) -> None:
        self._rng = rng  # before torch's __init__, which only registers parameters
        super().__init__(*args, **kwargs)

    def _get_name(self) -> str:
        return type(self).__mro__[2].__name__  # the torch class it stands for

    def forward(self, input, hx=None):
        layered = self.training and self.dropout > 0 and self.num_layers > 1
        if not (layered or self.force_layered):
            return super().forward(input, hx)
        was = self.training
        with torch.no_grad():  # torch's own argument checks and error messages (eval: no dropout, no draw)
            self.training = False
            try:
                super().forward(input, hx)
            finally:
                self.training = was
        return self._layered(input, hx)

    def _layer(self, k: int) -> torch.nn.Module:
        """A single-layer module of the same kind holding layer k's Parameters (shared, so grads land here)."""
        native = type(self).__mro__[2]
        h_out = self.proj_size or self.hidden_size
        kwargs = dict(input_size=self.input_size if k == 0 else h_out * (2 if self.bidirectional else 1),
                      hidden_size=self.hidden_size, bias=self.bias, bidirectional=self.bidirectional,
                      dtype=self.weight_ih_l0.dtype)
        if self.mode == "LSTM":
            kwargs["proj_size"] = self.proj_size
        elif self.mode.startswith("RNN"):
            kwargs["nonlinearity"] = self.nonlinearity
        with torch.random.fork_rng(devices=[]):
            layer = native(**kwargs)
        for name in layer._flat_weights_names:
            setattr(layer, name, getattr(self, name.replace("_l0", f"_l{k}")))
        return layer.train(self.training)

    def _layered(self, input, hx):
        batched = input.dim() == 3
        x = input if batched else input.unsqueeze(1)  # unbatched: (T, I) -> time-major (T, 1, I)
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        lstm = self.mode == "LSTM"
        if hx is not None and not batched:
            hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1)) if lstm else hx.unsqueeze(1)
        D = 2 if self.bidirectional else 1
        h_n, c_n = [], []
        for k in range(self.num_layers):
            state = None
            if hx is not None:
                state = (hx[0][k * D:(k + 1) * D], hx[1][k * D:(k + 1) * D]) if lstm else hx[k * D:(k + 1) * D]
            x, hidden = self._layer(k)(x, state)
            h_n.append(hidden[0] if lstm else hidden)
            if lstm:
                c_n.append(hidden[1])
            if k < self.num_layers - 1 and self.training and self.dropout > 0 and x.numel() > 0:
                x = x * self._noise(x)
        hidden = (torch.cat(h_n), torch.cat(c_n)) if lstm else torch.cat(h_n)
        if not batched:
            return x.squeeze(1), ((hidden[0].squeeze(1), hidden[1].squeeze(1)) if lstm else hidden.squeeze(1))
        return (x.transpose(0, 1) if self.batch_first else x), hidden

    def _noise(self, x: torch.Tensor) -> torch.Tensor:
        p = self.dropout
        if p == 1:
            return torch.zeros((), dtype=x.dtype)
        keep = self._rng.random(tuple(x.shape)) >= p
        return torch.from_numpy(keep).to(x.dtype).div_(1 - p)


class SeededRNN(_Seeded, torch.nn.RNN):
    pass


class SeededLSTM(_Seeded, torch.nn.LSTM):
    pass


class SeededGRU(_Seeded, torch.nn.GRU):
    pass


def _layer_twin(seeded_cls: type, name: str) -> type:
    def __init__(self, *args, dtype=np.float32, rng: np.random.Generator | None = None, **kwargs):
        rng = rng if rng is not None else np.random.default_rng()
        mask_rng = np.random.default_rng(rng.integers(2**63))  # scratch's first draw, the same generator
        with seeded(rng):
            module = seeded_cls(*args, rng=mask_rng, dtype=torch_dtype(dtype), **kwargs)
        TorchModule.__init__(self, module)
    def rng(self) -> np.random.Generator:
        """The dropout masks' generator (scratch's ``rng`` attribute); assignable, as on scratch's side."""
        return self.torch_module._rng

    def set_rng(self, value: np.random.Generator) -> None:
        self.torch_module._rng = value

    return type(name, (TorchModule,), {"__init__": __init__, "rng": property(rng, set_rng),
                                       "__doc__": f"Twin of scratch.nn.{name}: torch.nn.{name} with scratch's "
                                                  "inter-layer dropout masks."})


RNN = _layer_twin(SeededRNN, "RNN")
LSTM = _layer_twin(SeededLSTM, "LSTM")
GRU = _layer_twin(SeededGRU, "GRU")
