"""The command line: ``wan-desktop [IMAGE]`` opens the window; sub-commands do the rest.

Each sub-command lives with the layer it drives (``jobs.cli``, ``library.cli``,
``emulator.cli``); this module only dispatches, so importing it loads no Qt.
"""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["COMMANDS", "build_parser", "main"]

#: sub-command → module with ``add_parser(subparsers)`` and ``run(args) -> int``.
COMMANDS: dict[str, str] = {
    "generate": "wan_desktop.jobs.cli",
    "jobs": "wan_desktop.jobs.cli",
    "library": "wan_desktop.library.cli",
    "sequence": "wan_desktop.library.sequence_cli",
    "spend": "wan_desktop.jobs.cli_spend",
    "emulator": "wan_desktop.emulator.cli",
}


class _VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked for (reading the
    package metadata costs ~30 ms, too much for every start of the window)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, **kw):
        super().__init__(option_strings, dest, nargs=0, default=default, **kw)

    def __call__(self, parser, namespace, values, option_string=None):
        from . import __version__

        print(f"wan-desktop {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The parser of every sub-command (the window's own options are parsed apart)."""
    parser = argparse.ArgumentParser(
        prog="wan-desktop",
        description=(
            "Turn a still image into a short video with Wan 2.6 image-to-video flash, "
            "and keep every result in a local library. With no command, opens the window."
        ),
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    seen: set[str] = set()
    for module_name in COMMANDS.values():
        if module_name in seen:
            continue
        seen.add(module_name)
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def _window_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wan-desktop",
        description="Open the window. Commands: " + ", ".join(COMMANDS) + " (see COMMAND --help).",
    )
    parser.add_argument("image", nargs="?", help="an image to load into the drop zone")
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    parser.add_argument(
        "--screenshot", metavar="PATH", help="render the main window offscreen, save it, exit"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="start the window, load the library, play one frame, exit 0 (a packaging check)",
    )
    return parser


def main(argv: list[str]) -> int:
    """Dispatch ``argv``; returns the process exit code."""
    if not argv:
        # The window as it is usually started: building the parser would only delay its
        # first paint (3–5 ms).
        from .app import run_window

        return int(run_window())
    if argv and argv[0] in COMMANDS:
        args = build_parser().parse_args(argv)
        module = importlib.import_module(COMMANDS[args.command])
        code = int(module.run(args))
        if code == 0 and args.command == "library" and args.library_command == "rebuild":
            # The library does not know the job queue (jobs sits above it): the queue's
            # records in the job folders are put back here, after the index.
            from .jobs.restore import restore_after_rebuild

            restore_after_rebuild(getattr(args, "library", None))
        return code
    if argv and argv[0] in ("-h", "--help"):
        _window_parser().print_help()
        print()
        build_parser().print_help()
        return 0
    args = _window_parser().parse_args(argv)
    from .app import run_window  # Qt is imported only for the window

    return int(run_window(image=args.image, screenshot=args.screenshot, smoke=args.smoke))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
