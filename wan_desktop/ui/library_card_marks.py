"""How a card shows the judgement of its clip: the stars (0–5) in a dark pill, and a green
"Picked" or red "Rejected" badge (GUI thread, pure painting).

The marks sit on the picture, over dark or coloured pixels alike, so they carry their own
backgrounds and read the same in the light and the dark scheme. The check and cross are drawn
as paths, not font glyphs, so they look the same whatever fonts the system has. Where a card
is too narrow for the full marks they shrink: the stars to one star and the count, the badge
to its symbol alone.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPen, QPolygonF

from .library_card_text import CardFonts

__all__ = [
    "MARK_H",
    "draw_flag",
    "draw_stars",
    "flag_size",
    "star_polygon",
    "stars_size",
]

#: The height of every mark (the favourite and audio badges' height too).
MARK_H = 22
_PILL_BG = QColor(15, 15, 20, 190)
_STAR_ON = QColor("#ffc83d")
_STAR_OFF = QColor(255, 255, 255, 110)
_PICKED_BG = QColor("#2e7d32")
_REJECTED_BG = QColor("#c62828")
_STAR_R = 5.5  # a star's outer radius, px
_STAR_STEP = 12.0  # px from one star's centre to the next
_PAD = 6.0
_FLAG_WORDS = {"picked": "Picked", "rejected": "Rejected"}


def star_polygon(center: QPointF, outer: float) -> QPolygonF:
    """A five-pointed star around ``center``, ``outer`` px to its points."""
    inner = outer * 0.45
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = -math.pi / 2 + i * math.pi / 5
        points.append(QPointF(center.x() + r * math.cos(a), center.y() + r * math.sin(a)))
    return QPolygonF(points)


def stars_size(fonts: CardFonts, rating: int, compact: bool) -> QSize:
    """The pill for ``rating`` stars: all five (the earned ones gold), or ``compact`` one
    star and the count."""
    if compact:
        return QSize(round(2 * _PAD + 2 * _STAR_R + 3 + _advance(fonts, str(rating))), MARK_H)
    return QSize(round(2 * _PAD + 4 * _STAR_STEP + 2 * _STAR_R), MARK_H)


def draw_stars(painter: QPainter, rect: QRectF, fonts: CardFonts, rating: int,
               compact: bool) -> None:  # fmt: skip
    """Paint the stars pill of :func:`stars_size` into ``rect``."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_PILL_BG)
    painter.drawRoundedRect(rect, MARK_H / 2, MARK_H / 2)
    y = rect.center().y()
    x = rect.left() + _PAD + _STAR_R
    if compact:
        painter.setBrush(_STAR_ON)
        painter.drawPolygon(star_polygon(QPointF(x, y), _STAR_R))
        painter.setPen(QColor("white"))
        painter.setFont(fonts.small)
        text = QRectF(x + _STAR_R + 3, rect.top(), rect.right() - x, rect.height())
        painter.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         str(rating))  # fmt: skip
        return
    for n in range(5):
        painter.setBrush(_STAR_ON if n < rating else _STAR_OFF)
        painter.drawPolygon(star_polygon(QPointF(x + n * _STAR_STEP, y), _STAR_R))


def flag_size(fonts: CardFonts, flag: str, compact: bool) -> QSize:
    """The badge for ``flag`` ("picked" or "rejected"): its symbol and word, or ``compact``
    the symbol alone (a disc)."""
    if compact:
        return QSize(MARK_H, MARK_H)
    return QSize(round(2 * _PAD + 10 + 4 + _advance(fonts, _FLAG_WORDS[flag])), MARK_H)


def draw_flag(painter: QPainter, rect: QRectF, fonts: CardFonts, flag: str,
              compact: bool) -> None:  # fmt: skip
    """Paint the badge of :func:`flag_size` into ``rect``: a check on green for a pick, a
    cross on red for a reject."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_PICKED_BG if flag == "picked" else _REJECTED_BG)
    painter.drawRoundedRect(rect, MARK_H / 2, MARK_H / 2)
    symbol = QRectF(0, 0, 10, 10)
    if compact:
        symbol.moveCenter(rect.center())
    else:
        symbol.moveTopLeft(QPointF(rect.left() + _PAD, rect.center().y() - 5))
    pen = QPen(QColor("white"))
    pen.setWidthF(2.0)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath()
    if flag == "picked":
        path.moveTo(symbol.left(), symbol.top() + 5.5)
        path.lineTo(symbol.left() + 3.5, symbol.bottom() - 1)
        path.lineTo(symbol.right(), symbol.top() + 1)
    else:
        path.moveTo(symbol.topLeft() + QPointF(1, 1))
        path.lineTo(symbol.bottomRight() - QPointF(1, 1))
        path.moveTo(symbol.topRight() + QPointF(-1, 1))
        path.lineTo(symbol.bottomLeft() + QPointF(1, -1))
    painter.drawPath(path)
    if compact:
        return
    painter.setFont(fonts.small)
    painter.drawText(QRectF(symbol.right() + 4, rect.top(), rect.right(), rect.height()),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     _FLAG_WORDS[flag])  # fmt: skip


def _advance(fonts: CardFonts, text: str) -> int:
    metrics: QFontMetrics = fonts.small_metrics
    return metrics.horizontalAdvance(text)
