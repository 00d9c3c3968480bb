"""Variants beside Generate: the count (variantCount) and mode (variantMode) make the composer's
VariantPlan; Prompts mode shows prompt alternatives checked like the prompt (live limit); the
takes stay within MAX_TAKES; the price and the Generate button count every take; a spending
cap's refusal disables Generate and says why."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QSpinBox
from test_composer_live import _doc
from ui_helpers import shown_composer

from wan_desktop.core.budget import Caps, SpendLedger, check
from wan_desktop.core.model_schema import ModelSchema, set_current_schema
from wan_desktop.core.pricing import PriceQuote, current_price, set_current_price
from wan_desktop.core.variants import MAX_TAKES, VariantPlan, expand

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def composer(qtbot, tasks, paths, good_image):
    price = current_price()
    set_current_price(PriceQuote.bundled())
    widget = shown_composer(qtbot, tasks, paths, size=(520, 1000), image=good_image)
    widget.prompt.set_text("Waves roll in under a pink sky")
    yield widget
    set_current_price(price)


def test_the_controls_by_their_object_names(composer):
    count = composer.findChild(QSpinBox, "variantCount")
    mode = composer.findChild(QComboBox, "variantMode")
    assert count is composer.variants.count and mode is composer.variants.mode
    assert (count.minimum(), count.maximum(), count.value()) == (1, MAX_TAKES, 1)
    assert [mode.itemData(i) for i in range(mode.count())] == ["seeds", "prompts"]
    assert count.accessibleName() and mode.accessibleName()
    assert composer.variant_plan() == VariantPlan()
    assert composer.generate_button.text() == "Generate"
    assert not composer.alternatives.isVisible()


def test_seeds_mode_prices_every_take(qtbot, composer):
    one = composer.cost.total_usd()
    prices = []
    composer.priceChanged.connect(prices.append)
    composer.variants.count.setValue(4)
    composer.variants.random_seeds.setChecked(True)
    assert composer.generate_button.text() == "Generate 4 takes"
    assert composer.cost.total_usd() == pytest.approx(4 * one)
    assert composer.charge_usd() == pytest.approx(4 * one)
    assert prices == [pytest.approx(4 * one)]  # said once per change of price
    assert "$1.50 for 4 takes ($0.375 · 5 s · 1080p each)" in composer.cost.text()
    plan = composer.variant_plan()
    assert plan == VariantPlan(mode="seeds", count=4, prompts=(), random_seeds=True)
    takes = expand(composer.request(), plan, rng=random.Random(1))
    assert len(takes) == 4 and len({t.request.seed for t in takes}) == 4
    composer.set_offline(True)
    assert composer.charge_usd() == 0 and prices[-1] == 0
    assert "($1.50 for 4 takes ($0.375 · 5 s · 1080p each) with fal)" in composer.cost.text()


def test_prompts_mode_shows_alternatives_within_the_takes_limit(qtbot, composer):
    bar = composer.variants
    bar.count.setValue(4)
    bar.set_mode("prompts")
    alternatives = composer.alternatives
    assert alternatives.isVisible() and len(alternatives.editors) == 1
    assert composer.prompt.title.text() == "Prompt A"
    assert bar.count_label.text() == "Seeds each" and bar.count.maximum() == MAX_TAKES // 2
    assert composer.generate_button.text() == "Generate 8 takes"
    # Two prompts × four seeds is the limit: a third prompt does not fit.
    assert not alternatives.add_button.isEnabled()
    assert "3 prompts × 4 seeds would be 12 takes" in alternatives.add_button.toolTip()
    bar.count.setValue(2)
    assert alternatives.add_button.isEnabled() and alternatives.add_button.text() == "Add prompt C"
    qtbot.mouseClick(alternatives.add_button, Qt.MouseButton.LeftButton)
    assert [e.title.text() for e in alternatives.editors] == ["Prompt B", "Prompt C"]
    assert bar.count.maximum() == 2 and composer.generate_button.text() == "Generate 6 takes"
    alternatives.editors[0].set_text("Waves crash on black rocks")
    alternatives.editors[1].set_text("A surfer rides a wave at dusk")
    assert composer.generate_button.isEnabled()
    plan = composer.variant_plan()
    assert plan.prompts == (
        "Waves roll in under a pink sky",
        "Waves crash on black rocks",
        "A surfer rides a wave at dusk",
    )
    labels = [t.label for t in expand(composer.request().replace(seed=7), plan)]
    assert labels[:2] == ["prompt A · seed 7", "prompt A · seed 8"]
    assert labels[-1] == "prompt C · seed 8"
    # Removing B makes C the new B.
    qtbot.mouseClick(composer.findChild(object, "promptBRemove"), Qt.MouseButton.LeftButton)
    assert [e.text() for e in alternatives.editors] == ["A surfer rides a wave at dusk"]
    assert alternatives.editors[0].edit.objectName() == "promptBEdit"
    assert not composer.findChild(object, "promptBRemove").isVisible()  # two prompts at least
    bar.set_mode("seeds")
    assert composer.prompt.title.text() == "Prompt" and not alternatives.isVisible()
    assert composer.variant_plan().prompts == ()


def test_at_most_four_prompts(qtbot, composer):
    composer.variants.set_mode("prompts")
    alternatives = composer.alternatives
    for _ in range(5):
        alternatives.add_prompt("another")
    assert len(alternatives.editors) == 3 and not alternatives.add_button.isVisible()
    assert composer.variants.count.maximum() == 2


def test_alternatives_are_checked_like_the_prompt(qtbot, composer, restore_schema):
    composer.variants.set_mode("prompts")
    assert not composer.generate_button.isEnabled()
    assert composer.reason.text() == "Prompt B is required: describe the motion you want."
    editor = composer.alternatives.editors[0]
    editor.set_text("x" * 120)
    assert composer.generate_button.isEnabled()
    schema = ModelSchema.from_openapi(_doc(prompt_max=100))
    set_current_schema(schema)
    composer.apply_schema(schema)  # the live limit reaches the alternatives
    assert editor.counter.text() == "120 / 100" and editor.level() == "error"
    assert "Prompt B is 120 characters; the limit is 100 (remove 20)." in composer.problems()
    assert not composer.generate_button.isEnabled()


def test_a_budget_refusal_disables_generate_and_says_why(qtbot, composer, tmp_path):
    composer.variants.count.setValue(3)
    ledger = SpendLedger(tmp_path / "spend.sqlite3")
    ledger.record("req-1", 0.9)
    refusal = check(Caps(daily_usd=1.0), ledger, composer.charge_usd(), takes=3)
    assert refusal is not None
    composer.set_budget_state(refusal)
    assert not composer.generate_button.isEnabled()
    assert composer.reason.text() == refusal.message
    assert "$0.90 spent today" in refusal.message and "$1.13" in refusal.message
    assert refusal.message in composer.generate_button.toolTip()
    assert not composer.trigger_generate()
    composer.set_budget_state(None)
    assert composer.generate_button.isEnabled()
