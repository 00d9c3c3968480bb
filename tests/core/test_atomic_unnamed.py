"""core.atomic's unnamed writes (issue 18): on Linux a big file is written with no name in its
folder (O_TMPFILE) and named only when whole, so a killed writer leaves nothing at all; where
that is not available the named temporary file is used, as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from wan_testkit import ROOT, reaped

from wan_desktop.core import atomic
from wan_desktop.core.atomic import atomic_path, file_in_the_way

unnamed_files = pytest.mark.skipif(
    atomic._open_unnamed(Path(__file__).parent) is None, reason="no O_TMPFILE here"
)


@unnamed_files
def test_the_file_has_no_name_until_the_block_succeeds(tmp_path):
    dest = tmp_path / "out" / "film.mp4"
    with atomic_path(dest, mode=0o640, suffix=".part.mp4", unnamed=True) as tmp:
        assert str(tmp).startswith("/proc/self/fd/")
        with open(tmp, "wb") as handle:  # a writer that opens the path by name, as FFmpeg does
            handle.write(b"whole")
        with open(tmp, "rb") as again:  # and reads it back (faststart's second pass)
            assert again.read() == b"whole"
        assert list(dest.parent.iterdir()) == []
    assert [p.name for p in dest.parent.iterdir()] == ["film.mp4"]
    assert dest.read_bytes() == b"whole"
    assert dest.stat().st_mode & 0o777 == 0o640


@unnamed_files
def test_a_failed_block_leaves_nothing_and_keeps_the_older_file(tmp_path):
    dest = tmp_path / "films" / "film.mp4"
    dest.parent.mkdir()
    dest.write_bytes(b"older")
    with pytest.raises(RuntimeError), atomic_path(dest, unnamed=True) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("the encoder failed")
    assert dest.read_bytes() == b"older"
    assert [p.name for p in dest.parent.iterdir()] == ["film.mp4"]


def test_without_o_tmpfile_it_falls_back_to_a_named_temporary_file(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    dest = tmp_path / "films" / "film.mp4"
    with atomic_path(dest, suffix=".part.mp4", unnamed=True) as tmp:
        assert tmp.parent == dest.parent and tmp.name.startswith(".film.mp4.")
        assert tmp.name.endswith(".part.mp4")
        tmp.write_bytes(b"whole")
    assert [p.name for p in dest.parent.iterdir()] == ["film.mp4"]
    assert dest.read_bytes() == b"whole"


def test_a_file_system_that_refuses_o_tmpfile_falls_back_too(tmp_path, monkeypatch):
    real_open = os.open

    def refusing(path, flags, *args, **kwargs):
        if flags & getattr(os, "O_TMPFILE", 0) == getattr(os, "O_TMPFILE", -1):
            raise OSError(95, "Operation not supported")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    dest = tmp_path / "film.mp4"
    with atomic_path(dest, unnamed=True) as tmp:
        assert tmp.parent == tmp_path
        tmp.write_bytes(b"whole")
    assert dest.read_bytes() == b"whole"


_CHILD = """
import sys, time
from pathlib import Path
from wan_desktop.core.atomic import atomic_path, file_in_the_way
with atomic_path(Path(sys.argv[1]), suffix=".part.mp4", unnamed=True) as tmp:
    with open(tmp, "wb") as handle:
        handle.write(b"x" * 100_000)
        handle.flush()
        print("writing", flush=True)
        time.sleep(60)
"""


@unnamed_files
def test_a_killed_writer_leaves_no_file_at_all(tmp_path):
    dest = tmp_path / "films" / "film.mp4"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(dest)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    with reaped(child):
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    assert list(dest.parent.iterdir()) == []


def test_file_in_the_way_names_what_keeps_a_folder_from_being_made(tmp_path):
    (tmp_path / "a file").write_bytes(b"x")
    assert file_in_the_way(tmp_path / "a file") == tmp_path / "a file"
    assert file_in_the_way(tmp_path / "a file" / "deeper" / "more") == tmp_path / "a file"
    assert file_in_the_way(tmp_path / "new" / "deeper") is None
    assert file_in_the_way(tmp_path) is None
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    assert file_in_the_way(tmp_path / "dangling" / "x") == tmp_path / "dangling"
