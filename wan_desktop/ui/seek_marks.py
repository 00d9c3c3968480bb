"""The player's seek bar with marks on it: where shots were planned, where cuts were found,
where the clips of a sequence meet.

A :class:`Mark` is plain data (seconds into the clip, a kind, a label for people).
:class:`MarkedSlider` is the seek slider (milliseconds, as the player's engine counts) that
draws them over the groove, each kind in its own place, shape and colour so that they read
apart in light and dark and where they overlap:

- ``planned``: an outlined triangle above the groove, pointing down at the time (the text
  colour: planned times are the user's own words);
- ``cut``: a filled triangle below the groove pointing up, with a line through it (the
  scheme's error red: where the picture actually changed);
- ``seam``: a bar across the groove with a diamond on top (the scheme's warning amber: a join
  between two clips).

Hovering a mark shows its label (several when they are close), as plain text. The marks are
also in the slider's accessible description. GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QStylePainter,
    QToolTip,
    QWidget,
)

from .plain_text import tooltip_text
from .theme import colors

__all__ = ["MARK_KINDS", "Mark", "MarkedSlider", "marks_description"]

#: The kinds of mark, in the order they are drawn (later ones on top).
MARK_KINDS = ("seam", "planned", "cut")
#: How close (pixels) the pointer must be to a mark for its tooltip.
_HOVER_PX = 6
_TRIANGLE_W = 9.0  # the triangles' width, pixels
_TRIANGLE_H = 6.0
#: Enough height for a triangle above and one below the groove.
SLIDER_MIN_HEIGHT = 26


@dataclass(frozen=True, slots=True)
class Mark:
    """A point on the seek bar: ``seconds`` into the clip, ``kind`` (one of
    :data:`MARK_KINDS`) and ``label`` (plain text shown on hover)."""

    seconds: float
    kind: str
    label: str

    def __post_init__(self) -> None:
        if self.kind not in MARK_KINDS:
            raise ValueError(f"kind must be one of {', '.join(MARK_KINDS)} (got {self.kind!r}).")
        if not self.seconds >= 0.0:  # also refuses NaN
            raise ValueError(f"seconds must be 0 or more (got {self.seconds}).")


def marks_description(marks: list[Mark]) -> str:
    """The marks as one sentence for assistive technology (``""`` for none)."""
    if not marks:
        return ""
    parts = [m.label for m in sorted(marks, key=lambda m: m.seconds)]
    return "Marks: " + "; ".join(parts) + "."


class MarkedSlider(QSlider):
    """A horizontal seek slider (values in milliseconds) that draws marks (:class:`Mark`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._marks: list[Mark] = []
        self.setMinimumHeight(SLIDER_MIN_HEIGHT)

    # ---- API ----------------------------------------------------------------------------------

    def set_marks(self, marks: list[Mark]) -> None:
        """Show ``marks`` (replacing any), drawn once the slider has a range."""
        self._marks = sorted(marks, key=lambda m: (MARK_KINDS.index(m.kind), m.seconds))
        self.setAccessibleDescription(marks_description(self._marks))
        self.update()

    def marks(self) -> list[Mark]:
        """The marks shown, ordered by kind then time."""
        return list(self._marks)

    def mark_x(self, mark: Mark) -> float | None:
        """Where ``mark`` is drawn (x in widget pixels, at the handle's centre for its time),
        or ``None`` while the slider has no range or the mark is past its end."""
        ms = round(mark.seconds * 1000)
        if self.maximum() <= self.minimum() or not self.minimum() <= ms <= self.maximum():
            return None
        groove, handle = self._rects()
        span = max(0, groove.width() - handle.width())
        offset = QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), ms, span)
        return groove.x() + handle.width() / 2 + offset

    def marks_near(self, x: float) -> list[Mark]:
        """The marks drawn within a few pixels of ``x``, nearest first."""
        near = []
        for mark in self._marks:
            at = self.mark_x(mark)
            if at is not None and abs(at - x) <= _HOVER_PX:
                near.append((abs(at - x), mark))
        return [m for _, m in sorted(near, key=lambda pair: pair[0])]

    # ---- Qt overrides -------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        if not self._marks or self.maximum() <= self.minimum():
            super().paintEvent(event)
            return
        # As QSlider paints itself, in two passes: the groove, then the marks, then the
        # handle, so that the handle stays whole over a mark at its time.
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        painter = QStylePainter(self)
        option.subControls = QStyle.SubControl.SC_SliderGroove
        painter.drawComplexControl(QStyle.ComplexControl.CC_Slider, option)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        groove, _handle = self._rects()
        mid = groove.center().y() + 0.5
        for mark in self._marks:
            x = self.mark_x(mark)
            if x is None:
                continue
            if mark.kind == "planned":
                self._paint_planned(painter, x, mid)
            elif mark.kind == "cut":
                self._paint_cut(painter, x, mid)
            else:
                self._paint_seam(painter, x, mid)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        option.subControls = QStyle.SubControl.SC_SliderHandle
        painter.drawComplexControl(QStyle.ComplexControl.CC_Slider, option)
        painter.end()

    def event(self, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            near = self.marks_near(event.pos().x())
            if near:
                text = "\n".join(dict.fromkeys(m.label for m in near))  # unique, in order
                QToolTip.showText(event.globalPos(), tooltip_text(text), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    # ---- drawing ------------------------------------------------------------------------------

    def _rects(self) -> tuple[QRect, QRect]:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )
        handle = style.subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )
        return groove, handle

    def _paint_planned(self, painter: QPainter, x: float, mid: float) -> None:
        """An outlined triangle at the top edge, its tip just above the groove."""
        ink = self.palette().color(QPalette.ColorRole.WindowText)
        tip = max(_TRIANGLE_H + 1.0, mid - 4.0)
        path = _triangle(x, tip, tip - _TRIANGLE_H)
        painter.setPen(QPen(ink, 1.4))
        painter.setBrush(self.palette().color(QPalette.ColorRole.Window))
        painter.drawPath(path)

    def _paint_cut(self, painter: QPainter, x: float, mid: float) -> None:
        """A filled triangle at the bottom edge pointing up, and a line through the groove."""
        red = QColor(colors().error)
        bottom = min(self.height() - 1.0, mid + 4.0 + _TRIANGLE_H)
        painter.setPen(QPen(red, 2.0))
        painter.drawLine(QPointF(x, mid - 4.0), QPointF(x, bottom - _TRIANGLE_H))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(red)
        painter.drawPath(_triangle(x, bottom - _TRIANGLE_H, bottom))

    def _paint_seam(self, painter: QPainter, x: float, mid: float) -> None:
        """A bar across the groove and a diamond on it."""
        amber = QColor(colors().warning)
        painter.setPen(QPen(amber, 3.0))
        painter.drawLine(QPointF(x, mid - 6.0), QPointF(x, mid + 6.0))
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Window), 1.0))
        painter.setBrush(amber)
        diamond = QPainterPath()
        r = 4.5
        diamond.moveTo(x, mid - r)
        diamond.lineTo(x + r, mid)
        diamond.lineTo(x, mid + r)
        diamond.lineTo(x - r, mid)
        diamond.closeSubpath()
        painter.drawPath(diamond)


def _triangle(x: float, tip_y: float, base_y: float) -> QPainterPath:
    """A triangle with its tip at (``x``, ``tip_y``) and its base on ``base_y``."""
    half = _TRIANGLE_W / 2
    path = QPainterPath()
    path.moveTo(x, tip_y)
    path.lineTo(x - half, base_y)
    path.lineTo(x + half, base_y)
    path.closeSubpath()
    return path
