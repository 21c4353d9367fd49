"""Grad mode: the thread-local switch that :class:`no_grad` turns off (torch.no_grad's semantics)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class _GradMode(threading.local):
    enabled = True


_GRAD_MODE = _GradMode()


def is_grad_enabled() -> bool:
    """True unless inside :class:`no_grad` (thread-local, like torch)."""
    return _GRAD_MODE.enabled


class no_grad:
    """Context manager (and decorator) that disables graph recording, like ``torch.no_grad``.

    Ops run inside it return tensors with ``requires_grad=False`` and no history. Nesting restores the previous
    mode on exit, also when an exception leaves the block.
    """

    def __enter__(self) -> no_grad:
        self._prev = _GRAD_MODE.enabled
        _GRAD_MODE.enabled = False
        return self

    def __exit__(self, *exc: object) -> None:
        _GRAD_MODE.enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return fn(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = fn.__name__, fn.__doc__
        return wrapper
