"""``wan-desktop generate`` and ``wan-desktop jobs``: the command-line face of the runner.

Exit codes (DESIGN.md): 0 done; 2 invalid input (nothing was sent); 3 refused by the service
(key, validation, moderation); 4 service or network failure after retries; 130 interrupted
(the job stays resumable: ``wan-desktop jobs resume``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from ..core import limits
from ..core.paths import app_paths
from ..core.problems import InvalidInputError
from ..core.request import GenerationRequest
from ..core.settings import library_dir, load_settings
from ..library import Library
from .backend import NoKeyError, open_backend
from .model import JobEvent, JobSnapshot, JobState
from .runner import JobRunner

__all__ = [
    "EXIT_DONE",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_REFUSED",
    "add_parser",
    "run",
]

EXIT_DONE = 0
EXIT_INVALID = 2
EXIT_REFUSED = 3
EXIT_FAILED = 4
EXIT_INTERRUPTED = 130


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number (got {text!r})") from None
    return value


def add_parser(subparsers: Any) -> None:
    """Add ``generate`` and ``jobs`` to the top-level parser."""
    gen = subparsers.add_parser(
        "generate",
        help="make a video from an image (kept in the library)",
        description="Make a video from IMAGE with Wan 2.6 image-to-video flash and keep it in "
        "the library. Progress goes to stderr.",
    )
    gen.add_argument("image", metavar="IMAGE", help="an image file or an https:// URL")
    gen.add_argument(
        "--prompt",
        required=True,
        help=f"the motion to make (≤ {limits.PROMPT_MAX_CHARS} characters)",
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
    gen.add_argument(
        "--offline",
        action="store_true",
        help="use the offline engine: animates the image locally, not the AI model",
    )
    gen.add_argument("--json", action="store_true", help="print the result as one JSON object")

    jobs = subparsers.add_parser(
        "jobs", help="list, cancel or resume jobs", description="The job queue kept in the library."
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


def run(args: argparse.Namespace) -> int:
    """Run ``generate`` or ``jobs``; returns the exit code."""
    if args.command == "generate":
        return _run_async(_generate(args))
    action = args.jobs_command
    if action == "list":
        return _run_async(_jobs_list(args))
    if action == "cancel":
        return _run_async(_jobs_cancel(args))
    return _run_async(_jobs_resume(args))


def _run_async(coro: Awaitable[int]) -> int:
    """Run ``coro`` with Ctrl+C (and SIGTERM) turned into a clean stop with exit 130."""

    async def main() -> int:
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(coro)
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
                print(
                    "Interrupted. The job is kept: run `wan-desktop jobs resume` to finish it.",
                    file=sys.stderr,
                )
                return EXIT_INTERRUPTED
            raise

    return asyncio.run(main())


def _request_from(args: argparse.Namespace, settings_defaults: dict[str, Any]) -> GenerationRequest:
    image = args.image
    if not image.startswith(("https://", "http://")):
        image = str(Path(image).expanduser().resolve())
    audio = str(Path(args.audio).expanduser().resolve()) if args.audio else None
    return GenerationRequest(
        prompt=args.prompt,
        image=image,
        audio=audio,
        resolution=args.resolution or settings_defaults.get("resolution", "1080p"),
        duration=args.duration
        if args.duration is not None
        else int(settings_defaults.get("duration", 5)),
        negative_prompt=args.negative_prompt,
        enable_prompt_expansion=not args.no_prompt_expansion,
        multi_shots=args.multi_shots,
        seed=args.seed,
        enable_safety_checker=not args.no_safety_checker,
    )


def _print_problems(exc: InvalidInputError, out: TextIO) -> None:
    for problem in exc.problems:
        print(f"error: {problem.message}", file=out)
    print("Nothing was sent.", file=out)


class _Progress:
    """Writes job events to stderr as short lines: state, queue position, elapsed, logs."""

    def __init__(self, job_id: str, out: TextIO):
        self.job_id = job_id
        self.out = out
        self.t0 = time.monotonic()
        self.last_progress = -1

    def __call__(self, event: JobEvent) -> None:
        job = event.job
        if job.id != self.job_id:
            return
        stamp = _clock(time.monotonic() - self.t0)
        if event.kind == "log" and event.line:
            print(f"[{stamp}] log: {event.line}", file=self.out)
        elif event.kind == "position" and job.queue_position is not None:
            print(f"[{stamp}] queued, position {job.queue_position + 1}", file=self.out)
        elif event.kind == "progress" and job.progress is not None:
            pct = int(job.progress * 100)
            if pct // 25 != self.last_progress // 25 or pct == 100:
                self.last_progress = pct
                print(f"[{stamp}] downloading {pct}%", file=self.out)
        elif event.kind == "state":
            text = job.state.label.lower()
            if job.state is JobState.FAILED and job.error:
                text += f": {job.error}"
            if job.state is JobState.QUEUED and job.queue_position is not None:
                text += f", position {job.queue_position + 1}"
            print(f"[{stamp}] {text}", file=self.out)
        self.out.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


async def _open(offline: bool, *, require_key: bool):
    paths = app_paths()
    settings = load_settings(paths)
    loop = asyncio.get_running_loop()
    library = await loop.run_in_executor(None, Library.open, library_dir(paths, settings))
    try:
        backend = await open_backend(paths, settings, offline=offline, require_key=require_key)
    except BaseException:
        library.close()
        raise
    runner = JobRunner(
        library,
        backend,
        concurrency=settings.concurrency,
        upload_threshold_bytes=settings.upload_threshold_bytes,
    )
    return settings, library, backend, runner


async def _close(library: Library, backend: Any, runner: JobRunner) -> None:
    await runner.close()
    await backend.close()
    library.close()


async def _with_runner(
    offline: bool,
    require_key: bool,
    body: Callable[[Any, Library, JobRunner], Awaitable[int]],
    *,
    resume: bool = True,
) -> int:
    try:
        settings, library, backend, runner = await _open(offline, require_key=require_key)
    except NoKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        await runner.start(resume=resume)
        return await body(settings, library, runner)
    finally:
        await asyncio.shield(_close(library, backend, runner))


def _exit_code(job: JobSnapshot) -> int:
    if job.state is JobState.DONE:
        return EXIT_DONE
    if job.state is JobState.CANCELLED:
        return EXIT_FAILED
    return EXIT_FAILED if job.retryable else EXIT_REFUSED


def _result_json(job: JobSnapshot, library: Library) -> dict[str, Any]:
    entry = library.get(job.entry_id) if job.entry_id else None
    response = entry.response if entry is not None else {}
    return {
        "id": job.entry_id,
        "video": str(Path(entry.video_path).resolve()) if entry is not None else None,
        "seed": response.get("seed"),
        "actual_prompt": response.get("actual_prompt"),
        "request_id": job.request_id,
    }


async def _generate(args: argparse.Namespace) -> int:
    settings_defaults = load_settings(app_paths()).defaults
    request = _request_from(args, settings_defaults)
    problems = request.validate()
    if problems:
        _print_problems(InvalidInputError(problems), sys.stderr)
        return EXIT_INVALID
    for note in request.warnings():
        print(f"note: {note.message}", file=sys.stderr)

    async def body(settings: Any, library: Library, runner: JobRunner) -> int:
        if runner.backend.offline:
            print(
                "Offline engine: animating the image locally (this is not the AI model).",
                file=sys.stderr,
            )
        try:
            job = await runner.enqueue(request)
        except InvalidInputError as exc:
            _print_problems(exc, sys.stderr)
            return EXIT_INVALID
        for note in job.notes:
            print(f"note: {note}", file=sys.stderr)
        runner.subscribe(_Progress(job.id, sys.stderr))
        final = await runner.wait(job.id)
        if final.state is JobState.DONE:
            result = _result_json(final, library)
            if args.json:
                print(json.dumps(result, ensure_ascii=False))
            else:
                print(result["video"])
                print(f"seed {result['seed']} · library entry {result['id']}", file=sys.stderr)
        else:
            print(f"error: {final.error or final.state.label}", file=sys.stderr)
        return _exit_code(final)

    return await _with_runner(args.offline, not args.offline, body)


def _job_json(job: JobSnapshot) -> dict[str, Any]:
    return {
        "id": job.id,
        "state": job.state.value,
        "prompt": job.request.prompt,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "request_id": job.request_id,
        "entry_id": job.entry_id,
        "error": job.error,
        "retryable": job.retryable,
        "backend": job.backend,
        "notes": list(job.notes),
    }


async def _jobs_list(args: argparse.Namespace) -> int:
    from .store import JobStore

    paths = app_paths()
    settings = load_settings(paths)
    root = library_dir(paths, settings)
    library = await asyncio.get_running_loop().run_in_executor(None, Library.open, root)
    store = JobStore(library.paths.db)
    try:
        records = store.load()
        jobs = [r.snapshot(now=time.time(), eta_s=None, library_root=root) for r in records]
    finally:
        store.close()
        library.close()
    if args.json:
        print(json.dumps([_job_json(j) for j in jobs], ensure_ascii=False, indent=2))
        return EXIT_DONE
    if not jobs:
        print("No jobs.")
        return EXIT_DONE
    for job in jobs:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created_at))
        prompt = job.request.prompt.replace("\n", " ")
        prompt = prompt if len(prompt) <= 48 else prompt[:47] + "…"
        extra = f"  ({job.error})" if job.error else ""
        print(f"{job.id}  {when}  {job.state.value:<11}  {prompt}{extra}")
    return EXIT_DONE


async def _jobs_cancel(args: argparse.Namespace) -> int:
    async def body(settings: Any, library: Library, runner: JobRunner) -> int:
        try:
            job = await runner.cancel(args.job_id)
        except KeyError:
            print(
                f"error: no job with id {args.job_id!r} (see `wan-desktop jobs list`)",
                file=sys.stderr,
            )
            return EXIT_INVALID
        if args.json:
            print(json.dumps(_job_json(job), ensure_ascii=False))
        else:
            print(f"{job.id}: {job.state.value}")
            for note in job.notes[-1:]:
                print(note)
        return EXIT_DONE

    # Only this job is acted on; the others stay for `jobs resume` (or the window).
    offline = _backend_of(args.job_id) == "offline"
    return await _with_runner(offline, False, body, resume=False)


def _backend_of(job_id: str) -> str | None:
    """The backend a job was sent to (``fal``/``offline``), read from the job table."""
    from .store import JobStore

    paths = app_paths()
    with Library.open(library_dir(paths, load_settings(paths))) as library:
        store = JobStore(library.paths.db)
        try:
            record = store.get(job_id)
        finally:
            store.close()
    return record.backend if record is not None else None


async def _jobs_resume(args: argparse.Namespace) -> int:
    """Finish every unfinished job: those sent to fal (with the key), then those sent to the
    offline engine (started for them), printing what became of each."""
    finals: list[JobSnapshot] = []
    outputs: list[dict[str, Any]] = []
    offline_left = False

    async def body(settings: Any, library: Library, runner: JobRunner) -> int:
        nonlocal offline_left
        pending = [
            j for j in runner.jobs() if not j.state.is_final and j.backend == runner.backend.name
        ]
        offline_left = any(j.backend == "offline" for j in runner.pending_elsewhere())
        for job in pending:
            runner.subscribe(_Progress(job.id, sys.stderr))
        for job in pending:
            final = await runner.wait(job.id)
            finals.append(final)
            item = _job_json(final)
            if final.state is JobState.DONE:
                item.update(_result_json(final, library), id=final.id, entry_id=final.entry_id)
            outputs.append(item)
            if not args.json:
                what = final.entry_id if final.state is JobState.DONE else (final.error or "")
                print(f"{final.id}: {final.state.value} {what}".rstrip())
        return EXIT_DONE

    code = await _with_runner(args.offline, False, body)
    if code == EXIT_DONE and offline_left and not args.offline:
        code = await _with_runner(True, False, body)
    if code != EXIT_DONE:
        return code
    if args.json:
        print(json.dumps(outputs, ensure_ascii=False, indent=2))
    elif not finals:
        print("Nothing to resume.", file=sys.stderr)
    return max((_exit_code(j) for j in finals), default=EXIT_DONE)
