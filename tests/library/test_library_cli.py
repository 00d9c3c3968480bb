"""The ``library`` command line, driven through its own argparse parser."""

from __future__ import annotations

import json

import pytest
from library_clips import make_clip
from wan_testkit import run_command

from wan_desktop.library import cli as library_cli


def run(*argv: str) -> tuple[int, str, str]:
    """``wan-desktop library ARGV`` in this process: (exit code, stdout, stderr)."""
    return run_command(library_cli, *argv)


@pytest.fixture
def filled(lib, add):
    a = add(prompt="a red fox in the snow", seed=11)
    b = add(prompt="lighthouse in a storm", seed=22)
    lib.set_favourite(b.id, True)
    lib.close()  # the command line opens the same (default) library
    return a, b


def test_list_json_and_table(filled):
    a, b = filled
    code, out, _ = run("library", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [b.id, a.id]
    assert rows[0]["favourite"] is True and rows[0]["seed"] == 22
    code, out, _ = run("library", "list", "--limit", "1", "--offset", "1")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("ID") and len(lines) == 2
    assert a.id in lines[1] and "red fox" in lines[1]
    code, out, _ = run("library", "list")
    assert "★" in out.splitlines()[1]


def test_search(filled):
    _, b = filled
    code, out, _ = run("library", "search", "lighth", "--json")
    assert code == 0 and [r["id"] for r in json.loads(out)] == [b.id]
    code, out, _ = run("library", "search", 'quote" AND (')
    assert code == 0 and "(no entries)" in out


def test_show(filled):
    a, _ = filled
    code, out, _ = run("library", "show", a.id, "--json")
    data = json.loads(out)
    assert code == 0 and data["id"] == a.id and data["seed"] == 11
    assert data["request"]["prompt"] == "a red fox in the snow"
    code, out, _ = run("library", "show", a.id)
    assert f"id: {a.id}" in out and "prompt: a red fox in the snow" in out


def test_unknown_id_is_exit_2(filled):
    code, out, err = run("library", "show", "01m89sa71tg0z1q4")
    assert code == 2 and out == "" and "no entry with id" in err
    code, _, err = run("library", "show", "../../etc")
    assert code == 2 and err


def test_export(filled, tmp_path):
    a, _ = filled
    code, out, _ = run("library", "export", a.id, str(tmp_path), "--template", "{seed}",
                       "--with-sidecar", "--json")  # fmt: skip
    assert code == 0
    path = json.loads(out)["path"]
    assert path.endswith("11.mp4") and (tmp_path / "11.json").is_file()
    code, _, err = run("library", "export", a.id, str(tmp_path), "--template", "../{seed}")
    assert code == 2 and "template" in err


def test_rebuild(filled, wan_home):
    (wan_home / "library" / "library.db").unlink()
    code, out, _ = run("library", "rebuild", "--json")
    assert code == 0 and json.loads(out)["indexed"] == 2
    code, out, _ = run("library", "rebuild")
    assert code == 0 and "indexed 2 entries" in out


def test_import(filled, tmp_path):
    clip = make_clip(tmp_path / "from-phone.mp4")
    code, out, _ = run("library", "import", str(clip), "--json")
    assert code == 0
    entry_id = json.loads(out)["id"]
    code, out, _ = run("library", "search", "phone", "--json")
    assert [r["id"] for r in json.loads(out)] == [entry_id]
    (tmp_path / "notes.txt").write_text("hello")
    code, _, err = run("library", "import", str(tmp_path / "notes.txt"))
    assert code == 2 and "notes.txt" in err
