"""Filing a finished job's video in the library, and what a finished job amounts to.

The entry's id is planned before the download (``JobRecord.planned_entry_id``), so a crash
between filing and marking the job done cannot file it twice: resume finds the entry by that
id. Library calls block: call these in an executor.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core import limits
from ..fal.output import parse_output
from ..library import Entry, Library, NewEntry, new_id
from ..media.prepared import PreparedMedia
from .model import JobSnapshot
from .store import JobRecord

__all__ = ["RESULT_KEPT_S", "file_result", "filed_entry", "result_summary"]

#: fal keeps a result for 1 hour after completion (6 minutes when 10 KB or larger).
RESULT_KEPT_S = 3600


def filed_entry(library: Library, rec: JobRecord) -> Entry | None:
    """The library entry of this job if it was filed before a crash (executor)."""
    if rec.planned_entry_id is None:
        return None
    try:
        return library.get(rec.planned_entry_id)
    except KeyError:
        return None


def file_result(
    library: Library,
    rec: JobRecord,
    video: Path,
    image: PreparedMedia,
    audio: PreparedMedia | None,
) -> Entry:
    """File the downloaded ``video`` (moved into the library) with the job's inputs, request
    (every field sent: ``generate_audio``, the extra inputs), response, timings, cost with
    its price source, take group, label and place in the group, and provenance (``remote``,
    with the service's own facts about the video); idempotent across a crash (executor)."""
    result = rec.result or {}
    handle = rec.handle or {}
    now = time.time()
    entry = NewEntry(
        video_path=video,
        image=image,
        audio=audio,
        request=rec.request,
        arguments=rec.arguments or {},
        response=result,
        request_id=str(handle.get("request_id", "")),
        endpoint=limits.ENDPOINT_ID,
        timings=_timings(rec, now),
        cost_usd=rec.cost_usd,
        cost_source=rec.cost_source or "",
        remote=_remote(rec, now),
        parent_id=rec.parent_id,
        group_id=rec.group_id,
        variant=rec.variant,
        take=rec.take,
        id=rec.planned_entry_id or new_id(),
    )
    return library.add(entry)


def result_summary(job: JobSnapshot, library: Library) -> dict[str, Any]:
    """What ``generate --json`` prints for a finished job: ``id`` (library entry), ``video``
    (absolute path), ``seed``, ``actual_prompt``, ``request_id`` (executor)."""
    entry = library.get(job.entry_id) if job.entry_id else None
    response = entry.response if entry is not None else {}
    return {
        "id": job.entry_id,
        "video": str(Path(entry.video_path).resolve()) if entry is not None else None,
        "seed": response.get("seed"),
        "actual_prompt": response.get("actual_prompt"),
        "request_id": job.request_id,
    }


def _timings(rec: JobRecord, now: float) -> dict[str, Any]:
    return {
        "queue_s": _span(rec.submitted_at, rec.running_at),
        "run_s": _span(rec.running_at, rec.completed_at),
        "download_s": _span(rec.completed_at, now),
        "total_s": _span(rec.started_at, now),
        "submitted_at": _iso(rec.submitted_at),
        "completed_at": _iso(rec.completed_at),
    }


def _remote(rec: JobRecord, now: float) -> dict[str, Any]:
    result = rec.result or {}
    handle = rec.handle or {}
    video = parse_output(result).video
    return {
        "video_url": (result.get("video") or {}).get("url"),
        "response_url": handle.get("response_url"),
        # fal keeps the result for an hour; media links follow the account's lifecycle.
        "expires_at": _iso((rec.completed_at or now) + RESULT_KEPT_S),
        "backend": rec.backend,
        # The file as the service sent it (the library then adds its metadata by remuxing).
        "download_sha256": rec.download_sha256,
        # What the service said about that file (width, height, fps, duration, num_frames,
        # file_size: those it sent), checked against the download.
        "video": video.stored() if video is not None else {},
    }


def _span(start: float | None, end: float | None) -> float | None:
    return round(end - start, 3) if start is not None and end is not None else None


def _iso(epoch_s: float | None) -> str | None:
    if epoch_s is None:
        return None
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")
