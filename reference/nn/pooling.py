"""Twins of scratch.nn's pooling family. With ``return_indices=True`` the forward returns ``(output, indices)``
and backward takes the output's cotangent (the int64 indices take none), as TorchModule does for every block.

FractionalMaxPool2d/3d draw their window samples with ``torch.rand`` at every forward when no
``_random_samples`` are given. torch's RNG stream cannot be replayed in numpy, so the twin owns a numpy Generator
(injected like scratch's ``rng=``) and, where torch would draw, makes scratch's draw
(``rng.random((N, C, d), dtype=input.dtype)``, N = 1 unbatched) and hands it to torch's functional as
``_random_samples``. Before that it runs torch's functional once under no_grad (and a forked RNG), so every
check and error is torch's own and a forward that raises draws nothing, as scratch's.
"""

import numpy as np
import torch
import torch.nn.functional as F

from .base import TorchModule, to_torch, twin

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "LPPool1d", "LPPool2d",
           "LPPool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
           "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "FractionalMaxPool2d",
           "FractionalMaxPool3d"]

MaxPool1d = twin(torch.nn.MaxPool1d)
MaxPool2d = twin(torch.nn.MaxPool2d)
MaxPool3d = twin(torch.nn.MaxPool3d)
AvgPool1d = twin(torch.nn.AvgPool1d)
AvgPool2d = twin(torch.nn.AvgPool2d)
AvgPool3d = twin(torch.nn.AvgPool3d)
LPPool1d = twin(torch.nn.LPPool1d)
LPPool2d = twin(torch.nn.LPPool2d)
LPPool3d = twin(torch.nn.LPPool3d)
AdaptiveAvgPool1d = twin(torch.nn.AdaptiveAvgPool1d)
AdaptiveAvgPool2d = twin(torch.nn.AdaptiveAvgPool2d)
AdaptiveAvgPool3d = twin(torch.nn.AdaptiveAvgPool3d)
AdaptiveMaxPool1d = twin(torch.nn.AdaptiveMaxPool1d)
AdaptiveMaxPool2d = twin(torch.nn.AdaptiveMaxPool2d)
AdaptiveMaxPool3d = twin(torch.nn.AdaptiveMaxPool3d)
MaxUnpool1d = twin(torch.nn.MaxUnpool1d)
MaxUnpool2d = twin(torch.nn.MaxUnpool2d)
MaxUnpool3d = twin(torch.nn.MaxUnpool3d)


def _seeded_fractional(torch_cls: type, functional) -> type:
    """A ``torch_cls`` subclass whose samples, when none are given, come from a numpy Generator."""
    d = 3 if "3d" in torch_cls.__name__ else 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices: bool = False,
                 _random_samples=None, rng: np.random.Generator | None = None) -> None:
        torch_cls.__init__(self, kernel_size, output_size, output_ratio, return_indices, _random_samples)
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, input: torch.Tensor):
        samples = self._random_samples
        if samples is None:
            with torch.no_grad(), torch.random.fork_rng(devices=[]):  # torch's checks; its own draw is discarded
                functional(input.detach(), self.kernel_size, self.output_size, self.output_ratio, False)
            n = 1 if input.dim() == d + 1 else input.size(0)
            dtype = np.float32 if input.dtype == torch.float32 else np.float64
            samples = torch.from_numpy(self.rng.random((n, input.size(-d - 1), d), dtype=dtype))
        return functional(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                          _random_samples=samples)

    return type(f"Seeded{torch_cls.__name__}", (torch_cls,), {
        "__init__": __init__, "forward": forward, "_get_name": lambda self: torch_cls.__name__,  # torch's repr
        "__doc__": f"torch.nn.{torch_cls.__name__} whose samples come from a numpy Generator."})


SeededFractionalMaxPool2d = _seeded_fractional(torch.nn.FractionalMaxPool2d, F.fractional_max_pool2d)
SeededFractionalMaxPool3d = _seeded_fractional(torch.nn.FractionalMaxPool3d, F.fractional_max_pool3d)


def _fractional_twin(seeded: type) -> type:
    name = seeded.__name__.removeprefix("Seeded")

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices: bool = False,
                 _random_samples=None, rng: np.random.Generator | None = None) -> None:
        TorchModule.__init__(self, seeded(kernel_size, output_size, output_ratio, return_indices,
                                          to_torch(_random_samples), rng))

    return type(name, (TorchModule,), {"__init__": __init__, "__module__": __name__, "__doc__": (
        f"Twin of scratch.nn.{name} (kernel_size, output_size=None, output_ratio=None, return_indices=False, "
        "_random_samples=None, rng=None).")})


FractionalMaxPool2d = _fractional_twin(SeededFractionalMaxPool2d)
FractionalMaxPool3d = _fractional_twin(SeededFractionalMaxPool3d)
