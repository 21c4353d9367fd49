"""scratch: a from-scratch NumPy neural-network library whose every formula is cross-checked against PyTorch."""

__version__ = "0.1.0"
