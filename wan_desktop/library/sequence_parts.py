"""A saved sequence resolved against the library: each item's file, in/out points, rate and
provenance (:class:`ResolvedItem`), what the MP4 exporter takes (:func:`export_parts`), the
provenance the export carries in its comment (:func:`provenance`), and both files written
in one call (:func:`export_files`), shared by the command line and the window.

The sequence itself (``library.sequences``) is read through its fields only: ``id``, ``name``
and ``items`` of ``entry_id``, ``start_frame``, ``end_frame``, ``crossfade_frames``.

Everything here reads files (probes each clip, a few ms): call it in a worker thread.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..media.sequence_plan import CROSSFADE_MAX_FRAMES, ExportPart, ExportPlan
from ..media.video import VideoError, probe
from .errors import EntryNotFoundError, LibraryError

if TYPE_CHECKING:
    from .store import Library

__all__ = [
    "PROVENANCE_KIND",
    "ResolvedItem",
    "SequenceItemError",
    "export_files",
    "export_parts",
    "otio_path_for",
    "provenance",
    "resolve",
]

#: The ``kind`` field of the provenance JSON in an exported sequence's comment.
PROVENANCE_KIND = "wan-desktop sequence"


class SequenceItemError(LibraryError, ValueError):
    """An item of a sequence that cannot be used: its clip is gone or unreadable, or an
    override is out of range. ``str()`` names the item (1-based), the field and the limit."""


@dataclass(frozen=True, slots=True)
class ResolvedItem:
    """One item with everything the exporters need. Frames are the clip's own, ``end_frame``
    exclusive and never None; ``crossfade_frames`` are output frames shared with the item
    before (0 on the first item). ``fps`` and ``frame_count`` are the clip's."""

    entry_id: str
    video_path: Path
    start_frame: int
    end_frame: int
    crossfade_frames: int
    fps: float
    frame_count: int
    has_audio: bool
    title: str
    seed: int | None
    prompt: str
    actual_prompt: str


def _crossfade_override(crossfade: int | None) -> int | None:
    if crossfade is None:
        return None
    if isinstance(crossfade, bool) or not isinstance(crossfade, int):
        raise SequenceItemError(f"crossfade is {crossfade!r}; it must be a whole number")
    if not 0 <= crossfade <= CROSSFADE_MAX_FRAMES:
        raise SequenceItemError(
            f"crossfade is {crossfade}; it must be 0–{CROSSFADE_MAX_FRAMES} frames"
        )
    return crossfade


def resolve(lib: Library, sequence: Any, *, crossfade: int | None = None) -> list[ResolvedItem]:
    """The items of ``sequence`` with their entries and clips looked up; ``crossfade``
    (0–12) replaces every join's crossfade when given. An item whose entry is in the trash is
    still used (its files are kept until the trash is emptied).

    Raises :class:`SequenceItemError` for an item whose entry or clip is missing or
    unreadable, or a ``crossfade`` out of range. In/out points are checked by the exporter.
    """
    override = _crossfade_override(crossfade)
    resolved = []
    for n, item in enumerate(sequence.items, start=1):
        try:
            entry = lib.get(item.entry_id)
        except EntryNotFoundError as exc:
            raise SequenceItemError(
                f"item {n}: entry {item.entry_id} is not in the library any more"
            ) from exc
        try:
            info = probe(entry.video_path)
        except VideoError as exc:
            raise SequenceItemError(f"item {n} ({entry.id}): {exc}") from exc
        fade = item.crossfade_frames if override is None else override
        resolved.append(
            ResolvedItem(
                entry_id=entry.id,
                video_path=entry.video_path,
                start_frame=item.start_frame,
                end_frame=info.frame_count if item.end_frame is None else item.end_frame,
                crossfade_frames=0 if n == 1 else fade,
                fps=info.fps,
                frame_count=info.frame_count,
                has_audio=info.has_audio,
                title=entry.title,
                seed=entry.seed,
                prompt=entry.prompt,
                actual_prompt=entry.actual_prompt,
            )
        )
    return resolved


def export_parts(items: list[ResolvedItem]) -> list[ExportPart]:
    """What :func:`wan_desktop.media.sequence_export.export_sequence` takes."""
    return [
        ExportPart(item.video_path, item.start_frame, item.end_frame, item.crossfade_frames)
        for item in items
    ]


def provenance(sequence: Any, items: list[ResolvedItem]) -> str:
    """The JSON an exported sequence carries in its MP4 comment: the sequence's id and name,
    and for every clip its entry id, seed, prompt (as written and as the service used it)
    and in/out points."""
    clips = [
        {
            "id": item.entry_id,
            "seed": item.seed,
            "prompt": item.prompt,
            "actual_prompt": item.actual_prompt,
            "start_frame": item.start_frame,
            "end_frame": item.end_frame,
            "crossfade_frames": item.crossfade_frames,
        }
        for item in items
    ]
    record = {"kind": PROVENANCE_KIND, "id": sequence.id, "name": sequence.name, "clips": clips}
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def otio_path_for(dest: Path | str) -> Path:
    """``dest`` with ``.otio`` in place of its extension (``film.mp4`` → ``film.otio``)."""
    return Path(dest).with_suffix(".otio")


def export_files(
    lib: Library,
    sequence: Any,
    dest: Path | str,
    *,
    crossfade: int | None = None,
    otio: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[ExportPlan, Path | None]:
    """Export ``sequence`` to the MP4 ``dest`` (and with ``otio`` the timeline beside it, see
    :func:`otio_path_for`); returns the MP4's plan and the ``.otio`` path (None without).

    The ``.otio`` file is written only after the MP4 succeeded, so a refused or cancelled
    export leaves neither. Raises what :func:`resolve` and
    :func:`~wan_desktop.media.sequence_export.export_sequence` raise (``SequenceExportError``,
    ``ExportCancelled``, ``VideoError``, ``OSError``).
    """
    from ..media.sequence_export import export_sequence
    from .sequence_otio import write_otio

    if not sequence.items:
        raise SequenceItemError(f"sequence {sequence.id} has no clips; add at least 1 to export")
    items = resolve(lib, sequence, crossfade=crossfade)
    dest = Path(dest)
    if dest.suffix.lower() == ".otio":
        raise SequenceItemError(f"{dest.name}: the MP4 needs another extension than .otio")
    plan = export_sequence(
        export_parts(items), dest, progress=progress, cancel=cancel,
        comment=provenance(sequence, items),
    )  # fmt: skip
    timeline = None
    if otio:
        timeline = write_otio(sequence, items, otio_path_for(dest), fps=plan.fps)
    return plan, timeline
