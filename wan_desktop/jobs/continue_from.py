"""``generate --continue-from ID``: the exact last frame of a library entry as the new image.

The library keeps each clip's last frame as a lossless PNG beside it. An entry without one (an
imported clip, a file removed by hand) has it decoded from its video once and kept in the
app's cache, never in the library folder (the library writes its own files). Blocking (a
library read, perhaps a decode): call in a worker thread.
"""

from __future__ import annotations

from pathlib import Path

from ..core.atomic import atomic_open
from ..core.problems import InvalidInputError, Problem
from ..library import Library
from ..library.ids import is_valid_id
from ..media.video import VideoError, last_frame

__all__ = ["FIELD", "continuation_image"]

#: The field a refusal names (the option ``--continue-from``).
FIELD = "continue_from"


def continuation_image(library_root: Path, entry_id: str, cache: Path) -> Path:
    """The PNG of the last frame of entry ``entry_id`` of the library at ``library_root``:
    the stored one, else one decoded from its video into ``cache``.

    Raises :class:`InvalidInputError` on the field ``continue_from`` when the id is unknown,
    or the entry has neither a last frame nor a readable video.
    """
    entry_id = entry_id.strip()
    if not is_valid_id(entry_id):
        raise _refused(
            f"--continue-from: {entry_id[:40]!r} is not a library entry id "
            "(16 letters and digits, as `wan-desktop library list` shows)."
        )
    with Library.open(library_root) as library:
        try:
            entry = library.get(entry_id)
        except KeyError:
            raise _refused(
                f"--continue-from: no library entry with id {entry_id!r} "
                "(see `wan-desktop library list`)."
            ) from None
    stored = entry.last_frame_path
    if stored is not None and Path(stored).is_file():
        return Path(stored)
    made = cache / "continue-from" / f"{entry_id}-last-frame.png"
    if made.is_file() and made.stat().st_mtime >= _mtime(entry.video_path):
        return made
    try:
        image = last_frame(entry.video_path)
    except (VideoError, OSError) as exc:
        raise _refused(
            f"--continue-from: entry {entry_id} has no saved last frame and its video cannot "
            f"be read ({exc})."
        ) from None
    with atomic_open(made, 0o600) as handle:
        image.save(handle, format="PNG")
    return made


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _refused(message: str) -> InvalidInputError:
    return InvalidInputError(Problem(FIELD, message))
