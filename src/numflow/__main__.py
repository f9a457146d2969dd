"""`python -m numflow run SCRIPT [ARGS...]`."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
