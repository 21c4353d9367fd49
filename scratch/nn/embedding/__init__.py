"""The embedding family: Embedding (table.py) and EmbeddingBag (bag.py), lookup tables whose inputs are integer
indices; _common.py holds their shared checks, the weight, torch's max_norm renorm and the ordered row sums.

Gradients and bag sums are added in the order of the input, the order torch's CPU kernels add them in, by
one ``np.bincount`` over (row, column) cells (float64 accumulation, one rounding; no Python loop over rows).
"""

from . import bag, table
from .bag import *  # noqa: F403
from .table import *  # noqa: F403

__all__ = table.__all__ + bag.__all__
