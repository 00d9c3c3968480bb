"""Files made to break the library: MP4s whose comment carries our metadata with wrong types
or paths, sidecars of the wrong shape, symbolic links planted in entry folders, a damaged
index. Each is refused or set aside and reported; none leaves a half-added entry behind."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from library_clips import make_clip
from test_library_cli import run

from wan_desktop.core.request import GenerationRequest
from wan_desktop.library import LibraryError
from wan_desktop.library import errors as errors_mod
from wan_desktop.library.ids import new_id
from wan_desktop.library.migrations import SchemaTooNewError
from wan_desktop.library.rows import row_from_sidecar
from wan_desktop.library.sidecar import SidecarError, validate
from wan_desktop.media import mp4meta


def carried(entry_id: str | None = None, **fields) -> dict:
    """Metadata as an export of ours carries it in the comment (before ``fields`` change it)."""
    data = {
        "wan_desktop": True,
        "schema": 1,
        "id": entry_id or new_id(),
        "created_at": "2026-11-02T10:00:00.000Z",
        "request": {"prompt": "a fox", "image": "input.png", "resolution": "720p", "seed": 5},
        "arguments": {"prompt": "a fox", "image_url": "input.png"},
        "seed": 5,
        "files": {"video": "video.mp4", "image": "input.png"},
        "video": {"width": 256, "height": 144, "duration_s": 1.0},
    }
    data.update(fields)
    return data


def hostile_clip(tmp_path, name="hostile.mp4", **fields):
    return make_clip(tmp_path / name, seconds=0.5, comment=json.dumps(carried(**fields)))


BAD_FIELDS = [
    {"request": [1, 2]},
    {"request": {"prompt": 5, "image": "x.png"}},
    {"seed": "five"},
    {"seed": 2**70},
    {"seed": True},
    {"created_at": "yesterday"},
    {"parent_id": "../../etc/passwd"},
    {"parent_id": "<b>Your fal key expired</b>"},
    {"cost_usd": "free"},
    {"video": {"width": -5}},
    {"arguments": "image_url=/etc/passwd"},
    {"tags": "a,b"},
    {"files": {"video": "../../../escaped.mp4"}},
    {"schema": "1"},
    {"unknown_key": {"x": 1}},
    {"arguments": {"x": json.loads("[" * 500 + "]" * 500)}},
]


@pytest.mark.parametrize("bad", BAD_FIELDS, ids=lambda b: next(iter(b)))
def test_import_with_mistyped_metadata_is_a_foreign_video(lib, tmp_path, bad):
    clip = hostile_clip(tmp_path, **bad)
    carried_id = json.loads(mp4meta.read_comment(clip))["id"]
    entry = lib.import_video(clip)
    assert entry.request is None and entry.seed is None and entry.parent_id is None
    assert entry.id != carried_id and entry.title == "hostile"
    aside = entry.data["rejected_metadata"]
    assert next(iter(bad)) in aside, aside
    assert lib.count() == 1
    report = lib.rebuild()
    assert report.indexed == 1 and not report.skipped
    assert lib.get(entry.id).data["rejected_metadata"] == aside


def test_a_failed_index_write_leaves_no_folder_behind(lib, tmp_path, monkeypatch):
    clip = make_clip(tmp_path / "x.mp4", seconds=0.5)

    def broken(conn, row):
        raise sqlite3.OperationalError("disk I/O error")

    for name, module in list(sys.modules.items()):
        if name.startswith("wan_desktop.library.") and hasattr(module, "insert_row"):
            monkeypatch.setattr(module, "insert_row", broken)
    with pytest.raises(sqlite3.OperationalError):
        lib.import_video(clip)
    monkeypatch.undo()
    assert lib.count() == 0
    assert list(lib.paths.entries.rglob("*.mp4")) == []
    assert list(lib.paths.staging.iterdir()) == []
    assert lib.rebuild().indexed == 0


def test_cli_import_reports_what_was_set_aside(wan_home, tmp_path):
    clip = hostile_clip(tmp_path, request=[1, 2])
    code, out, err = run("library", "import", str(clip))
    assert code == 0 and "Traceback" not in err
    assert "request" in out + err and "set aside" in (out + err).lower()
    clip2 = hostile_clip(tmp_path, name="two.mp4", seed="x")
    code, out, _ = run("library", "import", str(clip2), "--json")
    assert code == 0 and json.loads(out)["set_aside"] == ["seed"]


def test_paths_and_links_in_imported_metadata_are_dropped(lib, tmp_path):
    parent = new_id()
    clip = hostile_clip(
        tmp_path,
        parent_id=parent,
        request={"prompt": "a fox", "image": "/etc/passwd", "audio": "C:\\secret\\a.mp3"},
        arguments={"prompt": "a fox", "image_url": "https://evil.example/x.png",
                   "audio_url": "../../a.mp3", "end_image_url": "file:///etc/shadow"},
        response={"video": {"url": "https://evil.example/v.mp4"}, "seed": 5},
        remote={"video_url": "https://evil.example/v.mp4", "expires_at": "2026-12-01T00:00:00Z"},
        image={"file": "input.png", "original_name": "/home/victim/me.png"},
    )  # fmt: skip
    entry = lib.import_video(clip)
    assert entry.set_aside == {}
    assert entry.request is not None and entry.request.prompt == "a fox"
    assert entry.parent_id == parent
    text = entry.sidecar_path.read_text()
    for leak in ("/etc/passwd", "secret", "evil.example", "../", "/etc/shadow", "/home/victim"):
        assert leak not in text, leak
    assert entry.request.image in ("", "passwd")
    assert entry.image_path is None


@pytest.mark.parametrize("planted", ["video.mp4", "entry.json"])
def test_a_planted_symlink_is_never_indexed_or_exported(lib, add, tmp_path, planted):
    entry = add()
    secret = tmp_path / "secret"
    secret.write_bytes((entry.folder / planted).read_bytes())  # passes every other check
    (entry.folder / planted).unlink()
    os.symlink(secret, entry.folder / planted)
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(LibraryError, match="link"):
        lib.export(entry.id, dest, with_sidecar=True)
    assert list(dest.iterdir()) == []
    report = lib.rebuild()
    assert report.indexed == 0
    assert [f for f, _ in report.skipped] == [lib.paths.to_rel(entry.folder)]
    assert "link" in report.skipped[0][1]
    code, _, err = run("library", "export", entry.id, str(dest))
    assert code == 2 and "Traceback" not in err and list(dest.iterdir()) == []


def test_a_mistyped_sidecar_is_kept_with_the_field_set_aside(lib, add):
    entry = add(prompt="keep the rest")
    data = json.loads(entry.sidecar_path.read_text())
    data["timings"] = [1, 2, 3]
    data["notes"] = {"html": "<b>x</b>"}
    entry.sidecar_path.write_text(json.dumps(data))
    report = lib.rebuild()
    assert report.indexed == 1
    assert report.set_aside == ((lib.paths.to_rel(entry.folder), ("notes", "timings")),)
    got = lib.get(entry.id)
    assert got.request.prompt == "keep the rest" and got.notes == "" and got.timings == {}
    assert set(got.data["rejected_metadata"]) == {"notes", "timings"}
    assert report.to_dict()["set_aside"] == [
        {"folder": lib.paths.to_rel(entry.folder), "fields": ["notes", "timings"]}
    ]


def test_an_unreadable_folder_is_skipped_and_reported(lib, add):
    keep = add()
    broken = add()
    broken.sidecar_path.unlink()
    broken.sidecar_path.mkdir()  # entry.json that is a folder: cannot be read
    (broken.folder / "video.mp4").write_bytes(b"not a video")
    report = lib.rebuild()
    assert report.indexed == 1 and lib.get(keep.id)
    assert [f for f, _ in report.skipped] == [lib.paths.to_rel(broken.folder)]


def test_rebuild_survives_a_folder_left_by_the_old_crash(lib, tmp_path):
    """A folder renamed into entries/ whose sidecar holds mistyped fields (what an import
    used to leave behind before it failed) no longer makes every rebuild fail."""
    entry_id = new_id()
    folder = lib.root / lib.paths.entry_rel(entry_id)
    folder.mkdir(parents=True)
    make_clip(folder / "video.mp4", seconds=0.5)
    sidecar = carried(entry_id, request=[1, 2])
    del sidecar["wan_desktop"]
    sidecar["files"] = {"video": "video.mp4"}
    (folder / "entry.json").write_text(json.dumps(sidecar))
    report = lib.rebuild()
    assert report.indexed == 1 and report.set_aside[0][1] == ("request",)
    assert lib.get(entry_id).request is None


def damage_index(lib, add) -> Path:
    add()
    lib.close()
    db = lib.paths.db
    for extra in ("-wal", "-shm"):
        db.with_name(db.name + extra).unlink(missing_ok=True)
    db.write_bytes(b"garbage" * 1000)
    return db


def test_a_corrupt_index_is_reported_by_rebuild(lib, add):
    damage_index(lib, add)
    code, out, _ = run("library", "rebuild", "--json")
    report = json.loads(out)
    assert code == 0 and report["indexed"] == 1
    assert report["corrupt_moved_to"]
    assert Path(report["corrupt_moved_to"]).read_bytes()[:7] == b"garbage"


@pytest.mark.parametrize(
    ("argv", "stream"),
    [(("rebuild",), "out"), (("list", "--json"), "err"), (("search", "x"), "err")],
)
def test_a_corrupt_index_is_said_in_text(lib, add, argv, stream):
    damage_index(lib, add)
    code, out, err = run("library", *argv)
    assert code == 0
    assert "library.db.corrupt-" in {"out": out, "err": err}[stream]


@pytest.mark.parametrize(
    "name",
    ["EntryNotFoundError", "ExportError", "PathEscapeError", "SidecarError", "UnsafeFileError"],
)
def test_every_library_error_shares_the_base(name):
    assert issubclass(getattr(errors_mod, name), errors_mod.LibraryError)
    assert issubclass(SchemaTooNewError, errors_mod.LibraryError)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["request", "seed", "video", "cost_usd", "parent_id", "created_at",
                         "tags", "arguments", "image", "import", "favourite", "size_bytes"]),
        json_values,
        max_size=4,
    )
)  # fmt: skip
def test_whatever_validate_accepts_can_be_indexed_and_read(fields):
    data = {"schema": 1, "id": new_id(), "files": {"video": "video.mp4"}, **fields}
    try:
        clean = validate(data)
    except SidecarError:
        return
    row = row_from_sidecar(clean, "entries/2026/12/x")
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (v)")
    for value in row.values():
        conn.execute("INSERT INTO t VALUES (?)", (value,))
    if clean["request"] is not None:
        assert isinstance(GenerationRequest.from_dict(clean["request"]).prompt, str)


def test_a_row_written_before_the_schema_can_still_be_edited_and_trashed(lib, add):
    entry = add()
    data = dict(entry.data, parent_id="../../elsewhere")
    lib._query("UPDATE entries SET data = ? WHERE id = ?", (json.dumps(data), entry.id))
    assert lib.set_favourite(entry.id, True).set_aside == {"parent_id": '"../../elsewhere"'}
    assert lib.trash(entry.id).trashed_at is not None
    assert json.loads(lib.get(entry.id).sidecar_path.read_text())["parent_id"] is None


def test_a_service_answer_of_the_wrong_type_does_not_stop_the_add(lib, make):
    new = make()
    new.response["actual_prompt"] = {"not": "text"}
    assert lib.add(new).actual_prompt == ""


def test_a_folder_that_cannot_be_listed_is_skipped_and_reported(lib, add, monkeypatch):
    entry = add()
    month = entry.folder.parent
    real_iterdir = Path.iterdir

    def iterdir(self):
        if self == month:
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    report = lib.rebuild()
    assert report.indexed == 0
    assert report.skipped == (
        (lib.paths.to_rel(month), "cannot be read: [Errno 13] Permission denied"),
    )


def test_an_import_whose_id_has_an_unindexed_folder_gets_a_new_id(lib, add, tmp_path):
    entry = add()
    exported = lib.export(entry.id, tmp_path)
    lib._query("DELETE FROM entries WHERE id = ?", (entry.id,))  # the folder stays on disk
    imported = lib.import_video(exported)
    assert imported.id != entry.id and imported.data["import"]["original_id"] == entry.id


def test_an_index_from_a_newer_version_is_a_clean_cli_error(lib):
    lib.close()
    conn = sqlite3.connect(lib.paths.db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    code, out, err = run("library", "list")
    assert code == 2 and out == "" and "Update wan-desktop" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_planted_fifo_is_refused_without_waiting(lib, add, tmp_path):
    entry = add()
    entry.video_path.unlink()
    os.mkfifo(entry.video_path)
    with pytest.raises(LibraryError, match="not a regular file"):
        lib.export(entry.id, tmp_path)
    report = lib.rebuild()
    assert report.indexed == 0 and "not a regular file" in report.skipped[0][1]
