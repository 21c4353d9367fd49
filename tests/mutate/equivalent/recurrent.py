"""Equivalent mutants of scratch/nn/recurrent/ (tests/mutate/equivalent/__init__.py says how they are keyed).

Two kinds. Some cannot change what the code computes for any input (a reshape size numpy infers, a slice bound
that names the same column from the other end, a step that is +-1). The others cannot for an entry's configuration:
a factor that is 1 (one direction, one layer, one hidden unit, RNN's one gate), an index that is 0, a dropout
that is 0, a branch the configuration never takes. Those are declared for the entries whose block has that
configuration and whose checks see no other (_by_config.py says which), read from the catalog's own blocks (so a
new entry is covered, or not, by what it builds), each with the reason.
"""

from __future__ import annotations

from tests.mutate.equivalent._by_config import blocks, merged, rule

L = "scratch/nn/recurrent/layers.py::_RNNBase."
K = "scratch/nn/recurrent/_kernels.py::"
C = "scratch/nn/recurrent/cells.py::"


def _layer_config(block) -> dict | None:
    if not hasattr(block, "num_layers"):
        return None
    return dict(L=block.num_layers, D=2 if block.bidirectional else 1, H=block.hidden_size, I=block.input_size,
                h_out=block.proj_size or block.hidden_size, p=block.dropout, lstm=block.mode == "LSTM",
                G={"LSTM": 4, "GRU": 3}.get(block.mode, 1))


BLOCKS, NARROW = blocks("recurrent")
LAYERS = {name: cfg for name, b in BLOCKS.items() if (cfg := _layer_config(b)) is not None}
CELLS = {name: {"cls": type(b).__name__} for name, b in BLOCKS.items() if name not in LAYERS}


def _for(keys, reason: str, when, by_class: bool = False):
    return rule(LAYERS, NARROW, keys, reason, when, by_class)


def _cells(keys, reason: str, cls: str):
    return rule(CELLS, NARROW, keys, reason, lambda c: c["cls"] == cls, by_class=True)


def _drop(prefix: str, product: str, occurrences: range, kept: tuple[str, ...]) -> list[str]:
    """The drop-term keys of ``product`` that leave ``kept``."""
    return [f"{prefix}drop-term::{product} -> {k}#{i}" for i in occurrences for k in kept]


_ANY_INPUT: dict[str, str] = {
    # -- for every input -------------------------------------------------------------------------------------------
    **{f"{K}{fn}::negate::T * N -> -(T * N)#{i}": "numpy's reshape reads a negative size as the one unknown "
       "dimension; the other is known, so -(T N) is inferred as T N"
       for fn, n in (("input_map", 1), ("weight_grads", 4), ("lstm_backward", 2)) for i in range(n)},
    f"{K}_previous::compare::steps.step < 0 -> steps.step <= 0#0": "a direction's steps run by +1 or -1, never 0",
    f"{K}_previous::constant::0 -> 1#0": "a direction's steps run by +1 or -1: step < 1 is step < 0",
    f"{K}lstm_forward::negate::-1 -> 1#0": "h0 is (N, P): its last dim is dim 1",
    f"{K}tanh_slope::negate::e + 1 -> -(e + 1)#0": "the denominator is squared at once: (-(1 + e))^2 = (1 + e)^2",
    **{f"{K}{fn}::compare::a.dtype == np.float32 -> a.dtype != np.float32#0": "FLOAT64_TRANSCENDENTALS is False: "
       "the condition is False either way" for fn in ("sigmoid_into", "tanh_into")},
    **{f"{K}{fn}::boolop::a.dtype == np.float32 and FLOAT64_TRANSCENDENTALS -> a.dtype == np.float32 or "
       "FLOAT64_TRANSCENDENTALS#0": "float32 gates then take the float64 evaluation rounded once (the "
       "FLOAT64_TRANSCENDENTALS path benchmarks/recurrent.py measures): the same function within a float32 rounding "
       "of the float32 evaluation, as accurate as torch's (docs/design.md, Numerical policy); float64 gates are "
       "unchanged" for fn in ("sigmoid_into", "tanh_into")},
    **{f"{K}{fn}::negate::2 * H -> -(2 * H)#{i}": "a bound of a slice of the 4H gate columns: -2H names column 2H"
       for fn, occ in (("lstm_forward", range(5)), ("lstm_backward", range(3))) for i in occ},
    **{f"{C}LSTMCell.{fn}::negate::2 * H -> -(2 * H)#{i}": "a bound of a slice of the 4H gate columns: -2H names "
       "column 2H" for fn, occ in (("forward", range(1)), ("backward", range(2))) for i in occ},
    f"{L}forward::axis::2 -> -1#0": "the concatenated outputs are 3-d: axis -1 is axis 2",
    f"{L}forward::constant::1 -> 0#0": "directions is 1 or 2, never 0: both branches then concatenate, and the "
    "concatenation of one output is that output",
    f"{L}backward::negate::d * h_out -> -(d * h_out)#0": "d_y has D h_out columns, D <= 2: -h_out names column "
    "h_out (d = 1), -0 is 0 (d = 0)",
    f"{C}_CellBase.__init__::constant::0.0 -> 1.0#0": "the bound of hidden_size 0, where every parameter is empty",
    f"{C}_CellBase._check::constant::2 -> 1#0": "a 1-d hidden state then reaches the next check, whose h.shape[1] "
    "raises IndexError too (torch's class; only the message differs)",
    **{f"{C}GRUCell.backward::axis::1 -> -1#{i}": "the gate gradients are 2-d: axis -1 is axis 1" for i in range(2)},
    f"{L}_dropout_noise::compare::self.rng.random(y.shape) >= p -> self.rng.random(y.shape) > p#0":
        "differs only where a uniform draw equals p exactly (probability 2^-53 per element)",
}

_RULES = [
    # -- a factor that is 1, an index that is 0 (one direction, one layer) -----------------------------------------
    *_for([f"{L}_sizes::arith::self.num_layers * _directions(self.bidirectional) -> self.num_layers / "
            "_directions(self.bidirectional)#0",
            f"{L}_sizes::drop-term::self.num_layers * _directions(self.bidirectional) -> self.num_layers#0",
            *_drop(f"{L}forward::", "self.num_layers * directions", range(2), ("self.num_layers",)),
            f"{L}forward::arith::layer * directions + d -> layer * directions - d#0",
            f"{L}backward::arith::layer * directions + d -> layer * directions - d#0",
            *_drop(f"{L}forward::", "layer * directions + d", range(1), ("layer * directions",)),
            *_drop(f"{L}backward::", "layer * directions + d", range(1), ("layer * directions",)),
            f"{L}__init__::drop-term::h_out * directions -> h_out#0",
            f"{L}forward::compare::directions == 1 -> directions != 1#0", f"{L}forward::constant::1 -> 2#0",
            f"{L}backward::arith::layer * (directions + 1) + d -> layer * (directions + 1) - d#0",
            *_drop(f"{L}backward::", "layer * (directions + 1) + d", range(1), ("layer * (directions + 1)",)),
            f"{L}backward::drop-term::d * h_out -> d#0", f"{L}backward::drop-term::(d + 1) * h_out -> h_out#0",
            f"{L}backward::drop-term::d + 1 -> 1#0", f"{L}backward::constant::1 -> 2#2",
            f"{L}forward::drop-term::layer * directions -> layer#0",
            f"{L}backward::drop-term::layer * directions -> layer#0"],
           "one direction: D = 1 and d = 0, so D is a factor of 1 and d a term of 0 (and a concatenation of the "
           "one output is that output)", lambda c: c["D"] == 1),
    *_for([f"{L}forward::index::0 -> 1#2"], "two directions: the first branch (outs[0]) never runs",
           lambda c: c["D"] == 2),
    *_for([f"{L}_sizes::drop-term::self.num_layers * _directions(self.bidirectional) -> "
            "_directions(self.bidirectional)#0",
            *_drop(f"{L}forward::", "self.num_layers * directions", range(2), ("directions",)),
            *_drop(f"{L}forward::", "layer * directions + d", range(1), ("d",)),
            *_drop(f"{L}backward::", "layer * directions + d", range(1), ("d",)),
            f"{L}forward::drop-term::layer * directions -> layer#0",
            f"{L}backward::drop-term::layer * directions -> layer#0",
            *_drop(f"{L}backward::", "layer * (directions + 1) + directions", range(1), ("directions",)),
            *_drop(f"{L}backward::", "layer * (directions + 1) + d", range(1), ("d",)),
            *_drop(f"{L}backward::", "layer * (directions + 1)", range(2), ("layer",)),
            *[f"{L}backward::arith::directions + 1 -> directions - 1#{i}" for i in range(2)],
            *_drop(f"{L}backward::", "directions + 1", range(2), ("directions", "1")),
            f"{L}backward::constant::1 -> 0#1", f"{L}backward::constant::1 -> 2#0",
            f"{L}backward::constant::1 -> 0#2", f"{L}backward::constant::1 -> 2#1",
            f"{L}backward::constant::0 -> 1#0"],
           "one layer: layer = 0, so every product with it is 0 (and layer > 1 is layer > 0)",
           lambda c: c["L"] == 1),
    *_for([f"{L}forward::negate::layer * directions + d -> -(layer * directions + d)#0",
            f"{L}backward::negate::layer * directions + d -> -(layer * directions + d)#0"],
           "at most 2 states (L D <= 2): k is 0 or 1, and -k names the same state from the end",
           lambda c: c["L"] * c["D"] <= 2),
    *_for([f"{L}backward::arith::layer * (directions + 1) + directions -> layer * (directions + 1) - "
            "directions#0", f"{L}backward::negate::layer * (directions + 1) + directions -> -(layer * "
            "(directions + 1) + directions)#0"],
           "one layer, one direction: the tapes are [tape, input], and index -1 is index 1",
           lambda c: c["L"] == 1 and c["D"] == 1),
    *_for([f"{L}backward::negate::layer * (directions + 1) + d -> -(layer * (directions + 1) + d)#0"],
           "one direction, one or two layers: the tapes are [tape, input] per layer, and -0 is 0, -2 of four is 2",
           lambda c: c["D"] == 1 and c["L"] <= 2),
    *_for([f"{L}backward::drop-term::(d + 1) * h_out -> d + 1#0"], "h_out = 1: (d + 1) h_out is d + 1",
           lambda c: c["h_out"] == 1),
    *_for([f"{L}__init__::drop-term::h_out * directions -> directions#0"], "h_out = D (= 1): the product is D",
           lambda c: c["h_out"] == c["D"]),
    *_for([*[f"{K}{fn}::drop-term::{k} * H -> {k}#{i}" for fn, k, n in (
                ("lstm_forward", 2, 5), ("lstm_forward", 3, 5), ("lstm_backward", 2, 3), ("lstm_backward", 3, 3),
                ("gru_forward", 2, 8), ("gru_backward", 2, 5)) for i in range(n)],
            *[f"{K}{fn}::drop-term::{t} -> {t[:-4].strip('()')}#0" for fn in ("lstm_backward", "gru_backward")
              for t in ("k * H", "(k + 1) * H")],
            f"{L}__init__::drop-term::_GATES[mode] * hidden_size -> _GATES[mode]#0"],
           "hidden_size 1: k H is k", lambda c: c["H"] == 1),
    # -- dropout 0 (and the other p's) -----------------------------------------------------------------------------
    *_for([f"{L}forward::compare::layer == self.num_layers - 1 -> layer != self.num_layers - 1#0",
            f"{L}forward::arith::self.num_layers - 1 -> self.num_layers + 1#0",
            f"{L}forward::drop-term::self.num_layers - 1 -> self.num_layers#0",
            f"{L}forward::negate::self.num_layers - 1 -> -(self.num_layers - 1)#0",
            f"{L}forward::constant::1 -> 0#1", f"{L}forward::constant::1 -> 2#1",
            f"{L}_dropout_noise::boolop::not self.training or p == 0 or y.size == 0 -> not self.training and "
            "p == 0 and (y.size == 0)#0",
            f"{L}_dropout_noise::compare::p == 0 -> p != 0#0", f"{L}_dropout_noise::constant::0 -> 1#0",
            f"{L}_dropout_noise::compare::y.size == 0 -> y.size != 0#0", f"{L}_dropout_noise::constant::0 -> 1#1",
            f"{L}_dropout_noise::constant::1 -> 0#0", f"{L}_dropout_noise::constant::1 -> 2#0"],
           "dropout 0: every layer's noise is None, or a mask of ones (random >= 0) that multiplies by 1",
           lambda c: c["p"] == 0),
    *_for([f"{L}_dropout_noise::constant::0 -> 1#0", f"{L}_dropout_noise::constant::1 -> 0#0"],
           "0 < dropout < 1: p is neither 0 nor 1, so p == 1 and p == 0 are both False",
           lambda c: 0 < c["p"] < 1),
    *_for([f"{L}_dropout_noise::constant::1 -> 2#0"], "dropout < 1: p == 2 is False, as p == 1",
           lambda c: 0 < c["p"] < 1),
    *_for([f"{L}_dropout_noise::constant::0 -> 1#1"], "a layer's output has D h_out >= 2 features: its size "
           "is never 1, as it is never 0 (a training p > 0 draws either way)", lambda c: c["p"] > 0 and
           c["D"] * c["h_out"] >= 2),
    # -- RNN and GRU: no projection, no cell state -----------------------------------------------------------------
    *_for(["scratch/nn/recurrent/_args.py::_check_args::compare::proj_size >= hidden_size -> proj_size > "
            "hidden_size#0", f"{L}forward::compare::c0.dtype == x.dtype -> c0.dtype != x.dtype#0"],
           "RNN and GRU: proj_size is 0 and hidden_size > 0 was checked before; c0 is None (short-circuit)",
           lambda c: not c["lstm"], by_class=True),
    *_for([f"{L}__init__::drop-term::_GATES[mode] * hidden_size -> hidden_size#0"], "RNN: one gate block, "
          "G H is H", lambda c: not c["lstm"] and c["G"] == 1, by_class=True),
    *_for([f"{L}__init__::constant::0 -> 1#0"], "one layer whose input_size equals D h_out: layer == 1 takes the "
          "other branch, of the same size", lambda c: c["L"] == 1 and c["I"] == c["h_out"] * c["D"]),
    # -- RNNCell: one gate --------------------------------------------------------------------------------------
    *_cells([*_drop(f"{C}_CellBase.__init__::", "num_chunks * n_hid", range(2), ("n_hid",)),
              f"{C}_CellBase.__init__::index::0 -> 1#1"],
             "RNNCell: num_chunks is 1, so weight_hh is (H, H) and both its dims are H", "RNNCell"),
]

EQUIVALENT: dict[str, str | dict[str, str]] = {**_ANY_INPUT, **merged(_RULES)}
