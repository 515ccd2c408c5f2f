"""``python -m sk_mlpbp``: the ``sk-mlpbp`` command line."""

import sys

from sk_mlpbp._cli import main

if __name__ == "__main__":
    sys.exit(main())
