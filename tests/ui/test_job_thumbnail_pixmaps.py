"""The jobs list scales a job's thumbnail once per size and pixel density, not on every paint
(the list repaints its rows several times a second while a job runs)."""

from __future__ import annotations

import dataclasses
import time

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QPainter,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QStyleOptionViewItem

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobSnapshot, JobState
from wan_desktop.ui import job_delegate
from wan_desktop.ui.job_delegate import JobDelegate, ThumbnailPixmaps
from wan_desktop.ui.jobs_model import THUMB_PX, JobRole


def _filled(size: tuple[int, int], color: str) -> QImage:
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    return image


@pytest.fixture
def scalings(monkeypatch) -> list[tuple[int, int, float]]:
    """Every smooth rescale the delegate makes: (width, height, device pixel ratio)."""
    seen: list[tuple[int, int, float]] = []
    real = job_delegate.scaled_pixmap

    def counting(image, size, ratio):
        seen.append((size.width(), size.height(), ratio))
        return real(image, size, ratio)

    monkeypatch.setattr(job_delegate, "scaled_pixmap", counting)
    return seen


def test_the_same_picture_at_the_same_size_is_scaled_once(qapp, scalings):
    pixmaps = ThumbnailPixmaps()
    picture = _filled((128, 96), "#3060c0")
    first = pixmaps.get("j1", picture, QSize(64, 48), 1.0)
    again = pixmaps.get("j1", picture, QSize(64, 48), 1.0)
    assert first.cacheKey() == again.cacheKey()
    assert scalings == [(64, 48, 1.0)]
    assert (first.width(), first.height()) == (64, 48)


def test_a_dense_screen_gets_a_sharp_pixmap(qapp, scalings):
    pixmaps = ThumbnailPixmaps()
    pixmap = pixmaps.get("j1", _filled((128, 96), "#3060c0"), QSize(64, 48), 2.0)
    assert (pixmap.width(), pixmap.height()) == (128, 96)  # device pixels
    assert pixmap.devicePixelRatio() == 2.0
    assert pixmap.deviceIndependentSize().toSize() == QSize(64, 48)


def test_a_new_picture_replaces_the_old_one(qapp, scalings):
    pixmaps = ThumbnailPixmaps()
    pixmaps.get("j1", _filled((128, 96), "#3060c0"), QSize(64, 48), 1.0)
    poster = _filled((128, 72), "#c03030")  # the job is done: its entry's poster
    pixmap = pixmaps.get("j1", poster, QSize(64, 36), 1.0)
    assert len(pixmaps) == 1
    assert pixmap.toImage().pixelColor(10, 10) == QColor("#c03030")
    assert len(scalings) == 2


def test_only_the_most_recently_drawn_are_kept(qapp):
    pixmaps = ThumbnailPixmaps(max_count=3)
    picture = _filled((128, 128), "#208020")
    for i in range(5):
        pixmaps.get(f"j{i}", picture, QSize(64, 64), 1.0)
    assert len(pixmaps) == 3


def _row_index(picture: QImage):
    job = JobSnapshot(
        id="j1",
        state=JobState.RUNNING,
        request=GenerationRequest(prompt="A heron lifts off the water", image="/x.png"),
        created_at=time.time(),
        input_image_path=None,
    )
    job = dataclasses.replace(job, progress=0.4)
    model = QStandardItemModel()
    item = QStandardItem()
    item.setData(job, JobRole.Snapshot)
    item.setData(picture, JobRole.Thumbnail)
    item.setData("A heron lifts off the water", JobRole.PromptExcerpt)
    item.setData("Running · 0:12 elapsed", JobRole.StatusLine)
    model.appendRow(item)
    return model, model.index(0, 0)


def test_repainting_a_row_does_not_scale_its_thumbnail_again(qapp, scalings):
    picture = _filled((THUMB_PX * 2, THUMB_PX * 2), "#3060c0")
    _model, index = _row_index(picture)  # the model must outlive the index
    delegate = JobDelegate()
    canvas = QImage(420, 100, QImage.Format.Format_RGB32)
    canvas.fill(QColor("white"))
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 420, 100)
    option.font = QGuiApplication.font()
    option.palette = QGuiApplication.palette()
    for _ in range(5):  # five progress repaints
        painter = QPainter(canvas)
        delegate.paint(painter, option, index)
        painter.end()
    assert scalings == [(THUMB_PX, THUMB_PX, 1.0)]
    # The thumbnail is drawn where it belongs: the square at the row's left.
    pad = JobDelegate.PAD
    assert canvas.pixelColor(pad + THUMB_PX // 2, pad + THUMB_PX // 2) == QColor("#3060c0")
