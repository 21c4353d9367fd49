"""scratch.optim: torch.optim's optimizers and schedulers in NumPy, on :class:`scratch.nn.Parameter` objects.

Never imports scratch.autograd (the Parameter protocol is ``.data`` and ``.grad`` numpy arrays).
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "Adadelta", "NAdam", "RAdam",
           "ASGD", "Rprop", "LBFGS", "SparseAdam", "Adafactor", "Muon",
           "lr_scheduler"]
