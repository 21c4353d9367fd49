"""Twins of scratch.nn's convolutions: the real torch modules behind the numpy boundary."""

import numpy as np
import torch

from .base import TorchModule, seeded, to_torch, torch_dtype, twin

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "LazyConv1d",
           "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d"]

Conv1d = twin(torch.nn.Conv1d, has_params=True)
Conv2d = twin(torch.nn.Conv2d, has_params=True)
Conv3d = twin(torch.nn.Conv3d, has_params=True)
ConvTranspose1d = twin(torch.nn.ConvTranspose1d, has_params=True)
ConvTranspose2d = twin(torch.nn.ConvTranspose2d, has_params=True)
ConvTranspose3d = twin(torch.nn.ConvTranspose3d, has_params=True)
_EAGER_TWIN = {torch.nn.Conv1d: Conv1d, torch.nn.Conv2d: Conv2d, torch.nn.Conv3d: Conv3d,
               torch.nn.ConvTranspose1d: ConvTranspose1d, torch.nn.ConvTranspose2d: ConvTranspose2d,
               torch.nn.ConvTranspose3d: ConvTranspose3d}


class _LazyTwin(TorchModule):
    """A torch Lazy* module. torch draws its parameters from its global generator when it materializes them (first
    forward or ``initialize_parameters``); the twin runs that draw under a seed taken from ``rng`` at
    construction, so a build is deterministic per seed like the eager twins. When torch's module has become the
    eager class, so does the twin (the eager twin's class)."""

    torch_cls: type

    def __init__(self, *args, dtype=np.float32, rng: np.random.Generator | None = None, **kwargs) -> None:
        super().__init__(self.torch_cls(*[to_torch(a) for a in args], dtype=torch_dtype(dtype),
                                        **{k: to_torch(v) for k, v in kwargs.items()}))
        self._init_rng = None if rng is None else np.random.default_rng(int(rng.integers(0, 2**62)))

    def has_uninitialized_params(self) -> bool:
        return self.torch_module.has_uninitialized_params()

    def initialize_parameters(self, input: np.ndarray, *args, **kwargs) -> None:
        with seeded(self._init_rng):
            self.torch_module.initialize_parameters(to_torch(input))

    def forward(self, *args, **kwargs):
        try:
            with seeded(self._init_rng):
                return super().forward(*args, **kwargs)
        finally:  # torch changes the class before the conv runs, so even when the conv then raises
            if type(self.torch_module) in _EAGER_TWIN:
                self.__class__ = _EAGER_TWIN[type(self.torch_module)]


def _lazy_twin(torch_cls: type) -> type:
    return type(torch_cls.__name__, (_LazyTwin,), {"torch_cls": torch_cls, "__doc__": f"Twin of torch.nn."
                                                   f"{torch_cls.__name__}."})


LazyConv1d = _lazy_twin(torch.nn.LazyConv1d)
LazyConv2d = _lazy_twin(torch.nn.LazyConv2d)
LazyConv3d = _lazy_twin(torch.nn.LazyConv3d)
LazyConvTranspose1d = _lazy_twin(torch.nn.LazyConvTranspose1d)
LazyConvTranspose2d = _lazy_twin(torch.nn.LazyConvTranspose2d)
LazyConvTranspose3d = _lazy_twin(torch.nn.LazyConvTranspose3d)
