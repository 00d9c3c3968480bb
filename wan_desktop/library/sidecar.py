"""The ``entry.json`` sidecar: every input and output of one entry, the source of truth the
index is rebuilt from. The same JSON (minus what depends on the final file: its hash and size,
and the user's later edits) is embedded in the video's ``comment`` tag.

Format (``schema`` 1)::

    {"schema": 1, "id", "created_at" (ISO 8601 UTC), "app_version", "parent_id",
     "request"   GenerationRequest.to_dict(), local paths replaced by the entry's file names,
     "arguments" the API arguments as sent, data URIs replaced by the entry's file names,
     "response", "seed", "actual_prompt", "request_id", "endpoint", "timings" (seconds),
     "cost_usd", "remote" (URLs and when they expire),
     "files"     {"video", "image", "audio", "poster", "last_frame"}: plain names in the folder,
     "video"     probe of the video (width, height, fps, duration_s, frame_count, has_audio, ...),
     "image"/"audio"  what was sent: original file name, mime, format, size, sha256, ...
     -- sidecar only --
     "video_sha256", "size_bytes", "favourite", "tags", "notes", "title", "trashed_at"}

Never holds a path outside the entry folder, nor any secret (the key is never passed here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.atomic import atomic_write_json
from .ids import is_valid_id
from .paths import PathEscapeError, check_file_name

__all__ = [
    "COMMENT_EXCLUDED",
    "SIDECAR_NAME",
    "SIDECAR_SCHEMA",
    "SidecarError",
    "comment_text",
    "parse_comment",
    "read_sidecar",
    "validate",
    "write_sidecar",
]

SIDECAR_NAME = "entry.json"
SIDECAR_SCHEMA = 1
#: Keys kept out of the video's comment: they depend on the final file or change later.
COMMENT_EXCLUDED = frozenset(
    {"video_sha256", "size_bytes", "favourite", "tags", "notes", "title", "trashed_at"}
)
#: Marks our JSON in a comment, so an unrelated comment is never taken for ours.
_MAGIC_KEY = "wan_desktop"


class SidecarError(ValueError):
    """A sidecar (or embedded comment) that is missing, unreadable or not ours."""


def validate(data: Any) -> dict[str, Any]:
    """``data`` if it is a sidecar we can index: a dict with a valid id, a known schema and
    plain file names; raises :class:`SidecarError`."""
    if not isinstance(data, dict):
        raise SidecarError("the sidecar is not a JSON object")
    if not is_valid_id(data.get("id")):
        raise SidecarError(f"the sidecar has no valid id ({data.get('id')!r})")
    schema = data.get("schema")
    if not isinstance(schema, int) or schema < 1:
        raise SidecarError(f"the sidecar has no schema number ({schema!r})")
    if schema > SIDECAR_SCHEMA:
        raise SidecarError(f"the sidecar's schema {schema} is newer than this wan-desktop's")
    files = data.get("files")
    if not isinstance(files, dict) or not isinstance(files.get("video"), str):
        raise SidecarError("the sidecar names no video file")
    try:
        for name in files.values():
            if name is not None:
                check_file_name(name)
    except PathEscapeError as exc:
        raise SidecarError(f"the sidecar names a file outside its folder: {exc}") from exc
    return data


def read_sidecar(folder: Path) -> dict[str, Any]:
    """The validated sidecar of the entry folder ``folder``; raises :class:`SidecarError`."""
    path = folder / SIDECAR_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SidecarError(f"{path} is missing") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SidecarError(f"{path} cannot be read: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SidecarError(f"{path} is not valid JSON: {exc}") from exc
    return validate(data)


def write_sidecar(folder: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` (validated) as the folder's sidecar, atomically; returns its path."""
    validate(data)
    path = folder / SIDECAR_NAME
    atomic_write_json(path, data)
    return path


def comment_text(data: dict[str, Any]) -> str:
    """The JSON embedded in the video's ``comment`` tag for sidecar ``data``."""
    embedded = {k: v for k, v in data.items() if k not in COMMENT_EXCLUDED}
    embedded[_MAGIC_KEY] = True
    return json.dumps(embedded, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def parse_comment(text: str | None) -> dict[str, Any] | None:
    """The sidecar data embedded by :func:`comment_text`, or ``None`` when ``text`` is not ours
    (no comment, another program's comment, or damaged JSON)."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(data, dict) or data.pop(_MAGIC_KEY, None) is not True:
        return None
    try:
        return validate(data)
    except SidecarError:
        return None
