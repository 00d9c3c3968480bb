"""The persisted job table, in the library's SQLite database (created by its migration v2).

One row per job: a few indexed columns and the rest as JSON, so the runner can add fields
without a migration. Writes are single-row upserts committed at once (WAL): a job's request id
and URLs are on disk before the runner does anything else with them. Calls block briefly;
the runner makes them from its own single database thread.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from ..core.request import GenerationRequest
from .model import JobSnapshot, JobState

__all__ = ["JobRecord", "JobStore"]


@dataclass(slots=True)
class JobRecord:
    """Everything persisted about one job (mutable; owned by the runner's loop thread).

    Paths are relative to the library folder. ``handle`` is the fal request handle as a dict
    (request id and status/result/cancel URLs); ``result`` the service's output JSON once known.
    """

    id: str
    request: GenerationRequest
    state: JobState
    created_at: float
    position: float
    backend: str = "fal"  # "fal" or "offline": offline URLs are rebuilt against the live engine
    folder: str = ""
    source_image: str | None = None
    source_audio: str | None = None
    sent_image: str | None = None
    sent_audio: str | None = None
    arguments: dict[str, Any] | None = None
    handle: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    started_at: float | None = None
    submitted_at: float | None = None
    running_at: float | None = None
    completed_at: float | None = None
    finished_at: float | None = None
    queue_position: int | None = None
    logs: list[str] = field(default_factory=list)
    progress: float | None = None
    error: str | None = None
    error_field: str | None = None
    retryable: bool = False
    entry_id: str | None = None
    planned_entry_id: str | None = None
    download_sha256: str | None = None
    parent_id: str | None = None
    group_id: str | None = None  # the take group of the click that made it (variants)
    variant: str = ""  # its label in that group ("seed 1234", "prompt B · seed 1234")
    take: int = 0  # its 1-based place in the group's queue order (0: made alone)
    cost_usd: float | None = None
    cost_source: str | None = None  # where the price came from: a key of SOURCE_LABELS
    notes: list[str] = field(default_factory=list)
    maybe_submitted: bool = False
    resume_from: str | None = None  # a state to pick up from without a new submit

    def to_json(self) -> str:
        """The record as JSON text (the job table's ``data`` column, the folder's ``job.json``)."""
        return msgspec.json.encode(self).decode()

    @classmethod
    def from_json(cls, text: str | bytes) -> JobRecord:
        """Parse and type-check a record; ``msgspec.ValidationError``/``DecodeError`` when it
        is not one (unknown keys are ignored, so older and newer versions read each other)."""
        return msgspec.json.decode(text, type=cls)

    @property
    def needs_attention(self) -> bool:
        """Failed while its submit was in flight, not yet retried or removed."""
        return self.maybe_submitted and self.state is JobState.FAILED

    def snapshot(self, *, now: float, eta_s: float | None, library_root: Path) -> JobSnapshot:
        """The plain, frozen view of this job handed to listeners."""
        end = self.finished_at if self.finished_at is not None else now
        elapsed = max(0.0, end - self.started_at) if self.started_at is not None else 0.0
        image = str(library_root / self.source_image) if self.source_image else None
        return JobSnapshot(
            id=self.id,
            state=self.state,
            request=self.request,
            created_at=self.created_at,
            backend=self.backend,
            started_at=self.started_at,
            finished_at=self.finished_at,
            queue_position=self.queue_position,
            logs=tuple(self.logs[-20:]),
            progress=self.progress,
            elapsed_s=elapsed,
            eta_s=eta_s,
            error=self.error,
            error_field=self.error_field,
            retryable=self.retryable,
            resumable=self.resume_from is not None,
            entry_id=self.entry_id,
            request_id=(self.handle or {}).get("request_id"),
            parent_id=self.parent_id,
            group_id=self.group_id,
            variant=self.variant,
            cost_usd=self.cost_usd,
            seed=(self.result or {}).get("seed", self.request.seed),
            input_image_path=image,
            notes=tuple(self.notes),
            needs_attention=self.needs_attention,
        )


class JobStore:
    """Reads and writes job rows in ``db_path`` (the library's database). Thread-safe."""

    def __init__(self, db_path: Path):
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        # The table comes from the library's migrations (v2): open the Library first.

    def save(self, record: JobRecord) -> None:
        """Insert or update one job, committed before returning."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO jobs (id, position, state, created_at, updated_at, data) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "position=excluded.position, state=excluded.state, "
                "updated_at=excluded.updated_at, data=excluded.data",
                (
                    record.id,
                    record.position,
                    record.state.value,
                    record.created_at,
                    time.time(),
                    record.to_json(),
                ),
            )

    def delete(self, job_id: str) -> None:
        """Forget one job."""
        with self._lock:
            self._conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def load(self, *, include_final: bool = True, limit: int = 500) -> list[JobRecord]:
        """Jobs in queue order; finished ones only the newest ``limit``."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT data FROM jobs WHERE state NOT IN ('done', 'failed', 'cancelled') "
                "ORDER BY position"
            ).fetchall()
            if include_final:
                rows += self._conn.execute(
                    "SELECT data FROM (SELECT data, position FROM jobs WHERE state IN "
                    "('done', 'failed', 'cancelled') ORDER BY created_at DESC LIMIT ?) "
                    "ORDER BY position",
                    (limit,),
                ).fetchall()
        records = [JobRecord.from_json(text) for (text,) in rows]
        records.sort(key=lambda r: r.position)
        return records

    def ids(self) -> set[str]:
        """The id of every job in the table."""
        with self._lock:
            return {row[0] for row in self._conn.execute("SELECT id FROM jobs")}

    def get(self, job_id: str) -> JobRecord | None:
        """One job by id."""
        with self._lock:
            row = self._conn.execute("SELECT data FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return JobRecord.from_json(row[0]) if row else None

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
