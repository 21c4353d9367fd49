"""Optimizer: parameter groups, per-parameter state, zero_grad and torch-layout state_dict.

Subclasses implement ``_update_group(group)``; :meth:`Optimizer.step` runs the closure, marks the optimizer as
stepped (for the scheduler's order warning, as torch's patched ``step``) and updates every group. Updates are
in place on ``p.data`` (as torch's ``param.add_``); parameters whose ``grad`` is None are skipped entirely: no
weight decay, no state, no step count (torch's ``_init_group`` only collects params with a grad). Each
subclass writes its element-wise rule as one function of (p, g, state arrays) and applies it with
``_blocks.blockwise``, on cache-sized blocks (bit-identical to the whole-array form, and faster).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from scratch.nn.module import Parameter
from scratch.sparse import SparseGrad

# torch's _get_scalar_dtype(): 'step' is a 0-d float32 tensor under torch's default dtype.
STEP_DTYPE = np.float32


def check_tensor_lr(lr, *, foreach: bool | None = None, capturable: bool = False, adam: bool = False) -> None:
    """torch's rules for a Tensor lr, checked first in every constructor; scratch's stand-in for a Tensor lr is a
    numpy array (used as its one value, see :func:`lr_value`). Adam and AdamW also refuse one with foreach=True
    unless capturable."""
    if isinstance(lr, np.ndarray):
        if adam and foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        if lr.size != 1:
            raise ValueError("Tensor lr must be 1-element")


def lr_value(lr) -> float:
    """The Python float of an lr given as a number or a 1-element array of any shape (torch's ``_to_scalar``)."""
    return float(np.reshape(lr, ())) if isinstance(lr, np.ndarray) else float(lr)


def check_adam_args(lr: float, eps: float, betas, weight_decay: float) -> None:
    """The validation the Adam family (Adam, AdamW, Adamax, NAdam, RAdam) shares, in torch's order and words."""
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def adam_moments(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, lr: float, weight_decay: float,
                 beta1: float, beta2: float, decoupled: bool) -> np.ndarray:
    """The steps the Adam family (Adam/AdamW, NAdam, RAdam) shares, in place and in torch's order: weight decay
    (decoupled: ``p *= 1 - lr wd`` with the current p; else ``g = g + wd p``), ``m = lerp(m, g, 1 - beta1)``,
    ``v = beta2 v + ((1 - beta2) g) g``. Returns g (with the L2 term when coupled)."""
    if weight_decay != 0:
        if decoupled:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    m[...] = _lerp(m, g, 1 - beta1)
    v *= beta2
    v += ((1 - beta2) * g) * g
    return g


def _lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """torch.lerp's scalar-weight formula (ATen Lerp.h): two branches keep it exact at weight 0 and 1."""
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


class Optimizer:
    """Base class of scratch's optimizers, mirroring ``torch.optim.Optimizer``.

    Args:
        params: an iterable of :class:`scratch.nn.Parameter`, of ``(name, Parameter)`` pairs (e.g.
            ``model.named_parameters()``), or of dicts (parameter groups with per-group hyper-parameters).
        defaults (dict): hyper-parameters used by groups that do not set them.
    Raises:
        TypeError: ``params`` is a single Parameter/array, a set, or holds something other than Parameters.
        ValueError: an empty parameter list, or a parameter appearing in two groups.
    """

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        if isinstance(params, (Parameter, np.ndarray)):
            raise TypeError("params argument given to the optimizer should be an iterable of Parameters or "
                            f"dicts, but got {type(params).__name__}")
        self.defaults = defaults
        self.state: dict[Parameter, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._opt_called = False
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- groups -----------------------------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group (dict with 'params' and optional hyper-parameters); missing ones come from defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Parameter):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of parameters in sets will change between runs. Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names and len(names) != len(params):
            raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(f"optimizer can only optimize Parameters, but one of the params is "
                                f"{type(p).__name__}")
        param_group["params"] = params
        if names:
            param_group["param_names"] = names
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for g in self.param_groups:
            if ("param_names" in g) != ("param_names" in param_group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if seen & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- step ---------------------------------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset gradients to None (torch's default) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad[...] = 0

    def step(self, closure: Callable[[], Any] | None = None):
        """One update of every parameter that has a gradient; returns ``closure()`` if one is given."""
        loss = closure() if closure is not None else None
        self._opt_called = True
        for group in self.param_groups:
            for p in group["params"]:  # torch refuses a sparse gradient before it updates any of the group
                if isinstance(p.grad, SparseGrad):
                    self._check_sparse(group)
            self._update_group(group)
        return loss

    def _check_sparse(self, group: dict[str, Any]) -> None:
        """Raise torch's error for a sparse gradient; optimizers whose torch twin takes one (SGD, Adagrad) allow
        it where torch does and update with its dense form (torch's sparse arithmetic gives the same numbers)."""
        raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")

    def _update_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError

    @staticmethod
    def _grads(group: dict[str, Any]) -> Iterable[tuple[Parameter, np.ndarray]]:
        """(param, grad) for params that have a grad (skipping None as torch does), grad negated if maximize."""
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            if g.shape != p.data.shape or g.dtype != p.data.dtype:
                raise RuntimeError(f"grad of shape {g.shape} and dtype {g.dtype} does not match its parameter "
                                   f"(shape {p.data.shape}, dtype {p.data.dtype})")
            if isinstance(g, SparseGrad):
                g = g.to_dense()
            yield p, (-g if group.get("maximize", False) else g)

    def _step_count(self, p: Parameter) -> float:
        """Increment and return the per-parameter step (a 0-d float32 array, as torch's tensor 'step')."""
        step = self.state[p]["step"]
        step += 1  # in place on the 0-d array, like torch's ``step_t += 1``
        return float(step)

    # -- state ----------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{'state': {index: {name: array}}, 'param_groups': [{hyper-params..., 'params': [indices]}]}``.

        Torch's layout: parameters are numbered in group order; state arrays are COPIES (torch returns live
        references; a checkpoint must not change when training continues); 'step' is a 0-d float32 array.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: {k: np.array(v, copy=True) if isinstance(v, np.ndarray) else copy.deepcopy(v)
                                for k, v in st.items()}
                 for p, st in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state_dict from :meth:`state_dict` or from a torch optimizer (tensors or numpy arrays).

        Arrays are cast to their parameter's dtype, except 'step' (kept as given; plain numbers become 0-d
        float32 arrays, as torch's ``__setstate__``). Saved hyper-parameters replace the current ones.
        """
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups, strict=True)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = {i: p for g, s in zip(self.param_groups, saved_groups, strict=True)
                  for i, p in zip(s["params"], g["params"], strict=True)}
        state: dict[Parameter, dict[str, Any]] = {}
        for k, st in state_dict["state"].items():
            if k in id_map:
                p = id_map[k]
                state[p] = {name: self._cast(p, name, v) for name, v in st.items()}
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups
        self._after_load()

    @staticmethod
    def _cast(p: Parameter, name: str, value):
        """torch's ``Optimizer._cast``: arrays (torch's tensors) to the parameter's dtype, lists and dicts element
        by element (LBFGS's history), Python numbers and None kept as they are ('step' aside)."""
        if name == "step":
            if isinstance(value, (int, float)):
                return np.array(float(value), STEP_DTYPE)
            return np.array(value, copy=True)
        if hasattr(value, "__array__"):  # numpy arrays and scalars, torch tensors
            return np.array(value, dtype=p.data.dtype, copy=True)
        if isinstance(value, dict):
            return {k: Optimizer._cast(p, k, v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(Optimizer._cast(p, name, v) for v in value)
        return copy.deepcopy(value)

    def _after_load(self) -> None:
        """Hook: fill group keys missing from an older state_dict (torch's ``__setstate__``)."""
        for group in self.param_groups:
            for k, v in self.defaults.items():
                group.setdefault(k, v)

    def __repr__(self) -> str:
        out = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            out += f"\nParameter Group {i}\n"
            out += "".join(f"    {k}: {group[k]}\n" for k in sorted(group) if k != "params")
        return out + ")"
