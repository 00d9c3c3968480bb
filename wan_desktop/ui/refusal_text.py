"""What to say at a field the service refused: its own words, once.

A refusal arrives as one sentence for the status line, e.g. "The content checker refused the
request: prompt: The content checker flagged this prompt; it was not run." At the prompt
box that would say the same thing twice; the box shows only what was said about it. Plain
functions over text; any thread.
"""

from __future__ import annotations

import re

from ..core import limits

__all__ = ["field_message", "field_messages"]

# The API's input names, longest first so "negative_prompt" wins over "prompt".
_FIELDS = sorted({*limits.INPUTS, "image_url", "audio_url"}, key=len, reverse=True)
# "<field>: " where the refusal lists a field: at the start, after "…: " or after "; ".
_FIELD_AT = re.compile(
    r"(?:^|(?<=: )|(?<=; ))(?P<field>" + "|".join(map(re.escape, _FIELDS)) + r"): "
)
# "Prompt: Prompt is required." — a label the message itself starts with again.
_REPEATED_LABEL = re.compile(r"^(?P<label>[A-Za-z_ ]{1,40}): (?=(?P=label)\b)", re.IGNORECASE)


def field_messages(message: str) -> dict[str, str]:
    """What ``message`` says about each API field it names (``{"prompt": "…"}``); empty when
    it names none in the ``field: words`` form the service's refusals are written in."""
    found = list(_FIELD_AT.finditer(message))
    said: dict[str, str] = {}
    ends = [m.start() for m in found[1:]] + [len(message)] if found else []
    for match, end in zip(found, ends, strict=True):
        words = message[match.end() : end].rstrip().removesuffix(";").rstrip()
        if words:
            said.setdefault(match["field"], words)
    return said


def field_message(field: str, message: str) -> str:
    """The words to show at ``field`` for the refusal ``message``: what it says about that
    field when it lists fields, else the message without a label it repeats."""
    own = field_messages(message).get(field)
    if own is not None:
        return own
    return _REPEATED_LABEL.sub("", message, count=1)
