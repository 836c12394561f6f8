"""Start the annotator: ``python main.py [PATH]``."""

import sys

from segstudio.main import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
