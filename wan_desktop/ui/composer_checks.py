"""Why the composer's form cannot be generated yet: the image and audio checks (or that they
are still running) and the request's own validation, in the order the form shows the fields
(GUI thread: it asks the widgets)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core.request import GenerationRequest
    from .audio_picker import AudioPicker
    from .drop_zone import ImageDropZone

__all__ = ["NO_IMAGE", "form_problems"]

NO_IMAGE = "Add an image: drop one here, paste it (Ctrl+V) or click to browse."
_FIELD_ORDER = ("image_url", "prompt", "negative_prompt", "audio_url")


def form_problems(
    request: GenerationRequest, drop_zone: ImageDropZone, audio: AudioPicker
) -> list[str]:
    """Every problem of the form's ``request`` and its media, most useful first: a missing
    image before all, then the media checks, then each field's problem in form order. The
    image's own check (or "Reading the image …") stands in for the request's word on it."""
    reasons: list[str] = []
    if drop_zone.is_loading():
        reasons.append("Reading the image …")
    elif drop_zone.problem():
        reasons.append(drop_zone.problem() or "")
    if audio.is_loading():
        reasons.append("Checking the audio …")
    elif audio.problem():
        reasons.append(audio.problem() or "")
    found = request.validate()
    if drop_zone.is_loading() or drop_zone.problem():
        found = [p for p in found if p.field != "image_url"]
    found.sort(key=lambda p: _FIELD_ORDER.index(p.field) if p.field in _FIELD_ORDER else 99)
    for problem in found:
        if problem.field == "image_url" and not drop_zone.source():
            reasons.insert(0, NO_IMAGE)
        else:
            reasons.append(problem.message)
    return reasons
