"""Schedulers of schedulers: SequentialLR (one after another, at milestones) and ChainedScheduler (all at once)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from ..optimizer import Optimizer
from .base import LRScheduler
from .plateau import ReduceLROnPlateau


def _check_schedulers(owner: str, optimizer: Optimizer, schedulers: Sequence[LRScheduler]) -> None:
    """torch's checks of the wrapped schedulers, in its order and words (``owner`` is the class name)."""
    for idx, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{owner} at index {idx} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(f"{owner} does not support `ReduceLROnPlateau` scheduler as it requires additional "
                             "kwargs to be specified when calling `step`, but got one at index "
                             f"{idx} in the given schedulers sequence.")
        if optimizer != scheduler.optimizer:
            raise ValueError(f"{owner} expects all schedulers to belong to the same optimizer, but got scheduler "
                             f"{scheduler.__class__.__name__} at index {idx} has {scheduler.optimizer}, which is "
                             f"different from {optimizer.__class__.__name__}.")


class _Nested:
    """torch's state_dict of a composite: its attributes, with ``_schedulers`` as the list of their state_dicts."""

    _schedulers: Sequence[LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        schedulers = state_dict.pop("_schedulers")
        self.__dict__.update(state_dict)
        state_dict["_schedulers"] = schedulers  # the caller's dict is left as it was (torch issue 32756)
        for idx, state in enumerate(schedulers):
            self._schedulers[idx].load_state_dict(state)


class SequentialLR(_Nested, LRScheduler):
    r"""Runs ``schedulers[i]`` from ``milestones[i-1]`` (epoch count of this scheduler) on:

    .. code-block:: text

        construction: every group's lr = initial_lr; every wrapped scheduler's last_epoch -= 1 (recursively into
                      nested composites: it "undoes" their construction step); schedulers[0] is constructed again
                      (its initial step, from that undone state)
        step():       last_epoch += 1; i = bisect_right(milestones, last_epoch)
                      at a milestone: schedulers[i]._update_lr(0)  (restarts at epoch 0: its closed form if it has
                      one, else get_lr at last_epoch 0; no warning, no step count)
                      else:           schedulers[i].step()

    Args:
        optimizer (Optimizer): the optimizer every scheduler belongs to.
        schedulers (list): the schedulers, in order (constructed on ``optimizer``; not ReduceLROnPlateau).
        milestones (list of int): one fewer than schedulers, increasing.
        last_epoch (int, default -1): the index of the last epoch.
    Raises:
        ValueError: no schedulers, a ReduceLROnPlateau, a scheduler of another optimizer, or ``len(milestones) !=
            len(schedulers) - 1`` (torch's messages). TypeError: a scheduler without an ``optimizer`` attribute.
    ``state_dict()`` nests the wrapped schedulers' state_dicts under ``_schedulers``; ``step()`` takes no epoch.
    """

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler], milestones: list[int],
                 last_epoch: int = -1) -> None:
        if len(schedulers) < 1:
            raise ValueError(f"{self.__class__.__name__} expects at least one scheduler, but got no scheduler.")
        _check_schedulers(self.__class__.__name__, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("Sequential Schedulers expects number of schedulers provided to be one more than the "
                             f"number of milestone points, but got number of schedulers {len(schedulers)} and the "
                             f"number of milestones to be equal to {len(milestones)}")
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in self.optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self.recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched: Any = None) -> None:
        """Undo the construction step of every wrapped scheduler (``last_epoch -= 1``), into nested composites."""
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        """Advance one epoch: the scheduler of this epoch steps (or restarts at its milestone)."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Nested, LRScheduler):
    r"""Steps every scheduler, in order, at each ``step()``: their changes of the lr compose (e.g. a warmup factor
    times a decay), as each reads the lr the previous one left. Construction steps none of them.

    Args:
        schedulers (sequence): the chainable schedulers (not ReduceLROnPlateau), all on one optimizer.
        optimizer (Optimizer or None, default None): that optimizer (None: ``schedulers[0].optimizer``).
    Raises:
        ValueError: no schedulers, a ReduceLROnPlateau, or schedulers of different optimizers (torch's messages).
        TypeError: a scheduler without an ``optimizer`` attribute.
    ``state_dict()`` nests the wrapped schedulers' state_dicts under ``_schedulers``; ``step()`` takes no epoch.
    """

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError(f"{self.__class__.__name__} expects at least one scheduler to be chained, but got no "
                             "scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_schedulers(self.__class__.__name__, optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]
