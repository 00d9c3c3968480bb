"""The library model: each role, paging 100 at a time, lazy thumbnails (one row repainted
per poster, stale results dropped), hover scrubbing, the LRU cache."""

from __future__ import annotations

import pytest
from library_ui_helpers import add_entry, bulk_rows, frame_value
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage
from ui_helpers import HOSTILE_MARKUP, shown

from wan_desktop.media import proxy
from wan_desktop.ui.library_model import (
    PAGE_SIZE,
    LibraryModel,
    LibraryQuery,
    LibraryRole,
    format_count,
)
from wan_desktop.ui.thumbnail_cache import ImageCache

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def model(qtbot, tasks, lib):
    m = LibraryModel(tasks)
    yield m
    m.loader.cancel_all()
    m.deleteLater()  # on the GUI thread, not by a garbage collection on a worker thread


def _load(qtbot, model, lib):
    with qtbot.waitSignal(model.queryApplied, timeout=5000):
        model.set_library(lib)


def test_each_role(qtbot, model, lib, tmp_path):
    entry = add_entry(lib, tmp_path / "in", audio=True, seed=42, resolution="1080p")
    lib.set_title(entry.id, "Fox at dawn")
    lib.set_favourite(entry.id, True)
    _load(qtbot, model, lib)
    index = model.index(0)
    assert model.rowCount() == 1
    assert index.data(LibraryRole.Id) == entry.id
    assert index.data(LibraryRole.Summary).id == entry.id
    assert index.data(LibraryRole.Title) == "Fox at dawn"
    assert index.data(Qt.ItemDataRole.DisplayRole) == "Fox at dawn"
    assert index.data(LibraryRole.Prompt) == "a red fox running through snow"
    assert index.data(LibraryRole.CreatedAt) == entry.created_at
    assert index.data(LibraryRole.Seed) == 42
    assert index.data(LibraryRole.DurationSeconds) == pytest.approx(1.0, abs=0.1)
    assert index.data(LibraryRole.Resolution) == "1080p"
    assert index.data(LibraryRole.PixelSize) == QSize(426, 240)
    assert index.data(LibraryRole.Favourite) is True
    assert index.data(LibraryRole.HasAudio) is True
    assert index.data(LibraryRole.PosterPath) == str(entry.poster_path)
    assert isinstance(index.data(LibraryRole.Thumbnail), QImage)  # the placeholder at first
    assert index.data(LibraryRole.ThumbnailMissing) is False
    assert index.data(LibraryRole.ScrubPosition) is None
    assert "seed 42" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "favourite" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    qtbot.waitUntil(lambda: index.data(LibraryRole.ThumbnailLoaded), timeout=5000)
    names = model.roleNames()
    assert names[int(LibraryRole.HasAudio)] == b"hasAudio"
    assert format_count(1234) == "1,234 clips" and format_count(1) == "1 clip"


def test_untitled_row_shows_the_prompt(qtbot, model, lib, tmp_path):
    add_entry(lib, tmp_path / "in", prompt="waves  crash\non rocks")
    _load(qtbot, model, lib)
    assert model.index(0).data(LibraryRole.Title) == "waves crash on rocks"


def test_pages_of_one_hundred(qtbot, model, lib):
    bulk_rows(lib, 250)
    _load(qtbot, model, lib)
    assert model.rowCount() == PAGE_SIZE and model.total() == 250
    assert model.canFetchMore()
    with qtbot.waitSignal(model.pageLoaded, timeout=5000):
        model.fetchMore()
    assert model.rowCount() == 200
    assert not model.canFetchMore() or model.rowCount() < 250
    with qtbot.waitSignal(model.pageLoaded, timeout=5000):
        model.fetchMore()
    assert model.rowCount() == 250 and not model.canFetchMore()
    ids = model.ids()
    assert len(set(ids)) == 250


def test_thumbnails_load_lazily_one_row_at_a_time(qtbot, model, lib, tmp_path):
    entries = [add_entry(lib, tmp_path / "in", hue=h) for h in (0.0, 0.3, 0.6)]
    _load(qtbot, model, lib)
    changes = []
    model.dataChanged.connect(lambda a, b, roles: changes.append((a.row(), b.row(), roles)))
    assert model.loader.decoded == 0  # nothing decoded before a row is asked for
    placeholder = model.index(1).data(LibraryRole.Thumbnail)
    assert placeholder == model.placeholder()
    qtbot.waitUntil(lambda: bool(changes), timeout=5000)
    assert changes == [(1, 1, [int(LibraryRole.Thumbnail)])]  # that row alone
    image = model.index(1).data(LibraryRole.Thumbnail)
    assert image != placeholder and image.width() <= 200 and image.height() <= 112
    assert model.loader.decoded == 1
    assert model.row_of(entries[1].id) == 1


def test_stale_thumbnails_are_dropped(qtbot, model, lib, tmp_path):
    add_entry(lib, tmp_path / "in", hue=0.1)
    _load(qtbot, model, lib)
    changes = []
    model.dataChanged.connect(lambda a, b, roles: changes.append(a.row()))
    model.index(0).data(LibraryRole.Thumbnail)  # asks for the poster ...
    assert model.loader.is_pending(model.index(0).data(LibraryRole.PosterPath))
    with qtbot.waitSignal(model.queryApplied, timeout=5000):
        model.set_query(LibraryQuery(text="nothing-matches-this"))  # ... then the rows change
    qtbot.waitUntil(lambda: model.loader.dropped == 1, timeout=5000)
    assert changes == [] and model.loader.decoded == 0 and len(model.cache) == 0


def test_stale_query_results_are_dropped(qtbot, model, lib):
    bulk_rows(lib, 5, prompt="lake {i}")
    bulk_rows(lib, 5, prompt="forest {i}")
    model.library = lib
    applied = []
    model.queryApplied.connect(applied.append)
    model.set_query(LibraryQuery(text="lake"))
    model.set_query(LibraryQuery(text="forest"))
    qtbot.waitUntil(lambda: bool(applied), timeout=5000)
    qtbot.wait(100)
    assert applied == [model.generation]  # only the newest answer was applied
    assert all("forest" in model.index(r).data(LibraryRole.Prompt) for r in range(5))


def _red(model, row: int = 0) -> int:
    return QImage(model.index(row).data(LibraryRole.Thumbnail)).pixelColor(10, 10).red()


def test_hover_scrub_decodes_frames_on_demand_from_the_proxy(qtbot, model, lib, tmp_path):
    a = add_entry(lib, tmp_path / "in")  # 24 frames whose grey level rises frame by frame
    _load(qtbot, model, lib)
    assert not proxy.is_fresh(a.video_path)
    model.set_scrub(a.id, 0.0)
    assert model.index(0).data(LibraryRole.ScrubPosition) == 0.0
    # No proxy yet: it is made first (urgently), then the frame under the pointer shows.
    qtbot.waitUntil(lambda: model.scrub.image(a.id) is not None, timeout=10000)
    assert proxy.is_fresh(a.video_path)
    assert model.scrub.painted == (a.id, 0)
    first = _red(model)
    assert abs(first - frame_value(0, 24)) <= 4
    model.set_scrub(a.id, 0.99)
    qtbot.waitUntil(lambda: model.scrub.painted == (a.id, 23) or bool(_red(model) > 200),
                    timeout=10000)  # fmt: skip
    assert abs(_red(model) - frame_value(23, 24)) <= 4
    model.set_scrub(a.id, 0.5)
    qtbot.waitUntil(lambda: abs(_red(model) - frame_value(12, 24)) <= 4, timeout=10000)
    decoded = model.scrub.worker.decoded
    model.set_scrub(a.id, 0.0)  # decoded before: from the cache, at once, no new decode
    assert abs(_red(model) - first) <= 1
    assert model.scrub.worker.decoded == decoded
    model.set_scrub(None)  # leaving the card: the poster again
    assert model.index(0).data(LibraryRole.ScrubPosition) is None
    assert model.scrub.image(a.id) is None


def test_a_late_frame_for_a_card_the_pointer_left_is_not_shown(qtbot, model, lib, tmp_path):
    a = add_entry(lib, tmp_path / "in")
    b = add_entry(lib, tmp_path / "in")
    proxy.ensure_proxy(a.video_path)
    proxy.ensure_proxy(b.video_path)
    _load(qtbot, model, lib)
    model.set_scrub(a.id, 0.5)
    model.set_scrub(b.id, 0.5)  # the pointer moved on before a's frame came back
    qtbot.waitUntil(lambda: model.scrub.image(b.id) is not None, timeout=10000)
    qtbot.wait(100)
    assert model.scrub.image(a.id) is None
    assert model.index(model.row_of(a.id)).data(LibraryRole.ScrubPosition) is None


def test_painted_cards_get_their_proxies_in_the_background(qtbot, model, lib, tmp_path):
    entries = [add_entry(lib, tmp_path / "in") for _ in range(3)]
    _load(qtbot, model, lib)
    for row in range(3):
        model.index(row).data(LibraryRole.Thumbnail)  # what painting a card asks
    qtbot.waitUntil(lambda: all(proxy.is_fresh(e.video_path) for e in entries), timeout=20000)
    model.remove_id(entries[0].id)  # trashed: its proxy request is forgotten
    assert model.proxies.queue.state(entries[0].video_path) == "unknown"


def test_lru_cache_bounded_by_bytes_and_count():
    cache = ImageCache(max_bytes=3 * 100 * 100 * 4, max_count=5)
    images = [QImage(100, 100, QImage.Format.Format_RGB32) for _ in range(5)]
    for i, image in enumerate(images):
        cache.put(str(i), image)
    assert len(cache) == 3 and cache.bytes <= cache.max_bytes
    assert cache.get("0") is None and cache.get("4") is not None
    cache.get("2")  # now the most recent
    cache.put("5", images[0])
    assert "2" in cache and "3" not in cache
    small = ImageCache(max_bytes=1 << 30, max_count=2)
    for i in range(4):
        small.put(str(i), images[i])
    assert len(small) == 2


def test_tooltip_shows_markup_from_data_literally(qtbot, model, lib, tmp_path):
    entry = add_entry(lib, tmp_path / "in", prompt=f"a fox {HOSTILE_MARKUP}")
    lib.set_title(entry.id, HOSTILE_MARKUP)
    _load(qtbot, model, lib)
    tip = shown(model.index(0).data(Qt.ItemDataRole.ToolTipRole))
    assert tip.startswith(f"{HOSTILE_MARKUP}\na fox {HOSTILE_MARKUP}\n")


def test_passes_qt_model_tester(qtbot, qtmodeltester, model, lib, tmp_path):
    add_entry(lib, tmp_path / "in", hue=0.1)
    bulk_rows(lib, 3)
    _load(qtbot, model, lib)
    qtmodeltester.check(model, force_py=True)


def test_a_poster_that_cannot_be_read_is_tried_once(qtbot, model, lib, tmp_path, monkeypatch):
    from wan_desktop.ui import library_model

    calls = []
    real = library_model.read_thumbnail

    def counting(path, box):
        calls.append(path)
        return real(path, box)

    monkeypatch.setattr(library_model, "read_thumbnail", counting)
    entry = add_entry(lib, tmp_path / "in", hue=0.4)
    entry.poster_path.write_bytes(b"not a picture")
    _load(qtbot, model, lib)
    index = model.index(0)
    for _ in range(5):  # repaints
        assert index.data(LibraryRole.Thumbnail) == model.placeholder()
        qtbot.wait(100)
    assert index.data(LibraryRole.ThumbnailMissing) is True
    assert calls == [str(entry.poster_path)]
