"""``python -m reference.mnist --experiment {seed000,seed000-torch,seed001-bn,seed002-dropout} ...``"""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
