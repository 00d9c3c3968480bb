"""media.files: an input file is checked (a regular file, under the limit) before it is read,
and never read past the limit. Hostile paths run in a child process with a memory limit and a
deadline, so that a failure is a failed test and not a machine out of memory or a hung run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from media_samples import image_bytes

from wan_desktop.core import limits
from wan_desktop.core.problems import InvalidInputError
from wan_desktop.media.files import read_input_file

ROOT = Path(__file__).resolve().parents[2]


def in_child(code: str, *, timeout_s: float = 20.0) -> tuple[int, str, float]:
    """Run ``code`` in a Python child limited to 1 GB of memory; (exit code, output, seconds).
    A child still running after ``timeout_s`` is killed (exit code -9)."""
    preamble = textwrap.dedent(
        """
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        """
    )
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-c", preamble + textwrap.dedent(code)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return process.returncode, output, time.monotonic() - start


def refused_in_child(call: str) -> str:
    code, output, seconds = in_child(
        f"""
        from wan_desktop.core.problems import InvalidInputError
        from wan_desktop.media import audio, files, image
        try:
            {call}
        except InvalidInputError as exc:
            print("REFUSED", exc)
        else:
            print("READ")
        """
    )
    assert code == 0, output[-2000:]
    assert seconds < 15
    assert output.startswith("REFUSED"), output[-2000:]
    return output


def test_dev_zero_is_refused_without_reading():
    output = refused_in_child("image.prepare_image_file('/dev/zero')")
    assert "/dev/zero" in output and "not a regular file" in output


def test_a_fifo_named_like_an_image_is_refused_at_once(tmp_path):
    fifo = tmp_path / "f.png"
    os.mkfifo(fifo)
    output = refused_in_child(f"image.prepare_image_file({str(fifo)!r})")
    assert "f.png" in output and "not a regular file" in output


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(InvalidInputError, match="folder"):
        read_input_file(tmp_path, field="image_url", label="Image")


def test_a_huge_file_is_refused_by_its_size_before_reading(tmp_path):
    big = tmp_path / "big.png"
    with open(big, "wb") as handle:
        handle.truncate(300_000_000)  # sparse: 300 MB that cost nothing to make
    output = refused_in_child(
        f"files.read_input_file({str(big)!r}, field='image_url', label='Image')"
    )
    assert "300.0 MB" in output and "25 MB" in output


def test_the_jobs_copy_is_capped_too(tmp_path):
    """No size check passed in (the job runner's copy): the field's own limit applies."""
    big = tmp_path / "song.wav"
    with open(big, "wb") as handle:
        handle.truncate(limits.AUDIO_MAX_BYTES + 1)
    with pytest.raises(InvalidInputError) as caught:
        read_input_file(big, field="audio_url", label="Audio")
    assert caught.value.fields == ["audio_url"]
    assert "15 MB" in str(caught.value)


def test_a_file_that_reports_no_size_is_read_no_further_than_the_limit():
    """/proc files say 0 bytes and hold more: the read itself stops at the limit."""
    environ = Path("/proc/self/environ")
    if not environ.exists():
        pytest.skip("no /proc here")
    with pytest.raises(InvalidInputError) as caught:
        read_input_file(environ, field="image_url", label="Image", max_bytes=3)
    assert "limit" in str(caught.value)


def test_a_file_within_the_limit_is_read_whole(tmp_path):
    path = tmp_path / "ok.png"
    data = image_bytes((300, 300))
    path.write_bytes(data)
    assert read_input_file(path, field="image_url", label="Image") == data
    assert read_input_file(path, field="image_url", label="Image", max_bytes=len(data)) == data
    with pytest.raises(InvalidInputError):
        read_input_file(path, field="image_url", label="Image", max_bytes=len(data) - 1)


def test_a_missing_file_names_the_field(tmp_path):
    with pytest.raises(InvalidInputError) as caught:
        read_input_file(tmp_path / "nope.mp3", field="audio_url", label="Audio")
    assert caught.value.fields == ["audio_url"] and "no file" in str(caught.value)


def test_image_and_audio_word_the_size_limit_alike():
    from wan_desktop.media.files import check_size

    for field, label, limit in (
        ("image_url", "Image", limits.IMAGE_MAX_BYTES),
        ("audio_url", "Audio", limits.AUDIO_MAX_BYTES),
    ):
        check_size(limit, field=field, label=label)
        with pytest.raises(InvalidInputError) as caught:
            check_size(limit + 1, field=field, label=label)
        assert caught.value.fields == [field]
        assert str(caught.value).startswith(f"{label} is ")
        assert f"the limit is {limit / 1_000_000:g} MB" in str(caught.value)
