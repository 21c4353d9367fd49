"""``python -m reference.mnist --experiment NAME ...`` (``--help`` lists the experiments and options)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
