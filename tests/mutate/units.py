"""The parts of scratch outside the block catalog, as audit units: optimizers, schedulers, init, regularization,
the autograd engine, the data helpers, gradcheck, sparse gradients and the module protocol.

A catalog entry is traced by running its block once; a unit has no block to run, so it is traced by running its
own checks once (the lines those checks execute in the unit's source files are where its mutants go). A unit's
checks are the items of its test files whose name names one of its classes or functions (``names``: a word match,
case-insensitive, on the test function and its parameter ids, so ``Adam`` selects ``test_x[Adam-own-float32]``
and ``test_adam_state`` but not ``[AdamW]`` or ``[NAdam]``), or every item of those files (``names`` empty: a
base class that runs under all of them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.mutate.select import PROTOCOL_FILES

OPTIM_TESTS = ("tests/test_optim_api.py", "tests/test_optim_trajectory.py", "tests/test_optim_blocks.py",
               "tests/test_optim_tensor_lr.py", "tests/test_optim_adafactor_muon.py", "tests/test_optim_lbfgs.py",
               "tests/test_optim_line_search.py", "tests/test_optim_sparse.py", "tests/test_optim_bounds.py")
SCHEDULER_TESTS = ("tests/test_lr_scheduler.py", "tests/test_lr_scheduler_cycles.py",
                   "tests/test_lr_scheduler_errors.py")
AUTOGRAD_TESTS = ("tests/test_autograd_ops.py", "tests/test_autograd_engine.py", "tests/test_autograd_dtypes.py",
                  "tests/test_autograd_edges.py",
                  "tests/test_autograd_nn.py", "tests/test_autograd_programs.py")
PROTOCOL_TESTS = ("tests/test_module_api.py", "tests/test_protocol.py", "tests/test_state_dict_roundtrip.py",
                  "tests/test_containers.py", "tests/test_containers_parameters.py", "tests/test_isolation.py")


@dataclass(frozen=True)
class Unit:
    name: str
    family: str
    sources: tuple[str, ...]  # the files its mutants are made in
    tests: tuple[str, ...]  # the files its checks come from
    names: tuple[str, ...] = ()  # the classes/functions an item must name to be one of its checks; () = every item

    def selects(self, item) -> bool:
        if item.nodeid.split("::")[0] not in self.tests:
            return False
        return not self.names or bool(_pattern(self.names).search(item.name))


def _pattern(names: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, names)) + r")(?![a-z0-9])", re.I)


def _optim(file: str, *names: str, tests: tuple[str, ...] = OPTIM_TESTS) -> Unit:
    return Unit(f"optim.{names[0] if names else file}", "optim", (f"scratch/optim/{file}.py",), tests, names)


def _scheduler(file: str, *names: str) -> Unit:
    return Unit(f"lr_scheduler.{file}", "lr_scheduler", (f"scratch/optim/lr_scheduler/{file}.py",), SCHEDULER_TESTS,
                names)


UNITS_LIST: list[Unit] = [
    _optim("sgd", "SGD"), _optim("adagrad", "Adagrad"), _optim("rmsprop", "RMSprop"), _optim("adam", "Adam", "AdamW"),
    _optim("adamax", "Adamax"), _optim("adadelta", "Adadelta"), _optim("nadam", "NAdam"), _optim("radam", "RAdam"),
    _optim("asgd", "ASGD"), _optim("rprop", "Rprop"),
    _optim("sparse_adam", "SparseAdam", "sparse_adam"),  # its tests are named test_sparse_adam_*
    _optim("adafactor", "Adafactor"), _optim("muon", "Muon", "newton_schulz"),
    _optim("lbfgs", "LBFGS"), _optim("_line_search", "LBFGS", "line_search", "strong_wolfe"),
    _optim("optimizer"), _optim("_blocks"),
    _scheduler("base"), _scheduler("simple", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                   "ConstantLR", "LinearLR", "PolynomialLR", "LambdaLR", "MultiplicativeLR"),
    _scheduler("cyclic", "CyclicLR", "OneCycleLR"), _scheduler("plateau", "ReduceLROnPlateau", "Plateau"),
    _scheduler("restarts", "CosineAnnealingWarmRestarts", "CAWR"),  # the short names the schedule tests' ids use
    _scheduler("composite", "SequentialLR", "ChainedScheduler", "Sequential", "Chained"),
    Unit("init", "init", ("scratch/init.py",), ("tests/test_init.py", "tests/test_init_catalog.py")),
    Unit("regularization", "regularization", ("scratch/regularization.py",), ("tests/test_regularization.py",)),
    *[Unit(f"autograd.{f}", "autograd", (f"scratch/autograd/{f}.py",), AUTOGRAD_TESTS)
      for f in ("tensor", "ops", "reduce", "dtypes", "nn", "optim")],
    Unit("data.idx", "data", ("scratch/data/idx.py",), ("tests/test_data_idx.py", "tests/test_data_mnist.py")),
    Unit("data.loader", "data", ("scratch/data/loader.py",), ("tests/test_data_loader.py",)),
    Unit("data.mnist", "data", ("scratch/data/mnist.py",), ("tests/test_data_mnist.py", "tests/test_data_idx.py")),
    Unit("gradcheck", "gradcheck", ("scratch/gradcheck.py",),
         ("tests/test_gradcheck.py", "tests/test_gradcheck_reports.py", "tests/test_failure_messages.py")),
    Unit("sparse", "sparse", ("scratch/sparse.py",), ("tests/test_optim_sparse.py", "tests/test_embedding.py"),
         ("sparse",)),
    Unit("protocol", "protocol", PROTOCOL_FILES, PROTOCOL_TESTS),
]
UNITS: dict[str, Unit] = {u.name: u for u in UNITS_LIST}
UNIT_FAMILIES = tuple(dict.fromkeys(u.family for u in UNITS_LIST))
