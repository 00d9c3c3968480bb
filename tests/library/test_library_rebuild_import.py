"""Rebuilding the index from the folders (sidecars, then video comments) and importing MP4s."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest
from library_clips import make_clip
from library_entries import forget_all_but_videos

from wan_desktop.library import Filters, Library
from wan_desktop.library.files import VIDEO_NAME
from wan_desktop.media import mp4meta, video


def snapshot(lib: Library) -> dict[str, tuple]:
    out = {}
    for summary in lib.list(limit=1000) + lib.list(Filters(trashed=True), limit=1000):
        e = lib.get(summary.id)
        out[e.id] = (
            *(e.request, e.seed, e.actual_prompt, e.arguments, e.created_at, e.parent_id),
            *(e.favourite, e.tags, e.trashed_at is not None, e.folder),
        )
    return out


@pytest.fixture
def three(lib, add):
    """Three entries (one with audio and a parent, one in the trash), the library closed."""
    a = add(prompt="first sunrise", seed=1)
    b = add(prompt="second sunset", seed=2, audio=True, parent_id=a.id)
    c = add(prompt="third in trash", seed=3)
    lib.set_tags(b.id, ["evening"])
    lib.set_favourite(a.id, True)
    lib.trash(c.id)
    before = snapshot(lib)
    lib.close()
    return lib.root, before


@pytest.mark.parametrize("damage", ["deleted", "corrupt"])
def test_a_lost_or_corrupt_index_is_rebuilt_on_open_with_same_ids(three, damage):
    root, before = three
    for name in ("library.db", "library.db-wal", "library.db-shm"):
        if (root / name).exists():
            os.remove(root / name)
    if damage == "corrupt":
        (root / "library.db").write_bytes(b"this is not a database" * 100)
    with Library.open(root) as lib:
        assert snapshot(lib) == before
        assert lib._query("PRAGMA integrity_check")[0][0] == "ok"
        assert [s.id for s in lib.search("sunset")] == [
            i for i, v in before.items() if v[0].prompt == "second sunset"
        ]
        moved = lib.corrupt_index_moved_to
    assert list(root.glob("library.db.corrupt-*")) == ([moved] if damage == "corrupt" else [])


def test_rebuild_command_recreates_the_same_index(three):
    root, before = three
    with Library.open(root) as lib:
        lib._query("DELETE FROM entries")
        assert lib.count() == 0
        report = lib.rebuild()
        assert report.from_sidecar == 3 and report.from_comment == 0 and not report.skipped
        assert snapshot(lib) == before


def test_rebuild_from_the_video_comment_when_sidecars_are_gone(three):
    root, before = three
    forget_all_but_videos(root)
    for poster in root.rglob("poster.jpg"):
        poster.unlink()
    with Library.open(root) as lib:
        after = snapshot(lib)
        assert set(after) == set(before)
        for entry_id, values in before.items():
            # Generation parameters come back; later user edits lived in the sidecar only.
            assert after[entry_id][:6] == values[:6]
            assert after[entry_id][8:] == values[8:]
            entry = lib.get(entry_id)
            assert entry.sidecar_path.is_file() and entry.poster_path.is_file()
        report = lib.rebuild()
        assert report.from_sidecar == 3  # the sidecars were written back


def test_rebuild_skips_incomplete_folders(three):
    root, before = three
    stray = root / "entries" / "2026" / "11" / "01m89sa71tg0z1q4"
    stray.mkdir(parents=True, exist_ok=True)
    (stray / "junk.txt").write_text("x")
    with Library.open(root) as lib:
        report = lib.rebuild()
        assert report.indexed == 3 and len(report.skipped) == 1
        assert snapshot(lib) == before


def test_import_a_foreign_video(lib, tmp_path):
    clip = make_clip(tmp_path / "holiday.mp4", seconds=1.0, audio=True, faststart=False)
    original = clip.read_bytes()
    entry = lib.import_video(clip)
    assert clip.read_bytes() == original  # the source is left alone
    assert entry.request is None and entry.seed is None
    assert entry.title == "holiday" and entry.has_audio
    assert entry.poster_path.is_file() and entry.last_frame_path.is_file()
    assert [s.id for s in lib.search("holiday")] == [entry.id]
    # Importing the same file again finds the entry instead of duplicating it.
    again = lib.import_video(clip)
    assert again.id == entry.id and lib.count() == 1
    # The copy in the library carries our metadata now: a rebuild from the comment keeps it.
    assert mp4meta.read_comment(entry.video_path) is not None


def test_import_restores_settings_and_id_from_our_metadata(tmp_path, make):
    with Library.open(tmp_path / "one") as one:
        entry = one.add(make(prompt="exported elsewhere", seed=99))
        exported = one.export(entry.id, tmp_path)
    with Library.open(tmp_path / "two") as two:
        imported = two.import_video(exported)
        assert imported.id == entry.id
        assert imported.request.prompt == "exported elsewhere" and imported.seed == 99
        assert imported.actual_prompt == entry.actual_prompt
        assert imported.image_path is None  # the inputs did not travel with the video
        # Twice: no duplicate.
        assert two.import_video(exported).id == entry.id and two.count() == 1
        # The same settings in a different file, while that id is taken: a new id.
        other = tmp_path / "other.mp4"
        mp4meta.write_comment(make_clip(tmp_path / "o.mp4", seconds=0.5),
                              other, mp4meta.read_comment(exported))  # fmt: skip
        third = two.import_video(other)
        assert third.id != entry.id and third.request.prompt == "exported elsewhere"
        assert third.data["import"]["original_id"] == entry.id
        assert two.count() == 2


def test_importing_an_export_into_the_same_library_dedupes(lib, add, tmp_path):
    entry = add()
    exported = lib.export(entry.id, tmp_path)
    assert lib.import_video(exported).id == entry.id and lib.count() == 1


def test_import_refuses_what_does_not_play(lib, tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"nope" * 100)
    with pytest.raises(video.VideoError):
        lib.import_video(bad)
    assert lib.count() == 0


def test_recovery_indexes_a_folder_renamed_in_before_the_crash(lib, make, tmp_path):
    """The moment between the rename into entries/ and the index commit, replayed."""
    root = lib.root
    entry = lib.add(make(prompt="crashed right after rename"))
    folder = entry.folder
    lib._query("DELETE FROM entries WHERE id = ?", (entry.id,))
    lib.close()
    dead_pid = 2**22 + 12345  # above pid_max on Linux: never a running process
    (root / ".staging" / f"{entry.id}-{dead_pid}.journal").write_text(json.dumps({"id": entry.id}))
    leftover = root / ".staging" / f"01m89sa71tg0z1q4-{dead_pid}-1"
    leftover.mkdir()
    shutil.copy(folder / VIDEO_NAME, leftover / VIDEO_NAME)
    with Library.open(root) as again:
        assert again.get(entry.id).request.prompt == "crashed right after rename"
        assert list((root / ".staging").iterdir()) == []


def test_sidecars_and_index_point_inside_the_library(three):
    root, _ = three
    conn = sqlite3.connect(root / "library.db")
    for (folder,) in conn.execute("SELECT folder FROM entries"):
        assert (root / folder).resolve().is_relative_to(root.resolve())
    conn.close()
    for sidecar in root.rglob("entry.json"):
        data = json.loads(sidecar.read_text())
        for name in data["files"].values():
            assert name is None or "/" not in name
        assert str(root) not in sidecar.read_text()


def test_add_with_a_planned_id_already_on_disk_is_idempotent(lib, make):
    """A job re-filing its result after a crash that hit between rename and commit."""
    new = make(prompt="filed twice")
    entry = lib.add(new)
    lib._query("DELETE FROM entries WHERE id = ?", (entry.id,))
    again = make(prompt="filed twice")
    again = type(again)(**{**{f: getattr(again, f) for f in again.__dataclass_fields__},
                           "id": entry.id})  # fmt: skip
    assert lib.add(again).id == entry.id
    assert lib.count() == 1 and not again.video_path.exists()
