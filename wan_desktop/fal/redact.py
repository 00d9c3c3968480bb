"""The fal client's key redactor: the app's one ``KeyRedactor``, kept in ``core.redact`` so the
log scrubber uses the same one."""

from __future__ import annotations

from wan_desktop.core.redact import HIDDEN, MIN_KEY_CHARS, MIN_PART_CHARS, KeyRedactor, key_forms

__all__ = ["HIDDEN", "MIN_KEY_CHARS", "MIN_PART_CHARS", "KeyRedactor", "key_forms"]
