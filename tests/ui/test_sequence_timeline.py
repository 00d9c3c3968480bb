"""The sequence views' timeline (``ui.sequence_clips``) against the exporter's own plan
(``media.sequence_plan.plan_export``): the same length and the same place for every join, for
clips at 12 and 24 fps, trimmed, continued and crossfaded; default seams follow a reorder; the
content key changes with any setting and with the clip file."""

from __future__ import annotations

import os

import msgspec
import pytest
from sequence_helpers import add_clip, open_library

from wan_desktop.library.sequences import SequenceItem
from wan_desktop.media.sequence_plan import ExportPart, plan_export
from wan_desktop.ui.sequence_clips import (
    content_key,
    load_clips,
    missing_clip,
    reseat_defaults,
    seam_seconds,
    sequence_seconds,
)


@pytest.fixture
def clips(tmp_path):
    lib = open_library(tmp_path)
    a = add_clip(lib, tmp_path, hue=0.1, seconds=2.0, fps=12)
    b = add_clip(lib, tmp_path, hue=0.4, seconds=1.5, fps=24, parent=a)
    c = add_clip(lib, tmp_path, hue=0.7, seconds=1.0, fps=12, parent=b)
    yield lib, [a, b, c]
    lib.close()


@pytest.mark.parametrize(
    "settings",
    [
        [(0, None, 0), (1, None, 0), (1, None, 0)],
        [(0, 20, 0), (1, None, 6), (1, None, 12)],
        [(3, 18, 0), (0, 30, 4), (2, 10, 2)],
    ],
)
def test_the_timeline_matches_the_exporters_plan(clips, settings):
    lib, entries = clips
    items = [SequenceItem(entry_id=e.id, start_frame=s, end_frame=end, crossfade_frames=f)
             for e, (s, end, f) in zip(entries, settings, strict=True)]  # fmt: skip
    facts = load_clips(lib, [e.id for e in entries])
    assert [facts[e.id].fps for e in entries] == [12, 24, 12]
    plan = plan_export([ExportPart(e.video_path, s, end, f)
                        for e, (s, end, f) in zip(entries, settings, strict=True)])  # fmt: skip
    assert sequence_seconds(items, facts) == pytest.approx(plan.duration_s)
    joins = [(p.out_start + p.crossfade / 2) / plan.fps for p in plan.parts[1:]]
    assert seam_seconds(items, facts) == pytest.approx(joins)


def test_default_seams_follow_a_reorder_but_chosen_starts_stay(clips):
    lib, (a, b, c) = clips
    facts = load_clips(lib, [a.id, b.id, c.id])
    before = [SequenceItem(entry_id=a.id), SequenceItem(entry_id=b.id, start_frame=1),
              SequenceItem(entry_id=c.id, start_frame=5)]  # fmt: skip
    after = reseat_defaults(before, [before[1], before[0], before[2]], facts)
    # B left its parent: 0. A after B: 0 (A is not B's child). C's 5 was chosen: kept.
    assert [i.start_frame for i in after] == [0, 0, 5]
    back = reseat_defaults(after, [after[1], after[0], after[2]], facts)
    assert [i.start_frame for i in back] == [0, 1, 5]  # B follows A again: its repeat drops


def test_the_content_key_follows_settings_and_files(clips):
    lib, (a, b, _c) = clips
    facts = load_clips(lib, [a.id, b.id])
    items = [SequenceItem(entry_id=a.id), SequenceItem(entry_id=b.id, start_frame=1)]
    key = content_key(items, facts)
    assert content_key(list(items), facts) == key
    faded = [items[0], msgspec.structs.replace(items[1], crossfade_frames=3)]
    assert content_key(faded, facts) != key
    stat = a.video_path.stat()
    os.utime(a.video_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert content_key(items, facts) != key  # the clip changed on disk


def test_a_missing_clip_counts_nothing_and_is_marked(clips):
    lib, (a, _b, _c) = clips
    facts = load_clips(lib, [a.id, "01m8zzzzzzzzzzzz"])
    gone = facts["01m8zzzzzzzzzzzz"]
    assert gone == missing_clip("01m8zzzzzzzzzzzz") and gone.missing
    items = [SequenceItem(entry_id=a.id), SequenceItem(entry_id=gone.entry_id)]
    assert sequence_seconds(items, facts) == pytest.approx(2.0)
