"""Adding an entry: the folder and files, the sidecar, the comment inside the video, the
index row; what must never be written."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from library_clips import frame_value, make_clip
from PIL import Image

from wan_desktop import __version__
from wan_desktop.library import LibraryError
from wan_desktop.library.sidecar import parse_comment
from wan_desktop.media import mp4meta, video


def test_add_writes_the_whole_entry_folder(lib, make):
    new = make(audio=True, seconds=1.0)
    entry = lib.add(new)
    assert entry.folder.parent.parent.parent == lib.root / "entries"
    names = sorted(p.name for p in entry.folder.iterdir())
    assert names == ["audio.mp3", "entry.json", "input.png", "last_frame.png", "poster.jpg",
                     "video.mp4"]  # fmt: skip
    # Inputs exactly as sent.
    assert entry.image_path.read_bytes() == new.image.data
    assert entry.audio_path.read_bytes() == new.audio.data
    # The temporary download was taken over.
    assert not new.video_path.exists()
    assert entry.has_audio and entry.width == 256 and entry.height == 144
    assert entry.duration_s == pytest.approx(1.0, abs=0.05)


def test_poster_and_last_frame(lib, make):
    entry = lib.add(make(seconds=1.0, gop=5))
    with Image.open(entry.poster_path) as poster:
        assert poster.format == "JPEG" and max(poster.size) <= 480
    with Image.open(entry.last_frame_path) as last:
        assert last.format == "PNG" and last.size == (256, 144)
        grey = last.convert("RGB").getpixel((10, 10))[0]
    assert abs(grey - frame_value(23, 24)) <= 2


def test_sidecar_holds_every_input_and_output(lib, make):
    new = make(seed=4242)
    entry = lib.add(new)
    data = json.loads(entry.sidecar_path.read_text())
    assert data["schema"] == 1 and data["id"] == entry.id
    assert data["app_version"] == __version__
    assert data["created_at"].endswith("Z")
    assert data["seed"] == 4242 and entry.seed == 4242
    assert data["actual_prompt"] == new.response["actual_prompt"]
    assert data["request_id"] == new.request_id and data["endpoint"] == new.endpoint
    assert data["timings"] == new.timings and data["cost_usd"] == 0.25
    assert data["remote"]["expires_at"] == "2026-12-01T00:00:00Z"
    assert data["request"]["prompt"] == new.request.prompt
    assert data["request"]["negative_prompt"] == "blurry"
    # Arguments as sent, with data URIs replaced by the entry's file names.
    assert data["arguments"]["image_url"] == "input.png"
    assert data["arguments"]["prompt"] == new.request.prompt
    assert "data:" not in entry.sidecar_path.read_text()
    # No path outside the library: the user's local path became the stored file name.
    assert data["request"]["image"] == "input.png"
    assert "/home/someone" not in entry.sidecar_path.read_text()
    assert data["video_sha256"] == entry.video_sha256 and len(entry.video_sha256) == 64


def test_the_video_carries_the_sidecar_json_in_its_comment(lib, make):
    entry = lib.add(make(seed=77, prompt="lighthouse in a storm"))
    text = mp4meta.read_comment(entry.video_path)
    embedded = parse_comment(text)
    assert embedded is not None
    assert embedded["id"] == entry.id and embedded["seed"] == 77
    assert embedded["request"]["prompt"] == "lighthouse in a storm"
    sidecar = json.loads(entry.sidecar_path.read_text())
    for key in ("request", "arguments", "seed", "actual_prompt", "created_at", "remote"):
        assert embedded[key] == sidecar[key]
    # Stream copy: the video still plays and has the same frames.
    info = video.check_playable(entry.video_path)
    assert info.frame_count == 24


def test_index_stores_relative_paths_only(lib, add):
    add()
    add(audio=True)
    conn = sqlite3.connect(lib.paths.db)
    for folder, data in conn.execute("SELECT folder, data FROM entries"):
        assert not folder.startswith("/") and ".." not in folder.split("/")
        assert str(lib.root) not in data
    conn.close()


def test_parent_id_chains_are_kept(lib, add):
    first = add(prompt="start of the chain")
    second = add(prompt="continued", parent_id=first.id)
    assert lib.get(second.id).parent_id == first.id


def test_an_unplayable_video_is_refused_and_leaves_nothing(lib, make):
    new = make()
    new.video_path.write_bytes(b"\x00" * 1000)
    with pytest.raises(video.VideoError):
        lib.add(new)
    assert lib.count() == 0
    assert list(lib.paths.staging.iterdir()) == []
    assert list(lib.paths.entries.rglob("*.mp4")) == []


def test_the_same_id_cannot_be_added_twice(lib, make):
    entry = lib.add(make())
    new = make()
    with pytest.raises(LibraryError, match="already exists"):
        lib.add(type(new)(**{**{f: getattr(new, f) for f in new.__dataclass_fields__},
                             "id": entry.id}))  # fmt: skip


def test_no_file_is_world_writable(lib, add):
    add(audio=True)
    for path in [lib.root, *lib.root.rglob("*")]:
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        assert not mode & stat.S_IWOTH, f"{path} is world-writable ({oct(mode)})"
        if path.is_file():
            assert mode & 0o777 in (0o644, 0o600), f"{path}: {oct(mode)}"


def test_the_api_key_is_written_nowhere(lib, make, monkeypatch):
    secret = "fal-secret-key-0123456789abcdef"
    monkeypatch.setenv("FAL_KEY", secret)
    entry = lib.add(make(audio=True))
    lib.set_notes(entry.id, "note")
    lib.close()
    for path in lib.root.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_video_on_another_folder_is_copied_and_removed(lib, make, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    new = make()
    moved = other / "download.mp4"
    os.replace(new.video_path, moved)
    new = type(new)(**{**{f: getattr(new, f) for f in new.__dataclass_fields__},
                       "video_path": moved})  # fmt: skip
    entry = lib.add(new)
    assert entry.video_path.is_file() and not moved.exists()


def test_clip_helper_makes_what_it_says(tmp_path: Path):
    clip = make_clip(tmp_path / "c.mp4", seconds=0.5, audio=True)
    info = video.probe(clip)
    assert info.frame_count == 12 and info.has_audio


def test_adds_and_reads_from_several_threads(lib, make):
    from concurrent.futures import ThreadPoolExecutor

    news = [make(prompt=f"threaded entry {i}") for i in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        added = list(pool.map(lib.add, news))
        pages = list(pool.map(lambda _: lib.list(), range(6)))
    assert len({e.id for e in added}) == 6
    assert lib.count() == 6 and all(len(p) <= 6 for p in pages)
    assert lib.count("threaded") == 6
    assert list(lib.paths.staging.iterdir()) == []


def test_stats(lib, add):
    entry = add()
    stats = lib.stats()
    assert stats["entries"] == 1 and stats["trashed"] == 0
    assert stats["bytes"] >= entry.size_bytes
