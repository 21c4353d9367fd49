"""Recurrent cells (one time step): RNNCell, LSTMCell, GRUCell, with torch's layouts, gate orders and errors.

Shared by the three (torch's ``RNNCellBase``): ``weight_ih (G*H, I)``, ``weight_hh (G*H, H)``, ``bias_ih (G*H,)``,
``bias_hh (G*H,)`` in that state_dict order (``bias=False`` drops both biases), G = 1 (RNN), 4 (LSTM: row blocks
i, f, g, o), 3 (GRU: row blocks r, z, n); every tensor ~ U(-1/sqrt(H), 1/sqrt(H)). Both biases are added.

The forward mirrors torch's ``forward`` and its ATen checks in the same order, so a bad input raises torch's
class: a 0-d/3-d input or hidden state ``ValueError``; wrong input size, hidden size or batch ``RuntimeError``;
a 1-d hidden state with a 2-d input ``RuntimeError`` (``IndexError`` when its length happens to equal the batch);
an input or h dtype other than the weights' ``RuntimeError``; an unknown RNNCell nonlinearity ``RuntimeError`` at
forward (not at construction). LSTMCell's c is not multiplied by a weight: like torch it may have another dtype
(integers take the weights' dtype, floats promote, and the outputs and dc have the promoted / c's dtype).

Numerics: the gate pre-activations and every product are computed in the weights' dtype, in torch's operation
order (``gh + gi``; ``f*c + i*g``; ``(h - n)*z + n``); sigmoid and tanh are evaluated in float64 and rounded once
(README "Numerical policy for float32"); their derivatives are taken from the rounded values as torch's
``sigmoid_backward`` (``dy (1 - y) y``) and ``tanh_backward`` (``dy (1 - y^2)``) do.

Departure: an unbatched (1-d) input with a 2-d hidden state of shape (H, k) passes torch's checks and then
broadcasts silently (RNNCell with k = H returns an (H, H) "batch"; LSTMCell with a (H, H) or (H, 1) c returns (H, H)
states) or crashes the process (LSTMCell/GRUCell with a (H, H) h and H < 4: segmentation fault in torch 2.13).
Here it raises RuntimeError, the class torch raises for every other 2-d hidden state given with a 1-d input.
"""

from __future__ import annotations

import operator

import numpy as np

from .._math import sigmoid
from ..base import CachedModule
from ..module import Parameter, check_float_dtype

__all__ = ["RNNCell", "LSTMCell", "GRUCell"]


def _ndim(value, what: str) -> int:
    """torch calls ``.dim()`` on every argument: anything but an array is an AttributeError there."""
    if not isinstance(value, np.ndarray):
        raise AttributeError(f"'{type(value).__name__}' object has no attribute 'dim' ({what} must be a numpy "
                             "array)")
    return value.ndim


def _size(n, what: str) -> int:
    try:
        return operator.index(n)
    except TypeError:
        raise TypeError(f"{what} must be an int, got {type(n).__name__} ({n!r})") from None


def _sig(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """sigmoid in float64, rounded once to ``dt``."""
    return sigmoid(a.astype(np.float64)).astype(dt, copy=False)


def _tanh(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """tanh in float64, rounded once to ``dt``."""
    return np.tanh(a.astype(np.float64)).astype(dt, copy=False)


def _sig_grad(dy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """torch's sigmoid_backward: dy (1 - y) y."""
    return dy * (1 - y) * y


def _tanh_grad(dy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """torch's tanh_backward: dy (1 - y^2)."""
    return dy * (1 - y * y)


class _CellBase(CachedModule):
    """Parameters, checks and the two affine maps shared by the cells (torch's RNNCellBase)."""

    _name = "RNNCellBase"

    def __init__(self, input_size: int, hidden_size: int, bias, num_chunks: int, dtype, rng) -> None:
        super().__init__()
        n_in, n_hid = _size(input_size, "input_size"), _size(hidden_size, "hidden_size")
        shape_ih, shape_hh = (num_chunks * n_hid, n_in), (num_chunks * n_hid, n_hid)
        for shape in (shape_ih, shape_hh):
            if min(shape) < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dt = check_float_dtype(dtype)
        rng = rng if rng is not None else np.random.default_rng()
        bound = 1.0 / np.sqrt(n_hid) if n_hid > 0 else 0.0
        self.weight_ih = Parameter(rng.uniform(-bound, bound, shape_ih).astype(dt))
        self.weight_hh = Parameter(rng.uniform(-bound, bound, shape_hh).astype(dt))
        if bias:
            self.bias_ih = Parameter(rng.uniform(-bound, bound, shape_ih[0]).astype(dt))
            self.bias_hh = Parameter(rng.uniform(-bound, bound, shape_hh[0]).astype(dt))
        else:
            self.bias_ih = self.bias_hh = None

    # -- forward helpers ------------------------------------------------------------------------------------
    def _batched(self, input) -> bool:
        nd = _ndim(input, "input")
        if nd not in (1, 2):
            raise ValueError(f"{self._name}: Expected input to be 1D or 2D, got {nd}D instead")
        return nd == 2

    def _check(self, x: np.ndarray, hiddens: tuple) -> None:
        """ATen's check_rnn_cell_forward_input / _hidden on the batched views, then the matmul dtypes."""
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected {self.input_size}")
        for k, h in enumerate(hiddens):
            if h is None:
                continue
            if h.shape[0] != x.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{k} batch size {h.shape[0]}")
            if h.ndim < 2:
                raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1) (a 2-D "
                                 f"input takes 2-D hidden states, hidden{k} is 1-D)")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.shape[1]}, expected "
                                   f"{self.hidden_size}")
            if h.ndim > 2:
                raise RuntimeError(f"{self._name}: a 1-D input takes 1-D hidden states, got hidden{k} of shape "
                                   f"{h.shape[1:]} (torch broadcasts such a state silently or crashes)")
        w = self.weight_ih.dtype
        for what, a in (("input", x), ("hidden0", hiddens[0])):
            if a is not None and a.dtype != w:
                raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {a.dtype} and {w} ({what} vs "
                                   f"the weights of {self._name})")

    def _affine(self, x: np.ndarray, h: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh (h = None: the zero state, gh = b_hh)."""
        gi = x @ self.weight_ih.data.T
        gh = h @ self.weight_hh.data.T if h is not None else np.zeros(gi.shape, gi.dtype)
        if self.bias_ih is not None:
            gi, gh = gi + self.bias_ih.data, gh + self.bias_hh.data
        return gi, gh

    # -- backward helpers -----------------------------------------------------------------------------------
    def _backprop(self, x: np.ndarray, h: np.ndarray | None, dgi: np.ndarray, dgh: np.ndarray):
        """Accumulate every parameter gradient from d gi and d gh (N, G*H); return (dx, dh from W_hh)."""
        self.weight_ih.accumulate(dgi.T @ x, owned=True)
        self.weight_hh.accumulate(dgh.T @ h if h is not None else np.zeros(self.weight_hh.shape,
                                                                             self.weight_hh.dtype), owned=True)
        if self.bias_ih is not None:
            self.bias_ih.accumulate(dgi.sum(axis=0), owned=True)
            self.bias_hh.accumulate(dgh.sum(axis=0), owned=True)
        return dgi @ self.weight_ih.data, (dgh @ self.weight_hh.data if h is not None else None)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


def _hidden_1(cell: _CellBase, hx, batched: bool):
    """RNNCell / GRUCell: the hidden state checked (rank) and batched; None stays None (the zero state)."""
    if hx is None:
        return None
    nd = _ndim(hx, "hx")
    if nd not in (1, 2):
        raise ValueError(f"{cell._name}: Expected hidden to be 1D or 2D, got {nd}D instead")
    return hx if batched else hx[None]


class RNNCell(_CellBase):
    r"""An Elman RNN cell: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu.

    Args:
        input_size (int): features of the input x.
        hidden_size (int): features of the hidden state h.
        bias (bool, default True): learn b_ih and b_hh (both added).
        nonlinearity (str, default 'tanh'): 'tanh' or 'relu'; any other value raises RuntimeError at forward,
            as torch's (construction accepts it).
        dtype (default np.float32, like torch), rng (np.random.Generator, optional): as :class:`Linear`.
    Init: every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    Shape: input (N, I) or (I,); hx (N, H) or (H,), default zeros; output h' (N, H) or (H,).
        weight_ih (H, I), weight_hh (H, H), bias_ih (H,), bias_hh (H,).
    Gradient: ``backward(dh')`` returns dx (``cell(x)``) or (dx, dh) (``cell(x, h)``); with
        da = dh' * act'(a) (tanh: 1 - h'^2; relu: 1 where h' > 0 or NaN, 0 at and below 0, as torch's
        threshold_backward):
        dx = da W_ih;  dh = da W_hh;  dW_ih = da^T x;  dW_hh = da^T h;  db_ih = db_hh = sum_n da.
    """

    _name = "RNNCell"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 dtype=np.float32, rng: np.random.Generator | None = None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, dtype, rng)
        self.nonlinearity = nonlinearity

    def forward(self, input: np.ndarray, hx: np.ndarray | None = None) -> np.ndarray:
        batched = self._batched(input)
        x = input if batched else input[None]
        h = _hidden_1(self, hx, batched)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._check(x, (h,))
        gi, gh = self._affine(x, h)
        a = gh + gi
        if self.nonlinearity == "tanh":
            y = _tanh(a, a.dtype)
            dyda = 1 - y * y
        else:
            y = np.maximum(a, 0)  # NaN stays NaN, as torch's relu
            dyda = (~(y <= 0)).astype(a.dtype)  # threshold_backward: the gradient passes NaN
        return self._save(y if batched else y[0], x.copy(), None if h is None else h.copy(), dyda,
                          input.shape, None if hx is None else hx.shape)

    def backward(self, dy: np.ndarray):
        dy, x, h, dyda, x_shape, h_shape = self._saved(dy)
        da = dy.reshape(dyda.shape) * dyda
        dx, dh = self._backprop(x, h, da, da)
        return dx.reshape(x_shape) if h_shape is None else (dx.reshape(x_shape), dh.reshape(h_shape))


class GRUCell(_CellBase):
    r"""A gated recurrent unit cell (torch's form: r multiplies the hidden affine map, bias included):

    .. code-block:: text

        r  = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
        z  = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
        n  = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
        h' = (1 - z) * n + z * h          (computed as torch: (h - n) * z + n)

    with W_ih = [W_ir; W_iz; W_in] and W_hh = [W_hr; W_hz; W_hn] as row blocks (likewise the biases).

    Args:
        input_size (int), hidden_size (int), bias (bool, default True),
        dtype (default np.float32), rng (np.random.Generator, optional): as :class:`RNNCell`.
    Init: every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    Shape: input (N, I) or (I,); hx (N, H) or (H,), default zeros; output h' (N, H) or (H,).
        weight_ih (3H, I), weight_hh (3H, H), bias_ih (3H,), bias_hh (3H,).
    Gradient: ``backward(dh')`` returns dx or (dx, dh). With gh_n = h W_hn^T + b_hn:
        dz = dh' (h - n);   dn = dh' (1 - z);   da_n = dn (1 - n^2)
        da_r = da_n gh_n r (1 - r);   da_z = dz z (1 - z)
        d gi = [da_r, da_z, da_n];    d gh = [da_r, da_z, da_n r]   (so b_ih and b_hh differ in their n rows)
        dx = d gi W_ih;  dh = d gh W_hh + dh' z;  dW_ih = d gi^T x;  dW_hh = d gh^T h;  db = sum_n of each.
    """

    _name = "GRUCell"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, dtype, rng)

    def forward(self, input: np.ndarray, hx: np.ndarray | None = None) -> np.ndarray:
        batched = self._batched(input)
        x = input if batched else input[None]
        h = _hidden_1(self, hx, batched)
        self._check(x, (h,))
        gi, gh = self._affine(x, h)
        dt, H = gi.dtype, self.hidden_size
        r = _sig(gh[:, :H] + gi[:, :H], dt)
        z = _sig(gh[:, H:2 * H] + gi[:, H:2 * H], dt)
        gh_n = gh[:, 2 * H:].copy()
        n = _tanh(gi[:, 2 * H:] + gh_n * r, dt)
        hy = ((h if h is not None else 0) - n) * z + n
        return self._save(hy if batched else hy[0], x.copy(), None if h is None else h.copy(), r, z, n, gh_n,
                          input.shape, None if hx is None else hx.shape)

    def backward(self, dy: np.ndarray):
        dy, x, h, r, z, n, gh_n, x_shape, h_shape = self._saved(dy)
        dy = dy.reshape(n.shape)
        d_diff = dy * z  # d(h - n): the direct path into h
        dz = dy * ((h if h is not None else 0) - n)
        da_n = _tanh_grad(dy - d_diff, n)
        da_r = _sig_grad(da_n * gh_n, r)
        da_z = _sig_grad(dz, z)
        dgi = np.concatenate((da_r, da_z, da_n), axis=1)
        dgh = np.concatenate((da_r, da_z, da_n * r), axis=1)
        dx, dh = self._backprop(x, h, dgi, dgh)
        if h_shape is None:
            return dx.reshape(x_shape)
        return dx.reshape(x_shape), (dh + d_diff).reshape(h_shape)


class LSTMCell(_CellBase):
    r"""A long short-term memory cell:

    .. code-block:: text

        [i f g o] = x W_ih^T + b_ih + h W_hh^T + b_hh      (row blocks of H, in this order)
        c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
        h' = sigmoid(o) * tanh(c')

    Args:
        input_size (int), hidden_size (int), bias (bool, default True),
        dtype (default np.float32), rng (np.random.Generator, optional): as :class:`RNNCell`.
    Init: every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)).
    Shape: input (N, I) or (I,); hx = (h, c), each (N, H) or (H,), default zeros (a 1-d input also takes an array
        whose rows are h and c, and ignores entries after the second, as torch); output (h', c'), each (N, H) or (H,).
        weight_ih (4H, I), weight_hh (4H, H), bias_ih (4H,), bias_hh (4H,).
    Gradient: ``backward(dh', dc')``, either cotangent None or left out meaning zeros (``backward(dh')``,
        ``backward(None, dc')``), returns dx (``cell(x)``) or (dx, (dh, dc)) (``cell(x, (h, c))``). With
        s_i, s_f, s_o the sigmoids, t_g = tanh(g), t = tanh(c'):
        dc_tot = dc' + dh' s_o (1 - t^2);   dc = dc_tot s_f
        d[i f g o] = [dc_tot t_g s_i (1 - s_i), dc_tot c s_f (1 - s_f), dc_tot s_i (1 - t_g^2), dh' t s_o (1 - s_o)]
        dx = d[ifgo] W_ih;  dh = d[ifgo] W_hh;  dW_ih = d^T x;  dW_hh = d^T h;  db_ih = db_hh = sum_n d.
    """

    _name = "LSTMCell"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, dtype, rng)

    def _states(self, hx, batched: bool):
        """(h, c) batched, as torch's LSTMCell.forward reads hx, plus what backward needs to nest dhx like hx."""
        if hx is None:
            return None, None, None
        for idx, value in enumerate(hx):  # a tuple or list, or the rows of an array (as torch iterates a tensor)
            nd = _ndim(value, f"hx[{idx}]")
            if nd not in (1, 2):
                raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {nd}D instead")
        if batched:
            if isinstance(hx, np.ndarray):
                raise TypeError("lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not Tensor")
            if len(hx) != 2:
                raise RuntimeError(f"lstm_cell expects two hidden states (got {len(hx)})")
            h, c = hx
        else:
            h, c = hx[0][None], hx[1][None]  # fewer than two: IndexError, more: the rest is ignored (as torch)
        if isinstance(hx, np.ndarray):
            form = ("array", hx.shape, hx.dtype)
        else:
            form = ("seq", tuple((v.shape, v.dtype) if v.dtype.kind == "f" else None for v in hx))
        return h, c, form

    def forward(self, input: np.ndarray, hx: tuple[np.ndarray, np.ndarray] | None = None):
        batched = self._batched(input)
        x = input if batched else input[None]
        h, c, form = self._states(hx, batched)
        self._check(x, (h, c))
        gi, gh = self._affine(x, h)
        dt, H = gi.dtype, self.hidden_size
        if c is None:
            c = np.zeros((x.shape[0], H), dt)
        elif c.dtype.kind in "biu":  # torch: an integer/bool c times a float gate has the gate's dtype
            c = c.astype(dt)
        elif c.dtype.kind == "f":  # floats promote (the outputs and dc' then have the promoted dtype)
            c = c.astype(np.promote_types(dt, c.dtype))  # always a copy: backward owns it
        else:
            raise TypeError(f"LSTMCell: the cell state must be a real array, got {c.dtype}")
        gates = gh + gi
        i, f, o = (_sig(gates[:, k * H:(k + 1) * H], dt) for k in (0, 1, 3))
        g = _tanh(gates[:, 2 * H:3 * H], dt)
        cy = f * c + i * g
        t = _tanh(cy, cy.dtype)
        hy = o * t
        out = (hy, cy) if batched else (hy[0], cy[0])
        return self._save(out, x.copy(), None if h is None else h.copy(), c, i, f, g, o, t, input.shape, form)

    def backward(self, d_h: np.ndarray | None = None, d_c: np.ndarray | None = None):
        (dhy, dcy), (x, h, c, i, f, g, o, t, x_shape, form) = self._saved_all(d_h, d_c)
        dt, H = i.dtype, self.hidden_size
        dhy, dcy = dhy.reshape(t.shape), dcy.reshape(t.shape)
        dc_tot = dcy + _tanh_grad(dhy * o, t)  # c' reaches the loss directly and through h' = o tanh(c')
        d_ig = dc_tot.astype(dt, copy=False)  # the gradient of i*g, in the gates' dtype
        da = np.empty((x.shape[0], 4 * H), dt)
        da[:, :H] = _sig_grad(d_ig * g, i)
        da[:, H:2 * H] = _sig_grad((dc_tot * c).astype(dt, copy=False), f)
        da[:, 2 * H:3 * H] = _tanh_grad(d_ig * i, g)
        da[:, 3 * H:] = _sig_grad((dhy * t).astype(dt, copy=False), o)
        dx, dh = self._backprop(x, h, da, da)
        dx = dx.reshape(x_shape)
        if form is None:
            return dx
        dc = dc_tot * f
        if form[0] == "array":  # the rows of one array were h and c (1-d input only): one gradient array
            _, shape, dtype = form
            dhx = np.zeros(shape, dtype)
            dhx[0], dhx[1] = dh[0], dc[0]
            return dx, dhx
        grads = (dh, dc)
        dhx = tuple(None if spec is None else
                    (grads[k].reshape(spec[0]).astype(spec[1], copy=False) if k < 2 else np.zeros(*spec))
                    for k, spec in enumerate(form[1]))
        dhx = tuple(d for d in dhx if d is not None)
        return (dx, dhx) if dhx else dx
