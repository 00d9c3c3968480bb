"""Where sequences meet the window: the Sequences dock (``sequencesDock``, View → Sequences,
Ctrl+Shift+S) holding the :class:`~.sequence_pane.SequencePane`, the library's "Make a
sequence from this chain" (Ctrl+Shift+L; also a button in the details of a clip that is part
of a chain) and "Add to sequence" (Ctrl+Shift+A), and the window's player playing a rendered
sequence with its seams marked. Whether the dock was shown is remembered between runs (the
window's layout memory, ``window_layout.DOCK_KEYS``). GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QBoxLayout, QDockWidget, QPushButton

from ..core.text import excerpt
from . import window_layout
from .async_bridge import run_blocking
from .chain_chooser import ask_branch
from .naming import named
from .sequence_pane import SequencePane
from .sequence_service import ChainCancelled, SequenceService

if TYPE_CHECKING:
    from .library_pane import LibraryPane
    from .main_window import MainWindow
    from .seek_marks import Mark

__all__ = ["SequenceLink"]


class SequenceLink(QObject):
    """Builds the Sequences dock into ``window`` and links ``pane``'s (the library's) sequence
    actions to it. ``sequences`` is the :class:`SequencePane`; ``dock`` its dock."""

    def __init__(self, window: MainWindow, pane: LibraryPane) -> None:
        super().__init__(window)
        self._window = window
        self._pane = pane
        self.service = SequenceService(lambda: pane.actions.library)
        self.sequences = SequencePane(self.service, window.tasks,
                                      window.services.paths.cache, self.play_file)  # fmt: skip
        self.dock = QDockWidget("Sequences", window)
        self.dock.setObjectName("sequencesDock")
        self.dock.setWidget(self.sequences)
        self.dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea
                                  | Qt.DockWidgetArea.TopDockWidgetArea)  # fmt: skip
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        remembered = window_layout.dock_shown(window.services.store.window.layout,
                                              "sequencesDock")  # fmt: skip
        self.dock.setVisible(remembered)
        self.last_task = None
        toggle = self.dock.toggleViewAction()
        toggle.setText("&Sequences")
        toggle.setObjectName("showSequencesAction")
        toggle.setShortcut("Ctrl+Shift+S")
        toggle.setStatusTip("Show or hide the sequences (Ctrl+Shift+S)")
        window.addAction(toggle)
        window.view_menu.insertAction(window.show_jobs_action, toggle)
        self.dock.visibilityChanged.connect(self._on_dock_visibility_changed)
        pane.actions.library_listeners.append(self._on_library_opened)
        actions = pane.action_set
        actions.chain_sequence_action.triggered.connect(self._on_chain_sequence_triggered)
        actions.add_to_sequence_action.triggered.connect(self._on_add_to_sequence_triggered)
        self.sequences.statusMessage.connect(self._on_status_message)
        self.sequences.playClipRequested.connect(self._on_play_clip_requested)
        self.details_button = self._details_button()
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        # Closing the window stops the renders and an export first: their workers end at the
        # next frame instead of keeping the executor (and the app's exit) waiting.
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.sequences.stop_work()
        return False

    # ---- the dock -----------------------------------------------------------------------------

    def show_dock(self) -> None:
        """Show the Sequences dock (and list the sequences the first time)."""
        self.dock.show()
        self.dock.raise_()

    def _on_dock_visibility_changed(self, visible: bool) -> None:
        # Listed again each time it shows: the command line may have made or deleted some.
        # Shown at start-up (remembered) before the library is open: listed once it opens.
        if visible and self._pane.actions.library is not None:
            self._spawn(self.sequences.refresh(), "List the sequences")

    def _on_library_opened(self, library: Any) -> None:
        if library is not None and not self.dock.isHidden():
            self._spawn(self.sequences.refresh(), "List the sequences")

    def _spawn(self, coro, what: str):
        self.last_task = self._window.tasks.spawn(coro, what, self)
        return self.last_task

    def _on_status_message(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 8000)

    # ---- the player ---------------------------------------------------------------------------

    def play_file(self, path: Path, title: str, marks: list[Mark]) -> None:
        """Play the rendered sequence ``path`` in the window's player, its seams marked."""
        player = self._window.player
        player.load(path, title=f"{title} (sequence preview)")
        player.set_marks(marks)

    def _on_play_clip_requested(self, entry_id: str) -> None:
        self._spawn(self._pane.actions.play(entry_id), "Play the clip")

    # ---- from the library ---------------------------------------------------------------------

    def _chosen_ids(self) -> list[str]:
        view = self._pane.view
        current = self._pane.current_id()
        return view.selected_ids() or ([current] if current else [])

    def _on_chain_sequence_triggered(self, _checked: bool = False) -> None:
        current = self._pane.current_id()
        if current is not None:
            self._spawn(self.sequence_from_chain(current), "Make a sequence from the chain")

    def _on_add_to_sequence_triggered(self, _checked: bool = False) -> None:
        ids = self._chosen_ids()
        if ids:
            self.show_dock()
            self._spawn(self.sequences.add_clips(ids), "Add to the sequence")

    async def sequence_from_chain(self, entry_id: str) -> Any:
        """Make and open a sequence of the continue-chain through ``entry_id`` (asking which
        branch where a clip was continued more than once)."""
        library = self._pane.actions.library
        if library is None:
            self._on_status_message("The library is still opening; try again in a moment.")
            return None

        async def choose(parent_id: str, children: list[Any]) -> str | None:
            parent = await run_blocking(library.get, parent_id)
            title = parent.title or excerpt(parent.prompt, 60) or parent.id
            return await ask_branch(self._window, title, children)

        try:
            ids = await self.service.chain(entry_id, choose)
        except ChainCancelled as exc:
            self._on_status_message(str(exc))
            return None
        if len(ids) < 2:
            self._on_status_message(
                "This clip continues none and was not continued: there is no chain. "
                "Add to sequence (Ctrl+Shift+A) puts it in a sequence of your own."
            )
            return None
        first = await run_blocking(library.get, ids[0])
        name = f"Chain: {excerpt(first.title or first.prompt, 60) or first.id}"
        self.show_dock()
        return await self.sequences.create(name, ids)

    # ---- the details --------------------------------------------------------------------------

    def _details_button(self) -> QPushButton | None:
        """A "Make a sequence from this chain" button under the details' parent link, shown
        for a clip that continues another (or was continued)."""
        details = getattr(self._pane, "details", None)
        link = getattr(details, "parent_link", None)
        holder = link.parentWidget() if link is not None else None
        layout = holder.layout() if holder is not None else None
        if not isinstance(layout, QBoxLayout):
            return None
        text = "Make a sequence from this chain"
        button = named(QPushButton(text), "librarySequenceFromChainButton", text)
        button.setToolTip(self._pane.action_set.chain_sequence_action.toolTip())
        button.clicked.connect(self._on_chain_sequence_triggered)
        layout.insertWidget(layout.indexOf(link) + 1, button, 0, Qt.AlignmentFlag.AlignLeft)
        button.hide()
        details.entryShown.connect(self._on_details_entry_shown)
        return button

    def _on_details_entry_shown(self, entry: Any) -> None:
        button = self.details_button
        if button is None:
            return
        if entry is None:
            button.hide()
            return
        if entry.parent_id:
            button.show()
            return
        button.hide()
        self._spawn(self._show_if_continued(entry.id), "Look for continuations")

    async def _show_if_continued(self, entry_id: str) -> None:
        library = self._pane.actions.library
        if library is None:
            return
        children = await run_blocking(library.children_of, entry_id)
        if children and self._pane.current_id() == entry_id and self.details_button is not None:
            self.details_button.show()
