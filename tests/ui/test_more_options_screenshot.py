"""Screenshot of the composer following a live schema: "More options" open with an extra
boolean and an enum, "Generate audio" off and the halved price
(docs/screenshots/14-more-options.png, 1280×800)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget
from test_composer_live import EXTRAS, _doc
from test_screenshots import PROMPT, _compose
from ui_fakes import FakeServices
from ui_helpers import make_image, shown_window

from wan_desktop.core.model_schema import ModelSchema, current_schema, set_current_schema
from wan_desktop.core.pricing import PriceQuote, current_price, set_current_price
from wan_desktop.ui.screenshots import SCREENSHOT_DIR, save_screenshot

pytestmark = pytest.mark.timeout(90)
SIZE = QSize(1280, 800)


@pytest.fixture
def live_window(qtbot, tasks, paths):
    before, price = current_schema(), current_price()
    set_current_price(PriceQuote(0.075, "account", fetched_at=1.0))
    extras = {k: EXTRAS[k] for k in ("enable_film_grain", "camera_style", "motion_strength")}
    schema = ModelSchema.from_openapi(_doc(**extras))
    set_current_schema(schema)
    services = FakeServices(paths, offline=False)
    services.has_key = True
    with shown_window(qtbot, tasks, services, SIZE) as win:
        win.composer.apply_schema(schema)
        yield win
    set_current_schema(before)
    set_current_price(price)


def test_more_options_screenshot(qtbot, live_window, tmp_path):
    composer = live_window.composer
    picture = make_image(tmp_path / "meadow.jpg", (1600, 1000), "JPEG")
    _compose(qtbot, live_window, picture, PROMPT)
    composer.options.generate_audio.setChecked(False)
    section = composer.findChild(QWidget, "moreOptions")
    section.set_expanded(True)
    camera = section.field("camera_style")
    camera.setCurrentIndex(camera.findData("drone"))
    qtbot.wait(50)
    composer.apply_price()
    qtbot.wait(50)
    bar = composer.scroll.verticalScrollBar()
    bar.setValue(bar.maximum())  # the whole section in view
    text = composer.cost.text()
    assert "fal's price for your account: $0.19 · 5 s · 1080p · silent" in text
    assert composer.request().extra_params == {"camera_style": "drone"}
    path = save_screenshot(live_window, "14-more-options", SCREENSHOT_DIR, SIZE)
    assert path.stat().st_size > 10_000
