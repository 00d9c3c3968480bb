"""Edits reach the index and the sidecar; the trash moves folders and only emptying deletes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from wan_desktop.library import EntryNotFoundError, Filters, Library, LibraryError, clock


def sidecar(entry):
    return json.loads(entry.sidecar_path.read_text())


def test_edits_are_written_to_index_and_sidecar(lib, add):
    entry = add(prompt="mountain lake")
    lib.set_favourite(entry.id, True)
    lib.set_tags(entry.id, ["  Landscape ", "landscape", "Golden   Hour", "a,b", ""])
    lib.set_notes(entry.id, "use for the intro")
    lib.set_title(entry.id, "  Lake\n at dawn ")
    got = lib.get(entry.id)
    assert got.favourite is True
    assert got.tags == ("landscape", "golden hour", "a", "b")
    assert got.notes == "use for the intro" and got.title == "Lake at dawn"
    data = sidecar(got)
    assert data["favourite"] is True and data["tags"] == list(got.tags)
    assert data["notes"] == "use for the intro" and data["title"] == "Lake at dawn"
    assert [s.id for s in lib.search("golden")] == [entry.id]
    assert [s.id for s in lib.search("intro")] == [entry.id]
    assert [s.id for s in lib.list(Filters(favourite=True))] == [entry.id]
    assert lib.all_tags()[0] == ("a", 1)
    lib.set_tags(entry.id, [])
    assert lib.search("golden") == []
    # The edits survive a rebuild (the sidecar is the source of truth).
    lib.rebuild()
    assert lib.get(entry.id).favourite is True


def test_edit_of_unknown_id(lib):
    with pytest.raises(EntryNotFoundError):
        lib.set_favourite("01m89sa71tg0z1q4", True)


def test_trash_and_restore(lib, add):
    keep = add(prompt="keep me")
    gone = add(prompt="throw me away")
    trashed = lib.trash(gone.id)
    assert trashed.trashed_at is not None
    assert trashed.folder == lib.root / "trash" / gone.id
    assert trashed.video_path.is_file() and not gone.folder.exists()
    assert sidecar(trashed)["trashed_at"] == trashed.trashed_at
    assert [s.id for s in lib.list()] == [keep.id]
    assert lib.search("throw") == []
    assert [s.id for s in lib.list(Filters(trashed=True))] == [gone.id]
    with pytest.raises(LibraryError):
        lib.trash(gone.id)
    back = lib.restore(gone.id)
    assert back.trashed_at is None and back.folder == gone.folder and back.video_path.is_file()
    assert sidecar(back)["trashed_at"] is None
    assert {s.id for s in lib.list()} == {keep.id, gone.id}


def test_empty_trash_removes_files_only_when_old_enough(lib, add, monkeypatch):
    entry = add()
    folder = lib.trash(entry.id).folder
    assert lib.empty_trash() == 0  # 30 days by default
    assert folder.is_dir()
    later = clock.now() + timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert lib.empty_trash() == 1
    assert not folder.exists()
    with pytest.raises(EntryNotFoundError):
        lib.get(entry.id)
    assert list(lib.paths.staging.iterdir()) == []


def test_empty_trash_on_request(lib, add):
    entry = add()
    lib.trash(entry.id)
    assert lib.empty_trash(older_than_days=0) == 1
    assert lib.count(filters=Filters(trashed=True)) == 0


def test_expired_trash_is_purged_on_open(lib, add, monkeypatch):
    root = lib.root
    lib.trash(add().id)
    lib.trash(add().id)
    lib.close()
    with Library.open(root) as again:
        assert again.count(filters=Filters(trashed=True)) == 2
    later = clock.now() + timedelta(days=30, hours=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    with Library.open(root) as again:
        assert again.count(filters=Filters(trashed=True)) == 0
    assert list((root / "trash").iterdir()) == []
