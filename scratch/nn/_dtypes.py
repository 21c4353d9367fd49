"""torch's names of numpy dtypes, for error messages worded as torch's (``not implemented for 'Long'``)."""

from __future__ import annotations

import numpy as np

_TORCH_NAMES = {"bool": "Bool", "int8": "Char", "uint8": "Byte", "int16": "Short", "int32": "Int", "int64": "Long",
                "float16": "Half", "float32": "Float", "float64": "Double", "complex64": "ComplexFloat",
                "complex128": "ComplexDouble"}


def torch_dtype_name(dtype) -> str:
    """torch's ScalarType name of a numpy dtype (its numpy name where torch has none)."""
    name = np.dtype(dtype).name
    return _TORCH_NAMES.get(name, name)
