"""A take group reads in the order its takes were queued (issue 17), whatever order they were
filed in: with two jobs at once a later take can finish, and be filed, first."""

from __future__ import annotations

import json

import pytest
from library_entries import forget_all_but_videos
from test_library_cli import run

from wan_desktop.core.variants import MAX_TAKES
from wan_desktop.library import Filters, Library
from wan_desktop.library.errors import FieldError
from wan_desktop.library.ids import new_group_id
from wan_desktop.library.sidecar import decode_comment
from wan_desktop.media import mp4meta


@pytest.fixture
def filed_out_of_order(lib, add):
    """Three takes of one group filed 2, 1, 3 (as two jobs at once finish), as seeds 339,
    338, 340 did in the report."""
    group = new_group_id()
    second = add(group_id=group, variant="seed 339", seed=339, take=2)
    first = add(group_id=group, variant="seed 338", seed=338, take=1)
    third = add(group_id=group, variant="seed 340", seed=340, take=3)
    return group, [first, second, third]


def test_group_members_follow_the_queue_not_the_filing(lib, filed_out_of_order):
    group, takes = filed_out_of_order
    members = lib.group_members(group)
    assert [m.seed for m in members] == [338, 339, 340]
    assert [m.take for m in members] == [1, 2, 3]
    assert [m.id for m in members] == [t.id for t in takes]
    # The filing order, which the contact sheet used to show.
    oldest = lib.list(Filters(group_id=group), sort="oldest")
    assert [m.seed for m in oldest] == [339, 338, 340]


def test_the_take_is_in_the_sidecar_the_index_and_the_comment(lib, filed_out_of_order):
    _group, takes = filed_out_of_order
    first = takes[0]
    assert first.take == 1 and first.summary().take == 1
    assert json.loads(first.sidecar_path.read_text())["take"] == 1
    assert lib._query("SELECT take FROM entries WHERE id = ?", (first.id,)) == [(1,)]
    embedded = decode_comment(mp4meta.read_comment(first.video_path))
    assert embedded is not None and embedded["take"] == 1
    assert lib.get(first.id).summary() == lib.list(Filters(group_id=_group), sort="take")[0]


def test_a_rebuild_from_the_videos_alone_keeps_the_order(lib, filed_out_of_order):
    group, _takes = filed_out_of_order
    root = lib.root
    lib.close()
    forget_all_but_videos(root)
    with Library.open(root) as reopened:
        assert [m.seed for m in reopened.group_members(group)] == [338, 339, 340]


def test_takes_of_no_known_place_follow_by_filing_time(lib, add):
    """Takes filed before takes were numbered (take 0) keep the old order, after any
    numbered ones."""
    group = new_group_id()
    old_a = add(group_id=group, variant="seed 5", seed=5)
    old_b = add(group_id=group, variant="seed 6", seed=6)
    numbered = add(group_id=group, variant="seed 7", seed=7, take=1)
    assert [m.id for m in lib.group_members(group)] == [numbered.id, old_a.id, old_b.id]


@pytest.mark.parametrize("bad", [-1, MAX_TAKES + 1, True, 1.0, "2"])
def test_a_bad_take_number_is_refused_by_name(lib, make, bad):
    with pytest.raises(FieldError, match=rf"take .*1 to {MAX_TAKES}"):
        lib.add(make(group_id=new_group_id(), variant="seed 1", take=bad))
    assert lib.count() == 0


def test_a_sidecar_with_a_bad_take_keeps_the_entry_and_sets_it_aside(lib, add):
    entry = add(group_id=new_group_id(), variant="seed 1", take=1)
    root = lib.root
    lib.close()
    data = json.loads(entry.sidecar_path.read_text())
    data["take"] = 99
    entry.sidecar_path.write_text(json.dumps(data))
    with Library.open(root) as reopened:
        reopened.rebuild()
        again = reopened.get(entry.id)
        assert again.take == 0
        assert "take" in again.set_aside


def test_library_list_group_reads_in_take_order(lib, filed_out_of_order):
    group, takes = filed_out_of_order
    lib.close()
    code, out, err = run("library", "list", "--group", group, "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["take"], r["seed"]) for r in rows] == [(1, 338), (2, 339), (3, 340)]
    code, out, _ = run("library", "list", "--group", group, "--sort", "oldest", "--json")
    assert [r["seed"] for r in json.loads(out)] == [339, 338, 340]  # asked for: filing order
    code, out, _ = run("library", "show", takes[0].id)
    assert code == 0 and "take: 1" in out.splitlines()
