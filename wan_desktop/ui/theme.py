"""Light and dark palettes that follow the system (``QStyleHints.colorScheme``).

Fusion everywhere (it honours palettes on every platform), a palette per scheme, and a few
semantic colours (warning, error, accent) the widgets ask for by name instead of hard-coding.

There is no application-wide style sheet: with one, Qt styles every widget through its
style-sheet engine, and building and painting the window's panes took about twice as long
(measured: 46 against 25 ms of CPU). Labels get their role's look (:func:`set_role`) from
their palette and font; the few widgets that need what a palette cannot say (a dashed border,
a coloured button) carry a small style sheet of their own (:func:`apply_style`). A change of
scheme re-applies both.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    # Not at run time before the first paint: PySide builds the whole ``Qt`` namespace (93
    # enums) on its first use, 15–30 ms of start-up.
    from PySide6.QtCore import Qt

__all__ = [
    "SCHEMES",
    "Colors",
    "ThemeManager",
    "apply_style",
    "colors",
    "is_dark",
    "set_role",
    "set_scheme_preference",
    "set_style_property",
]


class Colors(NamedTuple):
    """Semantic colours of the current scheme (``#rrggbb`` strings, usable in style sheets).
    A named tuple: made before the first paint, where a frozen dataclass costs ~2 ms."""

    accent: str
    button: str
    warning: str
    error: str
    ok: str
    muted: str
    banner_bg: str
    banner_fg: str
    drop_bg: str
    drop_border: str
    canvas_bg: str


_LIGHT = Colors(
    accent="#5b4bdb",
    button="#5b4bdb",
    warning="#a35f00",
    error="#c62828",
    ok="#2e7d32",
    muted="#6b6f76",
    banner_bg="#fff4d6",
    banner_fg="#5c4300",
    drop_bg="#f6f6fa",
    drop_border="#b8b8c8",
    canvas_bg="#16161a",
)
_DARK = Colors(
    accent="#9d92ff",
    button="#5b4bdb",
    warning="#f0a93a",
    error="#ff6b6b",
    ok="#7bd389",
    muted="#9aa0a6",
    banner_bg="#3d3217",
    banner_fg="#ffe4a3",
    drop_bg="#24242b",
    drop_border="#55556a",
    canvas_bg="#0c0c0f",
)

_current: Colors = _LIGHT
#: The colour-scheme preferences, as the View menu and Settings name them.
SCHEMES = (("system", "System"), ("light", "Light"), ("dark", "Dark"))


def colors() -> Colors:
    """The semantic colours of the scheme in use."""
    return _current


def is_dark() -> bool:
    """Whether the dark palette is in use."""
    return _current is _DARK


def set_style_property(widget: QWidget, name: str, value: object) -> None:
    """Set the dynamic property ``name`` that a rule of the widget's style sheet selects on
    (``invalid``, ``dragActive``) and re-polish ``widget`` so the rule applies. Nothing
    happens when the value is unchanged (re-polishing costs a style pass)."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


#: Palette colours per scheme, by role; ``Disabled`` is the text colour of disabled widgets.
_PALETTES: dict[str, dict[str, str]] = {
    "dark": {
        "Window": "#1f1f24",
        "WindowText": "#e8e8ee",
        "Base": "#17171b",
        "AlternateBase": "#25252b",
        "ToolTipBase": "#2b2b33",
        "ToolTipText": "#e8e8ee",
        "PlaceholderText": "#8a8a96",
        "Text": "#e8e8ee",
        "Button": "#2a2a31",
        "ButtonText": "#e8e8ee",
        "BrightText": "#ff6b6b",
        "Link": _DARK.accent,
        "Highlight": "#6a5cff",
        "HighlightedText": "#ffffff",
        "Mid": "#3a3a44",
        "Midlight": "#34343c",
        "Dark": "#111114",
        "Shadow": "#000000",
        "Disabled": "#6e6e78",
    },
    "light": {
        "Window": "#f3f3f6",
        "WindowText": "#1d1d22",
        "Base": "#ffffff",
        "AlternateBase": "#f6f6f9",
        "ToolTipBase": "#ffffff",
        "ToolTipText": "#1d1d22",
        "PlaceholderText": "#8b8b95",
        "Text": "#1d1d22",
        "Button": "#ebebf0",
        "ButtonText": "#1d1d22",
        "Link": _LIGHT.accent,
        "Highlight": "#5b4bdb",
        "HighlightedText": "#ffffff",
        "Disabled": "#a0a0aa",
    },
}


def _scheme_of(palette: QPalette) -> str:
    """``dark`` when ``palette``'s window colour is dark, else ``light``."""
    return "dark" if palette.color(QPalette.ColorRole.Window).lightness() < 128 else "light"


def _palette(scheme: str) -> QPalette:
    """The Fusion palette for ``scheme`` (``dark`` or ``light``)."""
    p = QPalette()
    colours = dict(_PALETTES[scheme])
    disabled = QColor(colours.pop("Disabled"))
    for role, colour in colours.items():
        p.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


class ThemeManager(QObject):
    """Applies the palette for the system's scheme and re-applies it when the system changes.

    ``forced`` ("light"/"dark") overrides the system (tests and screenshots use it).
    ``set_style=False`` when the application was created with ``-style Fusion`` already.
    ``guess_system=True`` (start-up): until :meth:`confirm_system_scheme`, the system's scheme
    is read from the platform's palette (a dark window colour: dark) instead of
    ``QStyleHints.colorScheme()``, whose answer is a ``Qt`` enum, and PySide builds the whole
    ``Qt`` namespace for it (15–30 ms before the first paint).
    """

    changed = Signal()

    def __init__(
        self,
        app: QApplication,
        forced: str | None = None,
        *,
        set_style: bool = True,
        guess_system: bool = False,
    ):
        super().__init__(app)
        global _manager
        _manager = self  # the one the preference goes to (the latest made)
        self._app = app
        self._forced = forced
        # The platform's own palette, before ours replaces it: what the guess reads.
        self._guess: str | None = _scheme_of(app.palette()) if guess_system else None
        if set_style:
            app.setStyle("Fusion")
        QGuiApplication.styleHints().colorSchemeChanged.connect(
            self._on_style_hints_color_scheme_changed
        )
        self.apply()

    def scheme(self) -> str:
        """``dark`` or ``light``: the forced scheme, else the system's (unknown → light)."""
        if self._forced in ("light", "dark"):
            return self._forced
        if self._guess is not None:
            return self._guess
        from PySide6.QtCore import Qt

        scheme = QGuiApplication.styleHints().colorScheme()
        return "dark" if scheme == Qt.ColorScheme.Dark else "light"

    def confirm_system_scheme(self) -> None:
        """Ask the system for its scheme from now on (after the first paint); the colours
        change only when the start-up guess was wrong."""
        if self._guess is None:
            return
        guessed = self.scheme()
        self._guess = None
        if self.scheme() != guessed:
            self.apply()

    def force(self, scheme: str | None) -> None:
        """Use ``scheme`` regardless of the system (``None``: follow the system again)."""
        self._forced = scheme
        self.apply()

    def apply(self) -> None:
        global _current
        dark = self.scheme() == "dark"
        _current = _DARK if dark else _LIGHT
        self._app.setPalette(_palette("dark" if dark else "light"))
        for widget in QApplication.allWidgets():
            if widget.property("themeStyle"):
                apply_style(widget, str(widget.property("themeStyle")))
            if widget.property("role") is not None:
                _apply_role(widget)
        # Re-tint the icons drawn so far; before the icon module is loaded there are none
        # (and loading it here would cost start-up ~8 ms for nothing).
        icons = sys.modules.get(f"{__package__}.icons")
        if icons is not None:
            icons.refresh_icons()
        self.changed.emit()

    def _on_style_hints_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        self._guess = None  # the system said it: no more guessing
        self.apply()


_manager: ThemeManager | None = None


def set_scheme_preference(preference: str) -> None:
    """Use the user's colour scheme (``system``, ``light`` or ``dark``; anything else counts as
    ``system``) from now on, re-colouring every widget at once. Nothing happens before a
    :class:`ThemeManager` exists or when the scheme in use would not change."""
    if _manager is None:
        return
    forced = preference if preference in ("light", "dark") else None
    if forced != _manager._forced:
        _manager.force(forced)


#: The widgets that need more than a palette: a style sheet of their own, by style name.
_STYLES = {
    "offlineBanner": lambda c: (
        f"""
        QFrame#offlineBanner {{ background: {c.banner_bg}; border-radius: 6px; }}
        QFrame#offlineBanner QLabel {{ color: {c.banner_fg}; }}"""
    ),
    "dropZone": lambda c: (
        f"""
        QFrame#imageDropZone {{ background: {c.drop_bg}; border: 2px dashed {c.drop_border};
            border-radius: 10px; }}
        QFrame#imageDropZone[dragActive="true"] {{ border: 2px solid {c.accent}; }}
        QFrame#imageDropZone[invalid="true"] {{ border: 2px solid {c.error}; }}"""
    ),
    "textBox": lambda c: (
        f"""
        QPlainTextEdit[invalid="true"] {{ border: 2px solid {c.error}; border-radius: 4px; }}"""
    ),
    "primaryButton": lambda c: (
        f"""
        QPushButton {{ padding: 8px 18px; font-weight: 600; }}
        QPushButton:enabled {{ background: {c.button}; color: white;
            border: 1px solid {c.button}; border-radius: 6px; }}
        QPushButton:enabled:hover {{ background: {c.accent}; }}
        QPushButton:disabled {{ background: palette(button); color: {c.muted};
            border: 1px solid {c.drop_border}; border-radius: 6px; }}"""
    ),
    "linkButton": lambda c: (
        f"""
        QPushButton {{ text-align: left; color: {c.accent}; border: none; padding: 2px 0;
            text-decoration: underline; }}"""
    ),
}


def apply_style(widget: QWidget, name: str) -> None:
    """Give ``widget`` the style sheet ``name`` (offlineBanner, dropZone, textBox,
    primaryButton, linkButton) in the current scheme's colours; a change of scheme
    re-applies it."""
    widget.setProperty("themeStyle", name)
    widget.setStyleSheet(_STYLES[name](_current))


def set_role(widget: QWidget, role: str, *, bold: bool | None = None) -> None:
    """Give a label the look of ``role``: ``muted``, ``warning`` or ``error`` text, a bold
    ``heading``, or ``""`` for plain text. ``bold`` overrides the weight (a heading is bold).
    Done with the widget's palette and font; a change of scheme re-applies the colour."""
    if widget.property("role") == role and bold is None:
        return
    from PySide6.QtGui import QFont  # not before the first paint: its type costs ~2 ms to set up

    widget.setProperty("role", role)
    weight = bold if bold is not None else role == "heading"
    font = widget.font()
    if font.bold() != weight:
        font.setWeight(QFont.Weight.DemiBold if weight else QFont.Weight.Normal)
        widget.setFont(font)
    _apply_role(widget)


def _apply_role(widget: QWidget) -> None:
    colour = {
        "muted": _current.muted,
        "warning": _current.warning,
        "error": _current.error,
    }.get(str(widget.property("role") or ""))
    palette = QPalette()  # nothing set: everything comes from the parent, as before
    if colour is not None:
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        palette.setColor(QPalette.ColorRole.Text, QColor(colour))
    widget.setPalette(palette)
