"""``wan-desktop library ...``: list, search, show, export, rebuild and import from a shell;
rate, flag and cull takes (``rate``, ``flag``, ``keep-picks``) so scripts can judge them too;
these bring the videos' MP4 comments up to date before they return. ``sync-comments`` writes
every comment whose judgement is out of date (:mod:`.comment_check`), and every command writes
a few of those a killed window left noted (:func:`.comment_pending.sync_adopted`, quietly).

``add_parser(subparsers)`` adds the ``library`` command; ``run(args)`` executes it and returns
the exit code: 0 done, 2 bad input (unknown id, unreadable or refused file, bad template), 1
the index could not be used (locked, unwritable); every failure is one sentence on stderr.
``--json`` prints machine-readable output on stdout. A damaged index found on opening is moved
aside and rebuilt, and the command says where it went.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..media.video import VideoError
from .comment_check import sync_out_of_date
from .comment_pending import sync_adopted
from .errors import LibraryError
from .export import DEFAULT_TEMPLATE
from .models import SORTS, EntrySummary, Filters
from .store import Library
from .takes import FLAG_PICKED, FLAG_REJECTED, MAX_RATING

__all__ = ["Handler", "add_parser", "command_parser", "print_json", "run", "run_on_library"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2
_PROMPT_WIDTH = 50

#: A sub-command: ``handler(library, args, stdout, stderr)``; it raises to refuse.
Handler = Callable[[Library, argparse.Namespace, TextIO, TextIO], None]


def command_parser(
    subparsers: Any, name: str, help_text: str, dest: str
) -> tuple[argparse.ArgumentParser, Callable[[str, str], argparse.ArgumentParser]]:
    """Add a command that works on a library (``--library``, default: the app's) whose
    sub-command lands in ``args.<dest>``; returns its parser and a maker of sub-commands
    (``command(name, help)``, each with ``--json``). ``library`` and ``sequence`` share it."""
    parser = subparsers.add_parser(name, help=help_text)
    parser.add_argument(
        "--library", type=Path, default=None, help="library folder (default: the app's)"
    )
    commands = parser.add_subparsers(dest=dest, required=True, metavar="COMMAND")

    def command(sub_name: str, sub_help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(sub_name, help=sub_help)
        sub.add_argument("--json", action="store_true", help="print JSON on stdout")
        return sub

    return parser, command


def run_on_library(
    name: str,
    args: argparse.Namespace,
    handler: Handler,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    tell_repair: bool = True,
    resume_syncs: bool = True,
) -> int:
    """Open ``args.library``, run ``handler`` on it and return the exit code: 2 for a refusal
    (:class:`LibraryError`, the media layer's ``VideoError``, a bad value, a file error), 1
    when the index cannot be used; each said as one sentence on stderr after
    ``wan-desktop NAME:``, never a traceback. With ``tell_repair`` a damaged index found on
    opening (moved aside and rebuilt) is said first. With ``resume_syncs`` a few comments a
    killed process left to write are written after the handler, quietly."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        with Library.open(args.library) as lib:
            moved = lib.corrupt_index_moved_to
            if moved is not None and tell_repair:
                print(
                    f"wan-desktop {name}: the index was damaged: it was moved to {moved} "
                    "and rebuilt from the entry folders",
                    file=err,
                )
            handler(lib, args, out, err)
            if resume_syncs:
                sync_adopted(lib)
    except (LibraryError, VideoError, ValueError, OSError) as exc:
        print(f"wan-desktop {name}: {exc}", file=err)
        return EXIT_BAD_INPUT
    except sqlite3.Error as exc:
        print(f"wan-desktop {name}: the index could not be used ({exc})", file=err)
        return EXIT_FAILURE
    return EXIT_OK


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``library`` command (and its sub-commands) to an argparse sub-parser set."""
    parser, command = command_parser(
        subparsers, "library", "browse and manage the library of results", "library_command"
    )
    listing = command("list", "newest entries first")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--offset", type=int, default=0)
    _add_filters(listing, "newest")
    search = command(
        "search",
        "entries whose prompt, tags, notes or title match (also rating:N, is:picked, "
        "is:rejected, group:ID)",
    )
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=50)
    _add_filters(search, "relevance")
    show = command("show", "everything about one entry")
    show.add_argument("id")
    export = command("export", "copy an entry's video to a folder")
    export.add_argument("id")
    export.add_argument(
        "dest", type=Path, help="the folder to copy into (made if it does not exist)"
    )
    export.add_argument("--template", default=DEFAULT_TEMPLATE)
    export.add_argument("--with-sidecar", action="store_true")
    command("rebuild", "recreate the index from the entry folders")
    importing = command("import", "add an MP4 made elsewhere")
    importing.add_argument("file", type=Path)
    rate = command("rate", f"rate an entry 1 to {MAX_RATING} stars (0 clears)")
    rate.add_argument("id")
    rate.add_argument("stars", type=int)
    flag = command("flag", "mark an entry picked or rejected (none clears)")
    flag.add_argument("id")
    flag.add_argument("flag", choices=(FLAG_PICKED, FLAG_REJECTED, "none"))
    keep = command("keep-picks", "move the rejected takes of a group to the trash")
    keep.add_argument("group")
    command("sync-comments", "write every video comment whose rating or flag is out of date")
    parser.set_defaults(run=run)
    return parser


def _add_filters(sub: argparse.ArgumentParser, default_sort: str) -> None:
    """The take filters and the sort, shared by ``list`` and ``search``."""
    sub.add_argument(
        "--rating", type=int, metavar="N", help=f"rated at least N stars (1 to {MAX_RATING})"
    )
    flags = sub.add_mutually_exclusive_group()
    flags.add_argument("--picked", action="store_true", help="only the picked takes")
    flags.add_argument("--rejected", action="store_true", help="only the rejected takes")
    sub.add_argument("--group", metavar="ID", help="only the takes of this group")
    sorts = [s for s in SORTS if s != "relevance" or default_sort == "relevance"]
    sub.add_argument(
        "--sort", choices=sorts, default=None,
        help=f"default: {default_sort}; with --group (list): take, the order they were queued",
    )  # fmt: skip
    sub.set_defaults(default_sort=default_sort)


def _filters(args: argparse.Namespace) -> Filters:
    """The filters asked for on the command line. A rating out of range raises ``ValueError``
    here, a malformed group id ``FieldError`` when the query is built; both messages name the
    option and its limit (exit code 2)."""
    if args.rating is not None and not 1 <= args.rating <= MAX_RATING:
        raise ValueError(f"--rating must be from 1 to {MAX_RATING}; got {args.rating}")
    flag = FLAG_PICKED if args.picked else FLAG_REJECTED if args.rejected else None
    return Filters(min_rating=args.rating, flag=flag, group_id=args.group)


def _judgement(row: EntrySummary) -> str:
    """The rating and flag as a table cell: ``4✓`` (4 stars, picked), ``-✗`` (rejected)."""
    mark = {FLAG_PICKED: "✓", FLAG_REJECTED: "✗"}.get(row.flag, " ")
    return f"{row.rating or '-'}{mark}"


def _table(rows: list[EntrySummary], out: TextIO) -> None:
    if not rows:
        print("(no entries)", file=out)
        return
    print(f"{'ID':16}  {'DATE':16}  {'DUR':>5}  {'RES':9}  {'★':1}  RATE  PROMPT", file=out)
    for row in rows:
        date = row.created_at[:16].replace("T", " ")
        prompt = " ".join((row.title or row.prompt).split())
        if len(prompt) > _PROMPT_WIDTH:
            prompt = prompt[: _PROMPT_WIDTH - 1] + "…"
        res = f"{row.width}x{row.height}" if row.width else row.resolution
        star = "★" if row.favourite else " "
        print(
            f"{row.id:16}  {date:16}  {row.duration_s:4.1f}s  {res:9}  {star}  "
            f"{_judgement(row):4}  {prompt}",
            file=out,
        )


def _show(entry: dict[str, Any], out: TextIO) -> None:
    keys = (
        "id", "created_at", "title", "prompt", "actual_prompt", "seed", "resolution",
        "duration_s", "width", "height", "has_audio", "favourite", "rating", "flag", "tags",
        "notes", "group_id", "variant", "take", "parent_id", "request_id", "endpoint", "cost_usd",
        "trashed_at", "video_path", "image_path", "audio_path", "sidecar_path",
    )  # fmt: skip
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        print(f"{key}: {'' if value is None else value}", file=out)
    request = entry.get("request") or {}
    if request.get("negative_prompt"):
        print(f"negative_prompt: {request['negative_prompt']}", file=out)


def print_json(value: Any, out: TextIO, *, indent: int | None = None) -> None:
    """``value`` as JSON on ``out``, one line unless ``indent``; text kept as it is."""
    json.dump(value, out, ensure_ascii=False, indent=indent)
    out.write("\n")


def _list(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    if args.limit <= 0 or getattr(args, "offset", 0) < 0:
        raise ValueError("--limit must be positive and --offset not negative")
    filters = _filters(args)
    if args.library_command == "list":
        # A group's takes read in the order they were queued, as the contact sheet shows them.
        sort = args.sort or ("take" if args.group else args.default_sort)
        rows = lib.list(filters, sort=sort, limit=args.limit, offset=args.offset)
    else:
        rows = lib.search(
            args.query, filters, sort=args.sort or args.default_sort, limit=args.limit
        )
    if args.json:
        print_json([r.to_dict() for r in rows], out, indent=2)
    else:
        _table(rows, out)


def _show_command(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    entry = lib.get(args.id)
    shown = entry.to_dict()
    if args.json:
        shown.pop("data", None)
        shown["set_aside"] = entry.set_aside
        print_json(shown, out, indent=2)
        return
    _show(shown, out)
    if entry.set_aside:
        print(f"set_aside: {', '.join(sorted(entry.set_aside))}", file=out)


def _export(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    """Copy the entry into the folder ``args.dest``, made (with its parents) when missing, as
    ``sequence export`` makes its MP4's folder."""
    path = lib.export(args.id, args.dest, args.template, args.with_sidecar)
    if args.json:
        print_json({"path": str(path)}, out)
    else:
        print(path, file=out)


def _rebuild(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    report = lib.rebuild()
    if args.json:
        print_json(report.to_dict(), out, indent=2)
        return
    print(
        f"indexed {report.indexed} entries ({report.from_sidecar} from sidecars, "
        f"{report.from_comment} from video comments) and {report.sequences} sequences; "
        f"skipped {len(report.skipped)}",
        file=out,
    )
    if report.corrupt_moved_to:
        print(
            f"the index was damaged: it was moved to {report.corrupt_moved_to} and rebuilt",
            file=out,
        )
    for folder, reason in report.skipped:
        print(f"  skipped {folder}: {reason}", file=err)
    for folder, names in report.set_aside:
        print(f"  set aside in {folder} (wrong type): {', '.join(names)}", file=err)


def _import(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    entry = lib.import_video(args.file)
    aside = sorted(entry.set_aside)
    if args.json:
        print_json({"id": entry.id, "video": str(entry.video_path), "set_aside": aside}, out)
        return
    print(f"{entry.id}  {entry.video_path}", file=out)
    if aside:
        print(
            f"wan-desktop library: its metadata had fields of the wrong type, set aside "
            f"(imported as a video made elsewhere): {', '.join(aside)}",
            file=err,
        )


def _judge(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    if args.library_command == "rate":
        entry = lib.set_rating(args.id, args.stars)
        said = f"rated {entry.rating}" if entry.rating else "not rated"
    else:
        entry = lib.set_flag(args.id, args.flag)
        said = entry.flag or "not flagged"
    # The judgement travels in the video too: a script that copies the file next sees it.
    if lib.sync_comment(entry.id):
        entry = lib.get(entry.id)
    if args.json:
        print_json(entry.summary().to_dict(), out)
    else:
        print(f"{entry.id}  {said}", file=out)


def _keep_picks(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    # Every take's comment says how it was judged before the rejects leave (the window may
    # have left some to its background sync).
    for member in lib.group_members(args.group):
        lib.sync_comment(member.id)
    trashed = lib.keep_picks(args.group)
    if args.json:
        print_json({"group_id": args.group, "trashed": trashed}, out)
        return
    for entry_id in trashed:
        print(entry_id, file=out)
    print(
        f"moved {len(trashed)} rejected take{'s' if len(trashed) != 1 else ''} to the trash",
        file=err,
    )


def _sync_comments(lib: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    report = sync_out_of_date(lib)
    if args.json:
        print_json(report.to_dict(), out)
    else:
        print(
            f"checked {report.checked} entries: {report.out_of_date} out of date, "
            f"{report.rewritten} rewritten, {len(report.failed)} failed",
            file=out,
        )
        for entry_id, reason in report.failed:
            print(f"  {entry_id}: {reason}", file=err)
    if report.failed:
        raise LibraryError(f"{len(report.failed)} comments could not be written")


_COMMANDS = {
    "list": _list,
    "search": _list,
    "show": _show_command,
    "export": _export,
    "rebuild": _rebuild,
    "import": _import,
    "rate": _judge,
    "flag": _judge,
    "keep-picks": _keep_picks,
    "sync-comments": _sync_comments,
}


def run(
    args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Execute a parsed ``library`` command; returns the exit code (see
    :func:`run_on_library`; ``rebuild`` says itself what became of a damaged index)."""
    return run_on_library(
        "library",
        args,
        _COMMANDS[args.library_command],
        stdout=stdout,
        stderr=stderr,
        tell_repair=args.library_command != "rebuild",
        resume_syncs=args.library_command != "sync-comments",  # it checks them all
    )
