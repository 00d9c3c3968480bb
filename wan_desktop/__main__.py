"""``python -m wan_desktop`` and the ``wan-desktop`` entry point."""

from __future__ import annotations

import sys

from .cli import main as _cli_main

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line (``argv`` without the program name; default ``sys.argv[1:]``).

    With no sub-command it opens the window, reusing an existing ``QApplication``.
    """
    return _cli_main(sys.argv[1:] if argv is None else list(argv))


if __name__ == "__main__":
    sys.exit(main())
