"""The sequence strip's posters: decoded once, kept in a cache bounded by bytes and by count
(the library's ``ImageCache``), painted along their cells, and decoded again when one pushed
out of the cache is painted."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtGui import QColor

from wan_desktop.ui.sequence_strip import (
    POSTER_CACHE_BYTES,
    POSTER_CACHE_COUNT,
    SequenceStrip,
    StripCell,
)
from wan_desktop.ui.thumbnail_cache import ImageCache

pytestmark = pytest.mark.timeout(60)

COLOURS = [(220, 30, 30), (30, 200, 40), (30, 60, 220), (230, 200, 20), (200, 30, 200)]


@pytest.fixture
def posters(tmp_path) -> list[str]:
    paths = []
    for n, colour in enumerate(COLOURS):
        path = tmp_path / f"poster-{n}.png"
        Image.new("RGB", (320, 180), colour).save(path)
        paths.append(str(path))
    return paths


@pytest.fixture
def strip(qtbot, qasync_loop):
    widget = SequenceStrip()
    qtbot.addWidget(widget)
    widget.resize(900, widget.height())
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _cells(posters: list[str]) -> list[StripCell]:
    return [StripCell(f"e{n}", 2.0, f"clip {n}", path) for n, path in enumerate(posters)]


def test_the_poster_cache_is_bounded_by_bytes_and_count(strip, posters, qtbot):
    cache = strip.poster_cache()
    assert isinstance(cache, ImageCache)
    assert (cache.max_bytes, cache.max_count) == (POSTER_CACHE_BYTES, POSTER_CACHE_COUNT)
    assert POSTER_CACHE_BYTES <= 32 << 20
    # Small bounds to see them hold: room for two posters by count…
    cache.max_count = 2
    strip.set_cells(_cells(posters[:3]))
    qtbot.waitUntil(lambda: sum(p in cache for p in posters[:3]) == 2, timeout=10000)
    qtbot.wait(200)  # any decode still under way has landed
    assert sum(p in cache for p in posters[:3]) == 2
    # …and by bytes: one poster's worth and a half.
    size = cache.get(next(p for p in posters[:3] if p in cache)).sizeInBytes()
    cache.clear()
    cache.max_count, cache.max_bytes = 100, size * 3 // 2
    strip.set_cells(_cells(posters[3:]))
    qtbot.waitUntil(lambda: any(p in cache for p in posters[3:]), timeout=10000)
    qtbot.wait(200)
    assert sum(p in cache for p in posters) == 1


def test_posters_paint_along_their_cells_and_come_back_after_eviction(strip, posters, qtbot):
    strip.set_cells(_cells(posters[:2]))
    qtbot.waitUntil(lambda: strip.posters_pending() == 0, timeout=10000)
    rects = strip.cell_rects()
    image = strip.grab().toImage()
    ratio = image.devicePixelRatio()
    for rect, colour in zip(rects, COLOURS[:2], strict=True):
        got = image.pixelColor(round((rect.left() + 6) * ratio), round(rect.center().y() * ratio))
        assert _close(got, colour), (got.getRgb(), colour)
    # Pushed out of the cache, a poster is asked for again when its cell is painted.
    strip.poster_cache().discard(posters[1])
    assert strip.posters_pending() == 1
    strip.repaint()
    qtbot.waitUntil(lambda: strip.posters_pending() == 0, timeout=10000)
    assert posters[1] in strip.poster_cache()


def _close(got: QColor, want: tuple[int, int, int], tolerance: int = 30) -> bool:
    return sum(abs(a - b) for a, b in zip(got.getRgb()[:3], want, strict=True)) <= tolerance
