"""Reusing a clip's settings never loses a typed draft: the fill is one undoable edit of the
prompt (Ctrl+Z brings the draft back), ``draft_replaced`` fires, and ``restore_draft()``
brings back the whole draft: prompts, options, image and audio."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_helpers import drop_urls, make_image, shown_composer

from wan_desktop.core.request import GenerationRequest
from wan_desktop.ui.library_actions import ComposerFill, apply_fill


def _wav(path: Path, seconds: float) -> Path:
    rate = 8000
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            b"".join(
                struct.pack("<h", int(6000 * math.sin(2 * math.pi * 330 * i / rate)))
                for i in range(int(rate * seconds))
            )
        )
    return path


@pytest.fixture
def composer(qtbot, tasks, paths):
    return shown_composer(qtbot, tasks, paths)


def _settle(qtbot, composer):
    qtbot.waitUntil(
        lambda: not composer.drop_zone.is_loading() and not composer.audio.is_loading(),
        timeout=10000,
    )


def _typed_draft(qtbot, composer, image: Path, audio: Path) -> None:
    drop_urls(composer.drop_zone, [image])
    composer.audio.load(str(audio))
    _settle(qtbot, composer)
    qtbot.keyClicks(composer.prompt.edit, "my own draft")
    composer.negative.set_text("no fog")
    composer.options.duration.setCurrentIndex(composer.options.duration.findData(10))
    composer.options.set_seed(4242)


def _library_fill(image: Path) -> ComposerFill:
    request = GenerationRequest(
        prompt="a red fox in the snow",
        image=str(image),
        duration=15,
        seed=7,
        negative_prompt="blurry",
    )
    return ComposerFill(request, image=str(image), audio=None)


def test_ctrl_z_brings_the_typed_prompt_back(qtbot, composer, tmp_path):
    mine = make_image(tmp_path / "mine.png", (640, 400))
    theirs = make_image(tmp_path / "theirs.png", (400, 640))
    _typed_draft(qtbot, composer, mine, _wav(tmp_path / "mine.wav", 4.0))
    with qtbot.waitSignal(composer.draft_replaced, timeout=2000):
        apply_fill(composer, _library_fill(theirs))
    assert composer.prompt.text() == "a red fox in the snow"
    composer.prompt.edit.setFocus()
    qtbot.keyClick(composer.prompt.edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert composer.prompt.text() == "my own draft"
    _settle(qtbot, composer)


def test_restore_draft_brings_everything_back(qtbot, composer, tmp_path):
    mine = make_image(tmp_path / "mine.png", (640, 400))
    theirs = make_image(tmp_path / "theirs.png", (400, 640))
    audio = _wav(tmp_path / "mine.wav", 4.0)
    _typed_draft(qtbot, composer, mine, audio)
    apply_fill(composer, _library_fill(theirs))
    _settle(qtbot, composer)
    assert composer.drop_zone.source() == str(theirs)
    assert composer.audio.path() is None
    assert composer.options.values()["duration"] == 15

    assert composer.restore_draft()
    _settle(qtbot, composer)
    values = composer.options.values()
    assert composer.prompt.text() == "my own draft"
    assert composer.negative.text() == "no fog"
    assert (values["duration"], values["seed"]) == (10, 4242)
    assert composer.drop_zone.source() == str(mine)
    assert composer.audio.path() == str(audio)
    assert not composer.restore_draft()  # nothing left to restore


def test_an_empty_or_identical_draft_is_not_kept(qtbot, composer, tmp_path):
    theirs = make_image(tmp_path / "theirs.png", (400, 640))
    fired: list[bool] = []
    composer.draft_replaced.connect(lambda: fired.append(True))
    apply_fill(composer, _library_fill(theirs))  # nothing typed yet
    _settle(qtbot, composer)
    apply_fill(composer, _library_fill(theirs))  # the same again
    _settle(qtbot, composer)
    assert fired == []
    assert not composer.restore_draft()


def test_a_second_fill_keeps_the_typed_draft(qtbot, composer, tmp_path):
    mine = make_image(tmp_path / "mine.png", (640, 400))
    theirs = make_image(tmp_path / "theirs.png", (400, 640))
    _typed_draft(qtbot, composer, mine, _wav(tmp_path / "mine.wav", 4.0))
    apply_fill(composer, _library_fill(theirs))
    _settle(qtbot, composer)
    other = _library_fill(theirs)
    apply_fill(composer, ComposerFill(other.request.replace(prompt="a lighthouse"), image=None))
    assert composer.prompt.text() == "a lighthouse"
    assert composer.restore_draft()
    _settle(qtbot, composer)
    assert composer.prompt.text() == "my own draft"
    assert composer.drop_zone.source() == str(mine)


def test_prompt_only_fill_keeps_the_options_and_is_undoable(qtbot, composer, tmp_path):
    mine = make_image(tmp_path / "mine.png", (640, 400))
    _typed_draft(qtbot, composer, mine, _wav(tmp_path / "mine.wav", 4.0))
    with qtbot.waitSignal(composer.draft_replaced, timeout=2000):
        apply_fill(
            composer,
            ComposerFill(GenerationRequest(prompt="only words", image=""), prompt_only=True),
        )
    assert composer.options.values()["duration"] == 10
    composer.prompt.edit.undo()
    assert composer.prompt.text() == "my own draft"


def test_the_prompt_the_service_used_then_another_fill_keeps_the_draft(qtbot, composer, tmp_path):
    mine = make_image(tmp_path / "mine.png", (640, 400))
    theirs = make_image(tmp_path / "theirs.png", (400, 640))
    _typed_draft(qtbot, composer, mine, _wav(tmp_path / "mine.wav", 4.0))
    assert composer.options.expansion.isChecked()
    used = GenerationRequest(prompt="the service's own words", image="")
    apply_fill(composer, ComposerFill(used, prompt_only=True, expansion=False))
    assert not composer.options.expansion.isChecked()
    apply_fill(composer, _library_fill(theirs))
    _settle(qtbot, composer)
    assert composer.restore_draft()
    _settle(qtbot, composer)
    assert composer.prompt.text() == "my own draft"
    assert composer.options.expansion.isChecked()
