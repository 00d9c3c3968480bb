"""The drop zone: a real drop of a file, inline problems with the limit, paste, clear."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from ui_helpers import drop_urls

from wan_desktop.core import limits
from wan_desktop.ui.drop_zone import ImageDropZone


@pytest.fixture
def zone(qtbot, tasks, paths):
    widget = ImageDropZone(tasks, paths.cache)
    qtbot.addWidget(widget)
    widget.resize(420, 300)
    widget.show()
    return widget


def _settle(qtbot, zone):
    qtbot.waitUntil(lambda: not zone.is_loading(), timeout=10000)


def test_drop_a_file(qtbot, zone, good_image):
    with qtbot.waitSignal(zone.imageChanged):
        drop_urls(zone, [good_image])
    _settle(qtbot, zone)
    assert zone.source() == str(good_image)
    assert zone.problem() is None
    assert zone.info().width == 640 and zone.info().height == 400
    assert zone.info_label.text().startswith("640 × 400 · PNG")
    assert zone.preview_image() is not None
    assert zone.objectName() == "imageDropZone" and zone.accessibleName()


def test_too_small_image_names_the_limit(qtbot, zone, small_image):
    drop_urls(zone, [small_image])
    _settle(qtbot, zone)
    assert zone.problem() is not None
    assert str(limits.IMAGE_MIN_SIDE_PX) in zone.problem()
    assert zone.problem_label.isVisible()
    assert zone.property("invalid") is True


def test_unreadable_file(qtbot, zone, tmp_path):
    bad = tmp_path / "not-an-image.png"
    bad.write_bytes(b"this is text, not a picture")
    drop_urls(zone, [bad])
    _settle(qtbot, zone)
    assert zone.problem()


def test_paste_image_data_goes_to_the_cache(qtbot, zone, paths):
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(0xFF3366AA)
    QApplication.clipboard().setImage(image)
    assert zone.paste()
    qtbot.waitUntil(lambda: zone.source() is not None and not zone.is_loading(), timeout=10000)
    source = Path(zone.source())
    assert source.is_relative_to(paths.cache) and source.suffix == ".png"
    assert zone.info().width == 400 and zone.problem() is None


def test_paste_a_path_as_text(qtbot, zone, good_image):
    QApplication.clipboard().setText(str(good_image))
    assert zone.paste()
    _settle(qtbot, zone)
    assert zone.source() == str(good_image)


def test_clear_and_replace(qtbot, zone, good_image, small_image):
    drop_urls(zone, [small_image])
    _settle(qtbot, zone)
    drop_urls(zone, [good_image])
    _settle(qtbot, zone)
    assert zone.source() == str(good_image) and zone.problem() is None
    zone.clear_button.click()
    assert zone.source() is None and zone.problem() is None


def _transparent_png(path: Path) -> Path:
    """A logo on a fully transparent background: real alpha, not an opaque RGBA."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (640, 400), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse([170, 50, 470, 350], fill=(220, 80, 60, 255))
    image.save(path)
    assert Image.open(path).getextrema()[3] == (0, 255)
    return path


def test_a_transparent_png_says_it_is_converted(qtbot, zone, tmp_path):
    drop_urls(zone, [_transparent_png(tmp_path / "logo.png")])
    _settle(qtbot, zone)
    assert zone.problem() is None
    note = zone.note_label
    assert note.isVisible()
    text = note.text().lower()
    assert "converted to png" in text and "transparen" in text and "white" in text
    # The preview shows what is sent: the transparent corner is white, not the zone's colour.
    preview = zone.preview_image()
    assert preview.pixelColor(2, 2).name() == "#ffffff"


def test_an_opaque_image_has_no_note(qtbot, zone, good_image):
    drop_urls(zone, [good_image])
    _settle(qtbot, zone)
    assert not zone.note_label.isVisible()
    assert zone.note_label.text() == ""
