"""The twin of every torch Lazy* module (torch.nn.modules.lazy.LazyModuleMixin subclasses)."""

from __future__ import annotations

import numpy as np
import torch

from .base import TorchModule, seeded, to_torch, torch_dtype


class LazyTwin(TorchModule):
    """A torch Lazy* module. torch draws its parameters from its global generator when it materializes them (first
    forward or ``initialize_parameters``); the twin runs that draw under a seed taken from ``rng`` at
    construction, so a build is deterministic per seed like the eager twins. When torch's module has become the
    eager class, the twin becomes ``eager_twin``."""

    torch_cls: type
    eager_twin: type

    def __init__(self, *args, dtype=np.float32, rng: np.random.Generator | None = None, **kwargs) -> None:
        super().__init__(self.torch_cls(*[to_torch(a) for a in args], dtype=torch_dtype(dtype),
                                        **{k: to_torch(v) for k, v in kwargs.items()}))
        self._init_rng = None if rng is None else np.random.default_rng(int(rng.integers(0, 2**62)))

    def has_uninitialized_params(self) -> bool:
        return self.torch_module.has_uninitialized_params()

    def initialize_parameters(self, input: np.ndarray) -> None:
        with seeded(self._init_rng):
            self.torch_module.initialize_parameters(to_torch(input))

    def forward(self, *args, **kwargs):
        try:
            with seeded(self._init_rng):
                return super().forward(*args, **kwargs)
        finally:  # torch changes the class before the eager forward runs, so even when that then raises
            if not isinstance(self.torch_module, torch.nn.modules.lazy.LazyModuleMixin):
                self.__class__ = self.eager_twin


def lazy_twin(torch_cls: type, eager_twin: type) -> type:
    """The twin class of torch's ``torch_cls``, named like it, that becomes ``eager_twin`` at the first call."""
    return type(torch_cls.__name__, (LazyTwin,), {"torch_cls": torch_cls, "eager_twin": eager_twin,
                                                  "__doc__": f"Twin of torch.nn.{torch_cls.__name__}."})
