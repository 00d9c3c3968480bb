"""Entry ids and the one place that turns stored paths into real ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wan_desktop.library.ids import ID_LENGTH, id_timestamp_ms, is_valid_id, new_id
from wan_desktop.library.paths import LibraryPaths, PathEscapeError, check_file_name


def test_ids_are_short_safe_unique_and_time_sortable():
    ids = [new_id(1_700_000_000_000 + i) for i in range(200)]
    assert len(set(ids)) == 200
    assert ids == sorted(ids)
    for entry_id in ids:
        assert len(entry_id) == ID_LENGTH
        assert is_valid_id(entry_id)
        assert entry_id == entry_id.lower() and entry_id.isalnum()
    assert id_timestamp_ms(ids[5]) == 1_700_000_000_005


@pytest.mark.parametrize(
    "bad", ["", "../etc", "01M89SA71TG0Z1Q4", "01m89sa71tg0z1q", "01m89sa71tg0z1q4\n", None, 7]
)
def test_invalid_ids_are_refused(bad):
    assert not is_valid_id(bad)


@pytest.fixture
def paths(tmp_path: Path) -> LibraryPaths:
    (tmp_path / "lib" / "entries").mkdir(parents=True)
    return LibraryPaths.at(tmp_path / "lib")


def test_relative_paths_round_trip(paths: LibraryPaths):
    rel = paths.entry_rel(new_id(1_790_000_000_000))
    assert rel.startswith("entries/2026/")
    assert paths.to_rel(paths.to_abs(rel)) == rel


@pytest.mark.parametrize(
    "rel", ["../outside", "entries/../../x", "/etc/passwd", "C:/x", "a\\..\\b", "", "."]
)
def test_paths_leading_outside_are_refused(paths: LibraryPaths, rel: str):
    with pytest.raises(PathEscapeError):
        paths.to_abs(rel)


def test_a_symlink_leading_outside_is_refused(paths: LibraryPaths, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, paths.entries / "link")
    with pytest.raises(PathEscapeError):
        paths.to_abs("entries/link/video.mp4")
    with pytest.raises(PathEscapeError):
        paths.to_rel(paths.entries / "link" / "video.mp4")
    with pytest.raises(PathEscapeError):
        paths.to_rel(tmp_path / "elsewhere" / "x")


@pytest.mark.parametrize("name", ["a/b", "..", ".", "", "c:\\x", "a\\b"])
def test_file_names_must_be_plain(name: str):
    with pytest.raises(PathEscapeError):
        check_file_name(name)


@pytest.mark.parametrize("folder", ["../outside", "/etc", "entries/../../x"])
def test_a_tampered_index_row_cannot_point_outside(lib, add, folder):
    entry = add()
    lib._query("UPDATE entries SET folder = ? WHERE id = ?", (folder, entry.id))
    with pytest.raises(PathEscapeError):
        lib.list()
    with pytest.raises(PathEscapeError):
        lib.get(entry.id)
