"""Catalog entries of the recurrent family: the cells here, the layers (RNN, LSTM, GRU) in
tests/cases/_recurrent_layers.py. RNNCell (tanh, relu), GRUCell, LSTMCell: the first blocks with nested inputs
and several outputs (``lstm_cell(x, (h, c)) -> (h', c')``; backward returns ``(d_x, (d_h, d_c))``).

Samplers return the forward arguments nested as torch takes them: ``(x,)``, ``(x, h)`` or ``(x, (h, c))``, with
the states' batch dims taken from the drawn input shape, so hypothesis covers unbatched ``(I,)`` inputs and N = 0
too. The hidden states are scaled with the input (extreme scales saturate every gate). Biases come from the
uniform init (distinct, non-zero); the ``*_biases`` entries plant larger, distinct ``bias_ih`` and ``bias_hh`` so
that a backward that mixes the two up (GRU's n rows differ) or forgets one cannot pass.
"""

from __future__ import annotations

import numpy as np

from tests.cases._common import call_on_zeros
from tests.cases._recurrent_layers import LAYER_CASES
from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import shapes


def states(hidden: int, kind: str, low: float = -2.0, high: float = 2.0, zero_rows: bool = False):
    """Sampler of a cell's arguments: kind '' -> (x,), 'h' -> (x, h), 'hc' -> (x, (h, c)).

    ``zero_rows``: about half the batch rows of x and h are exactly 0 (with bias=False the pre-activation of a
    relu RNN is then exactly 0: the kink, where torch's relu'(0) = 0)."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        batch = shape[:-1]
        x = rng.uniform(low, high, shape) * scale
        h = rng.uniform(-1.0, 1.0, batch + (hidden,)) * scale
        c = rng.uniform(low, high, batch + (hidden,)) * scale
        if zero_rows:
            zero = rng.random(batch + (1,)) < 0.5
            zero[:1] = True  # the first row (or the one unbatched sample) at least
            x, h = np.where(zero, 0.0, x), np.where(zero, 0.0, h)
        x, h, c = (a.astype(dtype) for a in (x, h, c))
        return {"": (x,), "h": (x, h), "hc": (x, (h, c))}[kind]

    return sample


def distinct_biases(cell):
    """bias_ih and bias_hh set to different, non-zero, order-one values (deterministic, either library)."""
    sd = cell.state_dict()
    n = sd["bias_ih"].shape[0]
    sd["bias_ih"] = np.linspace(-1.5, 1.2, n)
    sd["bias_hh"] = 0.9 * np.cos(np.arange(n) + 0.5)
    cell.load_state_dict(sd)
    return cell


def _other(dt):
    return np.float32 if dt == np.float64 else np.float64


def cell_bad(i: int, h: int, lstm: bool = False) -> tuple[BadInput, ...]:
    """The error rows of TORCH_SEMANTICS_NEXT 2a that apply to cells, plus values torch accepts (NaN, N = 0)."""
    def st(shape, dt, rng):  # a state, or LSTM's (h, c) pair of the same shape
        one = lambda: rng.uniform(-1, 1, shape).astype(dt)  # noqa: E731
        return (one(), one()) if lstm else one()

    rows = (
        BadInput("3-d input", lambda rng, dt: (np.ones((2, 2, i), dt),)),
        BadInput("0-d input", lambda rng, dt: (np.asarray(1.0, dt),)),
        BadInput("wrong input_size", lambda rng, dt: (np.ones((2, i + 1), dt), st((2, h), dt, rng))),
        BadInput("wrong input_size unbatched", lambda rng, dt: (np.ones((i + 1,), dt),)),
        BadInput("3-d hidden", lambda rng, dt: (np.ones((2, i), dt), st((1, 2, h), dt, rng))),
        BadInput("0-d hidden", lambda rng, dt: (np.ones((2, i), dt), st((), dt, rng))),
        BadInput("wrong hidden_size", lambda rng, dt: (np.ones((2, i), dt), st((2, h + 1), dt, rng))),
        BadInput("batch mismatch", lambda rng, dt: (np.ones((2, i), dt), st((3, h), dt, rng))),
        BadInput("1-d hidden, 2-d input", lambda rng, dt: (np.ones((2, i), dt), st((h,), dt, rng))),
        BadInput("1-d hidden of batch length (IndexError)", lambda rng, dt: (np.ones((h, i), dt), st((h,), dt, rng))),
        BadInput("2-d hidden, 1-d input", lambda rng, dt: (np.ones((i,), dt), st((1, h), dt, rng))),
        BadInput("input other float dtype", lambda rng, dt: (np.ones((2, i), _other(dt)), st((2, h), dt, rng))),
        BadInput("hidden other float dtype", lambda rng, dt: (np.ones((2, i), dt), st((2, h), _other(dt), rng))),
        BadInput("int64 input", lambda rng, dt: (np.ones((2, i), np.int64),)),
        BadInput("int64 hidden", lambda rng, dt: (np.ones((2, i), dt), st((2, h), np.int64, rng))),
        BadInput("nan in input", lambda rng, dt: (np.where(rng.random((3, i)) < 0.3, np.nan, 1.0).astype(dt),
                                                  st((3, h), dt, rng))),
        BadInput("inf in hidden", lambda rng, dt: (rng.standard_normal((3, i)).astype(dt), np.full((3, h), np.inf, dt))
                 if not lstm else (rng.standard_normal((3, i)).astype(dt), (np.ones((3, h), dt),
                                                                             np.full((3, h), -np.inf, dt)))),
        BadInput("empty batch", lambda rng, dt: (np.zeros((0, i), dt), st((0, h), dt, rng))),
        BadInput("empty batch, no hx", lambda rng, dt: (np.zeros((0, i), dt),)),
    )
    if not lstm:
        return rows + (
            BadInput("hx a tuple (AttributeError)", lambda rng, dt: (np.ones((2, i), dt), (np.ones((2, h), dt),) * 2)),
        )
    return rows + (
        BadInput("hx one array, batched (TypeError)", lambda rng, dt: (np.ones((2, i), dt), np.ones((2, h), dt))),
        BadInput("hx 1-tuple", lambda rng, dt: (np.ones((2, i), dt), (np.ones((2, h), dt),))),
        BadInput("hx 3-tuple", lambda rng, dt: (np.ones((2, i), dt), (np.ones((2, h), dt),) * 3)),
        BadInput("hx 1-tuple unbatched (IndexError)", lambda rng, dt: (np.ones((i,), dt), (np.ones((h,), dt),))),
        BadInput("hx (h, None)", lambda rng, dt: (np.ones((2, i), dt), (np.ones((2, h), dt), None))),
        BadInput("c wrong hidden_size", lambda rng, dt: (np.ones((2, i), dt), (np.ones((2, h), dt),
                                                                               np.ones((2, h + 1), dt)))),
        BadInput("c batch mismatch", lambda rng, dt: (np.ones((2, i), dt), (np.ones((2, h), dt), np.ones((3, h), dt)))),
        BadInput("c 3-d", lambda rng, dt: (np.ones((2, i), dt), (np.ones((2, h), dt), np.ones((1, 2, h), dt)))),
        # torch accepts these: c meets no weight, so it promotes (float) or takes the gates' dtype (integers)
        # float32 only: a float32 cell with a float64 c gives float64 outputs that carry float32 gate errors, which
        # a float64 tolerance cannot judge (tests/test_recurrent_cells.py checks that case at float32 tolerance)
        BadInput("c float32 (a float64 cell promotes)", lambda rng, dt: (
            rng.standard_normal((3, i)).astype(dt), (rng.standard_normal((3, h)).astype(dt),
                                                     rng.standard_normal((3, h)).astype(np.float32)))),
        BadInput("c int64 (no gradient)", lambda rng, dt: (
            rng.standard_normal((3, i)).astype(dt), (rng.standard_normal((3, h)).astype(dt),
                                                     rng.integers(-2, 3, (3, h))))),
        BadInput("unbatched, hx the rows of one array", lambda rng, dt: (
            rng.standard_normal(i).astype(dt), rng.standard_normal((2, h)).astype(dt))),
        BadInput("unbatched, hx 3-tuple (third ignored)", lambda rng, dt: (
            rng.standard_normal(i).astype(dt), tuple(rng.standard_normal(h).astype(dt) for _ in range(3)))),
    )


def size_args(cls: str) -> tuple[BadArgs, ...]:
    return (
        BadArgs("negative input_size", lambda lib: getattr(lib, cls)(-1, 4)),
        BadArgs("negative hidden_size", lambda lib: getattr(lib, cls)(3, -2)),
        BadArgs("float input_size", lambda lib: getattr(lib, cls)(3.0, 4)),
        BadArgs("float hidden_size", lambda lib: getattr(lib, cls)(3, 4.0)),
    )


def _shapes(i: int):
    """(I,) unbatched or (N, I) with N in 0..4."""
    return shapes(1, 2, min_side=0, max_side=4, fixed_last=i)


CASES: list[Case] = [
    # RNNCell
    Case("rnn_cell", lambda lib: lib.RNNCell(3, 5), states(5, "h"), (4, 3), shapes=_shapes(3),
         bad_inputs=cell_bad(3, 5),
         bad_args=size_args("RNNCell") + (
             BadArgs("nonlinearity='gelu' (raises at forward)",
                     lambda lib: call_on_zeros(lib.RNNCell(3, 4, nonlinearity="gelu"), (2, 3))),
             BadArgs("4th positional nonlinearity 'sigmoid' (raises at forward)",
                     lambda lib: call_on_zeros(lib.RNNCell(3, 4, True, "sigmoid"), (2, 3))))),
    Case("rnn_cell_no_hx", lambda lib: lib.RNNCell(4, 3), states(3, ""), (3, 4), shapes=_shapes(4)),
    Case("rnn_cell_unbatched", lambda lib: lib.RNNCell(3, 4), states(4, "h"), (3,)),
    Case("rnn_cell_relu", lambda lib: lib.RNNCell(3, 5, nonlinearity="relu"), states(5, "h"), (6, 3),
         shapes=_shapes(3), bad_inputs=cell_bad(3, 5)),
    Case("rnn_cell_relu_nobias", lambda lib: lib.RNNCell(4, 3, bias=False, nonlinearity="relu"), states(3, "h"),
         (5, 4), kinks=states(3, "h", zero_rows=True)),
    Case("rnn_cell_tanh_nobias_positional", lambda lib: lib.RNNCell(3, 4, False, "tanh"), states(4, "h"), (2, 3)),
    Case("rnn_cell_biases", lambda lib: distinct_biases(lib.RNNCell(2, 4)), states(4, "h"), (3, 2),
         shapes=_shapes(2)),
    # GRUCell
    Case("gru_cell", lambda lib: lib.GRUCell(3, 5), states(5, "h"), (4, 3), shapes=_shapes(3),
         bad_inputs=cell_bad(3, 5), bad_args=size_args("GRUCell")),
    Case("gru_cell_no_hx", lambda lib: lib.GRUCell(4, 3), states(3, ""), (3, 4), shapes=_shapes(4)),
    Case("gru_cell_unbatched", lambda lib: lib.GRUCell(3, 4), states(4, "h"), (3,)),
    Case("gru_cell_nobias", lambda lib: lib.GRUCell(2, 3, bias=False), states(3, "h"), (4, 2), shapes=_shapes(2)),
    Case("gru_cell_biases", lambda lib: distinct_biases(lib.GRUCell(3, 4)), states(4, "h"), (5, 3),
         shapes=_shapes(3)),
    # LSTMCell
    Case("lstm_cell", lambda lib: lib.LSTMCell(3, 5), states(5, "hc"), (4, 3), shapes=_shapes(3),
         bad_inputs=cell_bad(3, 5, lstm=True),
         bad_args=size_args("LSTMCell") + (
             BadArgs("nonlinearity= keyword", lambda lib: lib.LSTMCell(3, 4, nonlinearity="relu")),)),
    Case("lstm_cell_no_hx", lambda lib: lib.LSTMCell(4, 3), states(3, ""), (3, 4), shapes=_shapes(4)),
    Case("lstm_cell_unbatched", lambda lib: lib.LSTMCell(3, 4), states(4, "hc"), (3,)),
    Case("lstm_cell_nobias", lambda lib: lib.LSTMCell(2, 3, bias=False), states(3, "hc"), (4, 2),
         shapes=_shapes(2)),
    Case("lstm_cell_biases", lambda lib: distinct_biases(lib.LSTMCell(3, 4)), states(4, "hc"), (5, 3),
         shapes=_shapes(3)),
    Case("lstm_cell_empty_batch", lambda lib: lib.LSTMCell(3, 4), states(4, "hc"), (0, 3)),
] + LAYER_CASES
