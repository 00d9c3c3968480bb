"""Sequences: made with default seams, saved (file + index row), listed, edited, deleted,
rebuilt from their files; invalid or hostile files are reported and skipped."""

from __future__ import annotations

import json
import os
import time

import msgspec
import pytest

from wan_desktop.library import (
    EntryNotFoundError,
    FieldError,
    Library,
    Sequence,
    SequenceItem,
    SequenceNotFoundError,
)
from wan_desktop.library.ids import is_valid_sequence_id, new_id, new_sequence_id
from wan_desktop.library.sequences import default_items, problems, read_sequence_file


@pytest.fixture
def chain3(lib, add):
    """A continue-chain a → b → c and an unrelated clip x."""
    a = add(prompt="one")
    b = add(prompt="two", parent_id=a.id)
    c = add(prompt="three", parent_id=b.id)
    x = add(prompt="elsewhere")
    return a.id, b.id, c.id, x.id


def test_default_seams_drop_the_repeated_first_frame_of_a_continuation():
    items = default_items(["a", "b", "c", "d"], {"b": "a", "c": "x", "d": "c"})
    assert [i.start_frame for i in items] == [0, 1, 0, 1]
    assert all(i.end_frame is None and i.crossfade_frames == 0 for i in items)


def test_new_sequence_from_a_chain(lib, chain3):
    a, b, c, x = chain3
    seq = lib.new_sequence("  My   first film ", lib.chain(b))
    assert is_valid_sequence_id(seq.id) and seq.id.startswith("s-")
    assert seq.name == "My first film"
    assert [(i.entry_id, i.start_frame) for i in seq.items] == [(a, 0), (b, 1), (c, 1)]
    assert seq.created_at == seq.updated_at and seq.created_at.endswith("Z")
    # Not a continuation of the item before it: no frame dropped.
    mixed = lib.new_sequence("mixed", [x, b, a])
    assert [i.start_frame for i in mixed.items] == [0, 0, 0]


def test_saved_as_a_file_and_a_row(lib, chain3):
    seq = lib.new_sequence("film", chain3[:3])
    path = lib.root / "sequences" / f"{seq.id}.json"
    data = json.loads(path.read_text())
    assert data["id"] == seq.id and data["schema"] == 1 and len(data["items"]) == 3
    assert data["items"][1] == {
        "entry_id": chain3[1],
        "start_frame": 1,
        "end_frame": None,
        "crossfade_frames": 0,
    }
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp left
    assert lib.get_sequence(seq.id) == seq
    assert lib._query("SELECT name FROM sequences WHERE id = ?", (seq.id,)) == [("film",)]


def test_edit_save_and_list_most_recent_first(lib, chain3):
    a, b, c, x = chain3
    first = lib.new_sequence("first", [a, b])
    second = lib.new_sequence("second", [x])
    time.sleep(0.002)
    items = [*first.items, SequenceItem(entry_id=c, start_frame=1, crossfade_frames=6)]
    items[0] = SequenceItem(entry_id=a, end_frame=20)
    edited = msgspec.structs.replace(first, name="first, longer", items=items)
    stored = lib.save_sequence(edited)
    assert stored.updated_at > first.updated_at and stored.created_at == first.created_at
    assert lib.get_sequence(first.id) == stored
    assert [s.id for s in lib.list_sequences()] == [first.id, second.id]
    assert lib.get_sequence(first.id).items[2].crossfade_frames == 6
    assert lib.get_sequence(first.id).items[0].end_frame == 20


@pytest.mark.parametrize(
    ("item", "said"),
    [
        (SequenceItem(entry_id="01m8vj7f2t64bz19", crossfade_frames=13), "crossfade_frames"),
        (SequenceItem(entry_id="01m8vj7f2t64bz19", crossfade_frames=-1), "from 0 to 12"),
        (SequenceItem(entry_id="01m8vj7f2t64bz19", start_frame=-3), "start_frame"),
        (SequenceItem(entry_id="01m8vj7f2t64bz19", start_frame=5, end_frame=5), "after"),
        (SequenceItem(entry_id="../../etc/passwd"), "entry_id"),
    ],
)
def test_a_bad_item_is_refused_naming_the_field(lib, chain3, item, said):
    seq = lib.new_sequence("film", chain3[:1])
    bad = msgspec.structs.replace(seq, items=[*seq.items, item])
    with pytest.raises(FieldError, match=said) as caught:
        lib.save_sequence(bad)
    assert "items[1]" in str(caught.value)
    assert lib.get_sequence(seq.id) == seq  # nothing changed


def test_bad_names_ids_and_clips_are_refused(lib, chain3):
    with pytest.raises(FieldError, match="name must not be empty"):
        lib.new_sequence("   ", chain3)
    with pytest.raises(FieldError, match="at most 200"):
        lib.new_sequence("x" * 201, chain3)
    with pytest.raises(EntryNotFoundError, match=r"items\[1\]"):
        lib.new_sequence("film", [chain3[0], new_id()])
    with pytest.raises(FieldError, match=r"items\[0\].entry_id"):
        lib.new_sequence("film", ["not an id"])
    forged = Sequence(id="../escape", name="x", created_at="", updated_at="")
    with pytest.raises(FieldError, match="id is not a sequence id"):
        lib.save_sequence(forged)
    assert problems("nope") == ["not a Sequence: str"]
    assert lib.list_sequences() == []
    assert not (lib.root / "sequences").exists() or not list((lib.root / "sequences").iterdir())


def test_a_new_sequence_may_start_empty_and_be_saved_from_scratch(lib, chain3):
    empty = lib.new_sequence("later", [])
    assert empty.items == []
    fresh = Sequence(id=new_sequence_id(), name="by hand", created_at="", updated_at="",
                     items=[SequenceItem(entry_id=chain3[3])])  # fmt: skip
    stored = lib.save_sequence(fresh)
    assert stored.created_at and stored.updated_at
    assert {s.id for s in lib.list_sequences()} == {empty.id, fresh.id}


def test_delete(lib, chain3):
    seq = lib.new_sequence("film", chain3)
    lib.delete_sequence(seq.id)
    assert lib.list_sequences() == []
    assert not (lib.root / "sequences" / f"{seq.id}.json").exists()
    with pytest.raises(SequenceNotFoundError, match="no sequence"):
        lib.get_sequence(seq.id)
    with pytest.raises(SequenceNotFoundError):
        lib.delete_sequence(seq.id)
    with pytest.raises(SequenceNotFoundError):
        lib.delete_sequence("../../x")
    assert lib.count() == 4  # the clips stay


def test_rebuild_restores_sequences(lib, chain3):
    one = lib.new_sequence("one", chain3[:3])
    two = lib.new_sequence("two", chain3[3:])
    root = lib.root
    lib.close()
    os.remove(root / "library.db")
    with Library.open(root) as reopened:  # a lost index is rebuilt on open
        assert {s.id: s for s in reopened.list_sequences()} == {one.id: one, two.id: two}
        reopened._query("DELETE FROM sequences")
        report = reopened.rebuild()
        assert report.sequences == 2 and report.to_dict()["sequences"] == 2
        assert reopened.get_sequence(one.id) == one


def test_sequences_alone_bring_back_a_lost_index(tmp_path):
    with Library.open(tmp_path / "lib") as lib:
        seq = lib.new_sequence("empty for now", [])
    os.remove(tmp_path / "lib" / "library.db")
    with Library.open(tmp_path / "lib") as lib:
        assert lib.get_sequence(seq.id) == seq


def test_invalid_and_hostile_files_are_reported_and_skipped(lib, chain3):
    good = lib.new_sequence("good", chain3[:2])
    folder = lib.root / "sequences"
    sound = json.loads((folder / f"{good.id}.json").read_text())

    def write(name: str, data: bytes) -> str:
        (folder / name).write_bytes(data)
        return name

    bad_names = [
        write(f"{new_sequence_id()}.json", b"{ nope"),
        write(f"{new_sequence_id()}.json", b"[1, 2]"),
        write(f"{new_sequence_id()}.json", b"[" * 100_000 + b"]" * 100_000),
        write(
            f"{new_sequence_id()}.json",
            json.dumps(
                {**sound, "items": [{"entry_id": chain3[0], "crossfade_frames": 99}]}
            ).encode(),
        ),
        write(f"{new_sequence_id()}.json", json.dumps({**sound, "schema": 7}).encode()),
        write(f"{new_sequence_id()}.json", json.dumps(sound).encode()),  # another id inside
        write("notes.json", b"{}"),
    ]
    link = folder / f"{new_sequence_id()}.json"
    link.symlink_to(folder / f"{good.id}.json")
    bad_names.append(link.name)
    write(".s-temp.json.abc.part", b"half")  # an atomic write in flight: ignored, not reported

    report = lib.rebuild()
    assert report.sequences == 1 and [s.id for s in lib.list_sequences()] == [good.id]
    reasons = dict(report.skipped)
    assert set(reasons) == {f"sequences/{n}" for n in bad_names}
    assert "not valid JSON" in reasons[f"sequences/{bad_names[0]}"]
    assert "crossfade_frames" in reasons[f"sequences/{bad_names[3]}"]
    assert "newer" in reasons[f"sequences/{bad_names[4]}"]
    assert f"holds sequence {good.id}" in reasons[f"sequences/{bad_names[5]}"]
    assert "not a sequence id" in reasons["sequences/notes.json"]


def test_read_sequence_file_round_trips(lib, chain3):
    seq = lib.new_sequence("film", chain3)
    assert read_sequence_file(lib.root / "sequences" / f"{seq.id}.json") == seq
