"""``library export`` and ``sequence export`` take a destination folder that does not exist yet
the same way: they make it (with its parents) and write into it; a file in its place is
refused with exit 2 by both."""

from __future__ import annotations

import argparse
import io

from wan_desktop.library import cli as library_cli
from wan_desktop.library import sequence_cli


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="wan-desktop")
    commands = parser.add_subparsers(dest="command")
    library_cli.add_parser(commands)
    sequence_cli.add_parser(commands)
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = args.run(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_both_exports_make_a_missing_folder(lib, add, tmp_path):
    entry = add()
    sequence = lib.new_sequence("One clip", [entry.id])
    lib.close()
    folder = tmp_path / "out" / "clips"
    code, out, err = run("library", "export", entry.id, str(folder))
    assert code == 0, err
    assert [p.parent for p in folder.iterdir()] == [folder] and out.strip().startswith(str(folder))
    film = tmp_path / "out" / "films" / "film.mp4"
    code, out, err = run("sequence", "export", sequence.id, str(film))
    assert code == 0, err
    assert film.is_file() and out.strip() == str(film.resolve())


def test_both_exports_refuse_a_file_where_the_folder_should_be(lib, add, tmp_path):
    entry = add()
    sequence = lib.new_sequence("One clip", [entry.id])
    lib.close()
    blocker = tmp_path / "taken"
    blocker.write_bytes(b"a file")
    code, out, err = run("library", "export", entry.id, str(blocker))
    assert code == 2 and "is not a folder" in err and out == ""
    code, out, err = run("sequence", "export", sequence.id, str(blocker / "film.mp4"))
    assert code == 2 and out == ""
    assert (
        err
        == f"wan-desktop sequence: {blocker} is not a folder, so film.mp4 cannot be written in it\n"
    )
    code, out, err = run("library", "export", entry.id, str(blocker / "deeper"))
    assert code == 2 and f"{blocker} is not a folder" in err
    assert blocker.read_bytes() == b"a file"
