"""Comments still to write survive a kill: CommentSync notes each entry in the process's own
pending file and forgets it once written; the next window adopts what a dead process left, a
command writes a few of them quietly, and ``library sync-comments`` finds every comment whose
judgement is out of date by reading the videos."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_library_cli import run

from wan_desktop.library import EntryNotFoundError, Library
from wan_desktop.library.comment_check import judgement, sync_out_of_date
from wan_desktop.library.comment_pending import PendingFile, sync_adopted
from wan_desktop.library.comment_sync import CommentSync
from wan_desktop.library.ids import new_group_id, new_id
from wan_desktop.library.sidecar import decode_comment
from wan_desktop.media import mp4meta

HELPER = Path(__file__).parent / "pending_kill_helper.py"
pytestmark = pytest.mark.timeout(120)


def said(lib: Library, entry_id: str) -> dict:
    data = decode_comment(mp4meta.read_comment(lib.get(entry_id).video_path))
    assert data is not None
    return data


def pending_files(root: Path) -> list[Path]:
    return sorted(root.glob("comment-sync-*.pending"))


def noted(path: Path) -> list[str]:
    return json.loads(path.read_text())["ids"]


def _last_pid() -> int:
    """The pid of a process that has ended (a pid reused meanwhile only delays an adoption)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def kill_after_judging(root: Path, entry_id: str, stars: int) -> Path:
    """A window-like process rates ``entry_id`` and is killed before its queue writes the
    comment; returns the pending file it left."""
    proc = subprocess.Popen(
        [sys.executable, str(HELPER), str(root), entry_id, str(stars)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "judged", proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    (left,) = pending_files(root)
    assert left.name == f"comment-sync-{proc.pid}.pending"
    assert noted(left) == [entry_id]
    return left


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_window_killed_before_the_rewrite_leaves_it_to_the_next_open(lib, add):
    entry = add()
    root = lib.root
    lib.close()
    kill_after_judging(root, entry.id, 4)
    with Library.open(root) as reopened:
        assert reopened.get(entry.id).rating == 4
        assert said(reopened, entry.id)["rating"] == 0  # the kill came before the rewrite
        sync = CommentSync(reopened.sync_comment, delay_s=0.05, pending_file=PendingFile(root))
        try:
            assert sync.flush(timeout_s=30)
            assert said(reopened, entry.id)["rating"] == 4
        finally:
            assert sync.close(timeout_s=30)
    assert pending_files(root) == []


@pytest.mark.skipif(os.name == "nt", reason="os._exit mid-judgement, read on POSIX")
def test_killed_between_the_sidecar_and_the_queue_the_entry_is_noted(lib, add):
    entry = add()
    root = lib.root
    lib.close()
    proc = subprocess.run(
        [sys.executable, str(HELPER), str(root), entry.id, "5", "exit-after-edit"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 9, proc.stderr
    (left,) = pending_files(root)
    assert noted(left) == [entry.id]
    with Library.open(root) as reopened:
        assert reopened.get(entry.id).rating == 5 and said(reopened, entry.id)["rating"] == 0
        sync = CommentSync(reopened.sync_comment, delay_s=0, pending_file=PendingFile(root))
        try:
            assert sync.flush(timeout_s=30)
            assert said(reopened, entry.id)["rating"] == 5
        finally:
            sync.close(timeout_s=30)
    assert pending_files(root) == []


def test_a_note_outlives_a_sync_of_an_earlier_change_made_meanwhile(lib, add, monkeypatch):
    """A sync that runs while another edit of the same entry is under way must not clear
    the note that edit made: the new rating is not in the video yet."""
    entry = add()
    mine = PendingFile(lib.root)
    sync = CommentSync(lib.sync_comment, delay_s=0, pending_file=mine)
    try:
        sync.note(entry.id)  # an edit begins...
        sync.changed(entry.id)  # ...an earlier change's end queues a sync, which runs now
        sync.note(entry.id)
        assert sync.flush(timeout_s=30)
        assert noted(mine.path) == [entry.id]  # the second edit is still under way
        sync.changed(entry.id)
        assert sync.flush(timeout_s=30)
        assert not mine.path.exists()
        sync.note("../../escape")  # not an entry id: never written to the file
        assert not mine.path.exists()
    finally:
        sync.close()


def test_a_failed_judgement_ends_its_note(lib, add):
    entry = add()
    mine = PendingFile(lib.root)
    sync = CommentSync(lib.sync_comment, delay_s=0, pending_file=mine)
    lib.on_judged(sync.changed, before=sync.note)
    try:
        lib.trash(entry.id)
        lib.empty_trash(0)  # the entry is gone: its edit fails after the note
        with pytest.raises(EntryNotFoundError):
            lib.set_rating(entry.id, 3)
        assert sync.flush(timeout_s=30)
        assert not mine.path.exists()
    finally:
        lib.on_judged(None)
        sync.close()


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_command_writes_what_a_killed_window_left(lib, add):
    entry = add()
    root = lib.root
    lib.close()
    kill_after_judging(root, entry.id, 2)
    code, out, err = run("library", "--library", str(root), "list", "--json")
    assert code == 0 and err == ""
    assert [row["rating"] for row in json.loads(out)] == [2]
    assert pending_files(root) == []
    with Library.open(root) as reopened:
        assert said(reopened, entry.id)["rating"] == 2


def test_the_queue_notes_an_entry_once_and_forgets_it_when_written(lib, add):
    entry = add()
    mine = PendingFile(lib.root)
    sync = CommentSync(lib.sync_comment, delay_s=60, pending_file=mine)
    try:
        lib.on_judged(sync.changed, before=sync.note)
        lib.set_rating(entry.id, 3)
        assert noted(mine.path) == [entry.id]
        written = mine.path.stat().st_mtime_ns
        lib.set_flag(entry.id, "picked")  # the same entry again: no new write
        assert mine.path.stat().st_mtime_ns == written
        assert sync.flush(timeout_s=30)
        assert not mine.path.exists()
        assert (said(lib, entry.id)["rating"], said(lib, entry.id)["flag"]) == (3, "picked")
    finally:
        lib.on_judged(None)
        sync.close()


def test_a_busy_file_stays_noted_and_a_missing_entry_does_not(tmp_path):
    def sync(entry_id: str) -> bool:
        if entry_id == "busy":
            raise PermissionError(13, "the file is in use")
        raise LookupError("no such entry")

    failures: list[str] = []
    mine = PendingFile(tmp_path)
    queue = CommentSync(
        sync, delay_s=60, tries=1, pending_file=mine, on_failure=lambda e, x: failures.append(e)
    )
    queue.changed("busy")
    queue.changed("gone")
    assert noted(mine.path) == ["busy", "gone"]
    assert queue.close(timeout_s=10)
    assert sorted(failures) == ["busy", "gone"]
    assert noted(mine.path) == ["busy"]  # for the next process


def test_only_dead_processes_files_are_adopted(tmp_path, caplog):
    alive = tmp_path / f"comment-sync-{os.getppid()}.pending"
    alive.write_text(json.dumps({"schema": 1, "ids": [new_id()]}))
    dead = _last_pid()
    gone = tmp_path / f"comment-sync-{dead}.pending"
    ids = sorted([new_id(), new_id()])
    gone.write_text(json.dumps({"schema": 1, "ids": [*ids, "../escape"]}))
    damaged = tmp_path / f"comment-sync-{_last_pid()}.pending"
    damaged.write_text('{"schema": 1, "ids": "all"}')
    foreign = tmp_path / "comment-sync-notes.pending"
    foreign.write_text("mine")
    mine = PendingFile(tmp_path)
    with caplog.at_level(logging.WARNING):
        adopted = mine.adopt()
    assert list(adopted.ids) == ids
    assert sorted(adopted.files) == sorted([gone, damaged])
    assert "sync-comments" in caplog.text and "not entry ids" in caplog.text
    mine.save(adopted.ids)
    mine.discard(adopted.files)
    assert sorted(pending_files(tmp_path)) == sorted([alive, mine.path, foreign])
    assert noted(mine.path) == ids


def test_a_file_under_this_pid_before_this_process_wrote_is_adopted(tmp_path):
    ids = [new_id()]
    mine = PendingFile(tmp_path)
    mine.path.write_text(json.dumps({"schema": 1, "ids": ids}))  # a reused pid's leftover
    adopted = mine.adopt()
    assert list(adopted.ids) == ids and adopted.files == (mine.path,)
    mine.save([new_id()])
    assert mine.adopt().ids == ()  # now it is this process's own file


def test_a_library_that_cannot_be_written_is_warned_of_once(tmp_path, caplog, monkeypatch):
    mine = PendingFile(tmp_path)

    def refuse(ids):
        raise PermissionError(13, "read-only")

    monkeypatch.setattr(mine, "save", refuse)
    synced: list[str] = []
    queue = CommentSync(synced.append, delay_s=0, pending_file=mine)
    with caplog.at_level(logging.WARNING):
        queue.changed("a")
        queue.changed("b")
        assert queue.close(timeout_s=10)
    assert sorted(synced) == ["a", "b"]
    assert caplog.text.count("could not be noted") == 1


def test_sync_adopted_is_bounded_and_keeps_the_rest(lib, add):
    entries = [add(seed=n) for n in range(3)]
    for entry in entries:
        lib.set_rating(entry.id, 5)
    left = lib.root / f"comment-sync-{_last_pid()}.pending"
    left.write_text(json.dumps({"schema": 1, "ids": sorted(e.id for e in entries)}))
    assert sync_adopted(lib, max_entries=2) == 2
    (rest,) = pending_files(lib.root)
    assert rest != left and len(noted(rest)) == 1
    assert sorted(said(lib, e.id)["rating"] for e in entries) == [0, 5, 5]


# ---- library sync-comments ---------------------------------------------------------------------


def test_sync_comments_finds_every_judgement_out_of_date(lib, add):
    group = new_group_id()
    a = add(group_id=group, variant="seed 1", seed=1)
    b = add(group_id=group, variant="seed 2", seed=2)
    c = add(seed=3)
    lib.set_rating(a.id, 5)  # as a window killed before its note would leave them
    lib.set_flag(b.id, "rejected")
    lib.trash(b.id)
    lib.set_tags(c.id, ["kept"])  # not a judgement: the comment does not carry it
    lib.close()
    code, out, err = run("library", "--library", str(lib.root), "sync-comments", "--json")
    assert code == 0, err
    assert json.loads(out) == {"checked": 3, "out_of_date": 2, "rewritten": 2, "failed": []}
    with Library.open(lib.root) as reopened:
        for entry_id in (a.id, b.id, c.id):
            sidecar = reopened.get(entry_id).data
            assert judgement(said(reopened, entry_id)) == judgement(sidecar)
        assert said(reopened, b.id)["flag"] == "rejected"
    code, out, _ = run("library", "--library", str(lib.root), "sync-comments")
    assert code == 0
    assert out.strip() == "checked 3 entries: 0 out of date, 0 rewritten, 0 failed"


def test_sync_comments_reports_what_it_could_not_write(lib, add, monkeypatch):
    good, broken = add(seed=1), add(seed=2)
    lib.set_rating(good.id, 3)
    broken.video_path.write_bytes(b"not a video any more")
    report = sync_out_of_date(lib)
    assert (report.checked, report.out_of_date, report.rewritten) == (2, 1, 1)
    assert [entry_id for entry_id, _ in report.failed] == [broken.id]
    lib.close()
    code, out, err = run("library", "--library", str(lib.root), "sync-comments")
    assert code == 2
    assert out.startswith("checked 2 entries: 0 out of date")
    assert broken.id in err and "1 comments could not be written" in err
