"""Building an entry's files in a private staging folder, before the journal moves it in.

An entry is written whole in ``.staging/<id>-<pid>-<thread>/``: the inputs exactly as sent,
the video with the sidecar JSON in its ``comment`` tag (remux, no re-encode), a poster
(longest side 480 px, JPEG) and the exact last frame (PNG). The slow parts (remux, decoding,
hashing) run here, outside the index lock. Call from a worker thread.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
from pathlib import Path
from typing import Any

from ..core.atomic import atomic_write_bytes
from ..core.hashing import sha256_file
from ..media import mp4meta, video
from .files import LAST_FRAME_NAME, POSTER_NAME, check_regular
from .paths import DIR_MODE, LibraryPaths

__all__ = ["make_missing_pictures", "new_stage", "stage_media", "write_inputs"]


def new_stage(paths: LibraryPaths, entry_id: str) -> Path:
    """A fresh staging folder for ``entry_id``, named so recovery knows its process."""
    stage = paths.staging / f"{entry_id}-{os.getpid()}-{threading.get_ident()}"
    stage.mkdir(mode=DIR_MODE, parents=True)
    return stage


def _save_image(path: Path, image: Any, fmt: str, **options: Any) -> None:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    atomic_write_bytes(path, buffer.getvalue())


def _stored_name(media: Any, stem: str) -> str:
    ext = Path(str(media.file_name)).suffix.lower()
    if not ext or not ext[1:].isalnum():
        ext = ".bin"
    return f"{stem}{ext}"


def _media_info(media: Any, stored_name: str) -> dict[str, Any]:
    return {
        "file": stored_name,
        "original_name": media.file_name,
        "mime": media.mime,
        "format": media.format,
        "size_bytes": media.size_bytes,
        "sha256": media.sha256,
        "width": media.width,
        "height": media.height,
        "duration_s": media.duration_s,
        "converted": media.converted,
        "notes": list(media.notes),
    }


def write_inputs(
    stage: Path, image: Any | None, audio: Any | None
) -> tuple[dict[str, str | None], dict[str, Any] | None, dict[str, Any] | None]:
    """Write the sent image and audio (``PreparedMedia`` or ``None``) into ``stage`` as
    ``input.<ext>`` / ``audio.<ext>``; returns ``(files, image_info, audio_info)``."""
    files: dict[str, str | None] = {"image": None, "audio": None}
    infos: dict[str, dict[str, Any] | None] = {"image": None, "audio": None}
    for key, media, stem in (("image", image, "input"), ("audio", audio, "audio")):
        if media is not None:
            name = _stored_name(media, stem)
            atomic_write_bytes(stage / name, media.data)
            files[key] = name
            infos[key] = _media_info(media, name)
    return files, infos["image"], infos["audio"]


def stage_media(stage: Path, source_video: Path, data: dict[str, Any], comment: str) -> None:
    """Into ``stage``: the video with ``comment`` as its comment tag, the poster and the last
    frame; then the final file's hash and size go into ``data``."""
    target = stage / data["files"]["video"]
    mp4meta.write_comment(source_video, target, comment)
    stills = video.stills(target)
    _save_image(stage / POSTER_NAME, stills.poster, "JPEG", quality=85)
    # The fastest zlib level: a third of the CPU of the default for a 1080p frame, about a
    # third bigger; the CPU it saves is the GUI's on a 2-core machine.
    _save_image(stage / LAST_FRAME_NAME, stills.last_frame, "PNG", compress_level=1)
    data["video_sha256"] = sha256_file(target)
    data["size_bytes"] = target.stat().st_size


def make_missing_pictures(folder: Path, video_path: Path) -> dict[str, str | None]:
    """Make the poster and last frame of ``folder`` again where they are gone; returns their
    names for the sidecar's ``files`` (``None`` for one that could not be made)."""
    check_regular(video_path)
    with contextlib.suppress(video.VideoError, OSError):
        if not (folder / POSTER_NAME).is_file():
            _save_image(folder / POSTER_NAME, video.poster(video_path), "JPEG", quality=85)
        if not (folder / LAST_FRAME_NAME).is_file():
            _save_image(folder / LAST_FRAME_NAME, video.last_frame(video_path), "PNG")
    return {
        "poster": POSTER_NAME if (folder / POSTER_NAME).is_file() else None,
        "last_frame": LAST_FRAME_NAME if (folder / LAST_FRAME_NAME).is_file() else None,
    }
