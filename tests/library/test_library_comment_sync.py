"""Ratings and picks in the MP4 comment: Library.sync_comment (the comment follows the sidecar,
the hash and size follow the file, edits made meanwhile are kept, a kill at any moment leaves
every entry whole and truthful), the proxy kept through a rewrite, imports still recognised,
a rebuild from the videos alone, the command line, and the coalescing queue (CommentSync)."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from child_output import ChildOutput
from library_entries import cull_two_takes, forget_all_but_videos
from test_library_cli import run

from wan_desktop.core.hashing import sha256_file
from wan_desktop.library import EntryNotFoundError, Library, comment_rewrite
from wan_desktop.library.comment_sync import CommentSync
from wan_desktop.library.ids import new_group_id
from wan_desktop.library.sidecar import decode_comment, read_sidecar
from wan_desktop.media import mp4meta, proxy
from wan_desktop.media.video import check_playable

HELPER = Path(__file__).parent / "comment_sync_helper.py"


def embedded(entry) -> dict:
    data = decode_comment(mp4meta.read_comment(entry.video_path))
    assert data is not None
    return data


def assert_truthful(lib: Library, entry_id: str) -> dict:
    """The sidecar, the row and the file agree (hash and size); returns the sidecar."""
    entry = lib.get(entry_id)
    sidecar = read_sidecar(entry.folder)
    assert sidecar["video_sha256"] == sha256_file(entry.video_path) == entry.video_sha256
    assert sidecar["size_bytes"] == entry.video_path.stat().st_size == entry.size_bytes
    return sidecar


def test_filing_writes_the_judgement_into_the_comment(add):
    entry = add(group_id=new_group_id(), variant="seed 3")
    said = embedded(entry)
    assert (said["rating"], said["flag"]) == (0, "")
    assert "video_sha256" not in said and "favourite" not in said


def test_sync_writes_rating_and_flag_and_the_new_hash(lib, add):
    entry = add()
    before = sha256_file(entry.video_path)
    lib.set_rating(entry.id, 4)
    lib.set_flag(entry.id, "picked")
    lib.set_tags(entry.id, ["keep"])
    # The keys are quick: the video is not touched until the sync.
    assert sha256_file(entry.video_path) == before
    assert embedded(entry)["rating"] == 0

    assert lib.sync_comment(entry.id) is True
    said = embedded(lib.get(entry.id))
    assert (said["rating"], said["flag"]) == (4, "picked")
    assert "tags" not in said  # the library's own edits stay out of the video
    sidecar = assert_truthful(lib, entry.id)
    assert sidecar["video_sha256"] != before and sidecar["tags"] == ["keep"]
    check_playable(entry.video_path)
    assert lib.find_by_sha256(sidecar["video_sha256"]) == entry.id
    # Nothing to do the second time: the file is left as it is.
    mtime = entry.video_path.stat().st_mtime_ns
    assert lib.sync_comment(entry.id) is False
    assert entry.video_path.stat().st_mtime_ns == mtime
    assert list(lib.paths.staging.iterdir()) == []


def test_a_trashed_entry_is_synced_in_the_trash(lib, add):
    entry = add()
    lib.set_flag(entry.id, "rejected")
    lib.trash(entry.id)
    assert lib.sync_comment(entry.id) is True
    trashed = lib.get(entry.id)
    assert trashed.trashed_at is not None and embedded(trashed)["flag"] == "rejected"
    assert_truthful(lib, entry.id)


def test_a_rating_changed_during_the_copy_is_kept_and_written_too(lib, add, monkeypatch):
    entry = add()
    lib.set_rating(entry.id, 2)
    copies: list[str] = []
    real_write = mp4meta.write_comment

    def slow_write(src, dst, text):
        copies.append(json.loads(text)["rating"])
        if len(copies) == 1:  # the person presses 5 and writes a note while the copy runs
            lib.set_rating(entry.id, 5)
            lib.set_notes(entry.id, "the good one")
        real_write(src, dst, text)

    monkeypatch.setattr(comment_rewrite.mp4meta, "write_comment", slow_write)
    assert lib.sync_comment(entry.id) is True
    assert copies == [2, 5]
    now = lib.get(entry.id)
    assert (now.rating, now.notes) == (5, "the good one")
    assert embedded(now)["rating"] == 5
    assert_truthful(lib, entry.id)


def test_a_video_replaced_during_the_copy_is_not_overwritten(lib, add, monkeypatch):
    entry = add()
    lib.set_rating(entry.id, 3)
    real_write = mp4meta.write_comment
    copies: list[str] = []

    def racing_write(src, dst, text):
        copies.append(text)
        if len(copies) == 1:  # another process rewrites the video first
            real_write(src, src, text)
        real_write(src, dst, text)

    monkeypatch.setattr(comment_rewrite.mp4meta, "write_comment", racing_write)
    # The other writer already wrote the wanted comment: the second look finds it in place.
    assert lib.sync_comment(entry.id) is False
    assert len(copies) == 1
    assert embedded(lib.get(entry.id))["rating"] == 3
    # Its hash is the other writer's business: the library made no claim about that file.
    assert list(lib.paths.staging.iterdir()) == []


def test_a_failure_after_the_swap_leaves_the_sidecar_truthful(lib, add, monkeypatch):
    entry = add()
    lib.set_rating(entry.id, 1)

    def disk_full(folder, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(comment_rewrite, "write_sidecar", disk_full)
    with pytest.raises(OSError, match="No space"):
        lib.sync_comment(entry.id)
    monkeypatch.undo()
    # The video was swapped before the failure: the sidecar and the row say so.
    assert embedded(lib.get(entry.id))["rating"] == 1
    sidecar = assert_truthful(lib, entry.id)
    assert sidecar["rating"] == 1
    assert list(lib.paths.staging.iterdir()) == []


def test_the_proxy_is_kept_through_a_rating_change(lib, add):
    entry = add()
    made = proxy.ensure_proxy(entry.video_path)
    made_bytes = made.read_bytes()
    lib.set_rating(entry.id, 5)
    assert lib.sync_comment(entry.id)
    # Same packets: the sync gave it the new file's time, so the next reader finds it fresh
    # with two stat calls, and nothing is made again.
    assert made.stat().st_mtime_ns == entry.video_path.stat().st_mtime_ns
    frames: list[int] = []
    assert proxy.ensure_proxy(entry.video_path, progress=lambda d, t: frames.append(d)) == made
    assert frames == [] and made.read_bytes() == made_bytes


def test_rebuild_from_the_videos_alone_restores_ratings_and_flags(lib, add):
    group, a, b = cull_two_takes(lib, add)
    for entry_id in (a.id, b.id):
        lib.sync_comment(entry_id)
    hashes = {e: lib.get(e).video_sha256 for e in (a.id, b.id)}
    root = lib.root
    lib.close()
    forget_all_but_videos(root)
    with Library.open(root) as reopened:
        got = {s.id: (s.group_id, s.variant, s.rating, s.flag) for s in reopened.list()}
        assert got == {a.id: (group, "seed 1", 5, "picked"), b.id: (group, "seed 2", 2, "rejected")}
        assert {e: reopened.get(e).video_sha256 for e in hashes} == hashes


def test_imports_are_still_recognised_after_a_rewrite(lib, add, tmp_path):
    entry = add()
    out = tmp_path / "out"
    out.mkdir()
    old_copy = lib.export(entry.id, out, template="before-{id}")
    lib.set_rating(entry.id, 4)
    assert lib.sync_comment(entry.id)
    new_copy = lib.export(entry.id, out, template="after-{id}")
    assert sha256_file(old_copy) != sha256_file(new_copy)
    # The copy made now by its file hash; the copy made before by its id and its pictures.
    assert lib.import_video(new_copy).id == entry.id
    assert lib.import_video(old_copy).id == entry.id
    assert lib.count() == 1


def test_an_imported_original_is_recognised_after_a_rewrite(lib, tmp_path):
    from library_clips import make_clip

    original = make_clip(tmp_path / "made elsewhere.mp4", seconds=0.5)
    entry = lib.import_video(original)
    lib.set_flag(entry.id, "picked")
    assert lib.sync_comment(entry.id)
    assert lib.get(entry.id).video_sha256 != sha256_file(original)
    assert lib.import_video(original).id == entry.id
    assert lib.count() == 1


def test_another_clip_with_a_borrowed_id_is_not_taken_for_the_entry(lib, add, tmp_path):
    from library_clips import make_clip

    entry = add()
    other = make_clip(tmp_path / "other.mp4", seconds=0.5, size=(128, 72))
    forged = tmp_path / "forged.mp4"
    mp4meta.write_comment(other, forged, mp4meta.read_comment(entry.video_path))
    imported = lib.import_video(forged)
    assert imported.id != entry.id and lib.count() == 2


def test_an_import_carries_the_rating_its_comment_holds(lib, add, tmp_path):
    entry = add()
    lib.set_rating(entry.id, 3)
    lib.set_flag(entry.id, "picked")
    lib.sync_comment(entry.id)
    copy = lib.export(entry.id, tmp_path)
    lib.close()
    with Library.open(tmp_path / "second library") as other:
        imported = other.import_video(copy)
        assert (imported.rating, imported.flag) == (3, "picked")


# ---- crash safety ---------------------------------------------------------------------------


def _rated_library(tmp_path: Path, add, lib: Library, count: int) -> Path:
    for n in range(count):
        add(seed=n)
    root = lib.root
    lib.close()
    return root


def _check_every_entry(root: Path) -> None:
    with Library.open(root) as lib:  # recovery runs here
        entries = [lib.get(s.id) for s in lib.list(limit=-1)]
        assert entries
        for entry in entries:
            sidecar = assert_truthful(lib, entry.id)
            check_playable(entry.video_path)
            said = embedded(entry)
            assert said["id"] == entry.id and 0 <= said["rating"] <= 5
            assert (entry.rating, entry.flag) == (sidecar["rating"], sidecar["flag"])
        assert list(lib.paths.staging.iterdir()) == []
    conn = sqlite3.connect(root / "library.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


@pytest.mark.skipif(os.name == "nt", reason="os._exit mid-write, read on POSIX")
def test_killed_between_the_swap_and_the_sidecar(tmp_path, lib, add):
    root = _rated_library(tmp_path, add, lib, 1)
    proc = subprocess.run(
        [sys.executable, str(HELPER), str(root), "exit-before-sidecar"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 9, proc.stderr
    # The moment of disagreement was reached: the new video is in, the sidecar is old.
    (folder,) = [p.parent for p in root.rglob("entry.json")]
    assert read_sidecar(folder)["video_sha256"] != sha256_file(folder / "video.mp4")
    assert any(p.name.endswith("-rehash.journal") for p in (root / ".staging").iterdir())
    _check_every_entry(root)
    with Library.open(root) as reopened:
        (entry,) = [reopened.get(s.id) for s in reopened.list()]
        # The sidecar kept the judgement written before the copy; the video says it too.
        assert embedded(entry)["rating"] == entry.rating


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
@pytest.mark.timeout(900)  # above the deadlines below, for eight runs on a loaded machine
def test_killed_at_random_moments_while_syncing(tmp_path, lib, add):
    root = _rated_library(tmp_path, add, lib, 3)
    with Library.open(root) as opened:
        ids = {summary.id for summary in opened.list()}
    rng = random.Random(20261202)
    synced = 0
    for attempt in range(8):
        proc = subprocess.Popen(
            [sys.executable, str(HELPER), str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with ChildOutput(proc) as child:  # leaving the block is the SIGKILL (Popen.kill)
            assert child.next_line(timeout_s=120) == "ready", child.tail()
            if attempt == 0:
                # On a loaded machine one rewrite can outlast every random window below; the
                # first run waits for the helper's first written comment (the entry's id on a
                # line), so a finished rewrite is always among the states checked, then kills
                # at a random moment of the next one, as every run does.
                assert child.next_line(timeout_s=120) in ids, child.tail()
            time.sleep(rng.uniform(0.05, 0.6))
        synced += len(child.lines) - 1  # one line per comment written, after "ready"
        _check_every_entry(root)
    assert synced > 0, "the helper never synced a comment: the test proved nothing"


# ---- the command line -------------------------------------------------------------------------


def test_the_command_line_writes_the_comment_before_it_returns(lib, add):
    group = new_group_id()
    a = add(group_id=group, variant="seed 1", seed=1)
    b = add(group_id=group, variant="seed 2", seed=2)
    lib.set_flag(b.id, "rejected")  # as the window does: the index at once, the comment later
    lib.close()
    code, out, _ = run("library", "rate", a.id, "4", "--json")
    assert code == 0 and json.loads(out)["rating"] == 4
    assert embedded(a)["rating"] == 4
    code, _, _ = run("library", "flag", a.id, "picked")
    assert code == 0 and embedded(a)["flag"] == "picked"
    code, out, _ = run("library", "keep-picks", group, "--json")
    assert code == 0 and json.loads(out)["trashed"] == [b.id]
    with Library.open(lib.root) as reopened:
        trashed = reopened.get(b.id)
        assert embedded(trashed)["flag"] == "rejected"
        for entry_id in (a.id, b.id):
            assert_truthful(reopened, entry_id)


# ---- the coalescing queue ---------------------------------------------------------------------


class Recorder:
    def __init__(self, fail: set[str] | None = None):
        self.calls: list[tuple[str, float]] = []
        self.fail = fail or set()
        self.lock = threading.Lock()

    def __call__(self, entry_id: str) -> bool:
        with self.lock:
            self.calls.append((entry_id, time.monotonic()))
        if entry_id in self.fail:
            raise OSError("the folder is read-only")
        return True

    @property
    def ids(self) -> list[str]:
        with self.lock:
            return [entry_id for entry_id, _ in self.calls]


def test_a_burst_of_changes_is_one_sync_per_entry_after_the_quiet_time():
    sync = Recorder()
    queue = CommentSync(sync, delay_s=0.3)
    try:
        started = time.monotonic()
        for _ in range(5):
            queue.changed("a")
            queue.changed("b")
            time.sleep(0.05)
        queue.changed("a")  # the last change to a: a waits for its own quiet time
        assert sync.ids == []
        deadline = time.monotonic() + 5
        while len(sync.ids) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sync.ids == ["b", "a"]
        assert all(at - started >= 0.3 for _, at in sync.calls)
        assert queue.pending == []
    finally:
        queue.close()


def test_close_writes_what_is_waiting_and_later_changes_are_ignored():
    sync = Recorder()
    queue = CommentSync(sync, delay_s=60)
    queue.changed("a")
    queue.changed("b")
    assert queue.pending == ["a", "b"]
    assert queue.close(timeout_s=5) is True
    assert sorted(sync.ids) == ["a", "b"]
    queue.changed("c")
    assert queue.pending == [] and sorted(sync.ids) == ["a", "b"]
    assert queue.close() is True  # idempotent


def test_a_failed_sync_is_reported_and_the_queue_goes_on():
    sync = Recorder(fail={"bad"})
    failures: list[tuple[str, str]] = []
    queue = CommentSync(sync, delay_s=0, on_failure=lambda e, exc: failures.append((e, str(exc))))
    queue.changed("bad")
    queue.changed("good")
    assert queue.flush(timeout_s=5)
    assert sorted(sync.ids) == ["bad", "good"]
    assert failures == [("bad", "the folder is read-only")]
    queue.close()


def test_a_busy_file_is_tried_again_later_and_other_errors_are_not():
    attempts: list[str] = []
    failures: list[str] = []

    def sync(entry_id: str) -> bool:
        attempts.append(entry_id)
        if entry_id == "gone":
            raise LookupError("no entry with id 'gone'")
        if attempts.count(entry_id) < 3:  # a player holds the file open, twice
            raise PermissionError(13, "the file is in use")
        return True

    queue = CommentSync(
        sync, delay_s=0, retry_s=0.05, tries=3, on_failure=lambda e, x: failures.append(e)
    )
    try:
        queue.changed("busy")
        queue.changed("gone")
        deadline = time.monotonic() + 5
        while (attempts.count("busy") < 3 or queue.pending) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert attempts.count("busy") == 3 and attempts.count("gone") == 1
        assert failures == ["gone"]
    finally:
        queue.close()


def test_a_file_busy_every_time_is_reported_after_its_tries():
    failures: list[str] = []

    def busy(entry_id: str) -> bool:
        raise PermissionError(13, "the file is in use")

    queue = CommentSync(
        busy, delay_s=0, retry_s=0.02, tries=2, on_failure=lambda e, x: failures.append(e)
    )
    try:
        queue.changed("a")
        deadline = time.monotonic() + 5
        while not failures and time.monotonic() < deadline:
            time.sleep(0.02)
        assert failures == ["a"] and queue.pending == []
    finally:
        queue.close()


@pytest.mark.parametrize(
    ("options", "field"),
    [({"delay_s": -1}, "delay_s"), ({"retry_s": -0.5}, "retry_s"), ({"tries": 0}, "tries")],
)
def test_the_queue_refuses_bad_settings_by_name(options, field):
    with pytest.raises(ValueError, match=field):
        CommentSync(lambda e: None, **options)


def test_an_id_that_is_not_one_is_refused_before_any_file_is_written(lib, add):
    add()
    with pytest.raises(EntryNotFoundError, match="no entry"):
        lib.set_rating("../../../escape", 3)
    with pytest.raises(EntryNotFoundError):
        lib.sync_comment("../../../escape")
    assert list(lib.paths.staging.iterdir()) == []
    assert not (lib.root.parent / "escape").exists()


def test_the_queue_syncs_a_real_library_in_its_own_thread(lib, add):
    entry = add()
    threads: list[str] = []

    def sync(entry_id: str) -> bool:
        threads.append(threading.current_thread().name)
        return lib.sync_comment(entry_id)

    queue = CommentSync(sync, delay_s=0.1)
    lib.set_rating(entry.id, 3)
    queue.changed(entry.id)
    lib.set_rating(entry.id, 4)
    queue.changed(entry.id)
    assert queue.close(timeout_s=20)
    assert threads == ["comment-sync"]
    assert embedded(entry)["rating"] == 4
    assert_truthful(lib, entry.id)
