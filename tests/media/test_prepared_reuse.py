"""The same bytes checked twice are decoded once, and a prepared image reads back as it was
prepared, without a decode."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile

from wan_desktop.core.problems import InvalidInputError
from wan_desktop.media.image import prepare_image_bytes, read_prepared_image


def _png(size=(323, 277), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 50).convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def loads(monkeypatch) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    real = ImageFile.ImageFile.load

    def load(self):
        if getattr(self, "tile", None):
            seen.append(self.size)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def test_same_bytes_are_decoded_once_and_named_each_time(loads):
    data = _png((331, 271))
    first = prepare_image_bytes(data, "photo.png")
    again = prepare_image_bytes(bytes(data), "source-image.png")
    assert loads == [(331, 271)]
    assert again.data == data and again.file_name == "source-image.png"
    assert (again.mime, again.format, again.width, again.height) == ("image/png", "PNG", 331, 271)
    assert first.file_name == "photo.png"


def test_a_converted_image_keeps_its_conversion_on_reuse(loads):
    data = _png((297, 261), "RGBA")
    first = prepare_image_bytes(data, "a.png")
    again = prepare_image_bytes(data, "b.png")
    assert loads == [(297, 261)]
    assert again.converted and again.data == first.data and again.notes == first.notes


def test_a_refused_image_is_refused_every_time():
    data = _png()[:-40]
    for _ in range(2):
        with pytest.raises(InvalidInputError):
            prepare_image_bytes(data, "cut.png")


def test_read_prepared_image_trusts_the_bytes(tmp_path, loads):
    prepared = prepare_image_bytes(_png((350, 290)), "photo.png")
    path = tmp_path / f"sent-{prepared.file_name}"
    path.write_bytes(prepared.data)
    loads.clear()
    back = read_prepared_image(path)
    assert loads == []
    assert back.data == prepared.data and back.sha256 == prepared.sha256
    assert (back.mime, back.format, back.width, back.height) == ("image/png", "PNG", 350, 290)
    assert back.file_name == "sent-photo.png"


def test_read_prepared_image_of_a_missing_file_is_an_input_problem(tmp_path):
    with pytest.raises(InvalidInputError):
        read_prepared_image(tmp_path / "gone.png")


def test_large_images_are_allocated_without_zero_filling():
    import wan_desktop.media.image  # noqa: F401 - the setting is made on import

    # One block per image: a fresh mmap the kernel zeroes lazily, not a 130 MB memset.
    assert Image.core.get_use_block_allocator() == 1
