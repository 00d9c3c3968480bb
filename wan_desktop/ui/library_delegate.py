"""Paints one library card: the thumbnail (poster, scrub frame or placeholder) with badges for
resolution, duration, favourite, audio, stars and pick or reject (a rejected clip's picture is
dimmed, so the keepers stand out), then the title (or prompt), the date and the seed.

A card may be any width (the grid widens them to fill its rows): the thumbnail keeps the
poster's 16:9 box across the card, and :meth:`LibraryDelegate.card_size` says how tall a card
of a given width is.

Everything is drawn from the model's roles; nothing is loaded here. Images are drawn straight
from ``QImage`` (already decoded at the thumbnail's size in a worker).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import QModelIndex, QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from .library_card_marks import MARK_H, draw_flag, draw_stars, flag_size, star_polygon, stars_size
from .library_card_text import LINE_H, CardFonts
from .library_model import THUMB_SIZE, LibraryRole, format_duration
from .theme import colors

__all__ = ["CARD_SIZE", "LibraryDelegate", "thumb_rect"]

PAD = 6
TEXT_GAP = 6
THUMB_RADIUS = 5
#: The card at the default thumbnail size, with the date and seed on one line.
CARD_SIZE = QSize(
    THUMB_SIZE.width() + 2 * PAD, THUMB_SIZE.height() + 2 * PAD + TEXT_GAP + 2 * LINE_H
)
_BADGE_BG = QColor(15, 15, 20, 190)
_STAR = QColor("#ffc83d")
_REJECT_DIM = QColor(10, 10, 14, 120)  # laid over a rejected clip's picture
_GAP = 5  # px between a badge and the picture's edge, and between two badges


def _thumb_height(thumb_width: int) -> int:
    return round(thumb_width * THUMB_SIZE.height() / THUMB_SIZE.width())


def thumb_rect(card: QRect) -> QRect:
    """Where the thumbnail goes inside a card rectangle: across it, in the poster's shape."""
    width = max(1, card.width() - 2 * PAD)
    return QRect(card.left() + PAD, card.top() + PAD, width, _thumb_height(width))


class LibraryDelegate(QStyledItemDelegate):
    """Cards for ``libraryView``, all of one size (:meth:`card_size` for the grid's width).

    A card is painted whenever it scrolls into view, so painting is kept cheap: the rounded
    card (an antialiased fill, the costliest part) is drawn once per look and blitted, opaque
    over the view's background when painting onto the view (a copy, no blending), the fonts
    are made once per view font, and the row is read through one ``Summary`` lookup.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._backgrounds: dict[tuple, QPixmap | tuple[QPixmap, ...]] = {}
        self._fonts: dict[str, CardFonts] = {}
        self._stamps: dict[tuple, QPixmap] = {}

    def sizeHint(self, option: QStyleOptionViewItem, _index: QModelIndex) -> QSize:  # Qt override
        return self.card_size(CARD_SIZE.width(), option.font)

    def card_size(self, width: int, font: QFont) -> QSize:
        """A card ``width`` px wide: the thumbnail across it, the title and the date and seed
        lines (one or two, whichever the width needs) under it."""
        fonts = self._fonts_for(font)
        text_width = max(1, width - 2 * PAD)
        lines = 1 + fonts.meta_line_count(text_width)
        height = _thumb_height(text_width) + 2 * PAD + TEXT_GAP + lines * fonts.line_height
        return QSize(width, height)

    def meta_font(self, font: QFont) -> QFont:
        """The font of a card's date and seed lines, for the view font ``font``."""
        return self._fonts_for(font).meta

    def meta_line_count(self, font: QFont, text_width: int) -> int:
        """How many lines the date and seed take on cards whose text is ``text_width`` wide."""
        return self._fonts_for(font).meta_line_count(text_width)

    def meta_lines(
        self, font: QFont, created_at: str, seed: int | None, text_width: int
    ) -> list[str]:
        """The date and seed lines a card shows in ``text_width`` px (the seed whole)."""
        return self._fonts_for(font).meta_lines(created_at, seed, text_width)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex
    ) -> None:  # Qt override
        summary = index.data(LibraryRole.Summary)
        if summary is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        look = _look(painter, option)
        painter.drawPixmap(option.rect.topLeft(), self._background(look, option.rect.size()))
        thumb = QRectF(thumb_rect(option.rect))
        dim = summary.flag == "rejected"
        self._thumbnail(painter, option, index, thumb, self._corners(look), dim)
        fonts = self._fonts_for(option.font)
        self._badges(painter, fonts, summary, thumb)
        self._text(painter, option, fonts, index.data(LibraryRole.Title) or "", summary, thumb)
        painter.restore()

    # ---- parts --------------------------------------------------------------------------------

    def _background(self, look: _Look, size: QSize) -> QPixmap:
        """The card's rounded box for this look, drawn once and then reused."""
        key = (size.width(), size.height(), look)
        pixmap = self._backgrounds.get(key)
        if pixmap is None:
            if len(self._backgrounds) > 32:  # palette or size changes: drop the old looks
                self._backgrounds.clear()
            pixmap = _card_pixmap(size, look)
            self._backgrounds[key] = pixmap
        return pixmap

    def _corners(self, look: _Look) -> tuple[QPixmap, ...] | None:
        """The card's colour outside the thumbnail's rounded corners (top left, top right,
        bottom left, bottom right), when that colour is known (painting onto the view): laid
        over the thumbnail they round it far cheaper than clipping to a rounded path."""
        if look.backdrop is None:
            return None
        key = ("corners", look.fill, look.backdrop, look.ratio)
        corners = self._backgrounds.get(key)
        if corners is None:
            colour = _over(QColor.fromRgba(look.fill), QColor.fromRgba(look.backdrop))
            corners = tuple(
                _corner_pixmap(colour, look.ratio, right, bottom)
                for bottom in (False, True)
                for right in (False, True)
            )
            self._backgrounds[key] = corners
        return corners

    def _fonts_for(self, font: QFont) -> CardFonts:
        key = font.key()
        fonts = self._fonts.get(key)
        if fonts is None:
            fonts = self._fonts[key] = CardFonts(font)
        return fonts

    @staticmethod
    def _thumbnail(
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex,
        thumb: QRectF,
        corners: tuple[QPixmap, ...] | None,
        dim: bool = False,
    ) -> None:
        """The poster (or scrub frame, or placeholder), dimmed when ``dim``, its "No preview"
        note and the scrub bar, inside the thumbnail's rounded corners."""
        painter.save()
        if corners is None:  # the colour around is unknown (a drag image): clip instead
            clip = QPainterPath()
            clip.addRoundedRect(thumb, THUMB_RADIUS, THUMB_RADIUS)
            painter.setClipPath(clip)
        painter.fillRect(thumb, QColor(colors().canvas_bg))
        image = index.data(LibraryRole.Thumbnail)
        if image is not None and not image.isNull():
            # Fit, keeping the aspect ratio (portrait clips get bars at the sides).
            w, h = image.width(), image.height()
            ratio = max(1.0, image.devicePixelRatio())
            scale = min(thumb.width() * ratio / w, thumb.height() * ratio / h)
            dw, dh = round(w * scale / ratio), round(h * scale / ratio)
            x = round(thumb.center().x() - dw / 2)
            y = round(thumb.center().y() - dh / 2)
            if abs(scale - 1.0) < 0.02:
                painter.drawImage(x, y, image)  # decoded at this size: a plain blit
            else:
                painter.drawImage(QRect(x, y, dw, dh), image)
        if dim:
            painter.fillRect(thumb, _REJECT_DIM)
        if index.data(LibraryRole.ThumbnailMissing):
            painter.setPen(QColor(90, 90, 110))
            painter.setFont(option.font)
            painter.drawText(thumb, Qt.AlignmentFlag.AlignCenter, "No preview")
        scrub = index.data(LibraryRole.ScrubPosition)
        if scrub is not None:
            bar = QRectF(thumb.left(), thumb.bottom() - 3, thumb.width() * scrub, 3)
            painter.fillRect(bar, QColor(colors().accent))
        painter.restore()
        if corners is not None:
            right, bottom = thumb.right() - THUMB_RADIUS, thumb.bottom() - THUMB_RADIUS
            for corner, (x, y) in zip(
                corners,
                ((thumb.left(), thumb.top()), (right, thumb.top()), (thumb.left(), bottom),
                 (right, bottom)),
                strict=True,
            ):  # fmt: skip
                painter.drawPixmap(_point(x, y), corner)

    def _badges(self, painter: QPainter, fonts: CardFonts, summary, thumb: QRectF) -> None:
        """Resolution, favourite and pick or reject along the top of the thumbnail; audio,
        stars and duration along its bottom (each a small image drawn once: a handful of
        distinct badges cover every card)."""
        top, bottom = thumb.top() + _GAP, thumb.bottom() - _GAP - MARK_H
        left, right = thumb.left() + _GAP, thumb.right() - _GAP  # room left on each row
        top_left, bottom_left, bottom_right = left, left, right
        if summary.resolution:
            badge = self._text_badge(painter, fonts, summary.resolution)
            painter.drawPixmap(_point(left, top), badge)
            top_left += badge.deviceIndependentSize().width() + _GAP
        if summary.duration_s:
            badge = self._text_badge(painter, fonts, format_duration(summary.duration_s))
            size = badge.deviceIndependentSize()
            bottom_right -= size.width()
            painter.drawPixmap(_point(bottom_right, thumb.bottom() - _GAP - size.height()), badge)
            bottom_right -= _GAP
        if summary.favourite:
            badge = self._stamp(painter, ("favourite",), QSize(MARK_H, MARK_H), _draw_favourite)
            right -= MARK_H
            painter.drawPixmap(_point(right, top), badge)
            right -= _GAP
        if summary.has_audio:
            badge = self._stamp(painter, ("audio",), QSize(MARK_H, MARK_H), _draw_audio)
            painter.drawPixmap(_point(left, bottom), badge)
            bottom_left += MARK_H + _GAP
        if summary.flag in ("picked", "rejected"):
            badge = self._mark(painter, fonts, "flag", summary.flag, right - top_left)
            right -= badge.deviceIndependentSize().width()
            painter.drawPixmap(_point(right, top), badge)
        if 0 < summary.rating <= 5:
            badge = self._mark(painter, fonts, "stars", summary.rating, bottom_right - bottom_left)
            painter.drawPixmap(_point(bottom_left, bottom), badge)

    def _mark(self, painter: QPainter, fonts: CardFonts, kind: str, value, room: float) -> QPixmap:
        """The stars or the flag badge: in full when it fits in ``room`` px, else compact."""
        size_of, draw = (stars_size, draw_stars) if kind == "stars" else (flag_size, draw_flag)
        compact = size_of(fonts, value, False).width() > room
        return self._stamp(
            painter,
            (kind, value, compact, fonts.small_key),
            size_of(fonts, value, compact),
            lambda p, rect: draw(p, rect, fonts, value, compact),
        )

    def _text_badge(self, painter: QPainter, fonts: CardFonts, text: str) -> QPixmap:
        def size() -> QSize:
            fm = fonts.small_metrics
            return QSize(fm.horizontalAdvance(text) + 10, fm.height() + 2)

        def draw(p: QPainter, rect: QRectF) -> None:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(_BADGE_BG)
            p.drawRoundedRect(rect, 4, 4)
            p.setFont(fonts.small)
            p.setPen(QColor("white"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

        return self._stamp(painter, ("text", text, fonts.small_key), size, draw)

    def _stamp(
        self,
        painter: QPainter,
        key: tuple,
        size: QSize | Callable[[], QSize],
        draw: Callable[[QPainter, QRectF], None],
    ) -> QPixmap:
        """The small image ``draw(painter, rect)`` paints, made once per ``key`` and pixel
        ratio (``size`` may be a function: it is only needed the first time)."""
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        full_key = (*key, ratio)
        pixmap = self._stamps.get(full_key)
        if pixmap is None:
            if len(self._stamps) > 256:  # durations vary; keep the cache bounded
                self._stamps.clear()
            size = size() if callable(size) else size
            pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(QColor(Qt.GlobalColor.transparent))
            p = QPainter(pixmap)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            draw(p, QRectF(0, 0, size.width(), size.height()))
            p.end()
            self._stamps[full_key] = pixmap
        return pixmap

    @staticmethod
    def _text(
        painter: QPainter,
        option: QStyleOptionViewItem,
        fonts: CardFonts,
        title: str,
        summary,
        thumb: QRectF,
    ) -> None:
        """The title (or prompt) elided to the card's width, then the date and the seed
        (the seed always whole)."""
        line_h = fonts.line_height
        text_rect = QRect(
            round(thumb.left()), round(thumb.bottom()) + TEXT_GAP, round(thumb.width()), line_h
        )
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.setFont(fonts.title)
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        painter.drawText(text_rect, align, fonts.elide_title(title, text_rect.width()))
        painter.setFont(fonts.meta)
        painter.setPen(QColor(colors().muted))
        lines = fonts.meta_lines(summary.created_at or "", summary.seed, text_rect.width())
        for n, line in enumerate(lines, start=1):
            painter.drawText(text_rect.translated(0, n * line_h), align, line)


def _point(x: float, y: float) -> QPoint:
    return QPoint(round(x), round(y))


def _draw_favourite(painter: QPainter, rect: QRectF) -> None:
    """The favourite badge: a gold star on a dark disc."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_BADGE_BG)
    painter.drawRoundedRect(rect, 11, 11)
    painter.setBrush(_STAR)
    painter.drawPolygon(star_polygon(rect.center(), 8))


def _draw_audio(painter: QPainter, rect: QRectF) -> None:
    """The audio badge: a white speaker with two sound waves on a dark disc."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_BADGE_BG)
    painter.drawRoundedRect(rect, 11, 11)
    c = rect.center()
    body = QPolygonF(
        [
            QPointF(c.x() - 6, c.y() - 2.5),
            QPointF(c.x() - 3, c.y() - 2.5),
            QPointF(c.x() + 1, c.y() - 6),
            QPointF(c.x() + 1, c.y() + 6),
            QPointF(c.x() - 3, c.y() + 2.5),
            QPointF(c.x() - 6, c.y() + 2.5),
        ]
    )
    painter.setBrush(QColor("white"))
    painter.drawPolygon(body)
    pen = QPen(QColor("white"))
    pen.setWidthF(1.4)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(c.x() - 2, c.y() - 4, 7, 8), -60 * 16, 120 * 16)
    painter.drawArc(QRectF(c.x() - 2, c.y() - 7, 11, 14), -60 * 16, 120 * 16)


class _Look(NamedTuple):
    """What a card's box looks like (colours as ARGB ints, so a look is a cache key)."""

    fill: int
    border: int
    selected: bool
    backdrop: int | None  # the opaque colour behind the card, when known
    ratio: float  # device pixels per logical pixel


def _look(painter: QPainter, option: QStyleOptionViewItem) -> _Look:
    palette = option.palette
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
    highlight = palette.color(QPalette.ColorRole.Highlight)
    if selected:
        fill = QColor(highlight)
        fill.setAlpha(40)
        border = highlight
    else:
        fill = palette.color(QPalette.ColorRole.Base)
        border = palette.color(QPalette.ColorRole.Mid) if hovered else QColor(0, 0, 0, 28)
    device = painter.device()
    ratio = device.devicePixelRatioF() if device is not None else 1.0
    backdrop = _backdrop(painter, option)
    return _Look(
        fill.rgba(),
        border.rgba(),
        selected,
        backdrop.rgba() if backdrop is not None else None,
        ratio,
    )


def _backdrop(painter: QPainter, option: QStyleOptionViewItem) -> QColor | None:
    """The colour behind the card when painting straight onto the view's viewport (it fills
    itself with its background role first), else ``None`` (a drag image: keep transparency)."""
    viewport_of = getattr(option.widget, "viewport", None)
    if viewport_of is None:
        return None
    viewport = viewport_of()
    if painter.device() is not viewport or not viewport.autoFillBackground():
        return None
    return viewport.palette().color(viewport.backgroundRole())


def _over(top: QColor, bottom: QColor) -> QColor:
    """``top`` composited over the opaque ``bottom``."""
    a = top.alphaF()
    return QColor.fromRgbF(
        top.redF() * a + bottom.redF() * (1 - a),
        top.greenF() * a + bottom.greenF() * (1 - a),
        top.blueF() * a + bottom.blueF() * (1 - a),
    )


def _blank(size: QSize, ratio: float, colour: QColor) -> QPixmap:
    pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(colour)
    return pixmap


def _corner_pixmap(colour: QColor, ratio: float, right: bool, bottom: bool) -> QPixmap:
    """One corner of the thumbnail (``right``/``bottom`` say which): ``colour`` where the
    thumbnail's rounded outline leaves the square corner, cut with the same path a clip
    would use so the edge comes out the same."""
    r = THUMB_RADIUS
    w, h = THUMB_SIZE.width(), THUMB_SIZE.height()
    outline = QPainterPath()
    outline.addRoundedRect(QRectF(r - w if right else 0, r - h if bottom else 0, w, h), r, r)
    pixmap = _blank(QSize(r, r), ratio, QColor(Qt.GlobalColor.transparent))  # keeps alpha
    painter = QPainter(pixmap)
    painter.fillRect(QRectF(0, 0, r, r), colour)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    painter.fillPath(outline, QColor("black"))
    painter.end()
    return pixmap


def _card_pixmap(size: QSize, look: _Look) -> QPixmap:
    """The rounded card box (fill, border; a thicker border when selected) over the look's
    backdrop (opaque, so drawing it is a plain copy) or over transparency."""
    if look.backdrop is None:
        under = QColor(Qt.GlobalColor.transparent)
    else:
        under = QColor.fromRgba(look.backdrop)
    pixmap = _blank(size, look.ratio, under)
    border, fill, selected = QColor.fromRgba(look.border), QColor.fromRgba(look.fill), look.selected
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    card = QRectF(0, 0, size.width(), size.height()).adjusted(1, 1, -1, -1)
    painter.setPen(border)
    painter.setBrush(fill)
    painter.drawRoundedRect(card, 8, 8)
    if selected:
        pen = painter.pen()
        pen.setWidthF(2.0)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(card.adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
    painter.end()
    return pixmap
