"""Takes and the budget through the window: variants queued from the composer become one take
group in the library (the offline engine, by object names); a spending cap disables Generate
before the click with the refusal's words, and a refusal at the click says the same."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListView, QPlainTextEdit, QPushButton, QSpinBox
from ui_fakes import FakeRunner, FakeServices
from ui_helpers import drop_urls

from wan_desktop.core.budget import BudgetRefusal
from wan_desktop.core.request import GenerationRequest
from wan_desktop.core.variants import VariantPlan
from wan_desktop.jobs.model import JobState
from wan_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(120)

REFUSAL = BudgetRefusal(
    "daily",
    2.0,
    1.9,
    0.0,
    0.38,
    1,
    "Over the daily spending cap of $2.00: $1.90 spent today, and this job costs $0.38. "
    "Raise the cap in Settings → Budget, or wait until tomorrow.",
)


def _compose(qtbot, window, image, prompt: str) -> None:
    drop = window.findChild(object, "imageDropZone")
    drop_urls(drop, [image])
    qtbot.waitUntil(lambda: drop.source() is not None and not drop.is_loading(), timeout=10000)
    qtbot.keyClicks(window.findChild(QPlainTextEdit, "promptEdit"), prompt)


def test_variants_from_the_window_make_one_group(qtbot, engine_window, good_image):
    window, services = engine_window
    _compose(qtbot, window, good_image, "Slow push in")
    window.findChild(QSpinBox, "variantCount").setValue(2)
    generate = window.findChild(QPushButton, "generateButton")
    assert generate.isEnabled(), window.composer.reason_text()
    assert generate.text() == "Generate 2 takes"
    qtbot.mouseClick(generate, Qt.MouseButton.LeftButton)
    model = window.findChild(QListView, "jobsView").model()
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10000)

    def done():
        jobs = model.jobs()
        assert not any(j.state in (JobState.FAILED, JobState.CANCELLED) for j in jobs)
        return all(j.state is JobState.DONE for j in jobs)

    qtbot.waitUntil(done, timeout=90000)
    jobs = model.jobs()
    group = {j.group_id for j in jobs}
    assert len(group) == 1 and None not in group
    members = services.library.group_members(group.pop())
    assert len(members) == 2
    seeds = sorted(services.library.get(m.id).seed for m in members)
    assert seeds[1] == seeds[0] + 1
    assert sorted(m.variant for m in members) == [f"seed {s}" for s in seeds]


@pytest.fixture
def window(qtbot, tasks, paths):
    runner = FakeRunner()
    win = MainWindow(FakeServices(paths, runner=runner, offline=False), tasks)
    qtbot.addWidget(win)
    win.show()
    yield win, runner
    win.close()


def test_a_cap_disables_generate_before_the_click(qtbot, window, good_image):
    win, runner = window
    _compose(qtbot, win, good_image, "Fog rolls in")
    generate = win.findChild(QPushButton, "generateButton")
    assert generate.isEnabled(), win.composer.reason_text()
    runner.refusal = REFUSAL
    win.update_budget()
    assert not generate.isEnabled()
    assert win.composer.reason_text() == REFUSAL.message
    runner.refusal = None
    win.findChild(QSpinBox, "variantCount").setValue(3)  # the price changed: asked again
    assert generate.isEnabled()


def test_a_refusal_at_the_click_is_shown(qtbot, run, window, good_image):
    win, runner = window
    runner.refusal = REFUSAL
    request = GenerationRequest(prompt="Fog", image=str(good_image))
    assert run(win.enqueue(request, VariantPlan(count=2))) is None
    assert runner.enqueued == []
    assert REFUSAL.message in win.statusBar().currentMessage()
    assert REFUSAL.message in win.composer.problems()  # Generate says it too
