"""Tool buttons that show an icon with a short text beside it (GUI thread)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter
from PySide6.QtWidgets import (
    QMenu,
    QPushButton,
    QStyle,
    QStyleOption,
    QStyleOptionToolButton,
    QStylePainter,
    QToolButton,
)

from .icons import set_icon
from .naming import named
from .theme import apply_style, colors

__all__ = ["LinkButton", "MenuToolButton", "menu_tool_button", "text_tool_button"]

_B = TypeVar("_B", bound=QToolButton)


def text_tool_button(
    name: str, accessible: str, text: str, icon_name: str, *, auto_raise: bool = False
) -> QToolButton:
    """A named tool button with ``text`` beside the ``icon_name`` icon; ``auto_raise``: flat
    until hovered."""
    return _setup(named(QToolButton(), name, accessible), text, icon_name, auto_raise)


def menu_tool_button(
    name: str, accessible: str, text: str, icon_name: str, menu: QMenu, *, auto_raise: bool = False
) -> MenuToolButton:
    """Like :func:`text_tool_button`, opening ``menu`` when pressed, with a down arrow after
    the text."""
    button = _setup(named(MenuToolButton(), name, accessible), text, icon_name, auto_raise)
    button.setMenu(menu)
    return button


def _setup(button: _B, text: str, icon_name: str, auto_raise: bool) -> _B:
    button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    set_icon(button, icon_name)
    button.setAutoRaise(auto_raise)
    return button


class MenuToolButton(QToolButton):
    """A tool button that opens its menu when pressed, its arrow drawn after the text and
    centred on the text's line. (Fusion puts an instant-popup button's arrow in the bottom
    corner, below the line of the text.)"""

    #: Side of the arrow's square and the gap before it, in pixels.
    ARROW_PX = 8
    GAP_PX = 3

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

    def _option(self) -> QStyleOptionToolButton:
        option = QStyleOptionToolButton()
        self.initStyleOption(option)
        option.features &= ~QStyleOptionToolButton.ToolButtonFeature.HasMenu
        return option

    def sizeHint(self) -> QSize:  # Qt override
        """The button's size without the style's arrow, plus room for ours."""
        option = self._option()
        metrics = self.fontMetrics()
        text = metrics.size(Qt.TextFlag.TextShowMnemonic, option.text)
        icon = option.iconSize
        content = QSize(text.width() + icon.width() + 4, max(text.height(), icon.height()))
        hint = self.style().sizeFromContents(
            QStyle.ContentsType.CT_ToolButton, option, content, self
        )
        return QSize(hint.width() + self.ARROW_PX + self.GAP_PX, hint.height())

    def minimumSizeHint(self) -> QSize:  # Qt override
        return self.sizeHint()

    def paintEvent(self, _event) -> None:  # Qt override
        painter = QStylePainter(self)
        option = self._option()
        reserve = self.ARROW_PX + self.GAP_PX
        panel = QStyleOptionToolButton(option)
        panel.text = ""
        panel.icon = QIcon()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ToolButton, panel)
        label = QStyleOptionToolButton(option)
        label.rect = option.rect.adjusted(0, 0, -reserve, 0)
        painter.drawControl(QStyle.ControlElement.CE_ToolButtonLabel, label)
        arrow = QStyleOption()
        arrow.initFrom(self)
        top = option.rect.center().y() - self.ARROW_PX // 2 + 1
        arrow.rect = QRect(label.rect.right() - 1, top, self.ARROW_PX, self.ARROW_PX)
        painter.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorArrowDown, arrow)


class LinkButton(QPushButton):
    """A flat button that reads as a link, with a soft accent highlight while it has the
    keyboard focus (the link style draws no focus frame, so Tab would land invisibly)."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        apply_style(self, "linkButton")
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def paintEvent(self, event) -> None:  # Qt override
        if self.hasFocus():
            highlight = QColor(colors().accent)
            highlight.setAlpha(48)
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(highlight.darker(120))
            painter.setBrush(highlight)
            painter.drawRoundedRect(self.rect().adjusted(0, 0, -1, -1), 3, 3)
            painter.end()
        super().paintEvent(event)
