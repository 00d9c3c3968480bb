"""``wan-desktop library ...``: list, search, show, export, rebuild and import from a shell.

``add_parser(subparsers)`` adds the ``library`` command; ``run(args)`` executes it and returns
the exit code: 0 done, 2 bad input (unknown id, unreadable file, bad template) with a message
on stderr. ``--json`` prints machine-readable output on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from ..media.video import VideoError
from .export import DEFAULT_TEMPLATE, ExportError
from .models import EntrySummary
from .store import EntryNotFoundError, Library, LibraryError

__all__ = ["add_parser", "run"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
_PROMPT_WIDTH = 50


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``library`` command (and its sub-commands) to an argparse sub-parser set."""
    parser = subparsers.add_parser("library", help="browse and manage the library of results")
    parser.add_argument(
        "--library", type=Path, default=None, help="library folder (default: the app's)"
    )
    commands = parser.add_subparsers(dest="library_command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--json", action="store_true", help="print JSON on stdout")
        return sub

    listing = command("list", "newest entries first")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--offset", type=int, default=0)
    search = command("search", "entries whose prompt, tags, notes or title match")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=50)
    show = command("show", "everything about one entry")
    show.add_argument("id")
    export = command("export", "copy an entry's video to a folder")
    export.add_argument("id")
    export.add_argument("dest", type=Path)
    export.add_argument("--template", default=DEFAULT_TEMPLATE)
    export.add_argument("--with-sidecar", action="store_true")
    command("rebuild", "recreate the index from the entry folders")
    importing = command("import", "add an MP4 made elsewhere")
    importing.add_argument("file", type=Path)
    parser.set_defaults(run=run)
    return parser


def _table(rows: list[EntrySummary], out: TextIO) -> None:
    if not rows:
        print("(no entries)", file=out)
        return
    print(f"{'ID':16}  {'DATE':16}  {'DUR':>5}  {'RES':9}  {'★':1}  PROMPT", file=out)
    for row in rows:
        date = row.created_at[:16].replace("T", " ")
        prompt = " ".join((row.title or row.prompt).split())
        if len(prompt) > _PROMPT_WIDTH:
            prompt = prompt[: _PROMPT_WIDTH - 1] + "…"
        res = f"{row.width}x{row.height}" if row.width else row.resolution
        star = "★" if row.favourite else " "
        print(
            f"{row.id:16}  {date:16}  {row.duration_s:4.1f}s  {res:9}  {star}  {prompt}", file=out
        )


def _show(entry: dict[str, Any], out: TextIO) -> None:
    keys = (
        "id", "created_at", "title", "prompt", "actual_prompt", "seed", "resolution",
        "duration_s", "width", "height", "has_audio", "favourite", "tags", "notes",
        "parent_id", "request_id", "endpoint", "cost_usd", "trashed_at", "video_path",
        "image_path", "audio_path", "sidecar_path",
    )  # fmt: skip
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        print(f"{key}: {'' if value is None else value}", file=out)
    request = entry.get("request") or {}
    if request.get("negative_prompt"):
        print(f"negative_prompt: {request['negative_prompt']}", file=out)


def run(
    args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Execute a parsed ``library`` command; returns the exit code."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    as_json = getattr(args, "json", False)
    try:
        with Library.open(args.library) as lib:
            command = args.library_command
            if command in ("list", "search"):
                if args.limit <= 0 or getattr(args, "offset", 0) < 0:
                    raise ValueError("--limit must be positive and --offset not negative")
                rows = (
                    lib.list(limit=args.limit, offset=args.offset)
                    if command == "list"
                    else lib.search(args.query, limit=args.limit)
                )
                if as_json:
                    json.dump([r.to_dict() for r in rows], out, ensure_ascii=False, indent=2)
                    out.write("\n")
                else:
                    _table(rows, out)
            elif command == "show":
                entry = lib.get(args.id).to_dict()
                if as_json:
                    entry.pop("data", None)
                    json.dump(entry, out, ensure_ascii=False, indent=2)
                    out.write("\n")
                else:
                    _show(entry, out)
            elif command == "export":
                path = lib.export(args.id, args.dest, args.template, args.with_sidecar)
                if as_json:
                    json.dump({"path": str(path)}, out)
                    out.write("\n")
                else:
                    print(path, file=out)
            elif command == "rebuild":
                report = lib.rebuild()
                if as_json:
                    json.dump(report.to_dict(), out, indent=2)
                    out.write("\n")
                else:
                    print(
                        f"indexed {report.indexed} entries ({report.from_sidecar} from sidecars, "
                        f"{report.from_comment} from video comments); "
                        f"skipped {len(report.skipped)}",
                        file=out,
                    )
                    for folder, reason in report.skipped:
                        print(f"  skipped {folder}: {reason}", file=err)
                    if report.corrupt_moved_to:
                        print(f"the damaged index was kept as {report.corrupt_moved_to}", file=err)
            elif command == "import":
                entry = lib.import_video(args.file)
                if as_json:
                    json.dump({"id": entry.id, "video": str(entry.video_path)}, out)
                    out.write("\n")
                else:
                    print(f"{entry.id}  {entry.video_path}", file=out)
            else:  # pragma: no cover - argparse refuses unknown commands
                raise ValueError(f"unknown command {command!r}")
    except EntryNotFoundError as exc:
        print(f"wan-desktop library: {exc}", file=err)
        return EXIT_BAD_INPUT
    except (LibraryError, ExportError, VideoError, ValueError, OSError) as exc:
        print(f"wan-desktop library: {exc}", file=err)
        return EXIT_BAD_INPUT
    return EXIT_OK
