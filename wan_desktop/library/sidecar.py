"""The ``entry.json`` sidecar: every input and output of one entry, the source of truth the
index is rebuilt from. The same JSON (minus what depends on the final file, its hash and size,
and the edits that belong to this library alone) is embedded in the video's ``comment`` tag.

Format (``schema`` 1)::

    {"schema": 1, "id", "created_at" (ISO 8601 UTC), "app_version", "parent_id",
     "group_id"  the take group made by one action (null: made alone), "variant" its label,
     "take"      its 1-based place in the group's queue order (0: not known),
     "request"   GenerationRequest.to_dict(), local paths replaced by the entry's file names,
     "arguments" the API arguments as sent, data URIs replaced by the entry's file names,
     "response", "seed", "actual_prompt", "request_id", "endpoint", "timings" (seconds),
     "cost_usd", "cost_source" (where the price came from: account, bundled, offline),
     "remote" (URLs and when they expire; "video": what the service said about its file),
     "files"     {"video", "image", "audio", "poster", "last_frame"}: plain names in the folder,
     "video"     probe of the video (width, height, fps, duration_s, frame_count, has_audio, ...),
     "image"/"audio"  what was sent: original file name, mime, format, size, sha256, ...
     "import"    imported videos only: source file name and hash, when, the id it had
     "rating" (0..5, 0: not rated), "flag" ("", "picked", "rejected")
     -- sidecar only --
     "video_sha256", "size_bytes", "favourite", "tags", "notes", "title", "trashed_at",
     "rejected_metadata"  fields that failed their type check when read, as JSON text}

The comment carries what was true when the clip was filed, and the take's judgement: its
``rating`` and ``flag`` travel with the video (a rebuild from the videos alone keeps them).
They are written into the sidecar and the index at once, and into the comment later by
:meth:`Library.sync_comment` (a stream copy, which changes the file's hash; see
:mod:`.comment_rewrite`): the window coalesces a burst of culling keys into one rewrite per
clip, and the clip's proxy survives it. The other edits (favourite, tags, notes, title) stay
in the sidecar and the index only.

The keys, their types and defaults are :class:`.schema.Sidecar`. Reading checks every field
by type: :func:`read_sidecar` and :func:`parse_comment` accept only a sidecar that is right in
every field; :func:`salvage` keeps a sidecar whose id, schema and files are right and sets the
other bad fields aside (rebuilds use it, so one bad field does not lose an entry).

Never holds a path outside the entry folder, nor any secret (the key is never passed here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from ..core.atomic import atomic_write_json
from .errors import SidecarError, UnsafeFileError
from .files import read_regular
from .schema import SET_ASIDE_KEY, SIDECAR_SCHEMA, salvage

__all__ = [
    "COMMENT_EXCLUDED",
    "SIDECAR_NAME",
    "SIDECAR_SCHEMA",
    "SidecarError",
    "comment_text",
    "decode_comment",
    "load_sidecar",
    "parse_comment",
    "read_sidecar",
    "salvage",
    "validate",
    "write_sidecar",
]

SIDECAR_NAME = "entry.json"
#: Keys kept out of the video's comment: they depend on the final file, change later, or
#: belong to this library only.
COMMENT_EXCLUDED = frozenset(
    {"video_sha256", "size_bytes", "favourite", "tags", "notes", "title", "trashed_at",
     SET_ASIDE_KEY}
)  # fmt: skip
#: Marks our JSON in a comment, so an unrelated comment is never taken for ours.
_MAGIC_KEY = "wan_desktop"
#: A sidecar is a few kilobytes; a bigger file is not one of ours and is not read whole.
_MAX_SIDECAR_BYTES = 16 << 20


def validate(data: Any) -> dict[str, Any]:
    """``data`` checked field by field (and missing keys at their defaults) when it is a
    sidecar we can index; raises :class:`SidecarError` naming the first problem."""
    clean, bad = salvage(data)
    if bad:
        names = ", ".join(sorted(bad)[:8])
        raise SidecarError(f"the sidecar has fields of the wrong type or unknown: {names}")
    return clean


def _decode(data: bytes | str, what: str) -> Any:
    try:
        return msgspec.json.decode(data)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise SidecarError(f"{what} is not valid JSON: {exc}") from exc


def _read_raw(folder: Path) -> Any:
    path = folder / SIDECAR_NAME
    try:
        text = read_regular(path, _MAX_SIDECAR_BYTES)
    except FileNotFoundError as exc:
        raise SidecarError(f"{path} is missing") from exc
    except (OSError, UnsafeFileError) as exc:
        raise SidecarError(f"{path} cannot be read: {exc}") from exc
    return _decode(text, str(path))


def read_sidecar(folder: Path) -> dict[str, Any]:
    """The sidecar of the entry folder ``folder``, right in every field; raises
    :class:`SidecarError` (also for a symbolic link or an oversized file)."""
    return validate(_read_raw(folder))


def load_sidecar(folder: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """:func:`salvage` of the sidecar of ``folder``: ``(data, fields set aside)``; raises
    :class:`SidecarError` when there is no sidecar of ours."""
    return salvage(_read_raw(folder))


def write_sidecar(folder: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` (checked by :func:`validate`) as the folder's sidecar, atomically;
    returns its path."""
    path = folder / SIDECAR_NAME
    atomic_write_json(path, validate(data))
    return path


def comment_text(data: dict[str, Any]) -> str:
    """The JSON embedded in the video's ``comment`` tag for sidecar ``data``."""
    embedded = {k: v for k, v in data.items() if k not in COMMENT_EXCLUDED}
    embedded[_MAGIC_KEY] = True
    return json.dumps(embedded, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def decode_comment(text: str | None) -> dict[str, Any] | None:
    """The JSON object a comment carries when it is marked as ours (not yet checked), or
    ``None`` (no comment, another program's comment, damaged JSON)."""
    if not text:
        return None
    try:
        data = _decode(text, "the comment")
    except SidecarError:
        return None
    if not isinstance(data, dict) or data.pop(_MAGIC_KEY, None) is not True:
        return None
    return data


def parse_comment(text: str | None) -> dict[str, Any] | None:
    """The sidecar data embedded by :func:`comment_text` when it is right in every field, or
    ``None`` (not ours, damaged, or any field of the wrong type)."""
    raw = decode_comment(text)
    if raw is None:
        return None
    try:
        return validate(raw)
    except SidecarError:
        return None
