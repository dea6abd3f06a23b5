"""``python -m lambda_constructs.parallel``: see :mod:`lambda_constructs.parallel.cli`."""

import sys

from lambda_constructs.parallel.cli import main

if __name__ == "__main__":
    sys.exit(main())
