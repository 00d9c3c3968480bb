"""Culling keys and the MP4 comment: a key in the library grid stores the rating at once
(index and sidecar), and the comment follows seconds later in the comment-sync thread, once per
clip for a burst of keys, never on the GUI thread; the app's services wire the queue to the
library they open, write what is still waiting when they close, and write what a killed
window left noted."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
from library_ui_helpers import add_entry, shown_pane
from PySide6.QtCore import Qt

from wan_desktop.library import comment_rewrite
from wan_desktop.library.comment_sync import CommentSync
from wan_desktop.library.sidecar import decode_comment
from wan_desktop.media import mp4meta

pytestmark = pytest.mark.timeout(90)


def _said(entry) -> dict:
    return decode_comment(mp4meta.read_comment(entry.video_path)) or {}


@pytest.fixture
def copies(monkeypatch):
    """The threads comment copies ran in, one name per copy (filing copies too: a test
    clears it after adding its clips)."""
    seen: list[str] = []
    real = mp4meta.write_comment

    def spy(src, dst, text):
        seen.append(threading.current_thread().name)
        real(src, dst, text)

    monkeypatch.setattr(comment_rewrite.mp4meta, "write_comment", spy)
    return seen


def test_a_burst_of_keys_is_one_comment_rewrite_in_the_sync_thread(
    qtbot, tasks, lib, tmp_path, copies
):
    entry = add_entry(lib, tmp_path / "in", seed=1, prompt="a red fox")
    copies.clear()
    sync = CommentSync(lib.sync_comment, delay_s=0.4)
    lib.on_judged(sync.changed)
    try:
        with shown_pane(qtbot, tasks, lib) as pane:
            pane.view.setFocus()
            pane.view.setCurrentIndex(pane.model.index(0))
            for key in (Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_5, Qt.Key.Key_P):
                qtbot.keyClick(pane.view, key)
                qtbot.waitUntil(pane.last_task.done, timeout=10000)
        # Stored at once; the video still says what filing wrote.
        assert (lib.get(entry.id).rating, lib.get(entry.id).flag) == (5, "picked")
        assert _said(entry)["rating"] == 0
        qtbot.waitUntil(lambda: _said(entry).get("flag") == "picked", timeout=10000)
        assert _said(entry)["rating"] == 5
        assert copies == ["comment-sync"]  # one rewrite for the burst, off the GUI thread
        assert tasks.failures == []
    finally:
        lib.on_judged(None)
        sync.close()


def test_the_services_sync_what_waits_when_they_close(qtbot, tasks, wan_home, tmp_path, copies):
    from wan_desktop.app import Services

    services = Services.from_environment()

    async def judge_and_close() -> str:
        await services.open_library()
        library = services.library
        entry = add_entry(library, tmp_path / "in", seed=7, prompt="a heron")
        copies.clear()
        library.set_rating(entry.id, 4)
        assert services.comment_sync.pending == [entry.id]
        await services.close()
        return entry.id

    task = tasks.spawn(judge_and_close(), "Judge and close")
    qtbot.waitUntil(task.done, timeout=30000)
    entry_id = task.result()
    assert services.comment_sync is None and services.library is None
    from wan_desktop.library import Library

    with Library.open(wan_home / "library") as reopened:
        entry = reopened.get(entry_id)
        assert _said(entry)["rating"] == 4
        assert copies == ["comment-sync"]


def test_the_services_write_what_a_killed_window_left(qtbot, tasks, wan_home, tmp_path):
    """A window killed before its queue wrote a rating left the clip in its pending file: the
    next window's services adopt it and write the comment, and the file goes."""
    from wan_desktop.app import Services
    from wan_desktop.library import Library

    root = wan_home / "library"
    with Library.open(root) as lib:
        entry = add_entry(lib, tmp_path / "in", seed=3, prompt="a kingfisher")
        lib.set_rating(entry.id, 5)  # the index and sidecar took it; the video did not
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = root / f"comment-sync-{dead.pid}.pending"
    left.write_text(json.dumps({"schema": 1, "ids": [entry.id]}))
    services = Services.from_environment()

    async def reopen() -> None:
        await services.open_library()

    task = tasks.spawn(reopen(), "Open the library")
    qtbot.waitUntil(task.done, timeout=30000)
    task.result()
    try:
        assert not left.exists()  # adopted: noted in this process's own file first
        qtbot.waitUntil(lambda: _said(entry).get("rating") == 5, timeout=30000)
        qtbot.waitUntil(lambda: not list(root.glob("comment-sync-*.pending")), timeout=30000)
    finally:
        closing = tasks.spawn(services.close(), "Close")
        qtbot.waitUntil(closing.done, timeout=30000)
