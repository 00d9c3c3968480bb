"""The words on a library card (GUI thread): its fonts, how many lines the date and seed take
at a card's width, and those lines, measured with ``QFontMetrics`` so the seed is never cut.

The date and the seed share one line when the widest date and the largest seed fit together
(the time is dropped before the seed is touched); on narrower cards they take a line each.
Every card of a grid has the same height, so the choice depends on the width and the font
alone, never on one clip's text.
"""

from __future__ import annotations

import functools
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics

from ..core.limits import SEED_MAX
from .formats import local_time

__all__ = ["LINE_H", "CardFonts"]

LINE_H = 17  # px per text line, at least (more when the font is taller)
_SEP = " · "
_ELIDE = Qt.TextElideMode.ElideRight
# Parsing and formatting a date costs more than drawing it; cards are painted again and again.
_card_time = functools.lru_cache(maxsize=4096)(local_time)


def _date_part(full: str) -> str:
    """``12 Mar 2025`` of ``12 Mar 2025 · 14:32``."""
    return full.rpartition(_SEP)[0] or full


class CardFonts:
    """A card's fonts for one view font (title, badges, the date line), their metrics, and
    the strings elided and lines laid out so far (the same cards are painted again and again
    as thumbnails land and the pointer moves)."""

    def __init__(self, font: QFont):
        self.title = QFont(font)
        self.small = QFont(font)
        self.small.setPointSizeF(max(7.0, font.pointSizeF() * 0.82))
        self.small.setBold(True)
        self.small_metrics = QFontMetrics(self.small)
        self.small_key = self.small.key()
        self.meta = QFont(font)
        self.meta.setPointSizeF(max(7.0, font.pointSizeF() * 0.88))
        self._title_metrics = QFontMetrics(self.title)
        self._meta_metrics = QFontMetrics(self.meta)
        self.line_height = max(LINE_H, self._title_metrics.height() + 1)
        self._widest_pair = self._advance(self._widest_date() + _SEP + f"seed {SEED_MAX}")
        self._elided: dict[tuple[str, int, bool], str] = {}
        self._meta: dict[tuple[str, int | None, int], list[str]] = {}

    def _advance(self, text: str) -> int:
        return self._meta_metrics.horizontalAdvance(text)

    def _widest_date(self) -> str:
        """The widest date a card can show in this font (month names vary in width)."""
        dates = [f"{datetime(2026, month, 28):%d %b %Y}" for month in range(1, 13)]
        return max(dates, key=self._advance)

    def meta_line_count(self, width: int) -> int:
        """Lines the date and seed take on a card whose text is ``width`` px wide: 1 when
        the widest date and the largest seed fit side by side, else 2."""
        return 1 if self._widest_pair <= width else 2

    def meta_lines(self, created_at: str, seed: int | None, width: int) -> list[str]:
        """The date and seed lines for ``width`` px: ``seed N`` whole (unless the seed alone
        is wider than the card), the date shortened or elided first."""
        key = (created_at, seed, width)
        lines = self._meta.get(key)
        if lines is None:
            if len(self._meta) > 4096:
                self._meta.clear()
            lines = self._meta[key] = self._lay_out_meta(created_at, seed, width)
        return lines

    def _lay_out_meta(self, created_at: str, seed: int | None, width: int) -> list[str]:
        full = _card_time(created_at or "")
        if seed is None:
            return [self.elide_meta(full, width)]
        seed_text = f"seed {seed}"
        if self.meta_line_count(width) == 2:
            return [self.elide_meta(full, width), self.elide_meta(seed_text, width)]
        for text in (full + _SEP + seed_text, _date_part(full) + _SEP + seed_text):
            if self._advance(text) <= width:
                return [text]
        # A seed longer than any the service makes: the date gives way, never the seed.
        room = width - self._advance(_SEP + seed_text)
        if room <= self._advance("…"):
            return [self.elide_meta(seed_text, width)]
        return [self.elide_meta(_date_part(full), room) + _SEP + seed_text]

    def elide_title(self, text: str, width: int) -> str:
        """``text`` in the title font, elided to ``width`` px."""
        return self._elide(text, width, True)

    def elide_meta(self, text: str, width: int) -> str:
        """``text`` in the date line's font, elided to ``width`` px."""
        return self._elide(text, width, False)

    def _elide(self, text: str, width: int, title: bool) -> str:
        key = (text, width, title)
        out = self._elided.get(key)
        if out is None:
            if len(self._elided) > 4096:
                self._elided.clear()
            metrics = self._title_metrics if title else self._meta_metrics
            out = metrics.elidedText(text, _ELIDE, width)
            self._elided[key] = out
        return out
