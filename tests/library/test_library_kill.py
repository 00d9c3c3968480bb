"""A process killed (SIGKILL) at random moments while adding leaves the library consistent:
every entry whole or absent once it is opened again."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from library_clips import make_clip

from wan_desktop.library import Filters, Library
from wan_desktop.library.paths import LibraryPaths
from wan_desktop.library.rebuild import entry_folders
from wan_desktop.library.sidecar import SidecarError, read_sidecar

HELPER = Path(__file__).parent / "kill_helper.py"
RUNS = 15

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")


def check_consistent(root: Path) -> int:
    conn = sqlite3.connect(root / "library.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = dict(conn.execute("SELECT id, folder FROM entries").fetchall())
    fts = conn.execute("SELECT count(*) FROM entries_fts").fetchone()[0]
    conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('integrity-check')")
    conn.close()
    assert fts == len(rows)
    for entry_id, folder in rows.items():
        folder_path = root / folder
        data = read_sidecar(folder_path)  # raises if missing or half written
        assert data["id"] == entry_id
        for name in data["files"].values():
            if name:
                assert (folder_path / name).is_file(), f"{folder}/{name} missing"
    folders = {}
    for folder, _in_trash in entry_folders(LibraryPaths.at(root)):
        try:
            folders[folder.name] = read_sidecar(folder)
        except SidecarError as exc:  # pragma: no cover - the failure this test looks for
            raise AssertionError(f"half-written entry folder {folder}: {exc}") from exc
    assert set(folders) == set(rows), "folders and index rows differ"
    assert list((root / ".staging").iterdir()) == []
    return len(rows)


def test_kill_at_random_moments_during_adds(tmp_path: Path):
    root = tmp_path / "lib"
    source = make_clip(tmp_path / "source.mp4", seconds=1.0, audio=True)
    rng = random.Random(20261125)
    total = leftovers = 0
    for run in range(RUNS):
        proc = subprocess.Popen(
            [sys.executable, str(HELPER), str(root), str(source), str(tmp_path / f"w{run}")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
            time.sleep(rng.uniform(0.0, 0.5))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        leftovers += len(list((root / ".staging").iterdir()))
        with Library.open(root) as lib:  # recovery happens here
            count = lib.count() + lib.count(filters=Filters(trashed=True))
        assert check_consistent(root) == count
        total = count
    assert total > 0, "the helper never got an entry in: the test proved nothing"
    # Kills usually land mid-add (staging folders or journals were left for recovery).
    print(f"{total} entries after {RUNS} kills; {leftovers} staging items recovered")
