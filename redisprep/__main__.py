"""Run the command line with ``python -m redisprep``."""

from redisprep.cli import main

if __name__ == "__main__":
    main()
