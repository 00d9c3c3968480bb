"""PreparedMedia, data URIs, the upload threshold and the package's exports."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import subprocess
import sys

import pytest

from wan_desktop.core.problems import InvalidInputError
from wan_desktop.media.datauri import parse_data_uri, to_data_uri
from wan_desktop.media.prepared import PreparedMedia


def sample(**changes) -> PreparedMedia:
    fields = dict(
        data=b"\x89PNG-not-really" * 100,
        mime="image/png",
        file_name="input.png",
        format="PNG",
        size_bytes=1500,
        width=640,
        height=480,
    )
    fields.update(changes)
    return PreparedMedia(**fields)


def test_prepared_media_is_frozen_and_hashes_its_data():
    item = sample(notes=["first note"])
    assert item.notes == ("first note",)  # a list passed in is stored as a tuple
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.data = b""  # type: ignore[misc]
    assert item.sha256 == hashlib.sha256(item.data).hexdigest()
    assert item.sha256 == item.sha256  # cached, same answer
    assert item == sample(notes=("first note",)) and hash(item) == hash(
        sample(notes=["first note"])
    )


def test_repr_never_dumps_the_bytes():
    text = repr(sample(data=b"SECRET" * 1000, size_bytes=6000))
    assert "SECRET" not in text and "6000 bytes" in text and "640x480px" in text
    assert len(text) < 300


def test_size_must_match_the_data():
    with pytest.raises(ValueError, match="size_bytes"):
        sample(size_bytes=1)


def test_to_data_uri_round_trips():
    item = sample()
    uri = item.to_data_uri()
    assert uri.startswith("data:image/png;base64,")
    assert parse_data_uri(uri) == (item.data, "image/png")


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("http://x/y.png", "must start with"),
        ("data:image/png;base64", "no comma"),
        ("data:;base64,AAAA", "names no media type"),
        ("data:image png;base64,AAAA", "invalid media type"),
        ("data:image/png,AAAA", "base64-encoded"),
        ("data:image/png;base64,AA*A", "invalid base64"),
        ("data:image/png;base64,AAA", "invalid base64"),
        ("data:image/png;base64,", "holds no data"),
    ],
)
def test_parse_data_uri_is_strict(uri, why):
    with pytest.raises(InvalidInputError, match=why) as caught:
        parse_data_uri(uri)
    assert caught.value.fields == ["image_url"]


def test_parse_data_uri_accepts_parameters_and_names_the_field():
    payload = base64.b64encode(b"RIFF....WAVE").decode()
    assert parse_data_uri(f"DATA:Audio/WAV;name=a.wav;base64,{payload}", field="audio_url") == (
        b"RIFF....WAVE",
        "audio/wav",
    )
    with pytest.raises(InvalidInputError) as caught:
        parse_data_uri("data:audio/wav,xx", field="audio_url")
    assert caught.value.fields == ["audio_url"] and str(caught.value).startswith("Audio:")


def test_to_data_uri_rejects_a_bad_media_type():
    assert to_data_uri(b"ab", "image/png") == "data:image/png;base64,YWI="
    with pytest.raises(ValueError):
        to_data_uri(b"ab", "png")


def test_importing_the_package_loads_neither_pillow_nor_pyav():
    code = (
        "import sys, wan_desktop.media.prepared\nprint('PIL' in sys.modules, 'av' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("My Photo 1.jpeg", "My_Photo_1.png"),
        ("C:\\Users\\me\\shot.final.JPG", "shot.final.png"),
        ("../../etc/passwd", "passwd.png"),
        ("....", "input.png"),
        (None, "input.png"),
        ("ÅÄÖ", "input.png"),
        ("CON.png", "_CON.png"),
        ("nul", "_nul.png"),
        ("com0.tar", "_com0.png"),
        ("x" * 300 + ".png", "x" * 64 + ".png"),
    ],
)
def test_safe_file_name_keeps_the_canonical_extension_and_no_reserved_name(name, expected):
    from wan_desktop.media.prepared import safe_file_name

    assert safe_file_name(name, "png", "input") == expected
