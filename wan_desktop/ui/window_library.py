"""Where the library pane sits in the main window, and whether it shows.

Shown or hidden is the user's choice (the View menu's Library action, Ctrl+L, and the
``libraryToggleButton`` at the right of the menu bar), remembered in the window state. Where it
shows follows the window's width: beside the player as a third splitter pane when the three
panes fit at their minimum widths (with a little room to spare), else as a "Library" tab beside
the composer's "Compose" tab (``composeTabs``), so the window never needs more width than a
laptop screen has. The window's minimum width is the tabbed one: it can always shrink back.
GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow, QSplitter, QTabWidget, QToolButton, QWidget

from . import window_layout
from .naming import named
from .window_menus import make_action

__all__ = ["BESIDE_SLACK", "LibraryDock"]

#: Room beyond the three panes' minimum widths before the library goes beside them: at the
#: bare minimum every pane would be at its narrowest at once.
BESIDE_SLACK = 24


def _need(widget: QWidget) -> int:
    """The width a splitter gives ``widget`` at the least (Qt's smart minimum)."""
    return max(widget.minimumWidth(), widget.minimumSizeHint().width())


class LibraryDock(QObject):
    """Places ``pane`` in ``window``'s ``splitter`` (beside ``composer`` and the work area) or
    in tabs with ``composer``. ``action`` (checkable, Ctrl+L) and ``button`` show and hide it;
    ``view_changed()`` is called whenever the library may have come into view or left it."""

    def __init__(
        self,
        window: QMainWindow,
        splitter: QSplitter,
        composer: QWidget,
        pane: QWidget,
        title: str,
        view_changed: Callable[[], object],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._splitter = splitter
        self._composer = composer
        self.pane = pane
        self._title = title
        self._view_changed = view_changed
        self.shown = False
        self.tabs: QTabWidget | None = None  # made the first time the library is tabbed
        self.action = make_action(
            window, f"&{title}", "showLibraryAction", self._on_action_triggered, ["Ctrl+L"]
        )
        self.action.setCheckable(True)
        self.action.setStatusTip("Show or hide the library (Ctrl+L)")
        self.button = named(QToolButton(), "libraryToggleButton", f"Show {title.lower()}")
        self.button.setDefaultAction(self.action)
        self.button.setText(title)
        self.button.setToolTip(f"Show or hide the {title.lower()} (Ctrl+L)")
        self.button.setAutoRaise(True)
        from PySide6.QtCore import Qt  # not at import: before the first paint (see theme)

        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        splitter.addWidget(pane)
        splitter.setStretchFactor(splitter.indexOf(pane), 3)
        pane.hide()

    # ---- what the window asks -----------------------------------------------------------------

    def is_beside(self) -> bool:
        """Whether the library is a pane of its own beside the others (not a tab)."""
        return self._splitter.indexOf(self.pane) >= 0

    def is_tabbed(self) -> bool:
        """Whether the library is the composer's neighbour tab."""
        return self.tabs is not None and self.tabs.indexOf(self.pane) >= 0

    def is_in_view(self) -> bool:
        """Whether the library is on screen now (beside, or its tab is the current one)."""
        return self.shown and self.pane.isVisibleTo(self._window)

    def beside_width(self) -> int:
        """The window width from which the library goes beside the other panes, in pixels."""
        margins = self._window.centralWidget().layout().contentsMargins()
        handle = self._splitter.handleWidth()
        work = self._splitter.widget(1)
        panes = _need(self._composer) + _need(work) + _need(self.pane)
        return margins.left() + margins.right() + panes + 2 * handle + BESIDE_SLACK

    def set_shown(self, shown: bool, *, bring_forward: bool = True) -> None:
        """Show or hide the library; ``bring_forward``: when tabbed, make its tab current."""
        self.shown = shown
        self.action.setChecked(shown)
        self.place(bring_forward=bring_forward)

    def restore(self, layout: dict[str, str]) -> None:
        """Put back the remembered splitter state and shown state (``layout``: the window
        state's); with none remembered the library shows when it fits beside the others."""
        state = window_layout.decode_state(layout.get("main_splitter"))
        if state is not None:
            self._splitter.restoreState(state)
        remembered = layout.get("library_visible")
        fits = self._window.width() >= self.beside_width()
        self.set_shown(fits if remembered is None else remembered == "1", bring_forward=False)

    def show_in_view(self) -> None:
        """Show the library and bring it in front (its tab current when tabbed)."""
        if self.shown and self.is_tabbed():
            assert self.tabs is not None
            self.tabs.setCurrentWidget(self.pane)
            return
        self.set_shown(True)

    def show_composer(self) -> None:
        """Bring the composer in front when it shares its place with the library."""
        if self.is_tabbed():
            assert self.tabs is not None
            self.tabs.setCurrentWidget(self._composer)

    def around_the_player(self) -> list[QWidget]:
        """The library's part of what full screen hides: the left column when tabbed (the
        composer's part too), else the pane."""
        left = self._splitter.widget(0)
        return [left] if left is not self._composer else [self.pane]

    # ---- placing ------------------------------------------------------------------------------

    def place(self, *, bring_forward: bool = False) -> None:
        """Put the library where the window's width says (call on every resize)."""
        beside = self._window.width() >= self.beside_width()
        if not self.shown:
            self._untab()
            self.pane.hide()
        elif beside:
            self._untab()
            self.pane.show()
        else:
            self._tab(bring_forward)
        self._limit_window_width()
        self._view_changed()

    def _untab(self) -> None:
        if self.tabs is None or self._splitter.indexOf(self.tabs) < 0:
            return
        self._splitter.replaceWidget(0, self._composer)
        self._splitter.addWidget(self.pane)
        self._splitter.setStretchFactor(self._splitter.indexOf(self.pane), 3)
        self._composer.show()
        self._share_out()

    def _share_out(self) -> None:
        """Sizes for the three panes when the library comes beside them: the composer a third
        (within its limits), the rest to the player and the library, 55 to 45."""
        splitter = self._splitter
        total = splitter.width() - 2 * splitter.handleWidth()
        composer = min(max(total // 3, _need(self._composer)), self._composer.maximumWidth())
        rest = total - composer
        library = max(rest * 45 // 100, _need(self.pane))
        splitter.setSizes([composer, rest - library, library])

    def _tab(self, bring_forward: bool) -> None:
        if self.tabs is None:
            self.tabs = named(QTabWidget(), "composeTabs", "Compose or library")
            self.tabs.setDocumentMode(True)
            self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        tabs = self.tabs
        if self._splitter.indexOf(tabs) < 0:
            self._splitter.replaceWidget(0, tabs)
            tabs.addTab(self._composer, "Compose")
            # The composer's width (perhaps its cap, on a wide window) is not the tabs' share.
            total = self._splitter.width() - self._splitter.handleWidth()
            left = max(total * 2 // 5, _need(tabs))
            self._splitter.setSizes([left, total - left])
        if tabs.indexOf(self.pane) < 0:
            tabs.addTab(self.pane, self._title)
            tabs.setCurrentWidget(self.pane if bring_forward else self._composer)
        elif bring_forward:
            tabs.setCurrentWidget(self.pane)

    def _limit_window_width(self) -> None:
        """The window may always shrink to the tabbed layout's width (the library then moves
        into its tab): the three panes' sum is never the window's minimum."""
        margins = self._window.centralWidget().layout().contentsMargins()
        left = max(_need(self._composer), _need(self.pane) if self.shown else 0)
        work = _need(self._splitter.widget(1))
        tabbed = margins.left() + margins.right() + left + work + self._splitter.handleWidth()
        self._window.setMinimumWidth(tabbed)

    def _on_tabs_current_changed(self, _index: int) -> None:
        self._view_changed()

    def _on_action_triggered(self, checked: bool) -> None:
        self.set_shown(checked)
