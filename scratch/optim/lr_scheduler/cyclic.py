"""Per-batch cyclical schedules: CyclicLR (CLR, Smith 2015) and OneCycleLR (1cycle, Smith & Topin 2017), both
optionally cycling the momentum (SGD's ``momentum``, or beta1 of the ``betas`` of the Adam family) against the lr."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from ..optimizer import Optimizer
from .base import LRScheduler, callable_state, check_optimizer, format_param


def _momentum_key(optimizer: Optimizer) -> bool:
    """Whether the momentum to cycle is beta1 (True) or ``momentum`` (False); ValueError if there is neither."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
    return "betas" in optimizer.defaults


def _set_momentum(group: dict[str, Any], use_beta1: bool, momentum: float) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])  # a new tuple: beta2 kept
    else:
        group["momentum"] = momentum


def _prime_momentum(optimizer: Optimizer, use_beta1: bool, max_momentums: list, base_momentums: list) -> None:
    """A fresh schedule starts at the max momentum and records both bounds in every group (torch's group keys)."""
    for m_momentum, b_momentum, group in zip(max_momentums, base_momentums, optimizer.param_groups, strict=True):
        _set_momentum(group, use_beta1, m_momentum)
        group["max_momentum"] = m_momentum
        group["base_momentum"] = b_momentum


class CyclicLR(LRScheduler):
    r"""The lr cycles between ``base_lr`` and ``max_lr`` (a triangle, its height scaled per cycle or per iteration):

    .. code-block:: text

        cycle = floor(1 + t / total_size)            total_size = step_size_up + step_size_down
        x = 1.0 + t / total_size - cycle             position in the cycle, in [0, 1)
        s = x / step_ratio if x <= step_ratio else (x - 1) / (step_ratio - 1)   step_ratio = up / total_size
        lr = base_lr + (max_lr - base_lr) * s * scale_fn(cycle or t)
        momentum = max_momentum - (max_momentum - base_momentum) * s * scale_fn(cycle or t)

    ``scale_fn`` is 1 (triangular), ``1 / 2**(cycle - 1)`` (triangular2) or ``gamma**t`` (exp_range, on iterations),
    or the given one (``mode`` then ignored) on ``scale_mode``. A closed form of ``t = last_epoch``: construction SETS
    every group's lr to ``base_lr`` (and the momentum to ``max_momentum``) unless resuming. ``state_dict()`` drops
    the built-in scale function and saves a custom one as torch: None for a function, ``__dict__`` for an object.

    Args:
        optimizer (Optimizer): its groups' lr (and momentum or beta1) are set.
        base_lr (float or list): lower bound, per group if a list.
        max_lr (float or list): upper bound, per group if a list.
        step_size_up (int, default 2000): iterations of the rising half.
        step_size_down (int or None, default None): of the falling half (None: step_size_up).
        mode (str, default 'triangular'): 'triangular', 'triangular2' or 'exp_range'.
        gamma (float, default 1.0): exp_range's base.
        scale_fn (callable or None, default None): a custom scale in [0, 1].
        scale_mode (str, default 'cycle'): the custom scale_fn's argument: 'cycle' or 'iterations'.
        cycle_momentum (bool, default True): cycle the momentum (``momentum``, or beta1 of ``betas``).
        base_momentum (float or list, default 0.8), max_momentum (float or list, default 0.9): its bounds.
        last_epoch (int, default -1): the index of the last batch (-1 starts the schedule).
    Raises:
        TypeError: ``optimizer`` is not an Optimizer.
        ValueError: a list of the wrong length (``"base_lr must have the same length as optimizer.param_groups.
            ..."``), ``"mode is invalid and scale_fn is None"``, or cycle_momentum with an optimizer that has neither
            ``momentum`` nor ``betas``. ZeroDivisionError when both step sizes are 0.
    """

    def __init__(self, optimizer: Optimizer, base_lr: float | list[float], max_lr: float | list[float],
                 step_size_up: int = 2000, step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn: Callable[[float], float] | None = None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum: float = 0.8, max_momentum: float = 0.9,
                 last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        self.optimizer = optimizer
        base_lrs = format_param("base_lr", optimizer, base_lr)
        if last_epoch == -1:  # as torch, before the remaining checks: a later error leaves these lrs set
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = format_param("max_lr", optimizer, max_lr)
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        if mode not in ["triangular", "triangular2", "exp_range"] and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_ref: Callable[[float], float]
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _momentum_key(optimizer)
            self.base_momentums = format_param("base_momentum", optimizer, base_momentum)
            self.max_momentums = format_param("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                _prime_momentum(optimizer, self.use_beta1, self.max_momentums, self.base_momentums)
        super().__init__(optimizer, last_epoch)
        # after the initial step, as torch: that step used the groups' initial_lr, which a group may already have
        # had (from an earlier scheduler) and then differs from base_lr
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref = self._triangular_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref = self._triangular2_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self._scale_fn_ref = partial(self._exp_range_scale_fn, self.gamma)
            self.scale_mode = "iterations"

    def scale_fn(self, x: float) -> float:
        """The scaling policy: the custom ``scale_fn`` if given, else the mode's."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return self._scale_fn_ref(x)

    @staticmethod
    def _triangular_scale_fn(x: float) -> float:
        return 1.0

    @staticmethod
    def _triangular2_scale_fn(x: float) -> float:
        return 1 / (2.0 ** (x - 1))

    @staticmethod
    def _exp_range_scale_fn(gamma: float, x: float) -> float:
        return gamma**x

    def get_lr(self) -> list[float]:
        """The lrs at ``last_epoch`` (and, with cycle_momentum, sets the groups' momentum: a side effect)."""
        self._warn_outside_step()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        at = cycle if self.scale_mode == "cycle" else self.last_epoch
        # scale_fn is called once per group and per momentum, as torch (a stateful custom one sees every call)
        lrs = [base_lr + (max_lr - base_lr) * scale_factor * self.scale_fn(at)
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True)]
        if self.cycle_momentum:
            momentums = [max_m - (max_m - base_m) * scale_factor * self.scale_fn(at)
                         for base_m, max_m in zip(self.base_momentums, self.max_momentums, strict=True)]
            for group, momentum in zip(self.optimizer.param_groups, momentums, strict=True):
                _set_momentum(group, self.use_beta1, momentum)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state.pop("_scale_fn_ref", None)  # torch drops it (a bound method, not picklable)
        state["_scale_fn_custom"] = callable_state(state.pop("_scale_fn_custom"))
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state from :meth:`state_dict`. As torch, this POPS ``_scale_fn_custom`` from the given dict (a
        second load of the same dict raises KeyError); a saved object state updates this scheduler's scale_fn."""
        fn = state_dict.pop("_scale_fn_custom")
        super().load_state_dict(state_dict)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy: lr anneals from ``max_lr / div_factor`` up to ``max_lr``, then down to ``initial_lr /
    final_div_factor`` (three_phase: back to initial_lr first, then down), per batch, ``total_steps`` in all:

    .. code-block:: text

        phase ends (two phases):   pct_start * total_steps - 1,  total_steps - 1
        phase ends (three phases): pct_start * total_steps - 1,  2 * pct_start * total_steps - 2,  total_steps - 1
        in the phase [start, end]: pct = (t - start) / (end - start)
        cos:    lr = end_lr + (start_lr - end_lr) / 2.0 * (cos(pi * pct) + 1)
        linear: lr = (end_lr - start_lr) * pct + start_lr

    The momentum (or beta1) anneals alike, max_momentum -> base_momentum -> max_momentum (three_phase: it stays at
    max_momentum in the last phase). A closed form of ``t = last_epoch`` that reads the groups' ``initial_lr``,
    ``max_lr``, ``min_lr`` (and ``max_momentum``, ``base_momentum``), which construction writes (unless resuming).
    Step ``total_steps`` is still allowed (past the last phase's end); the next one raises. Not chainable.

    Args:
        optimizer (Optimizer): its groups' lr (and momentum or beta1) are set.
        max_lr (float or list): the peak lr, per group if a list.
        total_steps (int or None, default None): the steps of the cycle; else ``epochs * steps_per_epoch``.
        epochs (int or None, default None), steps_per_epoch (int or None, default None): see total_steps.
        pct_start (float, default 0.3): the fraction of the steps spent increasing the lr.
        anneal_strategy (str, default 'cos'): 'cos' or 'linear'.
        cycle_momentum (bool, default True): anneal the momentum (``momentum``, or beta1 of ``betas``) inversely.
        base_momentum (float or list, default 0.85), max_momentum (float or list, default 0.95): its bounds.
        div_factor (float, default 25.0): initial_lr = max_lr / div_factor.
        final_div_factor (float, default 1e4): min_lr = initial_lr / final_div_factor.
        three_phase (bool, default False): the paper's three phases instead of fastai's two.
        last_epoch (int, default -1): the index of the last batch (-1 starts the schedule).
    Raises:
        TypeError: ``optimizer`` is not an Optimizer.
        ValueError: ``"Expected positive integer total_steps, but got ..."`` (likewise epochs, steps_per_epoch), ``"You
            must define either total_steps OR (epochs AND steps_per_epoch)"``, ``"Expected float between 0 and 1
            pct_start, but got ..."`` (an int is rejected too), an unknown anneal_strategy, a list of the wrong length,
            cycle_momentum without momentum or betas; in ``step()`` past total_steps, ``"Tried to step {t} times. The
            specified number of total steps is {total_steps}"``. ZeroDivisionError when a phase has no length (e.g.
            ``pct_start * total_steps == 1``).
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85, max_momentum: float | list[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        self._schedule_phases = self._phases(pct_start, three_phase)
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_func_type = anneal_strategy
        max_lrs = format_param("max_lr", self.optimizer, max_lr)
        if last_epoch == -1:
            for idx, group in enumerate(self.optimizer.param_groups):
                group["initial_lr"] = max_lrs[idx] / div_factor
                group["max_lr"] = max_lrs[idx]
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if self.cycle_momentum:
            self.use_beta1 = _momentum_key(optimizer)
            max_momentums = format_param("max_momentum", optimizer, max_momentum)
            base_momentums = format_param("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                _prime_momentum(optimizer, self.use_beta1, max_momentums, base_momentums)
        super().__init__(optimizer, last_epoch)

    def _phases(self, pct_start: float, three_phase: bool) -> list[dict[str, Any]]:
        """torch's ``_schedule_phases`` (saved in the state_dict): each phase's last step and its group keys."""
        def phase(end_step, start_lr, end_lr, start_momentum, end_momentum):
            return {"end_step": end_step, "start_lr": start_lr, "end_lr": end_lr, "start_momentum": start_momentum,
                    "end_momentum": end_momentum}

        warmup = phase(float(pct_start * self.total_steps) - 1, "initial_lr", "max_lr", "max_momentum",
                       "base_momentum")
        if not three_phase:
            return [warmup, phase(self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        return [warmup,
                phase(float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr", "base_momentum",
                      "max_momentum"),
                phase(self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]

    def _anneal_func(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return self._annealing_cos(start, end, pct)
        if self._anneal_func_type == "linear":
            return self._annealing_linear(start, end, pct)
        raise ValueError(f"Unknown _anneal_func_type: {self._anneal_func_type}")

    @staticmethod
    def _annealing_cos(start: float, end: float, pct: float) -> float:
        cos_out = math.cos(math.pi * pct) + 1
        return end + (start - end) / 2.0 * cos_out

    @staticmethod
    def _annealing_linear(start: float, end: float, pct: float) -> float:
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        """The lrs at ``last_epoch`` (and, with cycle_momentum, sets the groups' momentum: a side effect)."""
        self._warn_outside_step()
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(f"Tried to step {step_num} times. The specified number of total steps is "
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == len(self._schedule_phases) - 1:  # the last phase takes the rest
                    pct = (step_num - start_step) / (end_step - start_step)
                    lrs.append(self._anneal_func(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        _set_momentum(group, self.use_beta1, self._anneal_func(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct))
                    break
                start_step = phase["end_step"]
        return lrs
