"""Equivalent mutants of scratch/nn/normalization/ (tests/mutate/equivalent/__init__.py says how they are keyed), and
of the two lines of scratch/nn/linear.py that the mlp_batchnorm entry's fixed Linear sizes decide.

Some cannot change what the code computes for any input (an integer count divided exactly, a guard that only
silences numpy's warnings, an IndexError numpy raises itself, an empty slice assignment). The others cannot for an
entry's configuration (no affine parameters, no running statistics, one normalized axis, momentum=None in an
instance norm, a Lazy class's placeholder construction): those are declared for exactly the entries whose block
has it, read from the catalog's own blocks (configuration rules: _by_config.py), each with the reason.
"""

from __future__ import annotations

from tests.mutate.equivalent._by_config import blocks, merged, rule

K = "scratch/nn/normalization/_kernels.py::"
BN = "scratch/nn/normalization/batch.py::"
L = "scratch/nn/normalization/layer.py::"
Z = "scratch/nn/normalization/lazy.py::"
LRN = "scratch/nn/normalization/local_response.py::"


def _config(b) -> dict:
    kind = type(b).__name__
    inner = b[1] if kind == "Sequential" else b  # mlp_batchnorm: Linear, BatchNorm1d, Tanh, Linear
    return dict(kind=kind, lazy=kind.startswith("Lazy"), instance="InstanceNorm" in kind,
                running=hasattr(inner, "track_running_stats"),  # a batch or instance norm (or the mlp's)
                lrn=kind in ("LocalResponseNorm", "CrossMapLRN2d"),
                affine=getattr(inner, "weight", None) is not None,
                track=getattr(inner, "running_mean", None) is not None,
                momentum=getattr(inner, "momentum", 0.1), eps=getattr(inner, "eps", None),
                bias=getattr(inner, "bias", None) is not None, alpha=getattr(b, "alpha", None),
                trailing=tuple(getattr(b, "normalized_shape", ())), groups=getattr(b, "num_groups", 0))


_BLOCKS, NARROW = blocks("normalization")
CONFIGS = {name: _config(b) for name, b in _BLOCKS.items()}


def _for(keys, reason: str, when, by_class: bool = False):
    return rule(CONFIGS, NARROW, keys, reason, when, by_class)


QUIET = ("the condition only chooses whether numpy's floating-point warnings are silenced inside the block; the "
         "mutant silences them for more inputs. No value, dtype, error class or torch warning changes: only a "
         "RuntimeWarning numpy would give for a finite input that overflows in scratch's evaluation (the suite "
         "turns those into errors, to catch unstable formulas; torch itself never warns)")
_ANY_INPUT: dict[str, str] = {
    f"{BN}_InstanceNorm.forward::constant::0 -> 1#2": QUIET,  # eps <= 0 -> eps <= 1
    f"{L}_TrailingNorm._normalize::constant::0 -> 1#0": QUIET,  # eps <= 0 -> eps <= 1
    f"{L}GroupNorm.forward::constant::0 -> 1#0": QUIET,  # eps <= 0 -> eps <= 1
    f"{BN}_InstanceNorm.forward::arith::xb.size // (n * c) -> xb.size / (n * c)#0":
        "n * c divides xb.size (its product of dims), far below 2^53: the quotient is that integer, exactly, as a "
        "float, and m / (m - 1) the same correctly rounded quotient of the same two integers",
    f"{LRN}CrossMapLRN2d.forward::drop-term::C - 1 -> C#0": "C > p differs from C - 1 > p only at p = C - 1, where "
    "sq[:, 1:C - p] holds no channel, and so does inc[:, 3p + 1::2] (inc has p + 2(C - 1) channels): an empty "
    "assignment",
    f"{BN}_BatchNorm.forward::arith::x.size // c -> x.size / c#0":
        "c divides x.size (its product of dims), far below 2^53: x.size / c is that integer, exactly, as a float, "
        "and n / (n - 1) the same correctly rounded quotient of the same two integers",
    f"{Z}_LazyNormBase.initialize_parameters::constant::2 -> 1#0":
        "a 1-d input then reaches input.shape[1], which raises the same IndexError('tuple index out of range')",
    **{f"{LRN}CrossMapLRN2d.forward::{k}#0": "the subtracting assignment differs only where p is C - 1 or C (C >= 1): "
       "then sq[:, 1:C - p] holds no channel, and so does inc[:, 3p + 1::2] (inc has p + 2(C - 1) channels): an "
       "empty assignment" for k in ("arith::C - 1 -> C + 1", "compare::C - 1 > p -> C - 1 >= p")},
    f"{LRN}CrossMapLRN2d.forward::constant::1 -> 0#1": "C > p differs from C - 1 > p only at p = C - 1, where "
    "sq[:, 1:C - p] holds no channel, and so does inc[:, 3p + 1::2] (inc has p + 2(C - 1) channels): an empty "
    "assignment",
}

_NO_AFFINE = "no affine parameters: the broadcast shape and parameter axes only reach _affine / _affine_backward, " \
             "which use them for the weight and bias alone"
_RULES = [
    # -- no affine parameters, or none and no running statistics ----------------------------------------------
    *_for([f"{BN}_NormBase._backward::constant::1 -> 0#0", f"{BN}_NormBase._backward::constant::1 -> 2#0",
           f"{BN}_NormBase._backward::compare::i != 1 -> i == 1#0"],
          _NO_AFFINE, lambda c: c["running"] and not c["affine"]),
    *_for([f"{L}GroupNorm.forward::drop-term::(1,) * (x.ndim - 2) -> (1,)#0",
           *[f"{L}GroupNorm.forward::{k}" for k in (
               "constant::1 -> 0#1", "constant::1 -> 0#2", "constant::1 -> 2#0", "constant::1 -> 2#1",
               "constant::2 -> 1#1", "drop-term::x.ndim - 2 -> x.ndim#0", "arith::x.ndim - 2 -> x.ndim + 2#0",
               "drop-term::(1, c) + (1,) * (x.ndim - 2) -> (1, c)#0",
               "drop-term::(1, c) + (1,) * (x.ndim - 2) -> (1,) * (x.ndim - 2)#0",
               "compare::c != self.num_channels -> c == self.num_channels#0")],
           *[f"{L}GroupNorm.backward::{k}" for k in (
               "constant::1 -> 0#0", "constant::1 -> 2#0", "constant::0 -> 1#0", "constant::2 -> 1#2",
               "drop-term::(1,) * (len(in_shape) - 2) -> (1,)#0", "arith::len(in_shape) - 2 -> len(in_shape) + 2#0",
               "drop-term::(1, in_shape[1]) + (1,) * (len(in_shape) - 2) -> (1, in_shape[1])#0",
               "drop-term::(0,) + tuple(range(2, len(in_shape))) -> (0,)#0",
               "drop-term::(0,) + tuple(range(2, len(in_shape))) -> tuple(range(2, len(in_shape)))#0")],
           f"{L}GroupNorm.backward::drop-term::(1, in_shape[1]) + (1,) * (len(in_shape) - 2) -> (1,) * "
           "(len(in_shape) - 2)#0", f"{L}GroupNorm.backward::drop-term::len(in_shape) - 2 -> len(in_shape)#0",
           *[f"{L}GroupNorm.backward::constant::{k}" for k in (
               "1 -> 0#1", "1 -> 0#2", "1 -> 2#1", "2 -> 1#0")]],
          _NO_AFFINE, lambda c: c["kind"] == "GroupNorm" and not c["affine"]),
    *_for([f"{L}_TrailingNorm.backward::{k}#0" for k in (
        "negate::dy64.ndim - len(axes) -> -(dy64.ndim - len(axes))", "arith::dy64.ndim - len(axes) -> dy64.ndim + "
        "len(axes)", "drop-term::dy64.ndim - len(axes) -> dy64.ndim")],
          _NO_AFFINE, lambda c: c["kind"] in ("LayerNorm", "RMSNorm") and not c["affine"]),
    *_for([f"{BN}_BatchNorm.forward::drop-term::(1, c) + (1,) * (x.ndim - 2) -> (1,) * (x.ndim - 2)#0",
           f"{BN}_BatchNorm.forward::constant::1 -> 2#0", f"{BN}_BatchNorm.forward::constant::1 -> 0#1",
           f"{BN}_BatchNorm.forward::constant::1 -> 0#2", f"{BN}_BatchNorm.forward::constant::1 -> 2#1",
           f"{BN}_BatchNorm.forward::constant::2 -> 1#1", f"{BN}_BatchNorm.forward::arith::x.ndim - 2 -> x.ndim + 2#0",
           f"{BN}_BatchNorm.forward::drop-term::(1, c) + (1,) * (x.ndim - 2) -> (1, c)#0",
           f"{BN}_BatchNorm.forward::drop-term::(1,) * (x.ndim - 2) -> (1,)#0",
           f"{BN}_BatchNorm.forward::drop-term::x.ndim - 2 -> x.ndim#0"],
          "neither affine parameters nor running statistics: the broadcast shape reaches only _affine, "
          "_affine_backward and _running_stats, which use it for the weight, bias and buffers alone",
          lambda c: c["running"] and not c["affine"] and not c["track"]),
    *_for([f"{BN}_BatchNorm.forward::constant::1 -> 0#0",
           f"{BN}_BatchNorm.forward::compare::c != self.num_features -> c == self.num_features#0"],
          "neither affine parameters nor running statistics: c (x.shape[1], or the mutant's x.shape[0]) only "
          "reaches the broadcast shape (unused, see above) and the conjunction with has_tensors, which is False",
          lambda c: c["running"] and not c["affine"] and not c["track"]),
    *_for([f"{K}float_input::compare::x.dtype != param_dtype -> x.dtype == param_dtype#0"],
          "RMSNorm's forward passes param_dtype None (any float dtype, whatever the weight's): the conjunction is "
          "False whatever the dtype test", lambda c: c["kind"] == "RMSNorm", by_class=True),
    *_for([f"{K}float_input::compare::x.dtype != param_dtype -> x.dtype == param_dtype#0"],
          "RMSNorm, or no affine weight (and, in a batch norm, no running statistics): the caller passes "
          "param_dtype None, so the conjunction is "
          "False whatever the dtype test", lambda c: c["kind"] == "RMSNorm" or (
              not c["lrn"] and not c["affine"] and (c["instance"] or not c["track"]))),
    *_for([f"{BN}_BatchNorm.forward::boolop::self.weight is not None or self.running_mean is not None -> "
           "self.weight is not None and self.running_mean is not None#0"],
          "affine parameters exactly when running statistics (both or neither): or and and agree",
          lambda c: c["running"] and c["affine"] == c["track"] and not c["instance"]),
    # lazy_batchnorm1d has bad_args (so no configuration rule covers it), all LazyBatchNorm1d() or
    # LazyInstanceNorm1d() (which never runs _BatchNorm.forward): affine and tracking, as the entry's block
    ([f"{BN}_BatchNorm.forward::boolop::self.weight is not None or self.running_mean is not None -> "
      "self.weight is not None and self.running_mean is not None#0"],
     {"lazy_batchnorm1d": "affine parameters and running statistics in every LazyBatchNorm1d its checks build (its "
                          "own, momentum=0.3, and its bad_args' defaults): or and and agree"}),
    ([f"{BN}_BatchNorm.forward::boolop::self.training and self.track_running_stats -> self.training or "
      "self.track_running_stats#1"],
     {"lazy_batchnorm1d": "track_running_stats True in every LazyBatchNorm1d its checks build (its own and its "
                          "bad_args' defaults): batch statistics are used only in training, where or and and agree"}),
    *_for([f"{Z}_LazyNormBase.initialize_parameters::constant::1.0 -> {v}#0" for v in ("0.0", "2.0")],
          "affine=False: there is no weight to fill", lambda c: c["lazy"] and not c["affine"]),
    *_for([f"{Z}_LazyNormBase.initialize_parameters::constant::0.0 -> 1.0#0"],
          "no bias (affine=False or bias=False): there is none to fill", lambda c: c["lazy"] and not c["bias"]),
    *_for([f"{Z}_LazyNormBase.initialize_parameters::constant::0.0 -> 1.0#1",
           f"{Z}_LazyNormBase.initialize_parameters::constant::1.0 -> 0.0#1"],
          "track_running_stats False: there are no running statistics to fill", lambda c: c["lazy"] and not c["track"]),
    # -- running statistics: what only a missing buffer or another flag could reach -----------------------------
    *_for([f"{BN}_NormBase.__init__::constant::0 -> 1#1", f"{Z}_LazyNormBase.initialize_parameters::constant::"
           "1.0 -> 2.0#1"], "no running statistics: num_batches_tracked and running_var are never created",
          lambda c: c["running"] and not c["track"]),
    *_for([f"{BN}_NormBase.__init__::constant::0 -> 1#1", f"{BN}_NormBase.__init__::constant::0 -> 1#0",
           f"{BN}_NormBase.__init__::compare::num_features < 0 -> num_features <= 0#0"],
          "a Lazy class runs _NormBase.__init__ with num_features 0, affine=False and track_running_stats=False "
          "(its own buffers and num_batches_tracked are set after): the size test is never reached and no "
          "num_batches_tracked made there survives", lambda c: c["lazy"], by_class=True),
    *_for([f"{BN}_NormBase.__init__::boolop::affine or track_running_stats -> affine and track_running_stats#0"],
          "affine and track_running_stats both True or both False: or and and agree",
          lambda c: c["running"] and c["affine"] == c["track"]),
    *_for([f"{BN}_NormBase.__init__::boolop::affine or track_running_stats -> affine and track_running_stats#0",
           f"{BN}_NormBase.__init__::boolop::affine and bias -> affine or bias#0"],
          "a Lazy class runs _NormBase.__init__ with affine=False, track_running_stats=False and bias=False: both "
          "tests are False either way", lambda c: c["lazy"], by_class=True),
    *_for([f"{BN}_NormBase.__init__::boolop::affine and bias -> affine or bias#0"],
          "affine=True and bias=True: and and or agree", lambda c: c["running"] and c["affine"] and c["bias"]),
    *_for([f"{BN}_NormBase.__init__::compare::num_features < 0 -> num_features <= 0#0",
           f"{BN}_NormBase.__init__::constant::0 -> 1#0"],
          "neither affine nor track_running_stats: the size test is never reached",
          lambda c: c["running"] and not c["affine"] and not c["track"]),
    *_for([f"{BN}_BatchNorm.forward::boolop::self.training and self.track_running_stats -> self.training or "
           "self.track_running_stats#1"],
          "track_running_stats True: its buffers exist, so batch statistics are used only in training, where "
          "training or track is training and track (True)", lambda c: c["track"] and not c["instance"]),
    *_for([f"{BN}_InstanceNorm.forward::boolop::self.training and self.track_running_stats -> self.training or "
           "self.track_running_stats#0"],
          "track_running_stats True: input statistics (the branch) are used only in training, where training or "
          "track is training and track (True)", lambda c: c["track"] and c["instance"]),
    *_for([f"{BN}_InstanceNorm.forward::compare::c != self.num_features -> c == self.num_features#0"],
          "track_running_stats False: the conjunction is False whatever the channel test",
          lambda c: not c["track"] and c["instance"]),
    *_for([f"{BN}_InstanceNorm.forward::boolop::self.track_running_stats and c != self.num_features -> "
           "self.track_running_stats or c != self.num_features#0"],
          "affine=True and track_running_stats False: a channel count other than num_features raised ValueError "
          "just before (the size at the feature dim IS c), so both tests are False here",
          lambda c: c["affine"] and not c["track"] and c["instance"]),
    *_for([f"{BN}_InstanceNorm.forward::compare::n == 0 -> n != 0#1", f"{BN}_InstanceNorm.forward::constant::"
           "0 -> 1#1"], "track_running_stats False: the conjunction with it is False whatever the batch-size test",
          lambda c: not c["track"] and c["instance"]),
    *_for([f"{BN}_InstanceNorm.forward::constant::0.0 -> 1.0#0"], "momentum is not None: the 0.0 is replaced by "
          "it at once", lambda c: c["instance"] and c["momentum"] is not None),
    *_for([f"{BN}_InstanceNorm.forward::compare::n == 0 -> n != 0#0", f"{BN}_InstanceNorm.forward::constant::"
           "0 -> 1#0"],
          "affine=False: the conjunction with weight is not None is False whatever the batch-size test",
          lambda c: not c["affine"] and c["instance"]),
    # momentum=None in an instance norm: factor 0.0 (torch passes momentum 0.0), or 1.0 with NaN statistics
    *_for([f"{BN}_NormBase._update_running::{k}#0" for k in (
        "arith::1.0 - factor -> 1.0 + factor", "drop-term::1.0 - factor -> 1.0",
        "drop-term::(1.0 - factor) * old.astype(_ACC) -> old.astype(_ACC)",
        "arith::(1.0 - factor) * old.astype(_ACC) + factor * new -> (1.0 - factor) * old.astype(_ACC) - factor * "
        "new")],
          "an instance norm with momentum=None updates with factor 0.0 (old * 1 + 0 * new: old, or NaN where new is "
          "inf or NaN, whatever the sign of 0 * new), or, for an empty training batch, with factor 1.0 and NaN "
          "statistics, where every variant gives NaN",
          lambda c: c["instance"] and c["track"] and c["momentum"] is None),
    *_for([f"{BN}_InstanceNorm.forward::{k}" for k in (
        "drop-term::n * c -> n#1", "arith::n * c -> n / c#1", "drop-term::n * c -> c#1",
        "drop-term::var.reshape(n, c) * (m / (m - 1)) -> var.reshape(n, c)#0",
        "arith::var.reshape(n, c) * (m / (m - 1)) -> var.reshape(n, c) / (m / (m - 1))#0",
        "negate::var.reshape(n, c) * (m / (m - 1)) -> -(var.reshape(n, c) * (m / (m - 1)))#0",
        "arith::m - 1 -> m + 1#0", "constant::1 -> 0#5", "drop-term::m - 1 -> m#0")],
          "momentum=None in an instance norm: the new variance is multiplied by factor 0.0, so only whether it is "
          "finite shows (+-0 or NaN); it is +-var times a factor in (0, 2] (m / (m + 1), 1, (m - 1) / m, or m' / "
          "(m' - 1) with the mutants' m' >= 2), finite exactly when var is (at m = 2 the factor 2 is exact: 2 var "
          "is the sum of squares var came from)",
          lambda c: c["instance"] and c["track"] and c["momentum"] is None),
    # -- one normalized axis, one spatial axis, groups -----------------------------------------------------------
    *_for([f"{K}normalize::axis::axes -> -1#{i}" for i in range(2)]
          + [f"{K}normalize_backward::axis::axes -> -1#{i}" for i in range(2)],
          "the statistics are over one axis, the last: (2,) of a 3-d (grouped or instance) array, or the one "
          "normalized dim of a LayerNorm", lambda c: c["kind"] in ("GroupNorm", "InstanceNorm1d",
                                                                    "LazyInstanceNorm1d"), by_class=True),
    *_for([f"{K}normalize::axis::axes -> -1#{i}" for i in range(2)]
          + [f"{K}normalize_backward::axis::axes -> -1#{i}" for i in range(2)],
          "a LayerNorm of one normalized dim: the axes are (x.ndim - 1,), the last",
          lambda c: c["kind"] == "LayerNorm" and len(c["trailing"]) == 1),
    *_for([f"{BN}_InstanceNorm.forward::drop-term::(1,) * len(axes) -> (1,)#0"],
          "InstanceNorm1d: one spatial axis, len(axes) is 1", lambda c: c["kind"] in (
              "InstanceNorm1d", "LazyInstanceNorm1d"), by_class=True),
    *_for([f"{L}GroupNorm.forward::constant::1 -> 2#2"],
          "num_groups >= 2: n * G is 0 (an empty batch: x.size // 1 and // 2 are both 0) or >= 2",
          lambda c: c["groups"] >= 2),
    *_for([f"{L}RMSNorm._input_grad::axis::axes -> -1#0", f"{L}RMSNorm._statistics::axis::axes -> -1#0"],
          "every normalized dim but the last has size 1 (rmsnorm_tiny's (1, 7)): the mean over them as well "
          "adds nothing (the same values, divided by the same count)",
          lambda c: c["kind"] == "RMSNorm" and set(c["trailing"][:-1]) <= {1}),
    *_for([f"{L}GroupNorm.forward::arith::n * c // G -> n * c / G#0", f"{L}GroupNorm.forward::drop-term::n * G -> "
           "n#0", f"{K}verify_batch_size::constant::2 -> 1#0"],
          "num_groups 1: n * c / 1 is the integer n * c (exactly, as a float), n * 1 is n, and the size checked, "
          "(N * C, 1, *spatial), has the same product over [1:] as over [2:]", lambda c: c["groups"] == 1),
    *_for([f"{LRN}CrossMapLRN2d.backward::arith::-2.0 * float(self.alpha) -> -2.0 / float(self.alpha)#0",
           f"{LRN}CrossMapLRN2d.backward::drop-term::-2.0 * float(self.alpha) -> -2.0#0"],
          "alpha is 1.0: -2 * 1, -2 / 1 and -2 are the same", lambda c: c["alpha"] == 1.0),
    *_for([f"{L}GroupNorm.forward::constant::2 -> 1#2"],
          "num_groups 1: the one-value check's product N * C * prod(spatial) is 1 exactly when N = C = 1 and every "
          "spatial size is 1, and so is N * C * C * prod(spatial), the mutant's (x.shape[1:] adds C)",
          lambda c: c["groups"] == 1),
    # -- mlp_batchnorm: Linear(5, 8), BatchNorm1d(8), Tanh, Linear(8, 3) -----------------------------------------
    *_for([f"{BN}_BatchNorm.forward::compare::self.eps <= 0 -> self.eps < 0#0",
           f"{BN}_BatchNorm.forward::compare::self.eps < 0 -> self.eps <= 0#0"],
          "eps is the default 1e-5 (> 0): the tests agree", lambda c: c["kind"] == "Sequential"),
    *_for(["scratch/nn/linear.py::Linear.__init__::boolop::in_features < 0 or out_features < 0 -> in_features < 0 "
           "and out_features < 0#0", "scratch/nn/linear.py::Linear.__init__::compare::in_features < 0 -> "
           "in_features <= 0#0"], "the entry's Linear layers are (5, 8) and (8, 3): every size is positive",
          lambda c: c["kind"] == "Sequential"),
    *_for([f"{BN}_NormBase.__init__::compare::num_features < 0 -> num_features <= 0#0",
           f"{BN}_NormBase.__init__::constant::0 -> 1#0"], "the entry's BatchNorm1d has num_features 8: the size "
          "tests agree", lambda c: c["kind"] == "Sequential"),
    *_for(["scratch/nn/linear.py::Linear.__init__::constant::0 -> 1#0", "scratch/nn/linear.py::Linear."
           "_reset_parameters::constant::0.0 -> 1.0#0"], "the entry's Linear layers are (5, 8) and (8, 3): "
          "in_features >= 1, so the size test (< 0 or < 1) is False and the bound's else branch never runs",
          lambda c: c["kind"] == "Sequential"),
    *_for(["scratch/nn/containers/modules.py::Sequential.__init__::boolop::len(args) == 1 and isinstance(args[0], "
           "OrderedDict) -> len(args) == 1 or isinstance(args[0], OrderedDict)#0",
           "scratch/nn/containers/modules.py::Sequential.__init__::constant::1 -> 0#0"],
          "the entry's Sequential gets four modules, the first a Linear: len(args) is neither 1 nor 0 and args[0] "
          "no OrderedDict, so every variant of the test is False", lambda c: c["kind"] == "Sequential"),
    *_for(["scratch/nn/containers/modules.py::Sequential.__init__::" + k for k in (
        "compare::len(args) == 1 -> len(args) != 1#0", "constant::1 -> 2#0", "index::0 -> 1#0")],
          "the entry's Sequential gets four modules, a Linear then a BatchNorm1d first: len(args) is not 1 or 2 "
          "and neither args[0] nor args[1] is an OrderedDict, so the conjunction is False either way",
          lambda c: c["kind"] == "Sequential"),
    *_for(["scratch/nn/linear.py::Linear.__init__::compare::out_features < 0 -> out_features <= 0#0",
           "scratch/nn/linear.py::Linear.__init__::constant::0 -> 1#1",
           "scratch/nn/linear.py::Linear._reset_parameters::compare::self.in_features > 0 -> self.in_features >= 0#0",
           "scratch/nn/linear.py::Linear._reset_parameters::constant::0 -> 1#0"],
          "the entry's Linear layers are (5, 8) and (8, 3): every size is >= 2, so < 0 and <= 0, and > 0, >= 0 "
          "and > 1, agree", lambda c: c["kind"] == "Sequential"),
    *_for(["scratch/nn/linear.py::Linear.backward::boolop::bias is not None and bias.requires_grad -> bias is not "
           "None or bias.requires_grad#0"], "both Linear layers have a bias, and a frozen one's accumulate does "
          "nothing: the extra call changes no gradient", lambda c: c["kind"] == "Sequential"),
]

EQUIVALENT: dict[str, str | dict[str, str]] = {**_ANY_INPUT, **merged(_RULES)}
