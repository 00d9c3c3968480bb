"""A refusal from the service is shown at the field it names once, in its own words: not
"The content checker refused the request: prompt: The content checker flagged this prompt"."""

from __future__ import annotations

import pytest

from wan_desktop.ui.composer import Composer
from wan_desktop.ui.refusal_text import field_message


@pytest.fixture
def composer(qtbot, tasks, paths):
    widget = Composer(tasks, paths.cache)
    widget.set_ready(None)
    qtbot.addWidget(widget)
    widget.show()
    return widget


MODERATED = (
    "The content checker refused the request: "
    "prompt: The content checker flagged this prompt; it was not run."
)
TWO_FIELDS = (
    "The service refused the inputs: prompt: Prompt is 1501 characters; the limit is 1500.; "
    "negative_prompt: Negative prompt is 501 characters; the limit is 500."
)


def test_the_field_shows_its_own_words_once(composer):
    composer.mark_refusal("prompt", MODERATED)
    text = composer.prompt.error.text()
    assert text == "The content checker flagged this prompt; it was not run."
    assert text.lower().count("content checker") == 1


def test_every_field_a_refusal_names_is_marked(composer):
    composer.mark_refusal("prompt", TWO_FIELDS)
    assert composer.prompt.error.text() == "Prompt is 1501 characters; the limit is 1500."
    assert composer.negative.error.text() == "Negative prompt is 501 characters; the limit is 500."


@pytest.mark.parametrize(
    ("field", "message", "expected"),
    [
        ("prompt", "Prompt: Prompt is required.", "Prompt is required."),
        ("prompt", "prompt: Prompt is required.", "Prompt is required."),
        (
            "prompt",
            "The prompt was refused by the content checker.",
            "The prompt was refused by the content checker.",
        ),
        (
            "image_url",
            "The service refused the inputs: image_url: Image is 100 × 90 px.",
            "Image is 100 × 90 px.",
        ),
        # A message about another field only: said as it is.
        ("prompt", "negative_prompt: Too long.", "negative_prompt: Too long."),
    ],
)
def test_field_message(field, message, expected):
    assert field_message(field, message) == expected
