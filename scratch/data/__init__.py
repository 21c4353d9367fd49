"""scratch.data: MNIST loading, one_hot and a seeded DataLoader (numpy and the standard library only)."""

from .idx import read_idx, write_idx
from .loader import DataLoader, one_hot
from .mnist import load_mnist

__all__ = ["load_mnist", "one_hot", "DataLoader", "read_idx", "write_idx"]
