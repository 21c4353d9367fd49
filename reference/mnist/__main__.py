"""``python -m reference.mnist --experiment {mlp600-sgd,mlp600-adam,bn-elu,tanh-dropout} ...``"""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
