r"""Learning-rate schedulers with torch's step semantics (torch.optim.lr_scheduler).

Constructing a scheduler performs an initial step: ``last_epoch`` becomes 0 and the lr is unchanged. Each
``step()`` then does ``last_epoch += 1`` and updates every group's lr RECURSIVELY from its current value (a
running product of Python floats, exactly as torch's ``get_lr``), not from a closed form; the closed forms are
used only by the deprecated ``step(epoch)``. Intended loop: ``optimizer.step()`` per batch, ``scheduler.step()``
per epoch (or per step, for per-iteration schedules: CyclicLR, OneCycleLR, CosineAnnealingWarmRestarts).

Exceptions to that pattern, as torch: CosineAnnealingWarmRestarts, CyclicLR and OneCycleLR are closed forms of
the step count (CyclicLR and OneCycleLR also set the momentum, or Adam's beta1); ReduceLROnPlateau steps on a
metric (``step(metrics)``) and does not step at construction; SequentialLR and ChainedScheduler drive other
schedulers.

Exponential decay as in "eta(i) = eta0 / e^(lambda i)" (a learning rate that decays with decay constant
lambda) IS :class:`ExponentialLR` with ``gamma = exp(-lambda)``: after ``i`` scheduler steps the lr is
``eta0 * gamma**i = eta0 * exp(-lambda * i)`` (up to the rounding of the running product, ~ i ulp).
"""

from .base import EPOCH_DEPRECATION_WARNING, LRScheduler
from .composite import ChainedScheduler, SequentialLR
from .cyclic import CyclicLR, OneCycleLR
from .plateau import ReduceLROnPlateau
from .restarts import CosineAnnealingWarmRestarts
from .simple import (
    ConstantLR,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)

__all__ = ["EPOCH_DEPRECATION_WARNING", "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "ConstantLR", "LinearLR", "PolynomialLR", "LambdaLR", "MultiplicativeLR", "CosineAnnealingWarmRestarts",
           "CyclicLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]
