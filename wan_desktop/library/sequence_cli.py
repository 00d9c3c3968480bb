"""``wan-desktop sequence ...``: make, list, show and export sequences from a shell.

``sequence new NAME (--chain ID | ID…)`` makes one (``--chain``: the clip's continue-chain,
from its root ancestor to its latest child); ``list``, ``show ID``; ``export ID DEST
[--crossfade N] [--otio]`` writes one MP4 (and with ``--otio`` the timeline as DEST with
``.otio`` in place of its extension). ``--json`` prints machine-readable output on stdout;
progress goes to stderr when it is a terminal.

Exit codes, as ``wan-desktop library``: 0 done; 2 bad input (unknown id, a clip missing or
unreadable, in/out points or a crossfade out of range: one sentence naming the field and the
limit); 1 the index could not be used; 130 interrupted (Ctrl+C or SIGTERM: the export stops
at the next frame and leaves no file).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import msgspec

from ..core.atomic import file_in_the_way
from ..media.sequence_plan import CROSSFADE_MAX_FRAMES
from .cli import command_parser, print_json, run_on_library
from .errors import LibraryError
from .sequences import Sequence
from .store import Library

__all__ = ["add_parser", "run"]

EXIT_INTERRUPTED = 130
_NAME_WIDTH = 40
_PROMPT_WIDTH = 50


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sequence`` command (and its sub-commands) to an argparse sub-parser set."""
    parser, command = command_parser(
        subparsers, "sequence", "make and export sequences of clips", "sequence_command"
    )
    new = command("new", "make a sequence from a chain or from clips in order")
    new.add_argument("name", help="the sequence's name")
    new.add_argument("ids", nargs="*", metavar="ID", help="library entries, in order")
    # Any number of values, so "--chain A B" reaches _new and is refused there by name;
    # one value would leave argparse's "unrecognized arguments: B".
    new.add_argument(
        "--chain", nargs="+", action="extend", metavar="ID",
        help="the continue-chain through entry ID",
    )  # fmt: skip
    command("list", "every sequence, the most recently changed first")
    show = command("show", "one sequence and its clips")
    show.add_argument("id")
    export = command("export", "write a sequence as one MP4 (and an .otio timeline)")
    export.add_argument("id")
    export.add_argument(
        "dest", type=Path,
        help="the MP4 to write (replaced if it exists; its folder is made if it does not exist)",
    )  # fmt: skip
    export.add_argument(
        "--crossfade", type=int, metavar="N", default=None,
        help=f"crossfade every join over N frames (0–{CROSSFADE_MAX_FRAMES}; default: as saved)",
    )  # fmt: skip
    export.add_argument(
        "--otio", action="store_true", help="also write DEST with .otio for its extension"
    )
    parser.set_defaults(run=run)
    return parser


def _print_json(value: Any, out: TextIO) -> None:
    print_json(value, out, indent=2)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _new(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    chain = args.chain or []
    if len(chain) > 1:
        raise ValueError(
            "give either --chain ID or the entry ids in order: --chain takes one clip of the "
            f"chain, got {len(chain)} ({' '.join(chain)[:80]})"
        )
    if bool(chain) == bool(args.ids):
        raise ValueError("give either --chain ID or the entry ids in order (not both, not none)")
    entry_ids = lib.chain(chain[0]) if chain else args.ids
    sequence = lib.new_sequence(args.name, entry_ids)
    if args.json:
        _print_json(msgspec.to_builtins(sequence), out)
    else:
        print(f"{sequence.id}  {sequence.name}  ({len(sequence.items)} clips)", file=out)


def _list(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    sequences = lib.list_sequences()
    if args.json:
        _print_json([msgspec.to_builtins(s) for s in sequences], out)
        return
    if not sequences:
        print("(no sequences)", file=out)
        return
    print(f"{'ID':18}  {'UPDATED':16}  {'CLIPS':>5}  NAME", file=out)
    for sequence in sequences:
        updated = sequence.updated_at[:16].replace("T", " ")
        name = _short(sequence.name, _NAME_WIDTH)
        print(f"{sequence.id:18}  {updated:16}  {len(sequence.items):5}  {name}", file=out)


def _show(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    sequence = lib.get_sequence(args.id)
    if args.json:
        _print_json(msgspec.to_builtins(sequence), out)
        return
    print(f"id: {sequence.id}\nname: {sequence.name}", file=out)
    print(f"created_at: {sequence.created_at}\nupdated_at: {sequence.updated_at}", file=out)
    print(f"clips: {len(sequence.items)}", file=out)
    for n, item in enumerate(sequence.items, start=1):
        try:
            entry = lib.get(item.entry_id)
            prompt = _short(entry.title or entry.prompt, _PROMPT_WIDTH)
        except LibraryError:
            prompt = "(not in the library)"
        end = "end" if item.end_frame is None else str(item.end_frame)
        fade = f"  crossfade {item.crossfade_frames}" if n > 1 and item.crossfade_frames else ""
        print(
            f"{n:3}. {item.entry_id:16}  frames {item.start_frame}–{end}{fade}  {prompt}", file=out
        )


class _TerminalProgress:
    """``exporting 42% (480/1137 frames)`` rewritten in place on a terminal; nothing else."""

    def __init__(self, err: TextIO):
        self._err = err
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // max(1, total)
        self._err.write(f"\rexporting {percent:3d}% ({done}/{total} frames)")
        self._err.flush()
        self._shown = True

    def end(self) -> None:
        if self._shown:
            self._err.write("\n")
            self._err.flush()


@contextlib.contextmanager
def _stop_on_signals(cancel: threading.Event) -> Iterator[None]:
    """Ctrl+C and SIGTERM set ``cancel`` (the export stops at its next frame and removes its
    temporary file) instead of killing the process mid-write."""
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):  # not the main thread: leave as is
            previous[sig] = signal.signal(sig, lambda *_: cancel.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _crossfade_option(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= CROSSFADE_MAX_FRAMES:
        raise ValueError(f"--crossfade is {value}; it must be 0–{CROSSFADE_MAX_FRAMES} frames")
    return value


def _export(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    """Write the sequence to ``args.dest``, making its folder (and parents) when missing, as
    ``library export`` makes its destination folder."""
    from .sequence_parts import export_files

    crossfade = _crossfade_option(args.crossfade)
    sequence: Sequence = lib.get_sequence(args.id)
    if args.dest.is_dir():
        raise ValueError(f"{args.dest} is a folder; give the MP4's file name (e.g. film.mp4)")
    blocker = file_in_the_way(args.dest.parent)
    if blocker is not None:
        raise ValueError(f"{blocker} is not a folder, so {args.dest.name} cannot be written in it")
    cancel = threading.Event()
    progress = _TerminalProgress(err) if err.isatty() else None
    try:
        with _stop_on_signals(cancel):
            plan, timeline = export_files(
                lib, sequence, args.dest, crossfade=crossfade, otio=args.otio,
                progress=progress, cancel=cancel,
            )  # fmt: skip
    finally:
        if progress is not None:
            progress.end()
    video = args.dest.resolve()
    if args.json:
        _print_json(
            {
                "id": sequence.id, "path": str(video),
                "otio": str(timeline.resolve()) if timeline else None,
                "duration_s": round(plan.duration_s, 3), "frames": plan.total_frames,
                "fps": plan.fps, "width": plan.width, "height": plan.height,
                "clips": len(plan.parts),
            },
            out,
        )  # fmt: skip
        return
    print(video, file=out)
    if timeline is not None:
        print(timeline.resolve(), file=out)


_COMMANDS = {"new": _new, "list": _list, "show": _show, "export": _export}


def run(
    args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Execute a parsed ``sequence`` command; returns the exit code. Every refusal is one
    sentence on stderr, never a traceback."""
    from ..media.sequence_export import ExportCancelled

    err = stderr or sys.stderr
    command = _COMMANDS[args.sequence_command]
    try:
        return run_on_library("sequence", args, command, stdout=stdout, stderr=err)
    except ExportCancelled:
        print("wan-desktop sequence: interrupted; nothing was written", file=err)
        return EXIT_INTERRUPTED
