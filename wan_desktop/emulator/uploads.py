"""The files uploaded to the engine's storage API, kept in its state folder (any thread).

Layout under ``{state_dir}/uploads``: ``{id}.json`` (the record: name, type, size, lifetime)
and ``{id}.bin`` (the bytes). Each is written whole under a temporary name and renamed
(``core.atomic``), the bytes first: a record without its bytes is a storage upload still
waiting for its PUT, never a half-written file. Expired uploads are removed when the next one
is stored, so the folder does not grow for ever.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import msgspec

from wan_desktop.core import limits
from wan_desktop.core.atomic import atomic_write_bytes
from wan_desktop.core.names import safe_name

__all__ = [
    "DEFAULT_LIFETIME_S",
    "MAX_LIFETIME_S",
    "UPLOAD_MAX_BYTES",
    "Upload",
    "UploadStore",
    "served_type",
]

#: The largest file taken (bytes): the largest input the model takes (an image).
UPLOAD_MAX_BYTES = max(limits.IMAGE_MAX_BYTES, limits.AUDIO_MAX_BYTES)
#: How long an upload is kept when the client states no preference (seconds).
DEFAULT_LIFETIME_S = 7 * 86_400
#: The longest lifetime a client may ask for (seconds).
MAX_LIFETIME_S = 365 * 86_400
_RECENT = 20  # uploads listed in the engine's stats

# The types served as they were declared; anything else is served as octet-stream, so no
# client text ever reaches a response header.
_SERVED_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/bmp",
        "image/gif",
        "audio/wav",
        "audio/x-wav",
        "audio/wave",
        "audio/mpeg",
        "audio/mp3",
        "video/mp4",
        "application/json",
    }
)


def served_type(declared: str) -> str:
    """The ``Content-Type`` an upload declared as ``declared`` is served with."""
    kind = declared.split(";")[0].strip().lower()
    return kind if kind in _SERVED_TYPES else "application/octet-stream"


class Upload(msgspec.Struct, frozen=True):
    """One upload's record. ``created`` and ``expires_at`` are epoch seconds;
    ``expires_in_s`` is the lifetime the client asked for (None: the default); ``size`` is
    None until the bytes are there (a storage upload before its PUT)."""

    upload_id: str
    file_name: str
    content_type: str
    created: float
    expires_at: float
    expires_in_s: int | None = None
    size: int | None = None


class UploadStore:
    """The uploads in ``folder``. ``clock`` gives epoch seconds (tests move it)."""

    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self._clock = clock
        self._lock = threading.Lock()

    def store(
        self, data: bytes, file_name: str, content_type: str, expires_in_s: int | None
    ) -> Upload:
        """Keep ``data`` (at most :data:`UPLOAD_MAX_BYTES`, checked by the caller) under a
        new id; its record."""
        record = self.reserve(file_name, content_type, expires_in_s)
        return self._write(record, data)

    def reserve(self, file_name: str, content_type: str, expires_in_s: int | None) -> Upload:
        """A record for bytes that come later (:meth:`put`), written now."""
        now = self._clock()
        lifetime = DEFAULT_LIFETIME_S if expires_in_s is None else expires_in_s
        record = Upload(
            upload_id=uuid.uuid4().hex,
            file_name=safe_name(file_name, fallback="upload"),
            content_type=served_type(content_type),
            created=now,
            expires_at=now + min(max(1, lifetime), MAX_LIFETIME_S),
            expires_in_s=expires_in_s,
        )
        self._prune(now)
        atomic_write_bytes(
            self._path(record.upload_id, "json"), msgspec.json.encode(record), mode=0o600
        )
        return record

    def put(self, upload_id: str, data: bytes) -> Upload | None:
        """The bytes of a reserved upload; its record, or None when there is no such
        reservation (or it expired)."""
        record = self._record(upload_id)
        if record is None:
            return None
        return self._write(record, data)

    def find(self, upload_id: str) -> tuple[Upload, Path] | None:
        """An upload's record and the path of its bytes, while it has them and lives."""
        record = self._record(upload_id)
        path = self._path(upload_id, "bin")
        if record is None or record.size is None or not path.exists():
            return None
        return record, path

    def recent(self) -> list[dict[str, object]]:
        """The latest uploads' records (newest last), as plain data."""
        records = [r for r in map(self._read, self._records()) if r is not None]
        records.sort(key=lambda r: r.created)
        return [msgspec.to_builtins(r) for r in records[-_RECENT:]]

    def _write(self, record: Upload, data: bytes) -> Upload:
        done = msgspec.structs.replace(record, size=len(data))
        atomic_write_bytes(self._path(record.upload_id, "bin"), data, mode=0o600)
        atomic_write_bytes(
            self._path(record.upload_id, "json"), msgspec.json.encode(done), mode=0o600
        )
        return done

    def _record(self, upload_id: str) -> Upload | None:
        record = self._read(self._path(upload_id, "json"))
        if record is None or record.expires_at <= self._clock():
            return None
        return record

    def _read(self, path: Path) -> Upload | None:
        try:
            return msgspec.json.decode(path.read_bytes(), type=Upload)
        except (OSError, msgspec.DecodeError):
            return None

    def _records(self) -> list[Path]:
        try:
            return list(self.folder.glob("*.json"))
        except OSError:
            return []

    def _prune(self, now: float) -> None:
        """Remove the uploads that have expired (one thread at a time)."""
        with self._lock:
            for path in self._records():
                record = self._read(path)
                if record is not None and record.expires_at > now:
                    continue
                self._path(path.stem, "bin").unlink(missing_ok=True)
                path.unlink(missing_ok=True)

    def _path(self, upload_id: str, kind: str) -> Path:
        return self.folder / f"{upload_id}.{kind}"
