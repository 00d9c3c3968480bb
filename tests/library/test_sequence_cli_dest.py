"""``wan-desktop sequence export`` checks where DEST goes before anything is written: a folder
that does not exist (a typo) is refused with exit 2 naming it, and nothing is made on the way;
an existing folder still works, and a relative DEST lands in the current folder."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json

import av
from library_entries import new_entry
from PIL import Image
from wan_testkit import write_clip

from wan_desktop.library import sequence_cli


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="wan-desktop")
    sequence_cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = args.run(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _one_clip_sequence(lib, tmp_path) -> str:
    """A sequence of one short clip in the test's library, which is then closed."""
    video = write_clip(
        tmp_path / "clip.mp4", lambda i, _n: Image.new("RGB", (64, 36), (i * 20, 90, 160)), frames=6
    )
    made = dataclasses.replace(new_entry(tmp_path / "made", prompt="harbour"), video_path=video)
    entry = lib.add(made)
    lib.close()
    code, out, err = run("sequence", "new", "Harbour", entry.id, "--json")
    assert code == 0, err
    return json.loads(out)["id"]


def test_export_into_a_missing_folder_is_refused_and_makes_nothing(lib, tmp_path):
    sequence_id = _one_clip_sequence(lib, tmp_path)
    missing = tmp_path / "typo" / "deeper"
    code, out, err = run("sequence", "export", sequence_id, str(missing / "film.mp4"), "--otio")
    assert code == 2 and out == ""
    assert err.startswith("wan-desktop sequence: ") and str(missing) in err
    assert "not an existing folder" in err and "Traceback" not in err
    assert not (tmp_path / "typo").exists()


def test_export_under_a_file_is_refused(lib, tmp_path):
    sequence_id = _one_clip_sequence(lib, tmp_path)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    code, _, err = run("sequence", "export", sequence_id, str(blocker / "film.mp4"))
    assert code == 2 and str(blocker) in err and "not an existing folder" in err
    assert blocker.read_text() == "not a folder"


def test_export_to_an_existing_folder_and_a_relative_name(lib, tmp_path, monkeypatch):
    sequence_id = _one_clip_sequence(lib, tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _, err = run("sequence", "export", sequence_id, str(out_dir / "film.mp4"))
    assert code == 0, err
    monkeypatch.chdir(out_dir)
    code, out, err = run("sequence", "export", sequence_id, "again.mp4", "--json")
    assert code == 0, err
    assert json.loads(out)["path"] == str((out_dir / "again.mp4").resolve())
    for name in ("film.mp4", "again.mp4"):
        with av.open(str(out_dir / name)) as container:
            assert sum(1 for _ in container.decode(video=0)) == 6
