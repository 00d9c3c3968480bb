"""A sequence as an OpenTimelineIO timeline (``.otio``), so an editor can take over.

The timeline references the ORIGINAL clip files (``file://`` URLs of the library's files)
with each item's in/out points, at each clip's own rate, and a ``SMPTE_Dissolve`` transition
for every crossfade. OTIO's transitions take no time on the track: they overlap the clips
around a cut, reaching ``in_offset`` before it and ``out_offset`` after it into media the
clips hold in reserve. A crossfade of N frames is centred on the cut (``in_offset`` N // 2,
``out_offset`` the rest), so the media each clip shows (``Clip.visible_range()``) is exactly
its item's in/out points, and the track lasts as long as the MP4 export:
the sum of the items minus the crossfades.

A video track, and an audio track laid out the same way when any clip has sound (a clip
without sound is a gap there). Each clip's metadata holds its entry id, seed, prompt and
in/out points under ``wan_desktop``.

:func:`write_otio` writes a file (atomically): call it in a worker thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import opentimelineio as otio

from ..core.atomic import atomic_write_text

if TYPE_CHECKING:
    from .sequence_parts import ResolvedItem

__all__ = ["METADATA_KEY", "timeline_for", "write_otio"]

#: The key of this app's metadata on the timeline and on each clip.
METADATA_KEY = "wan_desktop"

_RT = otio.opentime.RationalTime
_TR = otio.opentime.TimeRange


def _offsets(crossfade: int, fps: int) -> tuple[Any, Any]:
    """The transition's reach before and after the cut for a crossfade of ``crossfade``
    output frames at ``fps``."""
    before = crossfade // 2
    return _RT(before, fps), _RT(crossfade - before, fps)


def _clip_metadata(item: ResolvedItem) -> dict[str, Any]:
    return {
        METADATA_KEY: {
            "entry_id": item.entry_id,
            "seed": item.seed,
            "prompt": item.prompt,
            "start_frame": item.start_frame,
            "end_frame": item.end_frame,
            "crossfade_frames": item.crossfade_frames,
        }
    }


def _trimmed(item: ResolvedItem, next_fade: int, fps: int) -> Any:
    """The part of the clip's media on the track (its in/out points less the media the
    transitions on either side borrow)."""
    rate = item.fps
    start = _RT(item.start_frame, rate)
    end = _RT(item.end_frame, rate)
    if item.crossfade_frames:
        start = start + _offsets(item.crossfade_frames, fps)[0].rescaled_to(rate)
    if next_fade:
        end = end - _offsets(next_fade, fps)[1].rescaled_to(rate)
    return _TR.range_from_start_end_time(start, end)


def _track(items: list[ResolvedItem], kind: str, fps: int) -> Any:
    track = otio.schema.Track(name="V1" if kind == otio.schema.TrackKind.Video else "A1", kind=kind)
    for i, item in enumerate(items):
        following = items[i + 1].crossfade_frames if i + 1 < len(items) else 0
        if item.crossfade_frames:
            before, after = _offsets(item.crossfade_frames, fps)
            track.append(
                otio.schema.Transition(
                    name=f"Dissolve {item.crossfade_frames}f",
                    transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                    in_offset=before,
                    out_offset=after,
                )
            )
        source_range = _trimmed(item, following, fps)
        name = item.title or item.entry_id
        if kind == otio.schema.TrackKind.Audio and not item.has_audio:
            silence = _TR(_RT(0, item.fps), source_range.duration)
            track.append(otio.schema.Gap(source_range=silence, name=f"{name} (no sound)"))
            continue
        reference = otio.schema.ExternalReference(
            target_url=otio.url_utils.url_from_filepath(str(item.video_path)),
            available_range=_TR(_RT(0, item.fps), _RT(item.frame_count, item.fps)),
        )
        track.append(
            otio.schema.Clip(
                name=name,
                media_reference=reference,
                source_range=source_range,
                metadata=_clip_metadata(item),
            )
        )
    return track


def timeline_for(sequence: Any, items: list[ResolvedItem], *, fps: int = 24) -> Any:
    """The ``otio.schema.Timeline`` of ``sequence`` (its ``id`` and ``name``) resolved as
    ``items``, with crossfades in output frames at ``fps``."""
    timeline = otio.schema.Timeline(
        name=sequence.name,
        global_start_time=_RT(0, fps),
        metadata={METADATA_KEY: {"sequence_id": sequence.id, "fps": fps}},
    )
    timeline.tracks.append(_track(items, otio.schema.TrackKind.Video, fps))
    if any(item.has_audio for item in items):
        timeline.tracks.append(_track(items, otio.schema.TrackKind.Audio, fps))
    return timeline


def write_otio(
    sequence: Any, items: list[ResolvedItem], dest: Path | str, *, fps: int = 24
) -> Path:
    """Write the timeline of ``sequence`` to ``dest`` (OTIO's JSON, atomically); returns it.

    Serialized by OTIO's core (``to_json_string``), not its adapter plugins, which find
    themselves through manifest files a frozen bundle may not carry."""
    dest = Path(dest)
    text = timeline_for(sequence, items, fps=fps).to_json_string(indent=4)
    atomic_write_text(dest, text + "\n")
    return dest
