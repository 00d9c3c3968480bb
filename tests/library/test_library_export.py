"""Export: names from a template, safe on every OS, never overwriting, never escaping."""

from __future__ import annotations

import json

import pytest

from wan_desktop.library import ExportError
from wan_desktop.library.export import MAX_NAME_BYTES, render_name, safe_name


def test_default_template(lib, add, tmp_path):
    entry = add(prompt="A red fox, running: through/the snow?", seed=31337)
    out = tmp_path / "out"
    out.mkdir()
    path = lib.export(entry.id, out)
    assert path.parent == out
    assert path.name == f"{entry.created_at[:10]}_31337_A red fox, running_ through_the snow_.mp4"
    assert path.read_bytes() == entry.video_path.read_bytes()


def test_every_field_and_width(lib, add, tmp_path):
    entry = add(prompt="abcdefghijklmnop", seed=5)
    lib.set_title(entry.id, "My Title")
    path = lib.export(
        entry.id, tmp_path, "{id}-{date}-{time}-{seed}-{prompt:4}-{resolution}-{duration}-{title}"
    )
    hhmmss = entry.created_at[11:19].replace(":", "")
    assert path.name == (f"{entry.id}-{entry.created_at[:10]}-{hhmmss}-5-abcd-720p-1s-My Title.mp4")


@pytest.mark.parametrize(
    ("prompt", "width", "expected"),
    [
        ("a red fox running through the snow at dawn", 20, "a red fox running"),
        ("a red fox running through", 17, "a red fox running"),  # the cut falls on a space
        ("a red fox running through", 18, "a red fox running"),
        ("a red fox, running far", 12, "a red fox"),  # no comma left hanging
        ("abcdefghijklmnop and more", 4, "abcd"),  # no space within the width: a hard cut
        ("short", 40, "short"),
    ],
)
def test_a_width_cuts_at_a_word_boundary(prompt, width, expected):
    assert render_name(f"{{prompt:{width}}}", {"prompt": prompt}) == expected


def test_never_overwrites(lib, add, tmp_path):
    entry = add()
    (tmp_path / "clip.mp4").write_bytes(b"precious")
    first = lib.export(entry.id, tmp_path, "clip")
    second = lib.export(entry.id, tmp_path, "clip")
    assert (tmp_path / "clip.mp4").read_bytes() == b"precious"
    assert [first.name, second.name] == ["clip (2).mp4", "clip (3).mp4"]


def test_with_sidecar_shares_the_name(lib, add, tmp_path):
    entry = add()
    (tmp_path / "x.json").write_text("{}")
    path = lib.export(entry.id, tmp_path, "x", with_sidecar=True)
    assert path.name == "x (2).mp4"
    sidecar = tmp_path / "x (2).json"
    assert json.loads(sidecar.read_text())["id"] == entry.id


@pytest.mark.parametrize(
    "template", ["../{id}", "sub/{id}", "{id}\\x", "..{id}", "{nope}", "{seed:x}", "{"]
)
def test_bad_templates_are_refused(lib, add, tmp_path, template):
    entry = add()
    with pytest.raises(ExportError):
        lib.export(entry.id, tmp_path, template)
    assert not list(tmp_path.parent.glob("*.mp4"))


def test_fields_cannot_escape_the_folder(lib, add, tmp_path):
    entry = add(prompt="../../../etc/passwd")
    dest = tmp_path / "dest"
    dest.mkdir()
    path = lib.export(entry.id, dest, "{prompt:60}")
    assert path.parent == dest
    assert "/" not in path.name and ".." not in path.name


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("CON", "_CON.mp4"),
        ("nul", "_nul.mp4"),
        ("com1.tar", "_com1.tar.mp4"),
        ("LPT9", "_LPT9.mp4"),
        ("console", "console.mp4"),
        ("name. . .", "name.mp4"),
        ("  spaced  ", "spaced.mp4"),
        ('a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h.mp4"),
        ("tab\there\x00nul\x1f", "tab herenul.mp4"),
        ("", "video.mp4"),
        ("...", "video.mp4"),
    ],
)
def test_safe_names(stem, expected):
    assert safe_name(render_name("{title}", {"title": stem}), ".mp4") == expected


def test_long_names_are_cut_on_a_character_boundary():
    name = safe_name("é" * 300, ".mp4")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.endswith("é.mp4")


def test_export_of_unknown_entry_or_folder(lib, add, tmp_path):
    from wan_desktop.library import EntryNotFoundError

    with pytest.raises(EntryNotFoundError):
        lib.export("01m89sa71tg0z1q4", tmp_path)
    entry = add()
    (tmp_path / "a file").write_bytes(b"not a folder")
    with pytest.raises(ExportError, match="is not a folder"):
        lib.export(entry.id, tmp_path / "a file")
