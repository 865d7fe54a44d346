"""``python -m validator`` runs the command line."""

import sys

try:
    from validator.cli import run
except KeyboardInterrupt:  # Ctrl-C while starting up: no traceback (hostile-inputs J3)
    sys.exit(130)

if __name__ == "__main__":
    run()
