"""ReduceLROnPlateau: lr *= factor once a metric has stopped improving for more than ``patience`` steps."""

from __future__ import annotations

import warnings
from math import inf
from typing import Any, SupportsFloat

from ..optimizer import Optimizer
from .base import EPOCH_DEPRECATION_WARNING, LRScheduler, check_optimizer


class ReduceLROnPlateau(LRScheduler):
    r"""Reduce the lr when a metric has stopped improving (``step(metrics)``, once per epoch):

    .. code-block:: text

        better:  mode min, rel: a < best * (1 - threshold)     abs: a < best - threshold
                 mode max, rel: a > best * (threshold + 1)     abs: a > best + threshold
        step(m): if better(m, best): best = m, num_bad_epochs = 0  else num_bad_epochs += 1
                 if cooldown_counter > 0: cooldown_counter -= 1, num_bad_epochs = 0   (bad epochs in cooldown ignored)
                 if num_bad_epochs > patience:
                     per group: new = max(lr * factor, min_lr); lr = new if lr - new > eps (else unchanged)
                     cooldown_counter = cooldown, num_bad_epochs = 0

    The first metric always improves on ``best`` (+inf for min, -inf for max). Construction does not step and does
    not touch the groups (no ``initial_lr``): ``last_epoch`` starts at 0. A scalar min_lr follows groups added later;
    a list raises RuntimeError then, when the lr is next reduced.

    Args:
        optimizer (Optimizer): whose groups' ``lr`` are reduced.
        mode (str, default 'min'): 'min' (lower is better) or 'max'.
        factor (float, default 0.1): the reduction, ``new_lr = lr * factor`` (< 1.0).
        patience (int, default 10): bad epochs tolerated before a reduction.
        threshold (float, default 1e-4): the improvement that counts, relative or absolute.
        threshold_mode (str, default 'rel'): 'rel' or 'abs'.
        cooldown (int, default 0): epochs after a reduction during which bad epochs are not counted.
        min_lr (float or list, default 0): the lr floor, for all groups or per group.
        eps (float, default 1e-8): a reduction smaller than eps is not applied.
    Raises:
        ValueError: ``"Factor should be < 1.0."`` (checked first, before the optimizer), ``"expected {n} min_lrs, got
            {m}"``, ``"mode {mode} is unknown!"``, ``"threshold mode {mode} is unknown!"``.
        TypeError: ``optimizer`` is not an Optimizer.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: list[float] | float = 0, eps: float = 1e-8) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = factor
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if isinstance(min_lr, list | tuple):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._lrs()
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()

    def _reset(self) -> None:
        """Forget the best metric, the bad epochs and the cooldown."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: SupportsFloat, epoch: int | None = None) -> None:
        """One epoch's metric (anything ``float()`` accepts); ``epoch`` (deprecated, warns) sets last_epoch."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr(epoch)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._lrs()

    def _reduce_lr(self, epoch: int) -> None:
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    "The number of param groups in the `optimizer` "
                    f"({len(self.optimizer.param_groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized "
                    f"({len(self.min_lrs)}), usually due to a new "
                    "param group being added to the optimizer. Please "
                    "modify the `min_lrs` field to match the length "
                    "of the `optimizer` param groups.")
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for i, group in enumerate(self.optimizer.param_groups):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, self.min_lrs[i])
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        if self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in {"min", "max"}:
            raise ValueError("mode " + mode + " is unknown!")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError("threshold mode " + threshold_mode + " is unknown!")
        self.mode_worse = inf if mode == "min" else -inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._init_is_better(mode=self.mode, threshold=self.threshold, threshold_mode=self.threshold_mode)
