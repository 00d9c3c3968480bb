"""The composer follows the resolved table: "Generate audio" (a silent clip at half the price),
"More options" for the live schema's extra inputs, counters and widgets that follow a new
schema (``Composer.apply_schema``), and the price line saying where its price comes from."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox, QWidget
from ui_helpers import shown_composer

from wan_desktop.core.model_schema import ModelSchema, current_schema, set_current_schema
from wan_desktop.core.pricing import PriceQuote, current_price, set_current_price
from wan_desktop.core.request import GenerationRequest
from wan_desktop.ui.options_panel import OptionsPanel
from wan_desktop.ui.plain_text import tooltip_text

_INPUT = "#/components/schemas/Input"


def _doc(prompt_max: int = 1500, **extra_props: dict) -> dict:
    """An OpenAPI document as fal publishes it, with ``extra_props`` as inputs of its own."""
    props = {
        "prompt": {"type": "string", "maxLength": prompt_max, "title": "Prompt"},
        "image_url": {"type": "string"},
        "generate_audio": {"type": "boolean", "default": True},
        **extra_props,
    }
    return {
        "openapi": "3.0.0",
        "paths": {
            "/wan/v2.6/image-to-video/flash": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": _INPUT}}}}
                }
            }
        },
        "components": {
            "schemas": {"Input": {"type": "object", "properties": props, "required": ["prompt"]}}
        },
    }


EXTRAS = {
    "enable_film_grain": {
        "type": "boolean",
        "title": "Film grain",
        "description": "Add <b>film</b> grain to the result.",
        "default": True,
    },
    "camera_style": {
        "enum": ["static", "handheld", "drone"],
        "title": "Camera style",
        "description": "How the camera moves.",
        "default": "handheld",
    },
    "motion_strength": {
        "type": "integer",
        "minimum": 1,
        "maximum": 10,
        "default": 5,
        "title": "Motion strength",
    },
    "guidance": {"type": "number", "minimum": 0.5, "maximum": 2.5, "title": "Guidance"},
    "style_hint": {"type": "string", "maxLength": 40, "title": "Style hint"},
}


@pytest.fixture
def live_schema():
    """A live schema with extra inputs as the current table, the old one restored after."""
    before, price = current_schema(), current_price()
    schema = ModelSchema.from_openapi(_doc(**EXTRAS))
    set_current_schema(schema)
    yield schema
    set_current_schema(before)
    set_current_price(price)


@pytest.fixture
def restore_tables():
    before, price = current_schema(), current_price()
    yield
    set_current_schema(before)
    set_current_price(price)


@pytest.fixture
def composer(qtbot, tasks, paths, restore_tables):
    return shown_composer(qtbot, tasks, paths)


# ---- Generate audio ---------------------------------------------------------------------------


def test_generate_audio_is_on_by_default_and_named(qtbot):
    panel = OptionsPanel()
    qtbot.addWidget(panel)
    box = panel.findChild(QCheckBox, "generateAudioCheck")
    assert box is not None and box.isChecked()
    assert box.accessibleName()
    assert panel.values()["generate_audio"] is True


def test_generate_audio_default_comes_from_the_table(qtbot, restore_tables):
    doc = _doc()
    doc["components"]["schemas"]["Input"]["properties"]["generate_audio"]["default"] = False
    set_current_schema(ModelSchema.from_openapi(doc))
    panel = OptionsPanel()
    qtbot.addWidget(panel)
    assert panel.generate_audio.isChecked() is False


def test_silent_sends_false_and_halves_the_price(composer):
    with_audio = composer.cost.estimate_text()
    assert with_audio == "$0.38 · 5 s · 1080p"
    composer.options.generate_audio.setChecked(False)
    assert composer.request().generate_audio is False
    request = composer.request().replace(prompt="a slow pan", image="x.png")
    assert request.to_arguments("data:,x")["generate_audio"] is False
    assert composer.cost.estimate_text() == "$0.19 · 5 s · 1080p · silent"
    assert composer.cost.estimate().amount_usd == pytest.approx(0.1875)


def test_reuse_restores_generate_audio(composer):
    composer.load_request(GenerationRequest("p", "img.png", generate_audio=False))
    assert composer.options.generate_audio.isChecked() is False
    composer.load_request(GenerationRequest("p", "img.png", generate_audio=True))
    assert composer.options.generate_audio.isChecked() is True


# ---- the price line says where its price comes from ---------------------------------------------


def test_price_line_names_its_source(composer):
    set_current_price(PriceQuote(0.06, "account", fetched_at=1.0))
    composer.apply_price()
    assert "fal's price for your account" in composer.cost.text()
    assert "$0.30 · 5 s · 1080p" in composer.cost.text()
    assert "account" in composer.cost.toolTip()
    set_current_price(PriceQuote.bundled())
    composer.apply_price()
    assert "estimate" in composer.cost.text().lower()
    assert "your account" not in composer.cost.text()
    composer.set_offline(True)
    assert "offline engine: free" in composer.cost.text().lower()
    assert "<" not in composer.cost.text()  # plain text: nothing a schema or price could inject


# ---- counters and widgets follow the table ------------------------------------------------------


def test_counter_reads_the_current_table(qtbot, tasks, paths, restore_tables):
    set_current_schema(ModelSchema.from_openapi(_doc(prompt_max=1200)))
    composer = shown_composer(qtbot, tasks, paths)
    composer.prompt.set_text("a" * 123)
    assert composer.prompt.counter.text() == "123 / 1200"


def test_apply_schema_updates_counter_and_validation(composer):
    composer.prompt.set_text("a" * 123)
    assert composer.prompt.counter.text() == "123 / 1500"
    schema = ModelSchema.from_openapi(_doc(prompt_max=1000))
    set_current_schema(schema)
    composer.apply_schema(schema)
    assert composer.prompt.counter.text() == "123 / 1000"
    composer.prompt.set_text("a" * 1001)
    assert any("1000" in p for p in composer.problems())


def test_apply_schema_keeps_the_choices_made(composer):
    composer.options.duration.setCurrentIndex(composer.options.duration.findData(10))
    composer.options.generate_audio.setChecked(False)
    composer.apply_schema(ModelSchema.from_openapi(_doc(**EXTRAS)))
    assert composer.options.values()["duration"] == 10
    assert composer.options.generate_audio.isChecked() is False


# ---- More options -------------------------------------------------------------------------------


def test_more_options_hidden_without_extras(composer):
    section = composer.findChild(QWidget, "moreOptions")
    assert section is not None
    assert not section.isVisible()
    assert composer.request().extra_params == {}


def test_more_options_lists_the_extras(qtbot, tasks, paths, live_schema):
    composer = shown_composer(qtbot, tasks, paths)
    section = composer.findChild(QWidget, "moreOptions")
    assert section.isVisible()
    section.set_expanded(True)
    grain = section.field("enable_film_grain")
    camera = section.field("camera_style")
    strength = section.field("motion_strength")
    guidance = section.field("guidance")
    hint = section.field("style_hint")
    assert isinstance(grain, QCheckBox) and grain.isChecked()
    assert grain.text() == "Film grain" == section.label_of("enable_film_grain")
    # The description is the tooltip, shown literally (its markup escaped, never rendered).
    assert grain.toolTip() == tooltip_text("Add <b>film</b> grain to the result.")
    assert "&lt;b&gt;" in grain.toolTip()
    assert isinstance(camera, QComboBox) and camera.currentData() == "handheld"
    assert [camera.itemData(i) for i in range(camera.count())] == ["static", "handheld", "drone"]
    assert section.label_of("camera_style") == "Camera style"
    assert isinstance(strength, QSpinBox)
    assert (strength.minimum(), strength.maximum(), strength.value()) == (1, 10, 5)
    # No default: the field starts "not set" (below the range) and is left out.
    assert guidance.maximum() == 2.5 and guidance.minimum() < 0.5
    assert guidance.text() == "not set"
    assert isinstance(hint, QLineEdit) and hint.maxLength() == 40
    # Defaults preselected are sent as the schema's defaults: nothing the user did not set.
    assert composer.request().extra_params == {}


def test_more_options_values_go_into_the_request(qtbot, tasks, paths, live_schema):
    composer = shown_composer(qtbot, tasks, paths)
    section = composer.findChild(QWidget, "moreOptions")
    section.field("enable_film_grain").setChecked(False)
    camera = section.field("camera_style")
    camera.setCurrentIndex(camera.findData("drone"))
    section.field("motion_strength").setValue(8)
    section.field("style_hint").setText("noir")
    request = composer.request()
    assert request.extra_params == {
        "enable_film_grain": False,
        "camera_style": "drone",
        "motion_strength": 8,
        "style_hint": "noir",
    }
    request = request.replace(prompt="a slow pan", image="x.png")
    assert request.validate() == []  # the same rules as --param
    arguments = request.to_arguments("data:,x")
    assert arguments["enable_film_grain"] is False and arguments["camera_style"] == "drone"


def test_reuse_restores_the_extras(qtbot, tasks, paths, live_schema):
    composer = shown_composer(qtbot, tasks, paths)
    section = composer.findChild(QWidget, "moreOptions")
    old = GenerationRequest(
        "p", "img.png", extra_params={"camera_style": "static", "enable_film_grain": False}
    )
    composer.load_request(old)
    assert section.field("camera_style").currentData() == "static"
    assert section.field("enable_film_grain").isChecked() is False
    assert composer.request().extra_params == old.extra_params
    # A fill without extras puts the defaults back.
    composer.load_request(GenerationRequest("p", "img.png"))
    assert composer.request().extra_params == {}
    assert section.field("camera_style").currentData() == "handheld"


def test_apply_schema_shows_and_hides_more_options(composer):
    section = composer.findChild(QWidget, "moreOptions")
    assert not section.isVisible()
    composer.apply_schema(ModelSchema.from_openapi(_doc(**EXTRAS)))
    assert section.isVisible()
    assert section.field("camera_style") is not None
    composer.apply_schema(ModelSchema.bundled())
    assert not section.isVisible()


def test_a_refused_extra_value_blocks_generate(qtbot, tasks, paths, live_schema):
    composer = shown_composer(qtbot, tasks, paths)
    composer.load_request(
        GenerationRequest("a slow pan", "x.png", extra_params={"motion_strength": 8})
    )
    schema = ModelSchema.from_openapi(
        _doc(motion_strength={**EXTRAS["motion_strength"], "maximum": 6})
    )
    set_current_schema(schema)
    composer.apply_schema(schema)
    # The value no longer fits: the field is put back within the new range, never sent as is.
    assert composer.request().extra_params.get("motion_strength", 5) <= 6


def test_more_options_opens_and_closes_with_a_click(qtbot, tasks, paths, live_schema):
    from PySide6.QtCore import Qt

    composer = shown_composer(qtbot, tasks, paths)
    section = composer.findChild(QWidget, "moreOptions")
    assert not section.is_expanded() and not section.body.isVisible()
    qtbot.mouseClick(section.toggle, Qt.MouseButton.LeftButton)
    assert section.is_expanded() and section.body.isVisible()
    assert section.toggle.accessibleName() == "Hide more options"
    qtbot.mouseClick(section.toggle, Qt.MouseButton.LeftButton)
    assert not section.body.isVisible()


def test_the_offline_price_still_says_what_fal_would_charge(composer):
    # The live refresher resolves the offline engine's price: nothing.
    set_current_price(PriceQuote.offline())
    composer.apply_price()
    assert composer.cost.estimate().amount_usd == 0.0
    text = composer.cost.text()
    assert text.lower().startswith("offline engine: free")
    assert "$0.38 · 5 s · 1080p with fal" in text


def test_a_number_left_at_its_whole_default_is_not_sent(qtbot, tasks, paths, restore_tables):
    schema = ModelSchema.from_openapi(
        _doc(strength={"type": "number", "minimum": 0, "maximum": 2, "default": 1})
    )
    set_current_schema(schema)
    composer = shown_composer(qtbot, tasks, paths)
    section = composer.findChild(QWidget, "moreOptions")
    assert section.field("strength").value() == 1.0
    assert composer.request().extra_params == {}
    section.field("strength").setValue(1.5)
    assert composer.request().extra_params == {"strength": 1.5}


def test_a_required_extra_without_a_value_opens_the_section(qtbot, tasks, paths, restore_tables):
    doc = _doc(style_hint={"type": "string", "title": "Style hint"})
    doc["components"]["schemas"]["Input"]["required"].append("style_hint")
    set_current_schema(ModelSchema.from_openapi(doc))
    composer = shown_composer(qtbot, tasks, paths)
    section = composer.findChild(QWidget, "moreOptions")
    assert section.is_expanded()
    composer.load_request(GenerationRequest("a slow pan", "x.png"))
    assert any("Style hint" in p for p in composer.problems())
