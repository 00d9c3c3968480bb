"""The composer's draft: what the user had in the form before a reuse filled it.

A fill from the library ("Reuse all settings", "Use prompt", "Continue from the last
frame") replaces the form. :class:`DraftKeeper` keeps the draft it replaced, so that the
window can offer "Restore draft" and nothing typed is lost for good. GUI thread only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Draft", "DraftKeeper", "apply_draft", "capture_draft"]


@dataclass(frozen=True, slots=True)
class Draft:
    """The form's contents: both prompts, the options (``OptionsPanel.values()`` as sorted
    pairs, so drafts compare by value), and the local paths of the image and the audio."""

    prompt: str
    negative_prompt: str
    options: tuple[tuple[str, Any], ...]
    image: str | None
    audio: str | None

    def is_blank(self) -> bool:
        """Nothing typed in the prompt: a form the user has not started."""
        return not self.prompt.strip()

    def with_media(self, image: str | None, audio: str | None) -> Draft:
        """The same draft with another image and audio."""
        return Draft(self.prompt, self.negative_prompt, self.options, image, audio)


def capture_draft(composer: Any) -> Draft:
    """The draft in ``composer`` (a ``Composer``) right now."""
    return Draft(
        prompt=composer.prompt.text(),
        negative_prompt=composer.negative.text(),
        options=tuple(sorted(composer.options.values().items())),
        image=composer.drop_zone.source(),
        audio=composer.audio.path(),
    )


def apply_draft(composer: Any, draft: Draft) -> None:
    """Put ``draft`` back into ``composer``; the prompt change is one undoable edit, and the
    image and audio are loaded again only when they differ (loading runs in the background)."""
    composer.prompt.set_text(draft.prompt)
    composer.negative.set_text(draft.negative_prompt)
    composer.options.set_values(dict(draft.options))
    if draft.image != composer.drop_zone.source():
        if draft.image:
            composer.drop_zone.load(draft.image)
        else:
            composer.drop_zone.clear()
    if draft.audio != composer.audio.path():
        if draft.audio:
            composer.audio.load(draft.audio)
        else:
            composer.audio.clear()


class DraftKeeper:
    """Keeps the last draft a fill replaced, until it is restored.

    A fill that replaces an earlier fill the user has not touched keeps the draft from before
    the first one: reusing clip A, then clip B, still restores what the user had typed.
    """

    def __init__(self) -> None:
        self._saved: Draft | None = None
        self._filled: Draft | None = None

    def saved(self) -> Draft | None:
        """The draft a restore would bring back, or ``None``."""
        return self._saved

    def replaced(self, before: Draft, after: Draft) -> bool:
        """A fill turned the form from ``before`` into ``after``. ``True`` when the fill
        changed the form and a draft is kept to restore (the window offers it then)."""
        previous_fill, self._filled = self._filled, after
        if before == after:
            return False
        untouched_fill = self._saved is not None and before == previous_fill
        if not untouched_fill and not before.is_blank():
            self._saved = before
        return self._saved is not None and self._saved != after

    def take(self) -> Draft | None:
        """The kept draft, forgotten here (it is being restored)."""
        draft, self._saved, self._filled = self._saved, None, None
        return draft
