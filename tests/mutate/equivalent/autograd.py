"""Equivalent mutants of scratch/autograd/ (tests/mutate/equivalent/__init__.py says how they are keyed)."""

_ZERO_D = ("the fallback axis is used only for a 0-d tensor (_axes returns () there), whose transpose returns the "
           "data and gradient unchanged without reading the axis")

EQUIVALENT: dict[str, str | dict[str, str]] = {
    "scratch/autograd/tensor.py::Tensor.backward::boolop::pg is None or not parent._requires_grad -> pg is None "
    "and (not parent._requires_grad)#0":
        "_topological_order visits only nodes that require grad, so a gradient stored for a parent that does "
        "not is never popped: no .grad is set (test_a_constant_operand_gets_no_grad_like_torch), and every "
        "backward returns its operands' shapes (the shape check cannot fire)",
    "scratch/autograd/tensor.py::as_tensor::boolop::isinstance(x, (np.ndarray, np.generic)) and dtype is None "
    "-> isinstance(x, (np.ndarray, np.generic)) or dtype is None#0":
        "an array with a dtype is wrapped uncast: its only caller with a dtype (ops._binary) casts the data to "
        "the promoted dtype itself (a.data.astype(dt)), and the wrapper is a constant whose dtype is never read "
        "(no gradient reaches a tensor that does not require grad)",
    "scratch/autograd/reduce.py::transpose::constant::0 -> 1#0": _ZERO_D,
    "scratch/autograd/reduce.py::transpose::constant::0 -> 1#1": _ZERO_D,
    "scratch/autograd/reduce.py::permute::constant::1 -> 0#0":
        "max(ndim, 1) vs max(ndim, 0) differ only for a 0-d tensor, whose dims must be empty (checked first), so "
        "the modulo never runs there",
}
