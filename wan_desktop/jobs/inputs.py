"""The job's copy of its inputs: copied into the library when the job is enqueued.

A job keeps the source files the user picked (so a moved or deleted original loses nothing) and
the bytes actually sent (after conversion), in its own folder under ``<library>/jobs/<id>/``.
All functions here do file I/O or image work: call them in an executor.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..core.atomic import atomic_write_bytes, ensure_dir
from ..core.names import safe_name
from ..media.audio import prepare_audio_bytes
from ..media.files import read_input_file
from ..media.image import prepare_image_bytes, read_prepared_image
from ..media.prepared import PreparedMedia

__all__ = ["copy_name", "copy_source", "load_prepared", "prepare_inputs", "remove_folder"]


def copy_name(name: str, default: str) -> str:
    """The name of a copied input: ``default``'s stem with the original's suffix when it is a
    plausible one (``source-image.jpg``), else ``default``; nothing that could escape."""
    suffix = Path(name).suffix.lower()
    if not suffix or len(suffix) > 6 or not suffix[1:].isalnum():
        suffix = Path(default).suffix
    return safe_name(Path(default).stem, suffix)


def copy_source(source: Path, folder: Path, default_name: str, *, field: str) -> Path:
    """Copy the user's file into the job folder (atomically); returns the copy's path.

    A file that cannot be read is an input problem of ``field`` (``image_url``/``audio_url``).
    """
    label = "Image" if field == "image_url" else "Audio"
    data = read_input_file(source, field=field, label=label)
    ensure_dir(folder)
    dest = folder / copy_name(source.name, default_name)
    atomic_write_bytes(dest, data)
    return dest


def prepare_inputs(
    image_path: Path, audio_path: Path | None, duration_s: int
) -> tuple[PreparedMedia, PreparedMedia | None]:
    """Check and prepare the copied inputs exactly as they will be sent.

    Also re-reads inputs prepared before (a resumed job): bytes that were acceptable come back
    untouched, so the payload is the same one. Raises ``InvalidInputError`` naming the field
    and the limit.
    """
    image = prepare_image_bytes(image_path.read_bytes(), image_path.name)
    audio = None
    if audio_path is not None:
        audio = prepare_audio_bytes(
            audio_path.read_bytes(), audio_path.name, video_duration_s=duration_s
        )
    return image, audio


def load_prepared(
    image_path: Path, audio_path: Path | None, duration_s: int
) -> tuple[PreparedMedia, PreparedMedia | None]:
    """The inputs :func:`prepare_inputs` made, read back from the job folder to send or file.

    The image's bytes are trusted as they are (its header read, its pixels never decoded
    again: a large photo's decode holds the interpreter lock long enough to stall the GUI).
    Raises ``InvalidInputError`` when a file is gone.
    """
    image = read_prepared_image(image_path)
    audio = None
    if audio_path is not None:
        audio = prepare_audio_bytes(
            audio_path.read_bytes(), audio_path.name, video_duration_s=duration_s
        )
    return image, audio


def remove_folder(folder: Path) -> None:
    """Delete a job's folder (its inputs now live in the library entry)."""
    shutil.rmtree(folder, ignore_errors=True)
