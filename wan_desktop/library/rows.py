"""From a sidecar to an index row, and the one insert path every writer uses (add, rebuild,
recovery, import, the benchmark's bulk fill)."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from typing import Any

from .clock import epoch_ms
from .ids import id_timestamp_ms

__all__ = ["COLUMNS", "insert_row", "normalize_tags", "row_from_sidecar"]

COLUMNS = (
    "id",
    "created_at",
    "created_ms",
    "folder",
    "video_file",
    "image_file",
    "audio_file",
    "poster_file",
    "last_frame_file",
    "prompt",
    "negative_prompt",
    "actual_prompt",
    "seed",
    "resolution",
    "width",
    "height",
    "duration_s",
    "has_audio",
    "video_sha256",
    "source_sha256",
    "size_bytes",
    "request_id",
    "endpoint",
    "cost_usd",
    "parent_id",
    "group_id",
    "variant",
    "take",
    "rating",
    "flag",
    "favourite",
    "tags",
    "notes",
    "title",
    "trashed_at",
    "data",
)
_INSERT = f"INSERT INTO entries ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
_MAX_TAGS = 64
_MAX_TAG_CHARS = 64


def normalize_tags(tags: Any) -> list[str]:
    """Tags as stored: NFC, lower case, inner whitespace collapsed, commas split, empties and
    repeats dropped, order kept; at most 64 tags of 64 characters."""
    if isinstance(tags, str):
        tags = [tags]
    out: list[str] = []
    for item in tags or ():
        for part in str(item).split(","):
            tag = " ".join(unicodedata.normalize("NFC", part).casefold().split())
            tag = tag[:_MAX_TAG_CHARS].strip()
            if tag and tag not in out:
                out.append(tag)
    return out[:_MAX_TAGS]


def _created_ms(data: dict[str, Any]) -> int:
    text = data.get("created_at")
    if isinstance(text, str):
        try:
            return epoch_ms(text)
        except ValueError:
            pass
    return id_timestamp_ms(data["id"])


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def row_from_sidecar(data: dict[str, Any], folder_rel: str) -> dict[str, Any]:
    """The index row of a validated sidecar living at ``folder_rel`` (relative path)."""
    request = data.get("request") or {}
    video = data.get("video") or {}
    files = data.get("files") or {}
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    resolution = request.get("resolution") or _resolution_of(width, height)
    cost = data.get("cost_usd")
    return {
        "id": data["id"],
        "created_at": data.get("created_at") or "",
        "created_ms": _created_ms(data),
        "folder": folder_rel,
        "video_file": files["video"],
        "image_file": files.get("image"),
        "audio_file": files.get("audio"),
        "poster_file": files.get("poster"),
        "last_frame_file": files.get("last_frame"),
        "prompt": str(request.get("prompt") or ""),
        "negative_prompt": str(request.get("negative_prompt") or ""),
        "actual_prompt": str(data.get("actual_prompt") or ""),
        "seed": _int_or_none(data.get("seed")),
        "resolution": str(resolution or ""),
        "width": width,
        "height": height,
        "duration_s": float(video.get("duration_s") or 0.0),
        "has_audio": int(bool(video.get("has_audio"))),
        "video_sha256": str(data.get("video_sha256") or ""),
        "source_sha256": (data.get("import") or {}).get("source_sha256"),
        "size_bytes": int(data.get("size_bytes") or 0),
        "request_id": str(data.get("request_id") or ""),
        "endpoint": str(data.get("endpoint") or ""),
        "cost_usd": float(cost) if isinstance(cost, int | float) else None,
        "parent_id": data.get("parent_id") if isinstance(data.get("parent_id"), str) else None,
        "group_id": data.get("group_id") if isinstance(data.get("group_id"), str) else None,
        "variant": str(data.get("variant") or ""),
        "take": _int_or_none(data.get("take")) or 0,
        "rating": _int_or_none(data.get("rating")) or 0,
        "flag": str(data.get("flag") or ""),
        "favourite": int(bool(data.get("favourite"))),
        "tags": json.dumps(normalize_tags(data.get("tags") or []), ensure_ascii=False),
        "notes": str(data.get("notes") or ""),
        "title": str(data.get("title") or ""),
        "trashed_at": data.get("trashed_at") or None,
        "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
    }


def _resolution_of(width: int, height: int) -> str:
    """A label for a video of unknown request (imports): ``720p``/``1080p`` by its short side."""
    short = min(width, height)
    if not short:
        return ""
    return f"{short}p"


def insert_row(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    """Insert one entry (and its tags) inside the caller's transaction."""
    conn.execute(_INSERT, [row[c] for c in COLUMNS])
    tags = json.loads(row["tags"])
    if tags:
        conn.executemany(
            "INSERT OR IGNORE INTO entry_tags (entry_id, tag) VALUES (?, ?)",
            [(row["id"], t) for t in tags],
        )
