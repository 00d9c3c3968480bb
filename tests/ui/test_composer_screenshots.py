"""Screenshots of the composer's takes and storyboard for the README, light and dark, at a
laptop's 1366×768 (docs/screenshots/composer-*.png): variants in Prompts mode with the price
of every take, Generate refused by a spending cap, and the storyboard of a multi-shot prompt.

Each state is reached through the window's widgets as a user would; the test checks what the
widgets say, then writes the images (looked at by people)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication
from test_screenshots import _compose
from test_window_laptop import _clipped
from ui_fakes import FakeServices
from ui_helpers import make_image, shown_window

from wan_desktop.core.budget import Caps, SpendLedger, check
from wan_desktop.core.pricing import PriceQuote, current_price, set_current_price
from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot

pytestmark = pytest.mark.timeout(90)
SIZE = QSize(1366, 768)
PROMPT_A = "Slow dolly in over the meadow as the sun breaks through; grass ripples in the wind."
PROMPT_B = "Low drone shot gliding over the meadow at golden hour, birds lifting off the grass."
PROMPT_C = "Handheld walk through the tall grass, the camera brushing past seed heads, soft focus."
STORY = (
    "A meadow at sunrise, warm golden light, gentle wind.\n\n"
    "Shot 1 [0-4s] Slow dolly in over the grass as the sun breaks through the clouds.\n"
    "Shot 2 [4-7s] Cut to a close-up: dew drops shake loose from a seed head.\n"
    "Shot 3 [7-10s]"
)


@pytest.fixture
def window(qtbot, tasks, paths, scheme):
    price = current_price()
    set_current_price(PriceQuote(0.075, "account", fetched_at=1.0))
    services = FakeServices(paths, offline=False)
    services.has_key = True
    with shown_window(qtbot, tasks, services, SIZE) as win:
        win.composer.apply_price()
        yield win
    set_current_price(price)


@pytest.fixture
def picture(tmp_path):
    return make_image(tmp_path / "meadow.jpg", (1600, 1000), "JPEG")


def _name(stem: str, scheme: str) -> str:
    return stem if scheme == "light" else f"{stem}-dark"


def _shot(window, name: str) -> None:
    QApplication.processEvents()
    assert _clipped(window) == []  # every control at least as wide as it needs
    path = save_screenshot(window, name, SCREENSHOT_DIR, SIZE)
    assert path.stat().st_size > 10_000


def _scroll_to(composer, widget) -> None:
    QApplication.processEvents()  # the form's new height first
    composer.scroll.ensureWidgetVisible(widget, 0, 0)


def test_variants_in_prompts_mode(qtbot, window, picture, scheme):
    composer = window.composer
    _compose(qtbot, window, picture, PROMPT_A)
    bar = composer.variants
    bar.set_mode("prompts")
    composer.alternatives.editors[0].set_text(PROMPT_B)
    composer.alternatives.add_prompt(PROMPT_C)
    bar.count.setValue(2)
    assert composer.generate_button.text() == "Generate 6 takes"
    assert composer.generate_button.isEnabled()
    assert "$2.25 for 6 takes ($0.375 · 5 s · 1080p each)" in composer.cost.text()
    assert composer.variant_plan().prompts == (PROMPT_A, PROMPT_B, PROMPT_C)
    _scroll_to(composer, composer.alternatives)
    _shot(window, _name("composer-variants", scheme))


def test_budget_refusal_on_generate(qtbot, window, picture, scheme, tmp_path):
    composer = window.composer
    _compose(qtbot, window, picture, PROMPT_A)
    composer.variants.count.setValue(4)
    ledger = SpendLedger(tmp_path / "spend.sqlite3")
    ledger.record("req-1", 1.5)
    ledger.record("req-2", 1.125)
    refusal = check(Caps(daily_usd=3.0), ledger, composer.charge_usd(), takes=4)
    assert refusal is not None
    composer.set_today_total(ledger.today_usd())
    composer.set_budget_state(refusal)
    assert not composer.generate_button.isEnabled()
    assert composer.reason.text() == refusal.message
    assert "$2.63 spent today" in refusal.message and "$1.50" in refusal.message
    _shot(window, _name("composer-budget", scheme))


def test_storyboard(qtbot, window, picture, scheme):
    composer = window.composer
    _compose(qtbot, window, picture, STORY)
    combo = composer.options.duration
    combo.setCurrentIndex(combo.findData(10))
    composer.options.multi_shots.setChecked(True)
    board = composer.storyboard
    assert board.isVisible()
    assert [c.shot().end_s for c in board.cards] == [4, 7, 10]
    assert board.problems() == ["Shot 3 (7–10 s) has no words: say what happens in it."]
    assert not composer.generate_button.isEnabled()
    _scroll_to(composer, board.problem_label)
    _shot(window, _name("composer-storyboard", scheme))
