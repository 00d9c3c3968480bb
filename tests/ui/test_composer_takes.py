"""Takes through the window, as a script drives it by object names: the count (variantCount)
and Generate (generateButton) queue one take group; a spending cap follows the price of every
take before the click, disabling Generate with the spend so far, the cap and the price."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QSpinBox
from test_screenshots import _compose
from ui_fakes import FakeRunner, FakeServices
from ui_helpers import make_image

from wan_desktop.core.budget import Caps, SpendLedger, check
from wan_desktop.core.pricing import PriceQuote, current_price, set_current_price
from wan_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.timeout(60)


class CappedRunner(FakeRunner):
    """A fake runner whose budget answer is the real check against a ledger and caps."""

    def __init__(self, ledger: SpendLedger, caps: Caps) -> None:
        super().__init__()
        self.ledger = ledger
        self.caps = caps

    def budget_refusal(self, price_usd: float, *, takes: int = 1):
        return check(self.caps, self.ledger, price_usd, takes=takes)


@pytest.fixture
def ledger(tmp_path):
    book = SpendLedger(tmp_path / "spend.sqlite3")
    book.record("req-earlier", 0.2)
    return book


@pytest.fixture
def window(qtbot, tasks, paths, ledger, tmp_path):
    price = current_price()
    set_current_price(PriceQuote.bundled())
    runner = CappedRunner(ledger, Caps(daily_usd=1.0))
    win = MainWindow(FakeServices(paths, runner=runner, offline=False), tasks)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    _compose(qtbot, win, make_image(tmp_path / "sea.jpg", (1280, 720), "JPEG"), "Waves roll in")
    yield win
    win.close()
    set_current_price(price)


def test_takes_by_object_name_queue_one_group(qtbot, window):
    count = window.findChild(QSpinBox, "variantCount")
    mode = window.findChild(QComboBox, "variantMode")
    button = window.findChild(QPushButton, "generateButton")
    assert mode.currentData() == "seeds"
    count.setValue(2)
    assert button.text() == "Generate 2 takes" and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    runner = window.runner
    qtbot.waitUntil(lambda: len(runner.jobs()) == 2, timeout=5000)
    jobs = runner.jobs()
    assert len({job.group_id for job in jobs}) == 1 and jobs[0].group_id
    seeds = [job.request.seed for job in jobs]
    assert seeds[1] == seeds[0] + 1
    assert [job.variant for job in jobs] == [f"seed {s}" for s in seeds]


def test_the_cap_follows_the_price_before_the_click(qtbot, window):
    composer = window.composer
    count = window.findChild(QSpinBox, "variantCount")
    count.setValue(2)  # $0.75 with $0.20 spent: within the $1.00 cap
    assert composer.generate_button.isEnabled()
    count.setValue(3)  # $1.13: over it
    button = composer.generate_button
    assert not button.isEnabled()
    reason = composer.reason.text()
    assert reason.startswith("Over the daily spending cap of $1.00: $0.20 spent today")
    assert "these 3 takes cost $1.13" in reason
    combo = composer.options.resolution
    combo.setCurrentIndex(combo.findData("720p"))  # 3 × $0.25 = $0.75: fits again
    assert button.isEnabled() and not composer.reason.isVisible()
    assert window.runner.jobs() == []
