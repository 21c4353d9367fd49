"""Twins of scratch.optim.lr_scheduler wrapping torch.optim.lr_scheduler (same names and signatures)."""

from __future__ import annotations

import inspect
from typing import Any

import torch


class TorchLRScheduler:
    """Wraps ``torch_scheduler`` around the twin optimizer's ``torch_optimizer``."""

    torch_cls: type = torch.optim.lr_scheduler.LRScheduler

    def __init__(self, optimizer, *args, **kwargs) -> None:
        torch_opt = getattr(optimizer, "torch_optimizer", optimizer)
        self.torch_scheduler = self.torch_cls(torch_opt, *args, **kwargs)
        self.optimizer = optimizer

    def step(self, *args, **kwargs) -> None:
        """torch's step, arguments passed as given (``step(epoch)``; ``step(metrics)``; none for the composites)."""
        self.torch_scheduler.step(*args, **kwargs)

    def get_last_lr(self) -> list[float]:
        return self.torch_scheduler.get_last_lr()

    def get_lr(self) -> list[float]:
        return self.torch_scheduler.get_lr()

    @property
    def last_epoch(self) -> int:
        return self.torch_scheduler.last_epoch

    @property
    def base_lrs(self) -> list[float]:
        return self.torch_scheduler.base_lrs

    def state_dict(self) -> dict[str, Any]:
        return self.torch_scheduler.state_dict()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.torch_scheduler.load_state_dict(state_dict)


def _twin(torch_cls: type) -> type:
    def __init__(self, optimizer, *args, **kwargs):
        TorchLRScheduler.__init__(self, optimizer, *args, **kwargs)

    __init__.__signature__ = inspect.signature(torch_cls.__init__)
    return type(torch_cls.__name__, (TorchLRScheduler,), {"__init__": __init__, "torch_cls": torch_cls,
                                                          "__doc__": f"Twin of torch.optim.lr_scheduler."
                                                                     f"{torch_cls.__name__}."})


StepLR = _twin(torch.optim.lr_scheduler.StepLR)
MultiStepLR = _twin(torch.optim.lr_scheduler.MultiStepLR)
ExponentialLR = _twin(torch.optim.lr_scheduler.ExponentialLR)
CosineAnnealingLR = _twin(torch.optim.lr_scheduler.CosineAnnealingLR)
ConstantLR = _twin(torch.optim.lr_scheduler.ConstantLR)
LinearLR = _twin(torch.optim.lr_scheduler.LinearLR)
PolynomialLR = _twin(torch.optim.lr_scheduler.PolynomialLR)
LambdaLR = _twin(torch.optim.lr_scheduler.LambdaLR)
MultiplicativeLR = _twin(torch.optim.lr_scheduler.MultiplicativeLR)
CosineAnnealingWarmRestarts = _twin(torch.optim.lr_scheduler.CosineAnnealingWarmRestarts)
CyclicLR = _twin(torch.optim.lr_scheduler.CyclicLR)
OneCycleLR = _twin(torch.optim.lr_scheduler.OneCycleLR)
ReduceLROnPlateau = _twin(torch.optim.lr_scheduler.ReduceLROnPlateau)


def _torch(scheduler):
    """The torch scheduler inside a twin (anything else as given, so that torch's own checks see it)."""
    return getattr(scheduler, "torch_scheduler", scheduler)


class SequentialLR(TorchLRScheduler):
    """Twin of torch.optim.lr_scheduler.SequentialLR over twin schedulers (their torch schedulers are chained)."""

    torch_cls = torch.optim.lr_scheduler.SequentialLR

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1) -> None:
        TorchLRScheduler.__init__(self, optimizer, [_torch(s) for s in schedulers], milestones, last_epoch)


class ChainedScheduler(TorchLRScheduler):
    """Twin of torch.optim.lr_scheduler.ChainedScheduler over twin schedulers (optimizer optional, as torch)."""

    torch_cls = torch.optim.lr_scheduler.ChainedScheduler

    def __init__(self, schedulers, optimizer=None) -> None:
        self.torch_scheduler = self.torch_cls([_torch(s) for s in schedulers],
                                              getattr(optimizer, "torch_optimizer", optimizer))
        self.optimizer = optimizer if optimizer is not None else schedulers[0].optimizer


for _cls in (SequentialLR, ChainedScheduler):
    _cls.__init__.__signature__ = inspect.signature(_cls.torch_cls.__init__)

__all__ = ["TorchLRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "ConstantLR", "LinearLR",
           "PolynomialLR", "LambdaLR", "MultiplicativeLR", "CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR",
           "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]
