"""The take fields (group id, variant label, rating, flag): filed with a generation, kept in the
sidecar and the index, carried by the video's comment where they describe the filing, and
restored by a rebuild (from sidecars, and from comments when the sidecars are gone)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from library_entries import cull_two_takes, forget_all_but_videos

from wan_desktop.library import Library
from wan_desktop.library.errors import FieldError
from wan_desktop.library.ids import new_group_id
from wan_desktop.library.sidecar import decode_comment
from wan_desktop.media import mp4meta


def test_a_take_is_filed_with_its_group_and_label(lib, add):
    group = new_group_id()
    entry = add(group_id=group, variant="seed  1234\n")
    assert (entry.group_id, entry.variant, entry.rating, entry.flag) == (
        group,
        "seed 1234",  # one line, whitespace collapsed
        0,
        "",
    )
    sidecar = json.loads(entry.sidecar_path.read_text())
    assert sidecar["group_id"] == group and sidecar["variant"] == "seed 1234"
    assert sidecar["rating"] == 0 and sidecar["flag"] == ""
    row = lib._query(
        "SELECT group_id, variant, rating, flag FROM entries WHERE id = ?", (entry.id,)
    )[0]
    assert row == (group, "seed 1234", 0, "")
    [summary] = lib.list()
    assert (summary.group_id, summary.variant, summary.rating, summary.flag) == row
    assert summary.to_dict()["group_id"] == group
    assert entry.summary() == summary


def test_a_clip_made_alone_has_no_group(add):
    entry = add()
    assert entry.group_id is None and entry.variant == ""


def test_the_comment_carries_the_group_and_the_judgement_once_synced(lib, add):
    group = new_group_id()
    entry = add(group_id=group, variant="prompt B · seed 7")
    lib.set_rating(entry.id, 4)
    lib.set_flag(entry.id, "picked")
    embedded = decode_comment(mp4meta.read_comment(entry.video_path))
    assert embedded is not None
    assert embedded["group_id"] == group and embedded["variant"] == "prompt B · seed 7"
    # The keys update the sidecar and the index at once; the video keeps what filing wrote
    # until its comment is synced (tests/library/test_library_comment_sync.py).
    assert (embedded["rating"], embedded["flag"]) == (0, "")
    lib.sync_comment(entry.id)
    embedded = decode_comment(mp4meta.read_comment(entry.video_path))
    assert (embedded["rating"], embedded["flag"]) == (4, "picked")


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"group_id": "-bad"}, "group_id"),
        ({"group_id": "ab"}, "group_id"),
        ({"group_id": "UPPER-case"}, "group_id"),
        ({"group_id": "g" * 65}, "group_id"),
        ({"variant": "x" * 81}, "variant"),
    ],
)
def test_a_bad_group_or_label_is_refused_by_name(lib, make, options, field):
    new = make(**options)
    with pytest.raises(FieldError, match=field):
        lib.add(new)
    assert lib.count() == 0
    assert not list(lib.paths.staging.iterdir())


@pytest.fixture
def culled(lib, add):
    """Two takes of one group, rated and flagged; the library closed."""
    _group, a, b = cull_two_takes(lib, add)
    expected = {e.id: (e.group_id, e.variant, e.rating, e.flag) for e in map(lib.get, (a.id, b.id))}
    lib.close()
    return lib.root, expected


def _fields(lib: Library) -> dict[str, tuple]:
    return {s.id: (s.group_id, s.variant, s.rating, s.flag) for s in lib.list()}


def test_rebuild_restores_every_take_field(culled):
    root, expected = culled
    os.remove(root / "library.db")
    with Library.open(root) as lib:
        assert _fields(lib) == expected
        assert {e: lib.get(e).rating for e in expected} == {e: v[2] for e, v in expected.items()}


def test_rebuild_from_comments_keeps_the_group(culled):
    root, expected = culled
    forget_all_but_videos(root)
    with Library.open(root) as lib:
        # The group and labels travel in the video; judgements not yet synced into it lived
        # in the lost sidecars.
        assert _fields(lib) == {e: (g, v, 0, "") for e, (g, v, _r, _f) in expected.items()}


def test_an_old_index_upgrades_with_empty_take_fields(tmp_path, make):
    root = tmp_path / "lib"
    root.mkdir()
    shutil.copy(Path(__file__).parent / "schemas" / "v2.db", root / "library.db")
    with Library.open(root) as lib:
        entry = lib.add(make())
        assert (entry.group_id, entry.variant, entry.rating, entry.flag) == (None, "", 0, "")
        assert lib.set_rating(entry.id, 3).rating == 3


def test_a_sidecar_with_a_bad_rating_keeps_the_entry_and_sets_it_aside(culled):
    root, expected = culled
    some_id = next(iter(expected))
    [sidecar] = [p for p in root.rglob("entry.json") if p.parent.name == some_id]
    data = json.loads(sidecar.read_text())
    data["rating"] = 9
    data["flag"] = "maybe"
    sidecar.write_text(json.dumps(data))
    with Library.open(root) as lib:
        report = lib.rebuild()
        assert report.indexed == 2
        entry = lib.get(some_id)
        assert entry.rating == 0 and entry.flag == ""
        assert set(entry.set_aside) >= {"rating", "flag"}
        assert entry.group_id == expected[some_id][0]
