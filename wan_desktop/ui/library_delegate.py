"""Paints one library card: the thumbnail (poster, scrub frame or placeholder) with badges for
resolution, duration, favourite and audio, then the title (or prompt) and the date.

Everything is drawn from the model's roles; nothing is loaded here. Images are drawn straight
from ``QImage`` (already decoded at the thumbnail's size in a worker).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPolygonF
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from .library_model import THUMB_SIZE, LibraryRole, format_duration, local_time
from .theme import colors

__all__ = ["CARD_SIZE", "LibraryDelegate", "thumb_rect"]

PAD = 6
TEXT_GAP = 6
LINE_H = 17
CARD_SIZE = QSize(
    THUMB_SIZE.width() + 2 * PAD, THUMB_SIZE.height() + 2 * PAD + TEXT_GAP + 2 * LINE_H
)
_BADGE_BG = QColor(15, 15, 20, 190)
_STAR = QColor("#ffc83d")


def thumb_rect(card: QRect) -> QRect:
    """Where the thumbnail goes inside a card rectangle."""
    return QRect(card.left() + PAD, card.top() + PAD, THUMB_SIZE.width(), THUMB_SIZE.height())


def _star(center: QPointF, outer: float) -> QPolygonF:
    inner = outer * 0.45
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = -math.pi / 2 + i * math.pi / 5
        points.append(QPointF(center.x() + r * math.cos(a), center.y() + r * math.sin(a)))
    return QPolygonF(points)


class LibraryDelegate(QStyledItemDelegate):
    """Cards of a fixed size (``CARD_SIZE``) for ``libraryView``."""

    def sizeHint(self, _option: QStyleOptionViewItem, _index: QModelIndex) -> QSize:  # Qt override
        return QSize(CARD_SIZE)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex
    ) -> None:  # Qt override
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        palette = option.palette
        card = QRectF(option.rect).adjusted(1, 1, -1, -1)
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
        painter.setPen(border)
        painter.setBrush(fill)
        painter.drawRoundedRect(card, 8, 8)
        if selected:
            pen = painter.pen()
            pen.setWidthF(2.0)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)

        thumb = QRectF(thumb_rect(option.rect))
        clip = QPainterPath()
        clip.addRoundedRect(thumb, 5, 5)
        painter.save()
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
        if index.data(LibraryRole.ThumbnailMissing):
            painter.setPen(QColor(90, 90, 110))
            painter.setFont(option.font)
            painter.drawText(thumb, Qt.AlignmentFlag.AlignCenter, "No preview")
        scrub = index.data(LibraryRole.ScrubPosition)
        if scrub is not None:
            bar = QRectF(thumb.left(), thumb.bottom() - 3, thumb.width() * scrub, 3)
            painter.fillRect(bar, QColor(colors().accent))
        painter.restore()

        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.82))
        small.setBold(True)
        painter.setFont(small)
        fm = QFontMetrics(small)
        resolution = index.data(LibraryRole.Resolution)
        if resolution:
            self._badge(painter, fm, thumb.topLeft() + QPointF(5, 5), resolution, left=True)
        duration = index.data(LibraryRole.DurationSeconds)
        if duration:
            text = format_duration(duration)
            self._badge(
                painter, fm, thumb.bottomRight() + QPointF(-5, -5), text, left=False, bottom=True
            )
        if index.data(LibraryRole.Favourite):
            r = QRectF(thumb.right() - 27, thumb.top() + 5, 22, 22)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_BADGE_BG)
            painter.drawRoundedRect(r, 11, 11)
            painter.setBrush(_STAR)
            painter.drawPolygon(_star(r.center(), 8))
        if index.data(LibraryRole.HasAudio):
            r = QRectF(thumb.left() + 5, thumb.bottom() - 27, 22, 22)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_BADGE_BG)
            painter.drawRoundedRect(r, 11, 11)
            self._speaker(painter, r)

        # Text: title (or prompt), then the date.
        text_rect = QRect(
            int(thumb.left()), int(thumb.bottom()) + TEXT_GAP, int(thumb.width()), LINE_H
        )
        title_font = QFont(option.font)
        painter.setFont(title_font)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        title = index.data(LibraryRole.Title) or ""
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(title_font).elidedText(
                title, Qt.TextElideMode.ElideRight, text_rect.width()
            ),
        )
        meta_font = QFont(option.font)
        meta_font.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        painter.setFont(meta_font)
        painter.setPen(QColor(colors().muted))
        meta = local_time(index.data(LibraryRole.CreatedAt) or "")
        seed = index.data(LibraryRole.Seed)
        if seed is not None:
            meta += f" · seed {seed}"
        painter.drawText(
            text_rect.translated(0, LINE_H),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(meta_font).elidedText(
                meta, Qt.TextElideMode.ElideRight, text_rect.width()
            ),
        )
        painter.restore()

    @staticmethod
    def _badge(
        painter, fm, anchor: QPointF, text: str, *, left: bool, bottom: bool = False
    ) -> None:
        w = fm.horizontalAdvance(text) + 10
        h = fm.height() + 2
        x = anchor.x() if left else anchor.x() - w
        y = anchor.y() - h if bottom else anchor.y()
        rect = QRectF(x, y, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_BADGE_BG)
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(QColor("white"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _speaker(painter: QPainter, r: QRectF) -> None:
        c = r.center()
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
        pen = painter.pen()
        pen.setStyle(Qt.PenStyle.SolidLine)
        pen.setColor(QColor("white"))
        pen.setWidthF(1.4)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(c.x() - 2, c.y() - 4, 7, 8), -60 * 16, 120 * 16)
        painter.drawArc(QRectF(c.x() - 2, c.y() - 7, 11, 14), -60 * 16, 120 * 16)
