"""Side-by-side MNIST training of a scratch model and its torch twin (``python -m reference.mnist``).

The one place outside the tests that drives both libraries. Imports are lazy so that ``python -m
reference.mnist`` can set thread counts before any heavy import.
"""

from __future__ import annotations

__all__ = ["EXPERIMENTS", "Experiment", "History", "EpochRecord", "run", "main"]


def __getattr__(name: str):
    if name in ("EXPERIMENTS", "Experiment"):
        from . import experiments

        return getattr(experiments, name)
    if name in ("History", "EpochRecord", "run"):
        from . import runner

        return getattr(runner, name)
    if name == "main":
        from .cli import main

        return main
    raise AttributeError(f"module 'reference.mnist' has no attribute {name!r}")
