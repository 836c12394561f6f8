"""``python -m segcore``: the headless command line."""

import sys

from segcore.cli import main

if __name__ == "__main__":
    sys.exit(main())
