"""``python -m validator`` runs the command line."""

from validator.cli import main

if __name__ == "__main__":
    main()
