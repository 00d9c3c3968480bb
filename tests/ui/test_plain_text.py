"""Text that comes from data (an entry's sidecar, an imported MP4's comment, the service's
answers) is shown literally: markup in it never renders as rich text, so a crafted file cannot
paint its own message or link into the window."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from ui_helpers import HOSTILE_MARKUP as HOSTILE
from ui_helpers import shown

from wan_desktop.core.request import GenerationRequest
from wan_desktop.jobs.model import JobEvent, JobEventKind, JobSnapshot, JobState
from wan_desktop.library.models import Entry
from wan_desktop.ui.details_panel import DetailsPanel
from wan_desktop.ui.jobs_panel import JobRole, JobsModel, JobsPanel
from wan_desktop.ui.player import VideoPlayer

pytestmark = pytest.mark.timeout(60)


def label_texts(widget) -> list[str]:
    return [shown(label.text(), label.textFormat()) for label in widget.findChildren(QLabel)]


def hostile_entry(tmp_path: Path) -> Entry:
    request = GenerationRequest(prompt=f"A heron {HOSTILE}", image=str(tmp_path / "in.png"))
    return Entry(
        id="01JHOSTILE", created_at="2026-12-01T10:00:00Z", folder=tmp_path,
        video_path=tmp_path / "video.mp4", image_path=None, audio_path=None, poster_path=None,
        last_frame_path=None, sidecar_path=tmp_path / "entry.json", request=request,
        arguments={}, response={}, seed=HOSTILE, actual_prompt=f"A grey heron {HOSTILE}",
        request_id=HOSTILE, endpoint=HOSTILE, timings={}, cost_usd=None, remote={},
        parent_id=HOSTILE, app_version="1", width=1280, height=720, duration_s=5.0,
        has_audio=False, resolution="720p", video_sha256="", size_bytes=1, favourite=False,
        tags=(), notes="", title=HOSTILE, trashed_at=None, data={},
    )  # fmt: skip


def test_details_panel_shows_markup_from_data_literally(qtbot, tmp_path):
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    panel.show_entry(hostile_entry(tmp_path))
    texts = label_texts(panel)
    link = shown(panel.parent_link.text(), panel.parent_link.textFormat())
    assert f"Continues from the last frame of {HOSTILE}" in link
    facts = shown(panel.key_facts.text(), panel.key_facts.textFormat()) + shown(
        panel.facts.text(), panel.facts.textFormat()
    )
    assert facts.count(HOSTILE) == 3  # seed, request id, endpoint
    assert panel.title_edit.text() == HOSTILE
    assert HOSTILE in panel.prompt_view.toPlainText()
    assert HOSTILE in panel.actual_view.toPlainText()
    assert not any("HTMLlink" in t for t in texts)  # nothing rendered the markup away
    # The link still leads to the parent, whatever its id holds.
    with qtbot.waitSignal(panel.parentRequested) as signal:
        panel.parent_link.linkActivated.emit(f"entry:{HOSTILE}")
    assert signal.args == [HOSTILE]


def test_details_heading_is_plain(qtbot, tmp_path):
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    entry = dataclasses.replace(hostile_entry(tmp_path), id=HOSTILE)
    panel.show_entry(entry)
    assert shown(panel.heading.text(), panel.heading.textFormat()) == HOSTILE  # the title


def _hostile_job(tmp_path: Path) -> JobSnapshot:
    return JobSnapshot(
        id="j1",
        state=JobState.FAILED,
        request=GenerationRequest(prompt=f"A heron {HOSTILE}", image=str(tmp_path / "x.png")),
        created_at=time.time(),
        logs=(HOSTILE,),
        error=f"Refused: {HOSTILE}",
        request_id=HOSTILE,
        seed=1,
        input_image_path=str(tmp_path / "x.png"),
    )


def test_jobs_panel_shows_markup_from_data_literally(qtbot, tasks, tmp_path):
    model = JobsModel(tasks)
    panel = JobsPanel(model)
    qtbot.addWidget(panel)
    model.apply_event(JobEvent(_hostile_job(tmp_path), JobEventKind.ADDED))
    index = model.index(0)
    assert shown(index.data(Qt.ItemDataRole.ToolTipRole)) == f"A heron {HOSTILE}"
    assert index.data(JobRole.PromptExcerpt) == f"A heron {HOSTILE}"
    assert index.data(JobRole.Error) == f"Refused: {HOSTILE}"
    assert not any("HTMLlink" in t for t in label_texts(panel))


def test_player_title_and_notice_are_plain(qtbot, tasks):
    player = VideoPlayer(tasks)
    qtbot.addWidget(player)
    for label in (player.title, player.notice):
        label.setText(HOSTILE)
        assert shown(label.text(), label.textFormat()) == HOSTILE


def test_job_rows_draw_markup_from_data_as_text(qtbot, tasks, tmp_path, monkeypatch):
    from wan_desktop.ui import job_delegate

    drawn: list[str] = []
    real = job_delegate._Row.draw_elided

    def spy(row, rect, text, metrics):
        drawn.append(text)
        real(row, rect, text, metrics)

    monkeypatch.setattr(job_delegate._Row, "draw_elided", spy)
    model = JobsModel(tasks)
    panel = JobsPanel(model)
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    model.apply_event(JobEvent(_hostile_job(tmp_path), JobEventKind.ADDED))
    model.set_expanded("j1", True)
    panel.view.grab()  # paints every row
    assert f"A heron {HOSTILE}" in drawn  # the title
    assert f"Refused: {HOSTILE}" in drawn  # the error
    assert HOSTILE in drawn  # the log line


def test_composer_and_notice_labels_that_show_data_are_plain(qtbot, tasks, tmp_path):
    from wan_desktop.ui.audio_picker import AudioPicker
    from wan_desktop.ui.drop_zone import ImageDropZone
    from wan_desktop.ui.status_notice import StatusNotice

    zone, picker, notice = ImageDropZone(tasks, tmp_path), AudioPicker(tasks), StatusNotice()
    for widget in (zone, picker, notice):
        qtbot.addWidget(widget)
    labels = [zone.info_label, zone.problem_label, zone.note_label, picker.label, picker.note]
    for label in labels:
        label.setText(HOSTILE)
    notice.show_notice(HOSTILE)
    for label in [*labels, notice.label]:
        assert shown(label.text(), label.textFormat()) == label.text(), label.objectName()
