"""Takes in the jobs list (issue 18): each take's row says its place in its group and its label
("take 2 of 3 · prompt B · seed 12") before the prompt, and the rows of one group share a
coloured bar down their left edge; a job alone has neither."""

from __future__ import annotations

import dataclasses
import time

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobEvent, JobEventKind, JobSnapshot, JobState
from wan_desktop.ui.job_delegate import JobDelegate, group_color
from wan_desktop.ui.jobs_model import JobRole, JobsModel
from wan_desktop.ui.jobs_panel import JobsPanel
from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot

pytestmark = pytest.mark.timeout(60)
GROUP = "g-7f3a91c2"
PROMPT_A = "A heron lifts off the water at dawn, slow motion"
PROMPT_B = "Low drone shot over the lake, mist drifting"


def _job(job_id: str, at: float, **changes) -> JobSnapshot:
    base = JobSnapshot(
        id=job_id,
        state=JobState.QUEUED,
        request=GenerationRequest(prompt=PROMPT_A, image="/nowhere/in.png"),
        created_at=at,
        queue_position=1,
        elapsed_s=2.0,
    )
    return dataclasses.replace(base, **changes)


def _takes() -> list[JobSnapshot]:
    now = time.time()
    return [
        _job("alone", now - 60, state=JobState.DONE, finished_at=now - 10),
        _job("t1", now, group_id=GROUP, variant="prompt A · seed 12"),
        _job("t2", now, group_id=GROUP, variant="prompt B · seed 12", state=JobState.WAITING,
             request=GenerationRequest(prompt=PROMPT_B, image="/nowhere/in.png")),
        _job("t3", now + 0.001, group_id=GROUP, variant="", state=JobState.WAITING),
    ]  # fmt: skip


def _model(jobs: list[JobSnapshot]) -> JobsModel:
    model = JobsModel()  # no tasks: no thumbnails to load
    for job in jobs:
        model.apply_event(JobEvent(job, JobEventKind.ADDED))
    return model


def _data(model: JobsModel, job_id: str, role: int):
    return model.index(model.row_of(job_id)).data(role)


def test_a_take_says_its_place_and_label_and_its_group():
    model = _model(_takes())
    assert _data(model, "t1", JobRole.Take) == "take 1 of 3 · prompt A · seed 12"
    assert _data(model, "t2", JobRole.Take) == "take 2 of 3 · prompt B · seed 12"
    assert _data(model, "t3", JobRole.Take) == "take 3 of 3"
    assert _data(model, "alone", JobRole.Take) == ""
    assert _data(model, "t2", JobRole.GroupId) == GROUP
    assert _data(model, "alone", JobRole.GroupId) is None
    accessible = _data(model, "t2", Qt.ItemDataRole.AccessibleTextRole)
    assert "take 2 of 3 · prompt B · seed 12" in accessible


def test_the_rows_of_a_group_share_a_bar_of_its_colour(qtbot):
    model = _model(_takes())
    delegate = JobDelegate()
    option = QStyleOptionViewItem()
    option.font.setPointSize(10)
    size = QSize(420, delegate.sizeHint(option, model.index(0)).height())

    def left_edge(job_id: str) -> QColor:
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        option.rect = image.rect()
        painter = QPainter(image)
        delegate.paint(painter, option, model.index(model.row_of(job_id)))
        painter.end()
        return image.pixelColor(1, size.height() // 2)

    colour = group_color(GROUP)
    assert colour == group_color(GROUP) and colour != group_color("g-another")
    assert left_edge("t1").rgb() == left_edge("t3").rgb() == colour.rgb()
    assert left_edge("alone").rgb() != colour.rgb()


def test_jobs_takes_screenshot(qtbot, scheme):
    panel = JobsPanel(_model(_takes()))
    qtbot.addWidget(panel)
    panel.resize(560, 420)
    panel.show()
    qtbot.waitExposed(panel)
    name = "jobs-takes" if scheme == "light" else "jobs-takes-dark"
    path = save_screenshot(panel, name, SCREENSHOT_DIR)
    assert path.stat().st_size > 10_000
