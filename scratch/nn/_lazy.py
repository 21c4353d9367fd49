"""LazyModuleMixin: what every Lazy block shares (torch.nn.modules.lazy). A Lazy block holds
:class:`UninitializedParameter` s until its first forward; ``initialize_parameters(input)`` (the block's own rule)
infers the missing sizes, materializes the parameters and draws them from the generator given at construction;
the first forward then turns the block into ``cls_to_become`` (the eager class) and runs its forward. torch's
order: infer and draw, then the class change, then the eager forward (which may still raise)."""

from __future__ import annotations

import numpy as np

from .module import UninitializedParameter, check_float_dtype, is_uninitialized


class LazyModuleMixin:
    """Listed before the eager class in a Lazy block's bases."""

    cls_to_become: type

    def _uninitialized(self, dtype) -> UninitializedParameter:
        return UninitializedParameter(dtype=check_float_dtype(dtype))

    def _keep_rng(self, rng: np.random.Generator | None) -> None:
        self._init_rng = rng if rng is not None else np.random.default_rng()  # drawn from at materialization

    def has_uninitialized_params(self) -> bool:
        """An UninitializedParameter or UninitializedBuffer left (torch's name covers both)."""
        return any(is_uninitialized(v) for v in (*self._parameters.values(), *self._buffers.values()))

    def initialize_parameters(self, input: np.ndarray) -> None:
        raise NotImplementedError

    def _become_eager(self, input: np.ndarray) -> None:
        """The first call: materialize, then become ``cls_to_become`` (the caller runs its forward)."""
        self.initialize_parameters(input)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {type(self).__name__} has not been fully initialized")
        self.__class__ = self.cls_to_become
        del self._init_rng
