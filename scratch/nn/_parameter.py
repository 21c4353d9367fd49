"""Parameter and the input checks every block shares (the module protocol itself is in ``module.py``)."""

from __future__ import annotations

import numpy as np

from scratch.sparse import SparseGrad

FLOAT_DTYPES = (np.float32, np.float64)


def check_float_dtype(dtype) -> np.dtype:
    """Validate a module's compute dtype (float32 default, like torch) and return it as np.dtype."""
    dt = np.dtype(dtype)
    if dt.type not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    return dt


def check_input(x, name: str = "input") -> np.ndarray:
    """Inputs must be float numpy arrays: torch refuses integer inputs to float layers."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype.type not in FLOAT_DTYPES:
        raise RuntimeError(f"{name} must be float32 or float64, got {x.dtype}")
    return x


def check_same_dtype(x: np.ndarray, dtype: np.dtype, what: str) -> None:
    """torch raises RuntimeError when a float64 input meets float32 weights (and vice versa)."""
    if x.dtype != dtype:
        raise RuntimeError(f"{what}: expected input of dtype {dtype} (the parameters' dtype), got {x.dtype}")


def _typename(obj) -> str:
    """torch.typename for non-tensors: 'int', 'numpy.ndarray', 'scratch.nn.linear.Linear'."""
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ in ("", "builtins") else f"{cls.__module__}.{cls.__qualname__}"


def _is_bool(value) -> bool:
    return isinstance(value, bool | np.bool_)


class Parameter:
    """A trainable array: ``data`` (np.ndarray) and ``grad`` (np.ndarray, a :class:`scratch.sparse.SparseGrad` from
    ``Embedding(sparse=True)``, or None; accumulated by backward).

    Args:
        data (array-like): the initial value.
        requires_grad (bool, default True): False freezes the parameter: backward still returns the input
            gradient but accumulates nothing into ``grad`` (it stays None, or keeps what it held), so every
            optimizer leaves it alone (they skip parameters whose ``grad`` is None, as torch's do).
    """

    __slots__ = ("data", "grad", "_requires_grad")

    def __init__(self, data: np.ndarray, requires_grad: bool = True) -> None:
        self.data = np.asarray(data)
        self.grad: np.ndarray | None = None
        self.requires_grad = requires_grad

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if not _is_bool(value):
            raise RuntimeError("requires_grad must be a bool")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Parameter:
        """Set ``requires_grad`` in place and return self (torch's ``Tensor.requires_grad_``)."""
        if not _is_bool(requires_grad):
            raise TypeError("requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                            f"{type(requires_grad).__name__}")
        self._requires_grad = bool(requires_grad)
        return self

    def accumulate(self, g: np.ndarray, owned: bool = False) -> None:
        """grad += g (grad starts as None, like torch's .grad); nothing at all when requires_grad is False.

        ``owned=True`` promises ``g`` is a fresh array nobody else holds: the first accumulation then keeps it
        instead of copying (a 600x784 copy per step matters on the training hot path)."""
        if not self._requires_grad:
            return
        g = g.astype(self.data.dtype, copy=False)
        if self.grad is None:
            fresh = owned and (isinstance(g, SparseGrad) or g.base is None)
            self.grad = g if fresh else g.copy()
        else:  # a SparseGrad joins a sparse one by concatenation and makes a dense one dense (torch's rules)
            self.grad = self.grad + g

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __repr__(self) -> str:
        frozen = "" if self._requires_grad else ", requires_grad=False"
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype}{frozen})"


_UNINITIALIZED = ("Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
                  "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
                  "`forward` to initialize the parameters before accessing their attributes.")


class UninitializedParameter(Parameter):
    """torch.nn.UninitializedParameter: a Lazy module's parameter before its first forward, whose shape is not
    known yet. Its dtype, ``requires_grad`` and ``grad`` (None) can be read and ``to()`` casts its dtype; its shape
    and values cannot (RuntimeError, torch's message). ``materialize(shape)`` turns it into a Parameter of that
    shape IN PLACE (the same object, so a state_dict or optimizer holding it sees the change), its values
    uninitialized until the module draws them, as torch's.

    Args:
        requires_grad (bool, default True); dtype (default np.float32).
    """

    __slots__ = ()

    def __init__(self, requires_grad: bool = True, dtype=np.float32) -> None:
        super().__init__(np.empty(0, check_float_dtype(dtype)), requires_grad)  # holds the dtype only

    @property
    def shape(self) -> tuple[int, ...]:
        raise RuntimeError(_UNINITIALIZED)

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError(_UNINITIALIZED)

    def materialized_data(self, shape: tuple[int, ...]) -> np.ndarray:
        shape = tuple(int(n) for n in shape)
        if shape and min(shape) < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
        return np.empty(shape, self.data.dtype)

    def materialize(self, shape: tuple[int, ...]) -> None:
        self.data = self.materialized_data(shape)
        self.__class__ = Parameter

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


class UninitializedBuffer(np.ndarray):
    """torch.nn.UninitializedBuffer: a Lazy module's buffer (e.g. LazyBatchNorm's running_mean) before its first
    forward. An empty array that carries the dtype (``to()`` casts it); its ``shape`` raises RuntimeError with
    torch's message. The module replaces it by a real array when it materializes (``materialized(shape)``)."""

    def __new__(cls, dtype=np.float32) -> UninitializedBuffer:
        return np.empty(0, check_float_dtype(dtype)).view(cls)

    @property
    def shape(self) -> tuple[int, ...]:
        raise RuntimeError(_UNINITIALIZED)

    def materialized(self, shape: tuple[int, ...]) -> np.ndarray:
        """A new (uninitialized) array of ``shape`` in this buffer's dtype."""
        return UninitializedParameter(dtype=self.dtype).materialized_data(shape)

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"


def is_uninitialized(value) -> bool:
    """An UninitializedParameter or UninitializedBuffer, scratch's or torch's (by name: scratch never imports
    torch, and a torch state_dict may hold them)."""
    return type(value).__name__ in ("UninitializedParameter", "UninitializedBuffer")
