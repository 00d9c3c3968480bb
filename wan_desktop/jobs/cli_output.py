"""What the job commands print: progress lines, a job as JSON, the end of a job, advice.

Progress and messages go to stderr; results (a video path, JSON) to stdout. Exit codes are in
:mod:`wan_desktop.jobs.cli`'s docstring.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

from ..core.problems import InvalidInputError
from .model import JobEvent, JobEventKind, JobSnapshot, JobState
from .queue_lock import Holder

__all__ = [
    "EXIT_BUSY",
    "EXIT_DONE",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_REFUSED",
    "Progress",
    "attention_lines",
    "busy_message",
    "exit_code",
    "job_json",
    "print_problems",
    "report_final",
    "report_take",
    "take_json",
    "worst_exit",
]

EXIT_DONE = 0
EXIT_INVALID = 2
EXIT_REFUSED = 3
EXIT_FAILED = 4
EXIT_BUSY = 5
EXIT_INTERRUPTED = 130

#: Where a fal user sees the requests made with their key.
FAL_DASHBOARD_URL = "https://fal.ai/dashboard"


class Progress:
    """Writes job events to ``out`` as short lines: state, queue position, elapsed, logs.
    ``label`` (a take's, ``seed 1234``) tells the jobs of a group apart."""

    def __init__(self, job_id: str, out: TextIO, *, label: str = ""):
        self.job_id = job_id
        self.out = out
        self.t0 = time.monotonic()
        self.last_progress = -1
        self.prefix = f"{label}: " if label else ""

    def __call__(self, event: JobEvent) -> None:
        job = event.job
        if job.id != self.job_id:
            return
        head = f"[{_clock(time.monotonic() - self.t0)}] {self.prefix}"
        if event.kind is JobEventKind.LOG and event.line:
            print(f"{head}log: {event.line}", file=self.out)
        elif event.kind is JobEventKind.POSITION and job.queue_position is not None:
            print(f"{head}queued, position {job.queue_position + 1}", file=self.out)
        elif event.kind is JobEventKind.PROGRESS and job.progress is not None:
            pct = int(job.progress * 100)
            if pct // 25 != self.last_progress // 25 or pct == 100:
                self.last_progress = pct
                print(f"{head}downloading {pct}%", file=self.out)
        elif event.kind is JobEventKind.STATE:
            text = job.state.label.lower()
            if job.state is JobState.FAILED and job.error:
                text += f": {job.error}"
            if job.state is JobState.QUEUED and job.queue_position is not None:
                text += f", position {job.queue_position + 1}"
            print(f"{head}{text}", file=self.out)
        self.out.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes:02d}:{secs:02d}"


def print_problems(exc: InvalidInputError, out: TextIO) -> None:
    """Each refused input on a line, then that nothing was sent."""
    for problem in exc.problems:
        print(f"error: {problem.message}", file=out)
    print("Nothing was sent.", file=out)


def exit_code(job: JobSnapshot) -> int:
    """The exit code for a finished job: done 0, refused 3, failed or cancelled 4."""
    if job.state is JobState.DONE:
        return EXIT_DONE
    if job.state is JobState.CANCELLED:
        return EXIT_FAILED
    return EXIT_FAILED if job.retryable else EXIT_REFUSED


def job_json(job: JobSnapshot) -> dict[str, Any]:
    """A job as ``jobs list --json`` shows it."""
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
        "group_id": job.group_id,
        "variant": job.variant,
        "cost_usd": job.cost_usd,
        "notes": list(job.notes),
        "needs_attention": job.needs_attention,
    }


def report_final(
    job: JobSnapshot, result: dict[str, Any] | None, *, as_json: bool, whole_job: bool = False
) -> int:
    """Print how ``job`` ended (``result``: what ``generate --json`` prints, when done) and
    return the exit code. ``whole_job``: ``--json`` prints the job with its result."""
    if job.state is JobState.DONE and result is not None:
        if as_json:
            out = {**job_json(job), **result, "id": job.id} if whole_job else result
            print(json.dumps(out, ensure_ascii=False))
        else:
            print(result["video"])
            print(f"seed {result['seed']} · library entry {result['id']}", file=sys.stderr)
    else:
        if as_json and whole_job:
            print(json.dumps(job_json(job), ensure_ascii=False))
        print(f"error: {job.error or job.state.label}", file=sys.stderr)
        if job.state is JobState.FAILED and job.resumable:
            print(
                f"The job is kept ({job.id}): `wan-desktop jobs resume` carries it on.",
                file=sys.stderr,
            )
    return exit_code(job)


def take_json(job: JobSnapshot, result: dict[str, Any] | None) -> dict[str, Any]:
    """One take of ``generate --variants`` as its JSON line: what ``generate --json`` prints
    (``id``, ``video``, ``seed``, ``actual_prompt``, ``request_id``; ``None`` where it did not
    finish), with ``group_id``, ``variant``, ``state`` and ``error``."""
    done = result or {}
    return {
        "id": done.get("id"),
        "video": done.get("video"),
        "seed": done.get("seed", job.seed),
        "actual_prompt": done.get("actual_prompt"),
        "request_id": job.request_id,
        "group_id": job.group_id,
        "variant": job.variant,
        "state": job.state.value,
        "error": None if job.state is JobState.DONE else (job.error or job.state.label),
    }


def report_take(job: JobSnapshot, result: dict[str, Any] | None) -> int:
    """Print how one take of a group ended: its JSON line on stdout (every take has one, done
    or not), and on stderr why it did not finish. Returns its exit code."""
    print(json.dumps(take_json(job, result), ensure_ascii=False), flush=True)
    if job.state is not JobState.DONE:
        print(f"error: {job.variant}: {job.error or job.state.label}", file=sys.stderr)
    return exit_code(job)


def worst_exit(codes: list[int]) -> int:
    """The exit code of a group: 0 when every take is done, else the gravest of theirs
    (4 service failure over 3 refused over 2 invalid)."""
    failed = [code for code in codes if code != EXIT_DONE]
    return max(failed, default=EXIT_DONE)


def attention_lines(job: JobSnapshot) -> list[str]:
    """What the user can do about a job whose submit may have reached the service."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.started_at or job.created_at))
    lines = [
        f"{job.id}: the app stopped while sending this request ({when}), so it may or may not "
        "have reached the service."
    ]
    if job.backend == "fal":
        lines.append(
            f"  Look for a request made at {when} in your fal dashboard ({FAL_DASHBOARD_URL}): "
            "if it ran, it was billed and its video is there."
        )
    lines.append(
        f"  Send it again (billed again if it did arrive): wan-desktop jobs retry {job.id}"
    )
    lines.append(f"  Or forget it: wan-desktop jobs remove {job.id}")
    return lines


def busy_message(holder: Holder | None, doing: str) -> str:
    """Why ``doing`` cannot happen now: another process runs the library's jobs."""
    who = holder.describe() if holder is not None else "another process"
    since = ""
    if holder is not None:
        since = time.strftime(" since %H:%M", time.localtime(holder.since))
    return (
        f"error: {who} is running this library's jobs{since}; it carries unfinished jobs on by "
        f"itself, so {doing} here would run them twice. Try again once it has finished."
    )
