"""LRScheduler (torch's base class), the deprecation text of ``step(epoch)`` and helpers the schedulers share."""

from __future__ import annotations

import types
import warnings
from collections.abc import Callable
from typing import Any

from ..optimizer import Optimizer

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)


def check_optimizer(optimizer: Any) -> None:
    """TypeError ``"<type> is not an Optimizer"`` unless ``optimizer`` is a :class:`scratch.optim.Optimizer`."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def format_param(name: str, optimizer: Optimizer, param) -> list:
    """One value per group (torch's ``_format_param``): a scalar is repeated; a list or tuple must have one entry per
    group (ValueError ``"<name> must have the same length as optimizer.param_groups. ..."`` otherwise)."""
    if isinstance(param, list | tuple):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(param)} values, param_groups has {len(optimizer.param_groups)}.")
        return list(param)
    return [param] * len(optimizer.param_groups)


def callable_state(fn: Callable | None) -> dict[str, Any] | None:
    """What torch saves of a user callable in a state_dict: None for a plain function or lambda (not picklable by
    reference, so it is not saved at all), a copy of ``__dict__`` for a callable object."""
    return None if fn is None or isinstance(fn, types.FunctionType) else fn.__dict__.copy()


class LRScheduler:
    """Base class (torch.optim.lr_scheduler.LRScheduler). Subclasses implement :meth:`get_lr`.

    Args:
        optimizer (Optimizer): whose groups' ``lr`` this scheduler sets (it adds ``initial_lr`` to each group).
        last_epoch (int, default -1): -1 starts a schedule; another value resumes one and needs
            ``initial_lr`` in every group (KeyError otherwise, as torch).
    Raises:
        TypeError: ``optimizer`` is not a :class:`scratch.optim.Optimizer`.
    ``state_dict()`` holds every attribute except the optimizer (torch's keys and values).
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                                   "scheduler with last_epoch >= 0.\nThis typically happens when:\n1. You're trying "
                                   "to resume training from a checkpoint but haven't properly loaded the optimizer "
                                   "state\n2. You're using last_epoch >= 0 for a fresh training run (not "
                                   "recommended)")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        # torch wraps optimizer.step when the first scheduler attaches, and only the wrapped step sets _opt_called:
        # optimizer steps taken before that do not silence the order warning of the first scheduler step
        if not getattr(optimizer, "_step_tracked", False):
            optimizer._step_tracked = True
            optimizer._opt_called = False
        self._initial_step()

    def _initial_step(self) -> None:
        """Construction's step (step 0). SequentialLR calls it again on the scheduler that runs first."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)

    def get_last_lr(self) -> list[float]:
        """The lrs set by the most recent step (one per group)."""
        return self._last_lr

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def _warn_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=3)

    def _lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch; ``epoch`` (deprecated, warns) jumps there using the closed form."""
        if self._step_count == 1 and not self.optimizer._opt_called:
            warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 "
                          "and later, you should call them in the opposite order: `optimizer.step()` before "
                          "`lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first "
                          "value of the learning rate schedule. See more details at "
                          "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate",
                          UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """The lr update of :meth:`step` without its bookkeeping (no warning, no ``_step_count``): SequentialLR
        calls ``_update_lr(0)`` to start a scheduler at a milestone, as torch."""
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                values = self._get_closed_form_lr() if hasattr(self, "_get_closed_form_lr") else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        self._set_lrs(values)

    def _set_lrs(self, values: list[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr: list[float] = self._lrs()
