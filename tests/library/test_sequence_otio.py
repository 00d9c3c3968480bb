"""library.sequence_otio: the .otio timeline loads back with opentimelineio with the same
clips (the original files), in/out points, rates and transitions, and lasts as long as the
MP4 export of the same items."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import opentimelineio as otio
import pytest
from library_clips import make_clip

from wan_desktop.library.sequence_otio import METADATA_KEY, timeline_for, write_otio
from wan_desktop.library.sequence_parts import ResolvedItem, export_parts
from wan_desktop.media.sequence_plan import plan_export

SEQUENCE = SimpleNamespace(id="s-20261202-000000-abcd", name="Harbour at dusk")


def item(path: Path, start: int, end: int, fade: int, *, fps: float = 24, frames: int = 48,
         audio: bool = True, entry_id: str = "") -> ResolvedItem:  # fmt: skip
    return ResolvedItem(
        entry_id=entry_id or path.stem, video_path=path, start_frame=start, end_frame=end,
        crossfade_frames=fade, fps=fps, frame_count=frames, has_audio=audio,
        title=f"title of {path.stem}", seed=1234, prompt="the boat leaves", actual_prompt="a boat",
    )  # fmt: skip


@pytest.fixture
def items(tmp_path) -> list[ResolvedItem]:
    a = make_clip(tmp_path / "a.mp4", seconds=2.0, audio=True)
    b = make_clip(tmp_path / "b.mp4", seconds=1.5)
    c = make_clip(tmp_path / "c.mp4", seconds=2.0, fps=15, audio=True)
    return [
        item(a, 0, 48, 0),
        item(b, 1, 36, 5, frames=36, audio=False),
        item(c, 2, 22, 6, fps=15, frames=30),  # 20 frames at 15 fps: 32 at 24
    ]


def clips_and_transitions(track) -> tuple[list, list]:
    clips = [c for c in track if isinstance(c, otio.schema.Clip)]
    transitions = [t for t in track if isinstance(t, otio.schema.Transition)]
    return clips, transitions


def test_round_trip_same_clips_ranges_and_transitions(items, tmp_path):
    dest = write_otio(SEQUENCE, items, tmp_path / "film.otio")
    timeline = otio.adapters.read_from_file(str(dest))
    assert timeline.name == SEQUENCE.name
    assert timeline.metadata[METADATA_KEY]["sequence_id"] == SEQUENCE.id
    video = timeline.video_tracks()[0]
    clips, transitions = clips_and_transitions(video)
    assert [otio.url_utils.filepath_from_url(c.media_reference.target_url) for c in clips] == [
        str(i.video_path) for i in items
    ]
    for clip, original in zip(clips, items, strict=True):
        assert clip.source_range.start_time.rate == original.fps  # the clip's own rate
        shown = clip.visible_range()  # the media the clip shows, transitions included
        start = shown.start_time.rescaled_to(original.fps).value
        end = shown.end_time_exclusive().rescaled_to(original.fps).value
        assert (start, end) == pytest.approx((original.start_frame, original.end_frame))
        meta = clip.metadata[METADATA_KEY]
        assert (meta["entry_id"], meta["seed"], meta["prompt"]) == (
            original.entry_id, 1234, "the boat leaves",
        )  # fmt: skip
        available = clip.media_reference.available_range
        assert available.duration.to_frames() == original.frame_count
    assert [t.transition_type for t in transitions] == [
        otio.schema.TransitionTypes.SMPTE_Dissolve
    ] * 2
    fades = [(t.in_offset + t.out_offset).to_frames() for t in transitions]
    assert fades == [5, 6]
    # The transitions sit between the clips they join.
    kinds = [type(child).__name__ for child in video]
    assert kinds == ["Clip", "Transition", "Clip", "Transition", "Clip"]


def test_the_timeline_lasts_as_long_as_the_mp4_export(items):
    timeline = timeline_for(SEQUENCE, items)
    plan = plan_export(export_parts(items))
    assert plan.total_frames == 48 + 35 + 32 - 5 - 6
    for track in timeline.tracks:
        assert track.duration().rescaled_to(24).value == pytest.approx(plan.total_frames)


def test_sound_track_mirrors_the_pictures_with_a_gap_for_a_silent_clip(items):
    timeline = timeline_for(SEQUENCE, items)
    (audio,) = timeline.audio_tracks()
    kinds = [type(child).__name__ for child in audio]
    assert kinds == ["Clip", "Transition", "Gap", "Transition", "Clip"]
    video_ranges = [audio.range_of_child_at_index(i) for i in (0, 2, 4)]
    assert video_ranges == [
        timeline.video_tracks()[0].range_of_child_at_index(i) for i in (0, 2, 4)
    ]


def test_no_sound_track_when_no_clip_has_sound(tmp_path):
    silent = make_clip(tmp_path / "s.mp4", seconds=1.0)
    timeline = timeline_for(SEQUENCE, [item(silent, 0, 24, 0, frames=24, audio=False)] * 2)
    assert len(timeline.tracks) == 1 and timeline.video_tracks()


def test_written_atomically_as_plain_otio_json(items, tmp_path):
    dest = tmp_path / "out" / "film.otio"
    write_otio(SEQUENCE, items, dest)
    assert dest.read_text(encoding="utf-8").lstrip().startswith("{")
    assert '"OTIO_SCHEMA": "Timeline.1"' in dest.read_text(encoding="utf-8")
    assert sorted(p.name for p in dest.parent.iterdir()) == ["film.otio"]
