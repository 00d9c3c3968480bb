"""The drop zone's preview comes from the pixels the media check decodes: a large image is
decoded once when it is dropped, not once by Qt for the preview and again by Pillow."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtGui import QColor

from wan_desktop.media import image as media_image
from wan_desktop.ui import drop_zone
from wan_desktop.ui.drop_zone import read_image


@pytest.fixture
def qt_decodes(monkeypatch) -> list[str]:
    """Every preview Qt decodes itself (by the file's name)."""
    seen: list[str] = []
    real = drop_zone._read_preview

    def counting(reader, size, side):
        seen.append(Path(reader.fileName()).name)
        return real(reader, size, side)

    monkeypatch.setattr(drop_zone, "_read_preview", counting)
    media_image._ACCEPTED.clear()  # no earlier check of the same bytes
    return seen


def _two_halves(path: Path, size=(2400, 1200), **save) -> Path:
    """Left half red, right half blue."""
    picture = Image.new("RGB", size, (200, 30, 30))
    picture.paste((30, 30, 200), (size[0] // 2, 0, size[0], size[1]))
    picture.save(path, **save)
    return path


def _near(color: QColor, rgb: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(color.getRgb()[:3], rgb, strict=True))


@pytest.mark.parametrize("name", ["wide.png", "wide.jpg"])
def test_a_large_image_is_previewed_from_the_checks_decode(qapp, tmp_path, qt_decodes, name):
    info = read_image(str(_two_halves(tmp_path / name)), preview_side=600)
    assert info.problem is None
    assert (info.width, info.height) == (2400, 1200)
    assert qt_decodes == []
    preview = info.preview
    assert preview is not None and (preview.width(), preview.height()) == (600, 300)
    assert _near(preview.pixelColor(100, 150), (200, 30, 30))
    assert _near(preview.pixelColor(500, 150), (30, 30, 200))


def test_an_exif_turned_photo_is_previewed_upright(qapp, tmp_path, qt_decodes):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held on its side: turn a quarter clockwise
    path = _two_halves(tmp_path / "turned.jpg", exif=exif.tobytes())
    info = read_image(str(path), preview_side=600)
    assert qt_decodes == []
    preview = info.preview
    assert (preview.width(), preview.height()) == (300, 600)  # portrait, as it is sent
    assert _near(preview.pixelColor(150, 100), (200, 30, 30))  # the red half on top now
    assert _near(preview.pixelColor(150, 500), (30, 30, 200))


def test_transparency_shows_on_white_as_it_is_sent(qapp, tmp_path, qt_decodes):
    picture = Image.new("RGBA", (800, 400), (0, 0, 0, 0))
    picture.paste((20, 160, 20, 255), (0, 0, 400, 400))
    picture.save(tmp_path / "clear.png")
    info = read_image(str(tmp_path / "clear.png"), preview_side=400)
    assert qt_decodes == [] and info.notes
    assert _near(info.preview.pixelColor(50, 100), (20, 160, 20))
    assert _near(info.preview.pixelColor(350, 100), (255, 255, 255))


def test_what_the_check_did_not_decode_is_previewed_by_qt(qapp, tmp_path, qt_decodes):
    path = _two_halves(tmp_path / "again.png")
    read_image(str(path), preview_side=600)
    again = read_image(str(path), preview_side=600)  # the same bytes: not decoded again
    assert qt_decodes == ["again.png"]
    assert (again.preview.width(), again.preview.height()) == (600, 300)
    # A refused image (too small a side) still shows what was dropped.
    Image.new("RGB", (120, 90), (10, 120, 10)).save(tmp_path / "tiny.png")
    tiny = read_image(str(tmp_path / "tiny.png"))
    assert tiny.problem and tiny.preview is not None
    assert qt_decodes == ["again.png", "tiny.png"]


def test_unusual_pixel_modes_are_left_to_qt(qapp, tmp_path, qt_decodes):
    Image.new("CMYK", (800, 400), (0, 200, 200, 0)).save(tmp_path / "print.jpg")
    info = read_image(str(tmp_path / "print.jpg"), preview_side=400)
    assert info.problem is None and info.preview is not None
    assert qt_decodes == ["print.jpg"]
