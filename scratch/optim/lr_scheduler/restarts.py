"""CosineAnnealingWarmRestarts (SGDR): cosine annealing restarted every T_i epochs, T_i growing by T_mult."""

from __future__ import annotations

import math

from ..optimizer import Optimizer
from .base import LRScheduler


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2016), a closed form of ``T_cur``:

    .. code-block:: text

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2
        step():       T_cur += 1; if T_cur >= T_i: T_cur = T_cur % T_i, T_i = T_i * T_mult
        step(epoch):  T_mult == 1: T_cur = epoch % T_0  (epoch >= T_0; else T_cur = epoch, T_i = T_0)
                      else n = int(log(epoch / T_0 * (T_mult - 1) + 1, T_mult)), T_i = T_0 * T_mult**n,
                           T_cur = epoch - T_0 * (T_mult**n - 1) / (T_mult - 1)

    ``epoch`` may be fractional (``step(epoch + i / iters)`` per batch); ``last_epoch`` is ``floor(epoch)``. Unlike
    the other schedulers (as torch) ``step(epoch)`` does not warn, and ``step()`` neither counts ``_step_count`` nor
    warns when called before ``optimizer.step()``. An epoch on a restart boundary may land, through the rounding of
    the logarithm, at the end of the previous cycle (T_cur == T_i, lr == eta_min), exactly as torch.

    Args:
        optimizer (Optimizer): whose groups' ``lr`` are set; ``base_lr`` is each group's ``initial_lr``.
        T_0 (int): epochs until the first restart (a positive int).
        T_mult (int, default 1): factor by which T_i grows after each restart (an int >= 1).
        eta_min (float, default 0.0): the minimum lr.
        last_epoch (int, default -1): -1 starts the schedule.
    Raises:
        ValueError: ``"Expected positive integer T_0, but got ..."``, ``"Expected integer T_mult >= 1, but got ..."``,
            ``"Expected float or int eta_min, but got ... of type ..."``; in ``step(epoch)``, ``"Expected
            non-negative epoch, but got ..."``.
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        # torch's order: the comparison comes first, so a non-number T_0 raises TypeError, 2.0 raises ValueError
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, float | int):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_outside_step()
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or (``epoch`` given, may be fractional) jump to ``epoch``."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0  # construction: the jump to epoch 0 below
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** (n)
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        self._set_lrs(values)
