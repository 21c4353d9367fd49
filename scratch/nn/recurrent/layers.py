"""Recurrent layers over whole sequences: RNN (tanh / relu), LSTM (optional projection), GRU, with torch's
num_layers, bidirectional, batch_first, bias, dropout between layers, optional initial states and unbatched inputs.

Parameters, per layer k and direction (forward, then ``_reverse``), in torch's state_dict order:
``weight_ih_l{k} (G*H, I_k)``, ``weight_hh_l{k} (G*H, H_out)``, ``bias_ih_l{k} (G*H,)``, ``bias_hh_l{k} (G*H,)``,
``weight_hr_l{k} (P, H)`` (LSTM with proj_size = P only); G = 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n);
``I_0 = input_size``, ``I_k = D * H_out`` above, ``H_out = P or H``, D = 2 when bidirectional. Every tensor
~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), drawn from ``rng`` in that order after one integer that seeds
the dropout masks' generator ``self.rng``.

Layout: input ``(T, N, I)`` (``(N, T, I)`` with batch_first) or unbatched ``(T, I)`` (dim 0 is time whatever
batch_first says); output ``(T, N, D*H_out)`` with the forward direction in ``[..., :H_out]``; ``h_n`` (and LSTM's
``c_n (D*L, N, H)``) are ``(D*L, N, H_out)``, index ``layer*D + direction``, never batch-first. The reverse
direction runs the sequence from t = T-1 down to 0, so its ``h_n`` entry is its output at t = 0.

Dropout (training, 0 < p): the output of every layer but the last is multiplied by ``keep / (1 - p)`` with
``keep = self.rng.random((T, N, D*H_out)) >= p`` (time-major; one draw per layer, none for p = 1, which zeroes, or an
empty batch), never h_n / c_n. The twin applies the same masks between per-layer torch modules.

Errors are torch's, checked in torch's order (see docs/torch_facts.md, "Recurrent layers").
"""

from __future__ import annotations

import operator

import numpy as np

from ..base import CachedModule
from ..module import Parameter, check_float_dtype
from ._args import _check_args, _no_proj
from ._kernels import KERNELS, Weights, _directions, _steps, input_map, weight_grads
from .cells import _ndim

__all__ = ["RNN", "LSTM", "GRU"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class _RNNBase(CachedModule):
    """Parameters, checks and the stacked, bidirectional forward and backward shared by RNN, LSTM and GRU.

    ``needs_input_grad`` (attribute, default True): False skips the input gradient (backward returns None in its
    place), as torch skips it for an input that does not require grad: a first layer saves one GEMM."""

    needs_input_grad: bool = True

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 dtype=np.float32, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        _check_args(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size)
        if proj_size:  # LSTM: an int from here on (torch's range checks come first: a float >= hidden_size is a
            proj_size = operator.index(proj_size)  # ValueError there, one below it a TypeError)
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        rng = rng if rng is not None else np.random.default_rng()
        self.rng = np.random.default_rng(rng.integers(2**63))  # the dropout masks' own stream (the first draw)
        dt = check_float_dtype(dtype)
        gate, h_out, directions = _GATES[mode] * hidden_size, proj_size or hidden_size, _directions(bidirectional)
        bound = 1.0 / np.sqrt(hidden_size)
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for direction in range(directions):
                in_size = (input_size if layer == 0
                           else h_out * directions)
                shapes = {"weight_ih": (gate, in_size), "weight_hh": (gate, h_out)}
                if bias:
                    shapes.update(bias_ih=(gate,), bias_hh=(gate,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for key, shape in shapes.items():
                    name = f"{key}_l{layer}{'_reverse' if direction else ''}"
                    setattr(self, name, Parameter(rng.uniform(-bound, bound, shape).astype(dt)))
                    names.append(name)
                self._flat_weights_names += names
                self._all_weights.append(names)

    @property
    def all_weights(self) -> list[list[Parameter]]:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def _weights(self, layer: int, direction: int) -> Weights:
        suffix = f"_l{layer}{'_reverse' if direction else ''}"
        get = lambda key: getattr(self, key + suffix, None)  # noqa: E731
        return Weights(*(p.data if p is not None else None
                         for p in (get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"),
                                   get("weight_hr"))))

    # -- input checks (torch's forward, then check_forward_args) ------------------------------------------------
    def _name(self) -> str:
        return "RNN" if self.mode.startswith("RNN") else self.mode

    def _sizes(self, x: np.ndarray) -> tuple[tuple, tuple]:
        """The expected (h0, c0) shapes for a batched input, torch's get_expected_hidden_size."""
        n, layers = x.shape[self._batch_axis()], self.num_layers * _directions(self.bidirectional)
        return (layers, n, self.proj_size or self.hidden_size), (layers, n, self.hidden_size)

    def _check_input(self, x: np.ndarray) -> None:
        w = self.weight_ih_l0.dtype
        if x.dtype != w:
            raise ValueError(f"RNN input dtype ({x.dtype}) does not match weight dtype ({w}). Convert input: "
                             f"input.astype({w}), or convert model: model.to({x.dtype})")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{x.shape[-1]}")

    @staticmethod
    def _check_size(state: np.ndarray, expected: tuple, what: str) -> None:
        if state.shape != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(state.shape)}")

    def _check_dtype(self, state: np.ndarray, what: str) -> None:
        dtype = self.weight_ih_l0.dtype
        if state.dtype != dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {state.dtype} and {dtype} ({what} "
                               "vs the weights)")

    def _states(self, x: np.ndarray, hx, batched: bool):
        """(h0, c0) as batched (D*L, N, .) arrays (None where not given); torch's checks on hx."""
        raise NotImplementedError

    # -- forward ------------------------------------------------------------------------------------------------
    def forward(self, input: np.ndarray, hx=None):
        nd = _ndim(input, "input")
        if nd not in (2, 3):
            tensor = " tensor" if self.mode.startswith("RNN") else ""
            raise ValueError(f"{self._name()}: Expected input to be 2D or 3D, got {nd}D{tensor} instead")
        batched = nd == 3
        # A conditional expression whose branch the configuration or the input's form decides has that branch on
        # a line of its own: the mutation audit traces lines, and an entry's mutants are made on the lines it runs.
        x = (input if batched
             else np.expand_dims(input, self._batch_axis()))
        h0, c0 = self._states(x, hx, batched)
        c_dtype = (None if c0 is None or c0.dtype == x.dtype
                   else c0.dtype)  # LSTM: torch casts c0 (float64 only)
        if c_dtype is not None:
            c0 = c0.astype(x.dtype)
        x = np.array(self._swap_batch(x), order="C")  # time-major (T, N, I), owned (a copy)
        T, N, _ = x.shape
        if T == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        dt, directions, lstm = x.dtype, _directions(self.bidirectional), self.mode == "LSTM"
        h_out = self.proj_size or self.hidden_size
        run = KERNELS[self.mode][0]
        h_n = np.empty((self.num_layers * directions, N, h_out), dt)
        c_n = (None if not lstm
               else np.empty((self.num_layers * directions, N, self.hidden_size), dt))
        layer_in, tapes, noises = x, [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                k = layer * directions + d
                w = self._weights(layer, d)
                h_k = (np.zeros((N, h_out), dt) if h0 is None
                       else h0[k])
                c_k = None
                if lstm:
                    c_k = (np.zeros((N, self.hidden_size), dt) if c0 is None
                           else c0[k])
                out, h_n[k], c_last, tape = run(input_map(layer_in, w), h_k, c_k, w, _steps(T, d))
                if lstm:
                    c_n[k] = c_last
                outs.append(out)
                tapes.append(tape)
            y = (outs[0] if directions == 1
                 else np.concatenate(outs, axis=2))
            noise = (None if layer == self.num_layers - 1
                     else self._dropout_noise(y))
            noises.append(noise)
            tapes.append(layer_in)
            layer_in = (y if noise is None
                        else y * noise)
        output, hidden = self._user_layout(layer_in, batched), h_n
        if not batched:
            hidden = h_n[:, 0]
        if lstm:
            hidden = (hidden, c_n if batched
                      else c_n[:, 0])
        return self._save((output, hidden), tapes, noises, batched, hx is not None, (T, N), c_dtype)

    def _dropout_noise(self, y: np.ndarray) -> np.ndarray | None:
        """keep / (1 - p) for one layer's output, or None (eval, p = 0, empty); p = 1 zeroes without a draw."""
        p = self.dropout
        if not self.training or p == 0 or y.size == 0:
            return None
        if p == 1:
            return np.zeros((), y.dtype)
        keep = self.rng.random(y.shape) >= p
        return keep.astype(y.dtype) / np.asarray(1.0 - p, y.dtype)

    # -- backward -----------------------------------------------------------------------------------------------
    def backward(self, d_output: np.ndarray | None = None, d_hidden=None):
        r"""Backpropagation through time: ``backward(d_output, d_h_n)`` (LSTM: ``d_hidden = (d_h_n, d_c_n)``),
        any cotangent None or left out meaning zeros; returns dx, or (dx, dh0) / (dx, (dh0, dc0)) when forward
        was given hx. Per layer from the top: each direction's step gradients dG (see ``_kernels``), then
        dW_ih = dG^T x, dW_hh = dG_h^T h_prev, db = sums, dx = dG W_ih; the layer's dx, times the dropout
        mask of the layer below, is that layer's output cotangent."""
        (d_out, d_hid), (tapes, noises, batched, has_hx, (T, N), c_dtype) = self._saved_all(d_output, d_hidden)
        lstm = self.mode == "LSTM"
        d_hn, d_cn = (d_hid if lstm
                      else (d_hid, None))
        if not batched:
            d_out, d_hn = np.expand_dims(d_out, self._batch_axis()), d_hn[:, None]
            if lstm:
                d_cn = d_cn[:, None]
        d_y = self._swap_batch(d_out)
        directions, back = _directions(self.bidirectional), KERNELS[self.mode][1]
        h_out = self.proj_size or self.hidden_size
        dh0, dc0 = np.empty(d_hn.shape, d_hn.dtype), None
        if lstm:
            dc0 = np.empty(d_cn.shape, d_cn.dtype)
        for layer in reversed(range(self.num_layers)):
            if noises[layer] is not None:
                d_y = d_y * noises[layer]
            layer_in = tapes[layer * (directions + 1) + directions]
            d_in = None
            for d in range(directions):
                k = layer * directions + d
                w = self._weights(layer, d)
                dc_top = None
                if lstm:
                    dc_top = d_cn[k]
                dGi, dGh, hprev, dh0[k], dc_k, d_hr = back(tapes[layer * (directions + 1) + d],
                                                            d_y[..., d * h_out:(d + 1) * h_out], d_hn[k], dc_top,
                                                            w, _steps(T, d))
                if lstm:
                    dc0[k] = dc_k
                dx, *grads = weight_grads(layer_in, dGi, dGh, hprev, w, layer > 0 or self.needs_input_grad)
                self._accumulate(layer, d, (*grads, d_hr))
                d_in = (dx if d_in is None
                        else d_in + dx)
            d_y = d_in
        dx = (None if d_y is None
              else self._user_layout(d_y, batched))
        if not batched:
            dh0 = dh0[:, 0]
            if lstm:
                dc0 = dc0[:, 0]
        if not has_hx:
            return dx
        if dc0 is None:
            return dx, dh0
        if c_dtype is None:
            return dx, (dh0, dc0)
        return dx, ((dh0, dc0.astype(c_dtype)) if c_dtype.kind == "f" else (dh0,))  # an integer c0 takes none

    def _user_layout(self, y: np.ndarray, batched: bool) -> np.ndarray:
        """A time-major (T, N, F) array in the caller's layout: (N, T, F) if batch_first, (T, F) unbatched."""
        y = self._swap_batch(y)
        if not batched:
            y = np.take(y, 0, axis=self._batch_axis())
        return np.ascontiguousarray(y)

    def _batch_axis(self) -> int:
        """The batch's axis in the caller's (batched) layout."""
        if self.batch_first:
            return 0
        return 1

    def _swap_batch(self, y: np.ndarray) -> np.ndarray:
        """(N, T, F) <-> (T, N, F) with batch_first; time-major arrays as they are without."""
        if self.batch_first:
            return y.transpose(1, 0, 2)
        return y

    def _accumulate(self, layer: int, direction: int, grads: tuple) -> None:
        suffix = f"_l{layer}{'_reverse' if direction else ''}"
        for key, g in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"), grads, strict=True):
            if g is not None:
                getattr(self, key + suffix).accumulate(g, owned=True)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("proj_size", 0), ("num_layers", 1), ("bias", True), ("batch_first", False),
                              ("dropout", 0), ("bidirectional", False)):
            value = getattr(self, name)
            if value != default or (isinstance(default, bool) and value is not default):
                s += f", {name}={value}"
        return s


class _SingleState(_RNNBase):
    """RNN and GRU: hx is one array (D*L, N, H) or unbatched (D*L, H)."""

    def _states(self, x, hx, batched):
        if hx is not None:
            nd = _ndim(hx, "hx")
            if batched and nd != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {nd}-D tensor")
            if not batched:
                if nd != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {nd}-D tensor")
                hx = hx[:, None]
        self._check_input(x)
        h_shape, _ = self._sizes(x)
        if hx is not None:
            self._check_size(hx, h_shape, "hidden")
            self._check_dtype(hx, "hidden")
        return hx, None


class RNN(_SingleState):
    r"""An Elman RNN over a sequence: per layer and step, h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).

    Args:
        input_size (int), hidden_size (int): features of x and of h.
        num_layers (int, default 1): stacked layers, layer k+1 reading layer k's output.
        nonlinearity (str, default 'tanh'): 'tanh' or 'relu' (ValueError otherwise); the 4th positional argument,
            as torch's (LSTM's and GRU's 4th is bias).
        bias (bool, default True): learn b_ih and b_hh (both added). batch_first (bool, default False): input and
            output are (N, T, .); h_n is never batch-first. dropout (float, default 0): see the module docstring.
        bidirectional (bool, default False). dtype (default np.float32), rng (np.random.Generator, optional).
    Shape: input (T, N, I) / (N, T, I) / (T, I); hx (D*L, N, H) or (D*L, H), default zeros;
        output (T, N, D*H), h_n (D*L, N, H).
    Gradient: da_t = (dy_t + dh_t) act'(a_t) (tanh: 1 - h_t^2; relu: 0 at and below the kink),
        dh_{t-1} = da_t W_hh; then dW_ih = sum_t da_t^T x_t, dW_hh = sum_t da_t^T h_{t-1}, db = sum da.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 dtype=np.float32, rng: np.random.Generator | None = None, **kwargs) -> None:
        _no_proj(kwargs, "RNN")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, dtype, rng)


class GRU(_SingleState):
    r"""A gated recurrent unit over a sequence (torch's form, r applied after the hidden affine map):

    .. code-block:: text

        r = s(x W_ir^T + b_ir + h W_hr^T + b_hr);  z = s(x W_iz^T + b_iz + h W_hz^T + b_hz)
        n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn));  h' = (1 - z) n + z h

    Args: input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False,
        dtype, rng: as :class:`RNN` (no nonlinearity; passing proj_size raises ValueError, as torch).
    Shape: as :class:`RNN`; weight_ih_l{k} (3H, I_k) with row blocks r, z, n.
    Gradient: per step as :class:`GRUCell` (dGi and dGh differ in the n rows by the factor r), weight gradients as
        GEMMs over all steps after the loop.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, dtype=np.float32,
                 rng: np.random.Generator | None = None, **kwargs) -> None:
        _no_proj(kwargs, "GRU")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0,
                         dtype, rng)


class LSTM(_RNNBase):
    r"""A long short-term memory layer over a sequence, optionally with a projection of h (proj_size):

    .. code-block:: text

        [i f g o] = x W_ih^T + b_ih + h W_hh^T + b_hh;  c' = s(f) c + s(i) tanh(g)
        h' = s(o) tanh(c')            (proj_size = P > 0: h' = (s(o) tanh(c')) W_hr^T, of size P)

    Args: input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0, bidirectional=False,
        proj_size (int, default 0; 0 <= P < hidden_size), dtype, rng: as :class:`RNN`.
    Shape: input as :class:`RNN`; hx = (h0 (D*L, N, H_out), c0 (D*L, N, H)) or unbatched 2-d, default zeros;
        output (T, N, D*H_out), (h_n (D*L, N, H_out), c_n (D*L, N, H)).
    Gradient: per step as :class:`LSTMCell` (dh' first through W_hr with a projection: dW_hr = sum_t dh'_t^T
        (s(o) tanh(c'))_t), weight gradients as GEMMs over all steps after the loop.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 dtype=np.float32, rng: np.random.Generator | None = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, dtype, rng)

    def _states(self, x, hx, batched):
        if hx is not None:
            h, c = hx[0], hx[1]
            dims = (_ndim(h, "hx[0]"), _ndim(c, "hx[1]"))
            want = 3 if batched else 2
            if dims != (want, want):
                raise RuntimeError(f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, hx and cx should "
                                   f"also be {want}-D but got ({dims[0]}-D, {dims[1]}-D) tensors")
            if not batched:
                h, c = h[:, None], c[:, None]
        self._check_input(x)
        h_shape, c_shape = self._sizes(x)
        if hx is None:
            return None, None
        self._check_size(h, h_shape, "hidden[0]")
        self._check_size(c, c_shape, "hidden[1]")
        self._check_dtype(h, "hidden[0]")
        if c.dtype != self.weight_ih_l0.dtype and self.weight_ih_l0.dtype != np.float64:
            raise RuntimeError(f"get_mkldnn_dtype: unsupported data type (c0 is {c.dtype}, the weights float32; "
                               "float64 weights cast c0)")
        return h, c
