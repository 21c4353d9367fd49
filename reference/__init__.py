"""PyTorch twins of every scratch block: same names, signatures and numpy-in/numpy-out boundary.

The twins import numpy and torch only, never scratch, so they stay an independent oracle. torch is an optional
dependency of the package (``pip install 'scratch-nn[torch]'``): scratch itself needs numpy only.
"""

import importlib.util

if importlib.util.find_spec("torch") is None:  # say so here, not deep inside a twin
    raise ImportError("reference (the PyTorch twins and python -m reference.mnist) needs torch, which is not "
                      "installed: pip install 'scratch-nn[torch]'")
