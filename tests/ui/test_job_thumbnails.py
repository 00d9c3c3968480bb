"""A job's thumbnail never decodes its input image again: it is made from the picture the drop
zone already decoded, kept when the job is done, and a finished job seen after a restart takes
its library entry's small poster rather than the (possibly 33-megapixel) input."""

from __future__ import annotations

import dataclasses
import time
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage
from ui_fakes import FakeServices
from ui_helpers import load_picture

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobEvent, JobEventKind, JobSnapshot, JobState
from wan_desktop.ui import jobs_model
from wan_desktop.ui.jobs_model import JobRole, JobsModel
from wan_desktop.ui.main_window import MainWindow


def _job(image: str, **changes) -> JobSnapshot:
    base = JobSnapshot(
        id="j1",
        state=JobState.QUEUED,
        request=GenerationRequest(prompt="A heron lifts off the water", image=image),
        created_at=time.time(),
        input_image_path=None,
    )
    return dataclasses.replace(base, **changes)


def _filled(size: tuple[int, int], color: str) -> QImage:
    image = QImage(*size, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    return image


@pytest.fixture
def decodes(monkeypatch):
    """Every image file the jobs model decodes (none is the point)."""
    seen: list[str] = []
    real = jobs_model.read_image_preview

    def counting(path):
        seen.append(path)
        return real(path)

    monkeypatch.setattr(jobs_model, "read_image_preview", counting)
    return seen


@pytest.fixture
def model(qtbot, tasks):
    return JobsModel(tasks)


def _thumbnail(qtbot, model: JobsModel) -> QImage:
    index = model.index(0)
    qtbot.waitUntil(lambda: index.data(JobRole.Thumbnail) is not None, timeout=5000)
    return index.data(JobRole.Thumbnail)


def test_a_lent_picture_is_the_thumbnail_through_the_whole_job(qtbot, model, tmp_path, decodes):
    source = str(tmp_path / "huge.png")  # never written: reading it would fail
    model.adopt_picture(source, _filled((1024, 576), "#3080c0"))
    model.apply_event(JobEvent(_job(source), JobEventKind.ADDED))
    thumb = _thumbnail(qtbot, model)
    # It covers twice the 64 px square, like a decoded preview, in the format painted.
    assert (thumb.width(), thumb.height()) == (227, 128)
    assert thumb.format() == QImage.Format.Format_RGB32
    assert thumb.pixelColor(100, 60).name() == "#3080c0"
    # The copy in the job folder appears: the same thumbnail, nothing decoded.
    copied = str(tmp_path / "jobs" / "j1" / "source-image.png")
    running = _job(source, state=JobState.RUNNING, input_image_path=copied)
    model.apply_event(JobEvent(running, JobEventKind.STATE))
    assert model.index(0).data(JobRole.Thumbnail).cacheKey() == thumb.cacheKey()
    # Done and filed: the entry keeps the same picture, so the library is not asked for it.
    asked: list[str] = []
    library = SimpleNamespace(get=lambda entry_id: asked.append(entry_id))
    model.set_library(library)
    asked.clear()  # set_library asks which clips are in the trash, in the background
    done = _job(source, state=JobState.DONE, entry_id="e1", input_image_path=copied)
    model.apply_event(JobEvent(done, JobEventKind.STATE))
    for _ in range(3):  # repaints
        assert model.index(0).data(JobRole.Thumbnail).cacheKey() == thumb.cacheKey()
        qtbot.wait(50)
    assert decodes == [] and asked == []


def test_a_new_picture_for_the_same_file_replaces_the_thumbnail(qtbot, model, tmp_path):
    source = str(tmp_path / "edited.png")
    model.adopt_picture(source, _filled((300, 300), "#ff0000"))
    model.apply_event(JobEvent(_job(source), JobEventKind.ADDED))
    assert _thumbnail(qtbot, model).pixelColor(5, 5).name() == "#ff0000"
    model.adopt_picture(source, _filled((300, 300), "#00ff00"))
    qtbot.waitUntil(
        lambda: (
            (t := model.index(0).data(JobRole.Thumbnail)) is not None
            and t.pixelColor(5, 5).name() == "#00ff00"
        ),
        timeout=5000,
    )


def test_a_small_picture_is_not_enlarged(qtbot, model, tmp_path):
    source = str(tmp_path / "small.png")
    model.adopt_picture(source, _filled((300, 90), "#202020"))
    model.apply_event(JobEvent(_job(source), JobEventKind.ADDED))
    assert _thumbnail(qtbot, model).size() == QSize(300, 90)


def test_a_finished_job_after_a_restart_shows_the_entry_poster(qtbot, model, tmp_path, good_image):
    from PIL import Image

    poster = tmp_path / "poster.jpg"
    Image.new("RGB", (480, 270), (200, 40, 40)).save(poster, quality=95)
    entry = SimpleNamespace(poster_path=poster, image_path=good_image, trashed_at=None)
    model.set_library(SimpleNamespace(get=lambda entry_id: entry))
    gone = str(tmp_path / "jobs" / "j1" / "source-image.png")  # the job folder was removed
    model.apply_event(JobEvent(_job(gone, state=JobState.DONE, entry_id="e1"), JobEventKind.ADDED))
    thumb = _thumbnail(qtbot, model)
    assert thumb.width() <= 480 and thumb.height() == 128  # the poster, scaled on decode
    color = thumb.pixelColor(thumb.width() // 2, 64)
    assert color.red() > 150 and color.green() < 90


def test_the_window_lends_the_drop_zone_preview_to_the_job(
    qtbot, tasks, paths, good_image, decodes
):
    window = MainWindow(FakeServices(paths), tasks)
    qtbot.addWidget(window)
    window.resize(QSize(1280, 800))
    window.show()
    qtbot.waitExposed(window)
    try:
        load_picture(qtbot, window.composer, good_image)
        window.composer.prompt.set_text("A lighthouse, waves crash")
        window.generate_action.trigger()
        qtbot.waitUntil(lambda: window.jobs_model.rowCount() == 1, timeout=5000)
        qtbot.waitUntil(lambda: window.last_enqueue_task.done(), timeout=5000)
        thumb = _thumbnail(qtbot, window.jobs_model)
        assert not thumb.isNull() and thumb.height() == 128
        assert decodes == []
    finally:
        window.close()
