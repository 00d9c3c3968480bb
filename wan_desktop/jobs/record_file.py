"""Each job's record in its own folder, ``<library>/jobs/<id>/job.json``: the queue survives
the loss of the database.

The runner writes the file (atomically, private) on every save, next to the job's inputs, so
the request handle is on disk twice. After a lost or rebuilt database :func:`restore_queue`
puts every job whose folder holds a record back in the job table. A record is type-checked
and must stay inside its own folder: a planted file can neither name another job's id nor
make the app read a file outside the folder. File I/O: call from a worker thread.
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePosixPath

import msgspec

from ..core.atomic import atomic_write_text
from .store import JobRecord, JobStore

__all__ = ["JOBS_DIR", "RECORD_NAME", "remove_record", "restore_queue", "write_record"]

log = logging.getLogger(__name__)

JOBS_DIR = "jobs"
RECORD_NAME = "job.json"


def write_record(library_root: Path, rec: JobRecord) -> None:
    """Write ``rec`` into its folder, if the folder is still there (a finished job's inputs
    move into the library and its folder goes)."""
    if not rec.folder:
        return
    folder = library_root / rec.folder
    if folder.is_dir():
        atomic_write_text(folder / RECORD_NAME, rec.to_json(), mode=0o600)


def remove_record(library_root: Path, rec: JobRecord) -> None:
    """Delete the record file of ``rec`` (the job is forgotten)."""
    if rec.folder:
        (library_root / rec.folder / RECORD_NAME).unlink(missing_ok=True)


def restore_queue(library_root: Path, store: JobStore) -> list[JobRecord]:
    """Put back in ``store`` every job whose folder holds a record the table lacks; returns
    them. Unreadable or out-of-place records are skipped (and logged)."""
    known = store.ids()
    restored: list[JobRecord] = []
    for path in sorted((library_root / JOBS_DIR).glob(f"*/{RECORD_NAME}")):
        rec = _read(path)
        if rec is None or rec.id in known:
            continue
        store.save(rec)
        restored.append(rec)
    return restored


def _read(path: Path) -> JobRecord | None:
    try:
        if path.is_symlink() or path.parent.is_symlink():
            raise ValueError("a symbolic link")
        rec = JobRecord.from_json(path.read_bytes())
    except (OSError, ValueError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        log.warning("job record %s skipped: %s", path, exc)
        return None
    folder = f"{JOBS_DIR}/{path.parent.name}"
    files = (rec.source_image, rec.source_audio, rec.sent_image, rec.sent_audio)
    if rec.id != path.parent.name or rec.folder != folder:
        log.warning("job record %s skipped: it names another job", path)
        return None
    if not all(name is None or _inside(name, folder) for name in files):
        log.warning("job record %s skipped: it names a file outside its folder", path)
        return None
    return rec


def _inside(name: str, folder: str) -> bool:
    """True for ``folder/<a plain file name>``."""
    pure = PurePosixPath(name)
    return str(pure.parent) == folder and pure.name not in ("", ".", "..") and "\\" not in name
