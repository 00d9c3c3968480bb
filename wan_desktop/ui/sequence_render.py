"""Renders that show a sequence before it is exported: the whole sequence for the player, and
the two seconds around one seam for the seam editor. Both are made with the exporter itself
(``media.sequence_export``), pictures from the clips' 360p proxies and sound from the
original clips, so what plays is what an export will hold (in/out points, crossfades in
picture and sound), only smaller.

The proxies keep their clip's frames one for one, so an item's frame numbers mean the same
pictures in the proxy and the same times in the original's sound. A missing proxy is made
first (``ensure_proxy``).

Everything here blocks and is CPU bound: worker threads only. ``cancel`` (a
``threading.Event``) stops between two frames; ``progress(done, total)`` is called from the
worker's thread. No Qt.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..media.frame_reader import Frame, FrameReader
from ..media.proxy import ProxyCancelled, ensure_proxy
from ..media.sequence_export import ExportCancelled, export_sequence
from ..media.sequence_plan import ExportPart, SequenceExportError
from .sequence_clips import OUT_FPS, StripClip

__all__ = [
    "PREVIEW_KEEP",
    "SEAM_CONTEXT_S",
    "PreviewMissingClip",
    "SeamWindow",
    "preview_path",
    "quiet_progress",
    "read_frames",
    "render_preview",
    "render_seam",
    "seam_window",
]

#: Seconds of each clip a seam preview shows around the join (two seconds in all).
SEAM_CONTEXT_S = 1.0
#: Sequence previews kept in the cache; older ones are removed when a new one is made.
PREVIEW_KEEP = 6

Progress = Callable[[int, int], object]


class PreviewMissingClip(SequenceExportError):
    """An item's clip is no longer in the library; ``str()`` names the item."""


def _proxies(
    items: Sequence[Any],
    clips: dict[str, StripClip],
    cancel: threading.Event | None,
    progress: Progress | None = None,
) -> dict[str, Path]:
    """The proxy of every clip of ``items`` (made when missing or stale)."""
    found: dict[str, Path] = {}
    wanted = list(dict.fromkeys(item.entry_id for item in items))
    for done, entry_id in enumerate(wanted):
        clip = clips[entry_id]
        if clip.missing or clip.video_path is None:
            n = next(i for i, item in enumerate(items, 1) if item.entry_id == entry_id)
            raise PreviewMissingClip(f"clip {n}: entry {entry_id} is not in the library any more")
        if cancel is not None and cancel.is_set():
            raise ExportCancelled("The preview was stopped.")
        try:
            found[entry_id] = ensure_proxy(clip.video_path, cancel=cancel)
        except ProxyCancelled as exc:  # one way to stop, whichever step was running
            raise ExportCancelled("The preview was stopped.") from exc
        if progress is not None:
            progress(done + 1, len(wanted))
    return found


def quiet_progress(emit: Callable[[int, int], object]) -> Progress:
    """``emit`` (a Qt signal's ``emit``, called from the worker) made harmless once its
    widget is gone: the worker runs on to its next cancel check instead of failing."""

    def progress(done: int, total: int) -> None:
        try:
            emit(done, total)
        except RuntimeError:  # "Internal C++ object already deleted"
            pass

    return progress


def preview_path(cache_dir: Path, key: str) -> Path:
    """Where the preview of content ``key`` is kept."""
    return cache_dir / "sequence-previews" / f"{key[:32]}.mp4"


def _prune(folder: Path, keep: Path) -> None:
    """Keep the newest :data:`PREVIEW_KEEP` previews (and ``keep``)."""
    try:
        files = sorted(folder.glob("*.mp4"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    except OSError:
        return
    for old in files[PREVIEW_KEEP:]:
        if old != keep:
            old.unlink(missing_ok=True)


def render_preview(
    items: Sequence[Any],
    clips: dict[str, StripClip],
    dest: Path,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """The whole sequence as a proxy-sized MP4 with the clips' sound at ``dest`` (made
    unless it exists: ``dest`` is named by the content's hash). ``progress(done, total)``
    counts per mille: the proxies are the first tenth, the frames the rest. Raises
    ``SequenceExportError`` (naming the clip, field and limit), ``ExportCancelled``,
    ``VideoError``, ``OSError``."""
    if dest.is_file():
        os.utime(dest)  # most recently used: pruned last
        return dest

    def proxies_done(done: int, total: int) -> None:
        if progress is not None:
            progress(100 * done // max(1, total), 1000)

    def frames_done(done: int, total: int) -> None:
        if progress is not None:
            progress(100 + 900 * done // max(1, total), 1000)

    proxies = _proxies(items, clips, cancel, proxies_done)
    parts = [
        ExportPart(
            proxies[i.entry_id],
            i.start_frame,
            i.end_frame,
            i.crossfade_frames,
            audio_path=clips[i.entry_id].video_path,  # the proxy is silent
        )
        for i in items
    ]
    dest.parent.mkdir(parents=True, exist_ok=True)
    export_sequence(parts, dest, fps=OUT_FPS, progress=frames_done, cancel=cancel)
    _prune(dest.parent, dest)
    return dest


@dataclass(frozen=True, slots=True)
class SeamWindow:
    """The frames of the two clips a seam preview shows: A from ``a_start`` to ``a_end``
    (exclusive), then B from ``b_start`` to ``b_end``, crossfading ``crossfade`` frames;
    ``seam_s`` is where the join falls in the preview, seconds; ``has_audio`` whether the
    rendered preview has sound (known once it is rendered)."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    crossfade: int
    seam_s: float
    has_audio: bool = False


def seam_window(a_item: Any, a_clip: StripClip, b_item: Any, b_clip: StripClip) -> SeamWindow:
    """About :data:`SEAM_CONTEXT_S` of A before the join and as much of B after it, plus the
    crossfade's frames, with the items' own in/out points."""
    fade = b_item.crossfade_frames
    a_end = a_clip.frame_count if a_item.end_frame is None else a_item.end_frame
    a_need = round(SEAM_CONTEXT_S * a_clip.fps) + round(fade * a_clip.fps / OUT_FPS)
    a_start = max(a_item.start_frame, a_end - a_need)
    b_end_all = b_clip.frame_count if b_item.end_frame is None else b_item.end_frame
    b_need = round(SEAM_CONTEXT_S * b_clip.fps) + round(fade * b_clip.fps / OUT_FPS)
    b_end = min(b_end_all, b_item.start_frame + b_need)
    a_frames = round((a_end - a_start) * OUT_FPS / a_clip.fps) if a_clip.fps else 0
    seam_s = (a_frames - fade / 2) / OUT_FPS
    return SeamWindow(a_start, a_end, b_item.start_frame, b_end, fade, max(0.0, seam_s))


def render_seam(
    a_item: Any,
    a_clip: StripClip,
    b_item: Any,
    b_clip: StripClip,
    dest: Path,
    *,
    cancel: threading.Event | None = None,
) -> SeamWindow:
    """The two seconds around the join of ``a_item`` and ``b_item`` as a small MP4 at
    ``dest`` (replaced): the proxies' pictures, the clips' sound. Raises what
    :func:`render_preview` raises."""
    window = seam_window(a_item, a_clip, b_item, b_clip)
    proxies = _proxies([a_item, b_item], {a_clip.entry_id: a_clip, b_clip.entry_id: b_clip},
                       cancel)  # fmt: skip
    parts = [
        ExportPart(proxies[a_clip.entry_id], window.a_start, window.a_end, 0, a_clip.video_path),
        ExportPart(
            proxies[b_clip.entry_id],
            window.b_start,
            window.b_end,
            window.crossfade,
            b_clip.video_path,
        ),
    ]
    plan = export_sequence(parts, dest, fps=OUT_FPS, cancel=cancel)
    return replace(window, has_audio=plan.has_audio)


def read_frames(
    path: Path, max_size: tuple[int, int], *, cancel: threading.Event | None = None
) -> list[Frame]:
    """Every frame of the (short) video ``path``, scaled to fit ``max_size``, in order."""
    frames = []
    with FrameReader(path, max_size=max_size) as reader:
        for index in range(reader.frame_count):
            if cancel is not None and cancel.is_set():
                raise ExportCancelled("The preview was stopped.")
            frames.append(reader.frame_at(index))
    return frames
