"""PyTorch twins of every scratch block: same names, signatures and numpy-in/numpy-out boundary.

The twins import numpy and torch only, never scratch, so they stay an independent oracle.
"""
