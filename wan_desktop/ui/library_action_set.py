"""The library's clip actions (GUI thread): one ``QAction`` each, with its shortcut, icon and
tip; the toolbar and its "More" menu, the grid's context menu, and which actions are enabled.

The actions do nothing by themselves: the pane connects each one's ``triggered``. Their
shortcuts work anywhere in the pane (``WidgetWithChildrenShortcut``), except Delete, which
works only on the grid (in the search box it deletes text), and Ctrl+F, which works anywhere in
the window.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QToolButton, QWidget

from .icons import set_icon, standard_icon
from .naming import named

__all__ = ["LibraryActionSet"]

# attribute, text, objectName, shortcut, icon, tip. The icon: a QStyle.StandardPixmap name
# (SP_…), or one of our SVGs tinted to the palette for those drawn on the toolbar (the style's
# are black whatever the scheme).
_ACTIONS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("play_action", "Play", "libraryPlayAction", "Ctrl+P", "play",
     "Play in the player (or double-click)"),
    ("reuse_action", "Reuse all settings", "libraryReuseAction", "Ctrl+R", "SP_BrowserReload",
     "Exact re-run: the same image, prompt, options and seed"),
    ("reuse_seed_action", "Reuse with a new seed", "libraryReuseNewSeedAction", "Ctrl+Shift+R",
     "", ""),
    ("reuse_prompt_action", "Reuse the prompt only", "libraryReusePromptAction", "Ctrl+Alt+R",
     "", ""),
    ("continue_action", "Continue from the last frame", "libraryContinueAction", "Ctrl+Shift+N",
     "frame_forward",
     "The clip's exact last frame becomes the new image; the next video is linked to this one"),
    ("contact_sheet_action", "Open contact sheet", "libraryContactSheetAction", "Ctrl+Shift+G",
     "", "Play a take group, or 2 to 9 selected clips, side by side on one clock"),
    ("compare_action", "Compare two clips", "libraryCompareAction", "Ctrl+Shift+K", "",
     "Frame-locked A/B compare of the two selected clips: side by side, wipe, difference"),
    ("chain_sequence_action", "Make a sequence from this chain", "librarySequenceFromChainAction",
     "Ctrl+Shift+L", "",
     "The clip's continue-chain, from the first clip to the latest, as a new sequence"),
    ("add_to_sequence_action", "Add to sequence", "libraryAddToSequenceAction", "Ctrl+Shift+A",
     "", "Add the selected clips to the end of the open sequence (or a new one)"),
    ("favourite_action", "Favourite", "libraryFavouriteAction", "Ctrl+D", "", ""),
    ("reveal_action", "Show in file manager", "libraryRevealAction", "Ctrl+Shift+O",
     "SP_DirOpenIcon", ""),
    ("open_external_action", "Open in system player", "libraryOpenExternalAction",
     "Ctrl+Shift+P", "", ""),
    ("copy_path_action", "Copy file path", "libraryCopyPathAction", "Ctrl+Shift+C", "", ""),
    ("export_action", "Export…", "libraryExportAction", "Ctrl+E", "SP_DialogSaveButton",
     "Copy the clip out, named by a template"),
    ("trash_action", "Move to trash", "libraryTrashAction", "Del", "SP_TrashIcon", ""),
    ("restore_action", "Restore", "libraryRestoreAction", "Ctrl+Shift+Z",
     "SP_DialogResetButton", ""),
    ("empty_trash_action", "Empty trash…", "libraryEmptyTrashAction", "", "", ""),
    ("import_action", "Import video…", "libraryImportAction", "", "SP_ArrowDown",
     "Copy an MP4 into the library (or drop it on the grid)"),
    ("find_action", "Find", "libraryFindAction", "Ctrl+F", "", ""),
)  # fmt: skip


def _make_action(host: QWidget, text: str, name: str, shortcut: str, icon: str, tip: str):
    action = QAction(text, host)
    action.setObjectName(name)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        tip = f"{tip or text} ({keys})"
    if icon.startswith("SP_"):
        action.setIcon(standard_icon(icon))
    elif icon:
        set_icon(action, icon)
    action.setToolTip(tip or text)
    action.setStatusTip(tip or text)
    host.addAction(action)
    return action


class LibraryActionSet(QObject):
    """The pane's actions (``play_action`` … ``find_action``), its ``toolbar`` (with the
    ``more_button`` menu) and :meth:`context_menu`. ``host`` owns the actions and scopes their
    shortcuts; ``grid`` scopes Delete."""

    play_action: QAction
    reuse_action: QAction
    reuse_seed_action: QAction
    reuse_prompt_action: QAction
    continue_action: QAction
    contact_sheet_action: QAction
    compare_action: QAction
    chain_sequence_action: QAction
    add_to_sequence_action: QAction
    favourite_action: QAction
    reveal_action: QAction
    open_external_action: QAction
    copy_path_action: QAction
    export_action: QAction
    trash_action: QAction
    restore_action: QAction
    empty_trash_action: QAction
    import_action: QAction
    find_action: QAction

    def __init__(self, host: QWidget, grid: QWidget):
        super().__init__(host)
        self._host = host
        for attribute, *spec in _ACTIONS:
            setattr(self, attribute, _make_action(host, *spec))
        self.find_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.favourite_action.setCheckable(True)
        host.removeAction(self.trash_action)
        grid.addAction(self.trash_action)
        self.trash_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.more_button = named(QToolButton(), "libraryMoreButton", "More actions")
        self.toolbar = self._build_toolbar()

    def _build_toolbar(self) -> QToolBar:
        toolbar = named(QToolBar(), "libraryToolbar", "Clip actions")
        toolbar.setIconSize(QSize(16, 16))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.play_action, self.reuse_action, self.continue_action):
            toolbar.addAction(a)
        more = QMenu(self._host)
        for a in (self.reuse_seed_action, self.reuse_prompt_action, None,
                  self.contact_sheet_action, self.compare_action, None,
                  self.chain_sequence_action, self.add_to_sequence_action, None,
                  self.favourite_action,
                  self.export_action, self.reveal_action, self.open_external_action,
                  self.copy_path_action, None, self.import_action):  # fmt: skip
            more.addSeparator() if a is None else more.addAction(a)
        self.more_button.setText("More")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setMenu(more)
        toolbar.addWidget(self.more_button)
        toolbar.addSeparator()
        for a in (self.trash_action, self.restore_action, self.empty_trash_action):
            toolbar.addAction(a)
        # A toolbar's buttons take no focus by default: keyboard users could not reach them,
        # nor the » button that holds what does not fit.
        buttons = [toolbar.widgetForAction(a) for a in toolbar.actions()]
        overflow = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
        if overflow is not None:
            # The style's own » is black whatever the scheme: a tinted one follows the palette.
            set_icon(overflow, "overflow")
            overflow.setAccessibleName("More clip actions")
            overflow.setToolTip("More clip actions")
            buttons.append(overflow)
        for button in buttons:
            if isinstance(button, QToolButton):
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return toolbar

    def clip_actions(self) -> tuple[QAction, ...]:
        """The actions that need a current clip, whichever view (library or trash) shows."""
        return (self.play_action, self.reuse_action, self.reuse_seed_action,
                self.reuse_prompt_action, self.continue_action, self.reveal_action,
                self.open_external_action, self.copy_path_action, self.export_action,
                self.favourite_action)  # fmt: skip

    def sync(self, has_current: bool, trash_shown: bool, any_clips: bool) -> None:
        """Enable what applies: clip actions with a current clip; Move to trash in the library,
        Restore and Empty trash in the trash (Empty trash only when the grid shows clips)."""
        for a in self.clip_actions():
            a.setEnabled(has_current)
        self.contact_sheet_action.setEnabled(has_current and not trash_shown)
        self.chain_sequence_action.setEnabled(has_current and not trash_shown)
        self.add_to_sequence_action.setEnabled(has_current and not trash_shown)
        self.trash_action.setEnabled(has_current and not trash_shown)
        self.trash_action.setVisible(not trash_shown)
        self.restore_action.setEnabled(has_current and trash_shown)
        self.restore_action.setVisible(trash_shown)
        self.empty_trash_action.setVisible(trash_shown)
        self.empty_trash_action.setEnabled(trash_shown and any_clips)

    def sync_selection(self, selected: int, trash_shown: bool) -> None:
        """Enable Compare for exactly two ``selected`` clips outside the trash."""
        self.compare_action.setEnabled(selected == 2 and not trash_shown)

    def context_menu(self, trash_shown: bool) -> QMenu:
        """The grid's context menu (``libraryContextMenu``, deleted when closed): play, the
        reuses, the file actions, then Restore in the trash or Move to trash elsewhere."""
        menu = QMenu(self._host)
        menu.setObjectName("libraryContextMenu")
        groups = [
            [self.play_action]
            + ([] if trash_shown else [self.contact_sheet_action, self.compare_action]),
            [self.reuse_action, self.reuse_seed_action, self.reuse_prompt_action,
             self.continue_action],
            [] if trash_shown else [self.chain_sequence_action, self.add_to_sequence_action],
            [self.favourite_action, self.export_action, self.reveal_action,
             self.open_external_action, self.copy_path_action],
            [self.restore_action] if trash_shown else [self.trash_action],
        ]  # fmt: skip
        groups = [group for group in groups if group]
        for i, group in enumerate(groups):
            if i:
                menu.addSeparator()
            for a in group:
                menu.addAction(a)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return menu
