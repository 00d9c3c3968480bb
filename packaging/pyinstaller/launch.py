"""The bundle's entry point: the same ``main`` as the ``wan-desktop`` console script."""

import multiprocessing
import sys

from wan_desktop.__main__ import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
