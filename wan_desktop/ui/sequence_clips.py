"""What the sequence views know about each clip of a sequence, and the sequence's timeline.

:class:`StripClip` is one library clip as the strip, the seam editor and the renders need it
(file, poster, rate, frame count, parent), read in a worker by :func:`load_clips` from the
library's index (the sidecar's probe: no video is opened unless the sidecar lacks it).

The timeline functions mirror the exporter (``media.sequence_plan``): a part lasts
``round((end - start) * fps_out / fps)`` output frames and a crossfade of N frames starts the
next part N frames earlier. So the seams marked on the seek bar fall where the rendered
preview really changes clip.

Plain Python (no Qt): the functions are tested and benchmarked without a display.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = [
    "OUT_FPS",
    "StripClip",
    "clip_of_entry",
    "content_key",
    "default_start",
    "item_frames",
    "load_clips",
    "missing_clip",
    "reseat_defaults",
    "seam_seconds",
    "sequence_seconds",
    "used_frames",
]

#: The rate previews and exports are made at (the exporter's default).
OUT_FPS = 24
#: Changed whenever renders come out differently for the same items, so previews cached by an
#: older version are made again (2: the clips' sound, where version 1 was silent).
_RENDER_FORMAT = "render-2"


@dataclass(frozen=True, slots=True)
class StripClip:
    """One clip of a sequence. ``fps`` and ``frame_count`` are the clip's own; ``poster`` the
    poster image's path (``None``: none); ``missing`` when the entry is no longer in the library
    (the sequence still names it: it shows, and export says which item is missing)."""

    entry_id: str
    title: str
    prompt: str
    video_path: Path | None
    poster: str | None
    fps: float
    frame_count: int
    parent_id: str | None
    missing: bool = False

    @property
    def duration_s(self) -> float:
        """The whole clip's length in seconds."""
        return self.frame_count / self.fps if self.fps > 0 else 0.0


def missing_clip(entry_id: str) -> StripClip:
    """A placeholder for an item whose entry is gone."""
    return StripClip(entry_id, "Missing clip", "", None, None, float(OUT_FPS), 0, None, True)


def clip_of_entry(entry: Any) -> StripClip:
    """``entry`` (a library ``Entry``) as a :class:`StripClip`, from its sidecar's probe
    (probing the video when the sidecar has no frame count: a few ms, disk)."""
    facts = entry.data.get("video") or {}
    fps = float(facts.get("fps") or 0.0)
    count = int(facts.get("frame_count") or 0)
    if fps <= 0 or count <= 0:
        from ..media.video import probe

        info = probe(entry.video_path)
        fps, count = info.fps, info.frame_count
    title = entry.title or " ".join(entry.prompt.split())[:80] or entry.id
    poster = str(entry.poster_path) if entry.poster_path else None
    return StripClip(entry.id, title, entry.prompt, entry.video_path, poster, fps, count,
                     entry.parent_id)  # fmt: skip


def load_clips(library: Any, entry_ids: Iterable[str]) -> dict[str, StripClip]:
    """Every clip of ``entry_ids`` (each once), a placeholder for those no longer in the
    library. Index reads: worker thread."""
    from ..library.errors import EntryNotFoundError
    from ..media.video import VideoError

    clips: dict[str, StripClip] = {}
    for entry_id in entry_ids:
        if entry_id in clips:
            continue
        try:
            clips[entry_id] = clip_of_entry(library.get(entry_id))
        except (EntryNotFoundError, VideoError):
            clips[entry_id] = missing_clip(entry_id)
    return clips


def used_frames(item: Any, clip: StripClip) -> int:
    """How many of the clip's own frames the item uses (0 for a missing clip)."""
    end = clip.frame_count if item.end_frame is None else min(item.end_frame, clip.frame_count)
    return max(0, end - item.start_frame)


def item_frames(item: Any, clip: StripClip, fps: int = OUT_FPS) -> int:
    """The item's length in output frames at ``fps`` (as the exporter counts them)."""
    used = used_frames(item, clip)
    if used == 0 or clip.fps <= 0:
        return 0
    return max(1, round(used * fps / clip.fps))


def _layout(
    items: Sequence[Any], clips: dict[str, StripClip], fps: int
) -> tuple[list[int], list[int], int]:
    """Each item's first output frame and the crossfade it really gets (the exporter refuses
    one longer than a part; here it is only shortened), and the total output frames."""
    starts, fades, cursor = [], [], 0
    for n, item in enumerate(items):
        frames = item_frames(item, clips[item.entry_id], fps)
        fade = 0 if n == 0 else max(0, min(item.crossfade_frames, frames, cursor))
        start = cursor - fade
        starts.append(start)
        fades.append(fade)
        cursor = start + frames
    return starts, fades, cursor


def sequence_seconds(
    items: Sequence[Any], clips: dict[str, StripClip], fps: int = OUT_FPS
) -> float:
    """The sequence's length in seconds, crossfades taken off."""
    return _layout(items, clips, fps)[2] / fps


def seam_seconds(
    items: Sequence[Any], clips: dict[str, StripClip], fps: int = OUT_FPS
) -> list[float]:
    """Where each join falls in the rendered sequence, seconds: the middle of its crossfade
    (the cut itself without one). One per item after the first."""
    starts, fades, _total = _layout(items, clips, fps)
    return [(starts[n] + fades[n] / 2) / fps for n in range(1, len(items))]


def default_start(item: Any, previous: Any | None, clips: dict[str, StripClip]) -> int:
    """The default first frame of ``item`` after ``previous``: 1 when its clip was continued
    from the previous clip's last frame (frame 0 repeats it), else 0."""
    if previous is None:
        return 0
    return 1 if clips[item.entry_id].parent_id == previous.entry_id else 0


def reseat_defaults(
    before: Sequence[Any], after: list[Any], clips: dict[str, StripClip]
) -> list[Any]:
    """``after`` (the items of ``before`` reordered, some removed or added) with each item
    that kept its default first frame given the default for its new neighbour: a continued
    clip moved away from its parent starts at 0 again, one put after it drops the repeat.
    Starts the user chose are kept."""
    old_previous = {id(item): before[n - 1] if n else None for n, item in enumerate(before)}
    out = []
    for n, item in enumerate(after):
        previous = after[n - 1] if n else None
        was = old_previous.get(id(item), "new")
        old_default = 0 if was == "new" else default_start(item, was, clips)
        if item.start_frame == old_default:
            wanted = default_start(item, previous, clips)
            if wanted != item.start_frame:
                item = _with(item, start_frame=wanted)
        out.append(item)
    return out


def _with(item: Any, **changes: Any) -> Any:
    import msgspec

    if isinstance(item, msgspec.Struct):
        return msgspec.structs.replace(item, **changes)
    return replace(item, **changes)


def content_key(items: Sequence[Any], clips: dict[str, StripClip], fps: int = OUT_FPS) -> str:
    """A hash of what a render of ``items`` shows: how renders are made
    (:data:`_RENDER_FORMAT`), each item's in/out points and crossfade, and each clip file's
    size and modification time (a clip changed on disk renders anew)."""
    digest = hashlib.sha256(f"{_RENDER_FORMAT}|fps={fps}".encode())
    for item in items:
        clip = clips[item.entry_id]
        try:
            stat = clip.video_path.stat() if clip.video_path else None
        except OSError:
            stat = None
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}" if stat else "-"
        line = (f"{item.entry_id}|{item.start_frame}|{item.end_frame}|{item.crossfade_frames}|"
                f"{clip.video_path}|{stamp}\n")  # fmt: skip
        digest.update(line.encode())
    return digest.hexdigest()
