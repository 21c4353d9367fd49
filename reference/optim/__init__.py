"""reference.optim: twins of scratch.optim wrapping the real torch.optim classes.

Same class names and constructor signatures as torch's. ``params`` may hold the twin model's
:class:`reference.nn.TorchParameter` objects (their ``.tensor`` is optimized in place), torch tensors, or
parameter-group dicts of either. ``state_dict()`` returns numpy copies in torch's layout (``'step'`` a 0-d
array); ``load_state_dict`` accepts numpy arrays (e.g. a scratch optimizer's state_dict) or tensors.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from typing import Any

import numpy as np
import torch

from reference.nn.base import TorchParameter

from . import lr_scheduler


def _unwrap_one(p):
    if isinstance(p, TorchParameter):
        return p.tensor
    if isinstance(p, tuple) and len(p) == 2 and isinstance(p[1], TorchParameter):
        return p[0], p[1].tensor
    return p


def _unwrap(params):
    if isinstance(params, (TorchParameter, torch.Tensor)):
        return _unwrap_one(params)  # torch raises its own TypeError for a single tensor
    out = []
    for item in params:
        if isinstance(item, dict):
            item = dict(item)
            ps = item["params"]
            item["params"] = _unwrap_one(ps) if isinstance(ps, (TorchParameter, torch.Tensor)) else [
                _unwrap_one(p) for p in ps]
        else:
            item = _unwrap_one(item)
        out.append(item)
    return out


def _to_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().numpy().copy()
    if isinstance(value, dict):
        return {k: _to_numpy(v) for k, v in value.items()}
    if isinstance(value, list):  # LBFGS's history
        return [_to_numpy(v) for v in value]
    return copy.deepcopy(value)


def _to_torch(value):
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value, copy=True))
    if isinstance(value, dict):
        return {k: _to_torch(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_torch(v) for v in value]
    return copy.deepcopy(value)


class TorchOptimizer:
    """Numpy-boundary wrapper around ``torch_optimizer`` (the real torch.optim object)."""

    torch_cls: type = torch.optim.Optimizer

    def __init__(self, params, *args, **kwargs) -> None:
        self.torch_optimizer = self.torch_cls(_unwrap(params), *args, **kwargs)

    @property
    def param_groups(self) -> list[dict[str, Any]]:
        return self.torch_optimizer.param_groups

    @property
    def state(self):
        return self.torch_optimizer.state

    @property
    def defaults(self) -> dict[str, Any]:
        return self.torch_optimizer.defaults

    def step(self, closure=None):
        return self.torch_optimizer.step(closure)

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.torch_optimizer.zero_grad(set_to_none=set_to_none)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        self.torch_optimizer.add_param_group(_unwrap([param_group])[0])

    def state_dict(self) -> dict[str, Any]:
        sd = self.torch_optimizer.state_dict()
        return {"state": {k: _to_numpy(v) for k, v in sd["state"].items()},
                "param_groups": copy.deepcopy(sd["param_groups"])}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.torch_optimizer.load_state_dict({"state": {k: _to_torch(v) for k, v in state_dict["state"].items()},
                                              "param_groups": copy.deepcopy(state_dict["param_groups"])})

    def __repr__(self) -> str:
        return f"reference.{self.torch_optimizer!r}"


def _twin(torch_cls: type) -> type:
    def __init__(self, params, *args, **kwargs):
        TorchOptimizer.__init__(self, params, *args, **kwargs)

    __init__.__signature__ = inspect.signature(torch_cls.__init__)
    return type(torch_cls.__name__, (TorchOptimizer,), {"__init__": __init__, "torch_cls": torch_cls,
                                                        "__doc__": f"Twin of torch.optim.{torch_cls.__name__}."})


SGD = _twin(torch.optim.SGD)
Adagrad = _twin(torch.optim.Adagrad)
RMSprop = _twin(torch.optim.RMSprop)
Adam = _twin(torch.optim.Adam)
AdamW = _twin(torch.optim.AdamW)
Adamax = _twin(torch.optim.Adamax)
Adadelta = _twin(torch.optim.Adadelta)
NAdam = _twin(torch.optim.NAdam)
RAdam = _twin(torch.optim.RAdam)
ASGD = _twin(torch.optim.ASGD)
Rprop = _twin(torch.optim.Rprop)
LBFGS = _twin(torch.optim.LBFGS)
SparseAdam = _twin(torch.optim.SparseAdam)
Adafactor = _twin(torch.optim.Adafactor)


@contextlib.contextmanager
def cpublas_bfloat16():
    """Run torch's bfloat16 matmuls in its own ``cpublas`` kernels, with oneDNN off for the block.

    On a CPU with AVX512-BF16 (or AMX) torch hands bfloat16 matmuls above a size to oneDNN, whose blocked
    kernels round differently (measured on an AMD EPYC with AVX512-BF16: Newton-Schulz of a 600x784 gradient
    differs in 71% of the elements, by 0.5% of the result's norm). Every other CPU runs the cpublas kernels,
    and so does this block: they are what scratch's Muon reproduces bit for bit, on every machine."""
    was = torch._C._get_mkldnn_enabled()
    torch._C._set_mkldnn_enabled(False)  # not torch.backends.mkldnn.flags: it also sets TF32 and warns
    try:
        yield
    finally:
        torch._C._set_mkldnn_enabled(was)


class Muon(_twin(torch.optim.Muon)):
    """Twin of torch.optim.Muon; each step runs under :func:`cpublas_bfloat16` (the same bits on every CPU)."""

    def step(self, closure=None):
        with cpublas_bfloat16():
            return super().step(closure)


__all__ = ["TorchOptimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "Adadelta", "NAdam", "RAdam",
           "ASGD", "Rprop", "LBFGS", "SparseAdam", "Adafactor", "Muon",
           "cpublas_bfloat16", "lr_scheduler"]
