"""``wan-desktop generate`` and ``wan-desktop jobs``: the command-line face of the runner.

Exit codes (DESIGN.md): 0 done; 2 invalid input (nothing was sent); 3 refused by the service
(key, validation, moderation; an account locked or out of credit, whose job stays resumable);
4 service or network failure after retries, and ``jobs resume`` leaving jobs that need the
user (a submit that may have reached the service);
5 another process runs this library's jobs (``jobs resume``/``cancel``/``remove`` say which);
130 interrupted (a job that exists stays resumable: ``wan-desktop jobs resume``).

One process at a time owns a library's job queue (:mod:`.cli_queue`, :mod:`.queue_lock`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from ..core import limits
from ..core.budget import BudgetExceededError
from ..core.paths import app_paths
from ..core.problems import InvalidInputError, Problem
from ..core.settings import START_TIMEOUT_MAX_MIN, UPLOAD_EXPIRY_MAX_H
from ..core.variants import MAX_PROMPTS, MAX_TAKES, MODES, expand
from . import cli_edit, cli_jobs
from .cli_group import group_refusal, run_group
from .cli_output import (
    EXIT_BUSY,
    EXIT_DONE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_REFUSED,
    print_problems,
)
from .cli_queue import Interrupt, library_root, run_one_job
from .cli_request import build_request, variant_plan
from .continue_from import continuation_image
from .handoff import Call

__all__ = [
    "EXIT_BUSY",
    "EXIT_DONE",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_REFUSED",
    "add_parser",
    "run",
]


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number (got {text!r})") from None
    return value


def add_parser(subparsers: Any) -> None:
    """Add ``generate`` and ``jobs`` to the top-level parser."""
    _add_generate(subparsers)
    _add_jobs(subparsers)


def _add_generate(subparsers: Any) -> None:
    gen = subparsers.add_parser(
        "generate",
        help="make a video from an image (kept in the library)",
        description="Make a video from IMAGE with Wan 2.6 image-to-video flash and keep it in "
        "the library. Progress goes to stderr.",
    )
    _add_request_options(gen)
    _add_live_options(gen)
    _add_take_options(gen)
    _add_output_options(gen)
    _add_advanced_options(gen)


def _add_request_options(gen: Any) -> None:
    """The image, the prompts and the request's own options."""
    gen.add_argument(
        "image",
        metavar="IMAGE",
        nargs="?",
        help="an image file or an https:// URL (left out with --continue-from)",
    )
    gen.add_argument(
        "--prompt",
        required=True,
        help=f"the motion to make (≤ {limits.PROMPT_MAX_CHARS} characters, or the limit of "
        "fal's current schema)",
    )
    gen.add_argument(
        "--negative-prompt",
        default="",
        help=f"what to avoid (≤ {limits.NEGATIVE_PROMPT_MAX_CHARS} characters)",
    )
    gen.add_argument(
        "--resolution",
        default=None,
        help=" or ".join(limits.RESOLUTIONS) + f" (default {limits.default_of('resolution')})",
    )
    gen.add_argument(
        "--duration", default=None, type=int, metavar="SECONDS", help="5, 10 or 15 (default 5)"
    )
    gen.add_argument(
        "--seed",
        type=_seed,
        default=None,
        help=f"{limits.SEED_MIN}–{limits.SEED_MAX}; random when left out",
    )
    gen.add_argument(
        "--audio",
        default=None,
        metavar="FILE",
        help="background music, WAV or MP3, 3–30 s, ≤ 15 MB",
    )
    gen.add_argument(
        "--no-prompt-expansion",
        action="store_true",
        help="send the prompt as written (no LLM rewriting)",
    )
    gen.add_argument(
        "--multi-shots",
        action="store_true",
        help="let the model cut between shots (needs prompt expansion)",
    )
    gen.add_argument("--no-safety-checker", action="store_true", help="turn the safety checker off")


def _add_output_options(gen: Any) -> None:
    """The engine that makes the video and how the result is printed."""
    gen.add_argument(
        "--offline",
        action="store_true",
        help="use the offline engine: animates the image locally, not the AI model",
    )
    gen.add_argument("--json", action="store_true", help="print the result as one JSON object")


def _add_advanced_options(gen: Any) -> None:
    """The Advanced settings for this command only (default: the ones saved in the window)."""
    for flag, high, unit, metavar, meaning in (
        ("--start-timeout", START_TIMEOUT_MAX_MIN, "minutes", "MINUTES",
         "give up if fal has not started the job within MINUTES (0: never"),
        ("--upload-expiry", UPLOAD_EXPIRY_MAX_H, "hours", "HOURS",
         "keep the uploaded inputs on fal at most HOURS (0: the account's default"),
    ):  # fmt: skip
        gen.add_argument(
            flag,
            type=_whole_in(flag, high, unit),
            default=None,
            metavar=metavar,
            help=f"{meaning}; default: the Advanced settings)",
        )


def _whole_in(flag: str, high: int, unit: str) -> Callable[[str], int]:
    """An argparse type: a whole number 0..``high``, refused naming ``flag`` and the range."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = -1
        if not 0 <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{flag} must be a whole number of {unit} from 0 to {high} (got {text!r})"
            )
        return value

    return parse


def _advanced(args: argparse.Namespace) -> dict[str, int]:
    """The Advanced settings given as flags (``Settings`` field → value)."""
    given = {"start_timeout_min": args.start_timeout, "upload_expiry_h": args.upload_expiry}
    return {name: value for name, value in given.items() if value is not None}


def _add_live_options(gen: Any) -> None:
    """The options that follow fal's current schema: a silent clip, its other inputs."""
    gen.add_argument(
        "--silent",
        action="store_true",
        help="no soundtrack (sends generate_audio false; half the price)",
    )
    gen.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set an input of fal's current schema that has no option here, typed by the "
        "schema (repeatable); an unknown name or a refused value exits 2",
    )


def _add_take_options(gen: Any) -> None:
    """Variants (a take group) and continuing a library clip."""
    gen.add_argument(
        "--variants",
        type=_count,
        default=1,
        metavar="N",
        help=f"make N takes as one take group (1–{MAX_TAKES}; seeds per prompt in prompts "
        "mode); prints one JSON object a line, one per take, as each ends",
    )
    gen.add_argument(
        "--variant-mode",
        choices=MODES,
        default=None,
        help="seeds: the same settings with N seeds (default); prompts: --prompt and each "
        f"--alt-prompt with the same N seeds (at most {MAX_TAKES} takes)",
    )
    gen.add_argument(
        "--alt-prompt",
        action="append",
        default=[],
        metavar="TEXT",
        help=f"another prompt to try (repeatable, up to {MAX_PROMPTS - 1}; prompts mode)",
    )
    gen.add_argument(
        "--random-seeds",
        action="store_true",
        help="draw each take's seed at random (default: consecutive from --seed)",
    )
    gen.add_argument(
        "--continue-from",
        default=None,
        metavar="ID",
        help="start from the exact last frame of library entry ID, recorded as its parent",
    )


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--variants must be a whole number 1–{MAX_TAKES} (got {text!r})"
        ) from None


def _add_jobs(subparsers: Any) -> None:
    jobs = subparsers.add_parser(
        "jobs",
        help="list, edit, reorder, cancel or resume jobs",
        description="The job queue kept in the library.",
    )
    jobs_sub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    jl = jobs_sub.add_parser("list", help="every job, newest last")
    jl.add_argument("--json", action="store_true")
    jc = jobs_sub.add_parser("cancel", help="cancel a job")
    jc.add_argument("job_id", metavar="ID")
    jc.add_argument("--json", action="store_true")
    jr = jobs_sub.add_parser("resume", help="carry every unfinished job to its end")
    jr.add_argument("--json", action="store_true")
    jr.add_argument("--offline", action="store_true", help="resume on the offline engine")
    jt = jobs_sub.add_parser(
        "retry",
        help="run a finished job again (a network loss: picked up without a new submit)",
    )
    jt.add_argument("job_id", metavar="ID")
    jt.add_argument("--new-seed", action="store_true", help="run it with a new random seed")
    jt.add_argument("--json", action="store_true")
    jm = jobs_sub.add_parser("remove", help="forget a finished job (or take a waiting one out)")
    jm.add_argument("job_id", metavar="ID")
    jm.add_argument("--json", action="store_true")
    cli_edit.add_edit_parsers(jobs_sub)


def run(args: argparse.Namespace) -> int:
    """Run ``generate`` or ``jobs``; returns the exit code."""
    if args.command == "generate":
        return _run_async(lambda interrupt: _generate(args, interrupt))
    commands: dict[str, Callable[[argparse.Namespace, Interrupt], Awaitable[int]]] = {
        "list": cli_jobs.jobs_list,
        "cancel": cli_jobs.jobs_cancel,
        "resume": cli_jobs.jobs_resume,
        "retry": cli_jobs.jobs_retry,
        "remove": cli_jobs.jobs_remove,
        "edit": cli_edit.jobs_edit,
        "move": cli_edit.jobs_move,
    }
    command = commands[args.jobs_command]
    return _run_async(lambda interrupt: command(args, interrupt))


def _run_async(make: Callable[[Interrupt], Awaitable[int]]) -> int:
    """Run the command with Ctrl+C (and SIGTERM) turned into a clean stop with exit 130,
    saying what became of the job (the command keeps its :class:`Interrupt` up to date)."""
    interrupt = Interrupt()

    async def main() -> int:
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(make(interrupt))
        interrupted = False

        def stop() -> None:
            nonlocal interrupted
            interrupted = True
            task.cancel()

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop)
        try:
            return await task
        except asyncio.CancelledError:
            if interrupted:
                print(interrupt.message, file=sys.stderr)
                return EXIT_INTERRUPTED
            raise

    return asyncio.run(main())


async def _generate(args: argparse.Namespace, interrupt: Interrupt) -> int:
    """Resolve fal's schema and price (about a second at most), check the request, the takes
    and the budget against them, then run it as this library's job (or take group) here, or
    in the owner."""
    try:
        image, parent_id = await _source(args)
        request, info = await build_request(args, image=image)
        plan = variant_plan(args)
        takes = expand(request, plan)
        problems = [p for take in takes for p in take.request.validate(info.schema)]
        if problems:
            raise InvalidInputError(list(dict.fromkeys(problems)))
        if len(takes) > 1:
            refusal = await asyncio.to_thread(group_refusal, takes, info.price)
            if refusal is not None:
                raise BudgetExceededError(refusal)
    except InvalidInputError as exc:
        print_problems(exc, sys.stderr)
        return EXIT_INVALID
    for note in request.warnings():
        print(f"note: {note.message}", file=sys.stderr)
    if len(takes) > 1:
        return await run_group(
            takes,
            parent_id=parent_id,
            offline=args.offline,
            interrupt=interrupt,
            advanced=_advanced(args),
        )
    request = takes[0].request
    call = Call(
        op="enqueue",
        request=request,
        backend="offline" if args.offline else "fal",
        parent_id=parent_id,
    )
    return await run_one_job(
        "generate",
        call,
        lambda runner: runner.enqueue(request, parent_id=parent_id),
        offline=args.offline,
        require_key=not args.offline,
        as_json=args.json,
        whole_job=False,
        interrupt=interrupt,
        advanced=_advanced(args),
    )


async def _source(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """The image to start from and the parent entry: IMAGE, or with ``--continue-from ID``
    the last frame of entry ID (exactly one of the two). Raises :class:`InvalidInputError`."""
    if args.continue_from is None:
        if not args.image:
            raise InvalidInputError(
                Problem("image_url", "Image: give IMAGE (a file or an https URL), or "
                        "--continue-from ID to start from a library clip's last frame.")
            )  # fmt: skip
        return None, None
    if args.image:
        raise InvalidInputError(
            Problem(
                "image_url",
                "Image: give IMAGE or --continue-from ID, not both (a continuation starts "
                "from the clip's last frame).",
            )
        )
    paths = app_paths()
    image = await asyncio.to_thread(
        continuation_image, library_root(), args.continue_from, paths.cache
    )
    return str(image), args.continue_from.strip()
