"""``wan-desktop jobs edit|move``: change or reorder a job that has not been sent yet.

Only the process that owns the library's job queue changes it: when the queue is free the
command owns it for the moment it takes; while the window owns it the change goes through the
window's runner (:mod:`.handoff`), which refuses exactly as its jobs panel would; while a
``generate`` or ``jobs resume`` owns it, nothing is changed and the command says who holds it
(exit 5). A job that is already at fal cannot be edited: the refusal says so and what to do
(exit 2). Coroutines on the command's asyncio loop.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from ..core import limits
from ..core.paths import app_paths
from ..core.problems import InvalidInputError, Problem
from ..core.request import GenerationRequest
from .cli_jobs import on_one_job, read_table, run_order
from .cli_output import EXIT_INVALID, print_problems
from .cli_queue import Interrupt, Opened
from .cli_request import resolve_service
from .handoff import Call
from .model import JobSnapshot

__all__ = ["add_edit_parsers", "jobs_edit", "jobs_move"]

#: The ``jobs edit`` options that name a request field, and that field.
_TEXT_FIELDS = {"prompt": "prompt", "negative_prompt": "negative_prompt"}
_SWITCHES = {
    "prompt_expansion": "enable_prompt_expansion",
    "multi_shots": "multi_shots",
    "safety_checker": "enable_safety_checker",
    "generate_audio": "generate_audio",
}


def add_edit_parsers(jobs_sub: Any) -> None:
    """Add ``jobs edit`` and ``jobs move`` to the ``jobs`` subcommands."""
    je = jobs_sub.add_parser(
        "edit",
        help="change a job still waiting in the local queue (not yet sent)",
        description="Change the prompt, options or inputs of a job waiting in the local "
        "queue. What is not given stays as it is; the result is checked like a new job.",
    )
    je.add_argument("job_id", metavar="ID")
    je.add_argument("--prompt", default=None, help="the new prompt")
    je.add_argument("--negative-prompt", default=None, help="the new negative prompt")
    je.add_argument("--image", default=None, metavar="FILE", help="another input image")
    audio = je.add_mutually_exclusive_group()
    audio.add_argument("--audio", default=None, metavar="FILE", help="another audio file")
    audio.add_argument("--no-audio", action="store_true", help="drop the job's audio")
    je.add_argument("--resolution", default=None, help=" or ".join(limits.RESOLUTIONS))
    je.add_argument("--duration", default=None, type=int, metavar="SECONDS")
    seed = je.add_mutually_exclusive_group()
    seed.add_argument("--seed", default=None, type=int, help=f"{limits.SEED_MIN}–{limits.SEED_MAX}")
    seed.add_argument("--random-seed", action="store_true", help="let the service pick")
    for name in _SWITCHES:
        je.add_argument(
            "--" + name.replace("_", "-"), default=None, action=argparse.BooleanOptionalAction
        )
    je.add_argument("--json", action="store_true", help="print the edited job as JSON")
    jv = jobs_sub.add_parser(
        "move",
        help="move a waiting job to another place in line",
        description="Move a job waiting in the local queue to PLACE among the waiting jobs "
        "(1 = sent next; `jobs list` shows each one's place as #N).",
    )
    jv.add_argument("job_id", metavar="ID")
    jv.add_argument("place", metavar="PLACE", type=int)
    jv.add_argument("--json", action="store_true", help="print the moved job as JSON")


def edited_request(current: GenerationRequest, args: argparse.Namespace) -> GenerationRequest:
    """``current`` with the changes ``jobs edit`` was given (files made absolute). Raises
    :class:`InvalidInputError` when nothing would change."""
    changes: dict[str, Any] = {}
    for option, name in _TEXT_FIELDS.items():
        if getattr(args, option) is not None:
            changes[name] = getattr(args, option)
    for option, name in _SWITCHES.items():
        if getattr(args, option) is not None:
            changes[name] = getattr(args, option)
    if args.image is not None:
        changes["image"] = _file_or_url(args.image)
    if args.audio is not None:
        changes["audio"] = str(Path(args.audio).expanduser().resolve())
    elif args.no_audio:
        changes["audio"] = None
    if args.resolution is not None:
        changes["resolution"] = args.resolution
    if args.duration is not None:
        changes["duration"] = args.duration
    if args.seed is not None:
        changes["seed"] = args.seed
    elif args.random_seed:
        changes["seed"] = None
    if not changes:
        raise InvalidInputError(
            Problem(
                "job",
                "Nothing to change: give at least one of --prompt, --negative-prompt, "
                "--image, --audio/--no-audio, --resolution, --duration, --seed/--random-seed "
                "or a switch such as --no-generate-audio.",
            )
        )
    return current.replace(**changes)


def _file_or_url(text: str) -> str:
    if text.startswith(("https://", "http://")):
        return text
    return str(Path(text).expanduser().resolve())


def _waiting_job(job_id: str) -> tuple[GenerationRequest | None, str | None]:
    """The job's request and backend from the table (``None``s when there is no such job)."""
    _root, records = read_table()
    rec = next((r for r in records if r.id == job_id), None)
    return (rec.request, rec.backend) if rec is not None else (None, None)


async def jobs_edit(args: argparse.Namespace, interrupt: Interrupt) -> int:
    """Change a waiting job's request, here or in the queue's owner."""
    current, backend = await asyncio.to_thread(_waiting_job, args.job_id)
    if current is None:
        print(
            f"error: no job with id {args.job_id!r} (see `wan-desktop jobs list`)", file=sys.stderr
        )
        return EXIT_INVALID
    try:
        request = edited_request(current, args)
    except InvalidInputError as exc:
        print_problems(exc, sys.stderr)
        return EXIT_INVALID
    # Checked under fal's current schema, as a new job would be.
    await resolve_service(app_paths(), offline=backend == "offline")
    call = Call(op="edit", job_id=args.job_id, request=request)

    async def act(opened: Opened) -> JobSnapshot:
        return await opened.runner.edit(args.job_id, request)

    return await on_one_job(args, "jobs edit", call, act, report=_said("edited"))


async def jobs_move(args: argparse.Namespace, interrupt: Interrupt) -> int:
    """Move a waiting job to another place in line (1-based, as ``jobs list`` shows it)."""
    if args.place < 1:
        print(f"error: PLACE is 1 or more (1 = sent next; got {args.place})", file=sys.stderr)
        return EXIT_INVALID
    index = args.place - 1
    call = Call(op="move", job_id=args.job_id, index=index)

    async def act(opened: Opened) -> JobSnapshot:
        opened.runner.move(args.job_id, index)
        return opened.runner.get(args.job_id)

    return await on_one_job(args, "jobs move", call, act, report=_placed)


def _said(what: str):
    def report(job: JobSnapshot) -> None:
        print(f"{job.id}: {what}")
        for note in job.notes:
            print(f"note: {note}", file=sys.stderr)

    return report


def _placed(job: JobSnapshot) -> None:
    _root, records = read_table()
    place = run_order(records).get(job.id)
    print(f"{job.id}: {'#' + str(place) + ' in line' if place else job.state.value}")
