"""Finding and writing every MP4 comment whose judgement is out of date, for ``wan-desktop
library sync-comments`` (Qt-free).

The window writes a judgement into the video seconds after the key, and notes on disk what is
still to write (:mod:`.comment_pending`), so a killed window leaves it to the next run. This is
the check that needs no note: every entry's video (live and in the trash) is read and the
judgement its comment carries (:data:`JUDGEMENT_KEYS`: rating, flag, take group and variant
label) compared with its sidecar as the index holds it (the journal keeps the two equal, and
:meth:`Library.sync_comment` writes from it); each one that differs, or whose comment is not
ours, is rewritten. Only the judgement is compared: a comment that differs in another way (a
field a newer version adds) is not worth a remux of every clip.

What dead processes left noted is adopted first and cleared after the pass (the pass read
every one of them); an entry whose rewrite failed on the file system stays noted for the next
process. Slow (opens every video, remuxes the ones out of date): worker thread or the command
line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..media import mp4meta
from ..media.video import VideoError
from .comment_pending import PendingFile
from .errors import EntryNotFoundError, LibraryError
from .models import Filters
from .sidecar import decode_comment

if TYPE_CHECKING:
    from .store import Library

__all__ = ["JUDGEMENT_KEYS", "SyncReport", "judgement", "sync_out_of_date"]

#: The fields of a comment that must follow the sidecar, with their values when missing.
JUDGEMENT_KEYS: Mapping[str, Any] = {"rating": 0, "flag": "", "group_id": None, "variant": ""}
#: Told of each entry checked: ``progress(done, total)``.
Progress = Callable[[int, int], object]


def judgement(data: Mapping[str, Any]) -> tuple:
    """The judgement fields of a sidecar or of a comment's JSON, in :data:`JUDGEMENT_KEYS`
    order (a missing field at its default)."""
    return tuple(data.get(key, default) for key, default in JUDGEMENT_KEYS.items())


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What :func:`sync_out_of_date` did: entries ``checked``, how many comments were
    ``out_of_date``, how many were ``rewritten``, and ``(entry_id, reason)`` for each that
    could not be read or written."""

    checked: int
    out_of_date: int
    rewritten: int
    failed: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "checked": self.checked,
            "out_of_date": self.out_of_date,
            "rewritten": self.rewritten,
            "failed": [{"id": entry_id, "error": reason} for entry_id, reason in self.failed],
        }


def _out_of_date(library: Library, entry_id: str) -> bool:
    """Whether the comment of ``entry_id``'s video says another judgement than its sidecar
    (or is not ours). Raises ``VideoError`` when the video cannot be read."""
    entry = library.get(entry_id)
    said = decode_comment(mp4meta.read_comment(entry.video_path))
    return said is None or judgement(said) != judgement(entry.data)


def sync_out_of_date(library: Library, progress: Progress | None = None) -> SyncReport:
    """Check the comment of every entry, live and trashed, and rewrite each whose judgement
    is out of date (see the module's docstring). Never raises for one entry: its failure is
    in the report. Slow: worker thread."""
    pending = PendingFile(library.root)
    adopted = pending.adopt()
    kept: set[str] = set(adopted.ids)
    if adopted.files:
        # Ours now: a kill during the pass leaves them to the next process.
        pending.save(kept)
        pending.discard(adopted.files)
    ids = [s.id for s in library.list(limit=-1)]
    ids += [s.id for s in library.list(Filters(trashed=True), limit=-1)]
    out_of_date = rewritten = 0
    failed: list[tuple[str, str]] = []
    busy: set[str] = set()
    for done, entry_id in enumerate(ids, 1):
        try:
            if _out_of_date(library, entry_id):
                out_of_date += 1
                rewritten += bool(library.sync_comment(entry_id))
        except EntryNotFoundError:
            pass  # purged by another process meanwhile
        except OSError as exc:
            busy.add(entry_id)
            failed.append((entry_id, str(exc)))
        except (LibraryError, VideoError) as exc:
            failed.append((entry_id, str(exc)))
        if progress is not None:
            progress(done, len(ids))
    if kept or busy:
        pending.save(busy)  # a busy file may be free for the next process
    return SyncReport(len(ids), out_of_date, rewritten, tuple(failed))
