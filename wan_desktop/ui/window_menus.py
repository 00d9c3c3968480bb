"""The main window's menus as one table: each action's text, object name, window method,
shortcuts, status tip and menu role, in menu order (``None`` is a separator).

:func:`build_menus` makes the actions, sets each as an attribute of the window (``open_action``
...) and adds it to the window too, so its shortcut works with the menu bar hidden (full
screen).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

__all__ = ["MENUS", "ActionSpec", "build_choice_menu", "build_menus", "make_action"]

Key = QKeySequence.StandardKey
Role = QAction.MenuRole


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One menu action. ``attr``: the window attribute that holds it; ``slot``: the window
    method it triggers, or a pane's public method (``"player.toggle"``, looked up when
    triggered: the panes are built after the menus); ``checked``: checkable, and checked at
    first, when not None; ``widget_shortcut``: the shortcut belongs to a widget (Space: the
    player's own)."""

    attr: str
    text: str
    name: str
    slot: str
    shortcuts: tuple[str | QKeySequence.StandardKey, ...] = ()
    tip: str = ""
    role: QAction.MenuRole | None = None
    checked: bool | None = None
    widget_shortcut: bool = False


_ = ActionSpec
#: (window attribute of the menu, its actions in order; None: a separator)
MENUS: tuple[tuple[str, tuple[ActionSpec | None, ...]], ...] = (
    (
        "file_menu",
        (
            _("open_action", "&Open image…", "openImageAction", "composer.browse_image",
              (Key.Open,), "Choose the input image"),
            _("paste_action", "&Paste image", "pasteImageAction", "_on_paste_action_triggered",
              (Key.Paste,), "Use the image (or image link) on the clipboard"),
            None,
            _("settings_action", "&Settings…", "settingsAction", "open_settings", ("Ctrl+,",),
              "fal key, engine, defaults, library folder", Role.PreferencesRole),
            _("open_library_folder_action", "Show &library folder", "openLibraryFolderAction",
              "dialogs.open_library_folder"),
            None,
            _("quit_action", "&Quit", "quitAction", "close", (Key.Quit, "Ctrl+Q"),
              role=Role.QuitRole),
        ),
    ),
    (
        "video_menu",
        (
            _("generate_action", "&Generate", "generateAction", "_on_generate_action_triggered",
              ("Ctrl+Return", "Ctrl+Enter"), "Queue a video with these inputs"),
            _("play_action", "&Play / pause\tSpace", "playPauseAction",
              "player.toggle", widget_shortcut=True),
            _("shots_action", "Insert &shot lines", "insertShotsAction",
              "composer.insert_shots", ("Ctrl+Shift+M",)),
            _("clear_action", "&Clear image", "clearImageAction", "composer.clear_image"),
        ),
    ),
    (
        "view_menu",
        (
            _("show_jobs_action", "&Jobs", "showJobsAction", "_on_show_jobs_action_toggled",
              ("Ctrl+J",), checked=True),
            _("full_screen_action", "&Full-screen video", "fullScreenAction",
              "player.toggle_full_screen", ("Ctrl+Shift+F",)),
            None,
            _("reset_layout_action", "&Reset layout", "resetLayoutAction", "reset_layout"),
        ),
    ),
    (
        "help_menu",
        (
            _("welcome_action", "&Welcome", "welcomeAction", "show_welcome"),
            None,
            _("open_logs_action", "Open &logs folder", "openLogsAction",
              "dialogs.open_logs_folder"),
            _("copy_diagnostics_action", "&Copy diagnostics", "copyDiagnosticsAction",
              "dialogs.copy_diagnostics_soon"),
            None,
            _("about_action", "&About Wan Desktop", "aboutAction", "dialogs.about",
              role=Role.AboutRole),
        ),
    ),
)  # fmt: skip
del _


def make_action(
    window: QMainWindow,
    text: str,
    name: str,
    slot: Callable[..., object],
    shortcuts: Sequence[str | QKeySequence.StandardKey] = (),
    tip: str = "",
) -> QAction:
    """One action of ``window``, its shortcut live even with the menu bar hidden."""
    action = QAction(text, window)
    action.setObjectName(name)
    if shortcuts:
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    window.addAction(action)
    return action


def _slot(window: QMainWindow, path: str) -> Callable[..., object]:
    if "." not in path:
        return getattr(window, path)
    return lambda *_args: attrgetter(path)(window)()


def _build_action(window: QMainWindow, spec: ActionSpec) -> QAction:
    slot = _slot(window, spec.slot)
    action = make_action(window, spec.text, spec.name, slot, spec.shortcuts, spec.tip)
    if spec.role is not None:
        action.setMenuRole(spec.role)
    if spec.checked is not None:
        action.setCheckable(True)
        action.setChecked(spec.checked)
    if spec.widget_shortcut:
        from PySide6.QtCore import Qt  # not at import: before the first paint (see theme)

        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    return action


def build_menus(
    window: QMainWindow, menus: Sequence[tuple[str, Sequence[ActionSpec | None]]]
) -> None:
    """Fill the window's menus (attributes named in ``menus``) from the table."""
    for menu_attr, specs in menus:
        menu: QMenu = getattr(window, menu_attr)
        for spec in specs:
            if spec is None:
                menu.addSeparator()
                continue
            action = _build_action(window, spec)
            setattr(window, spec.attr, action)
            menu.addAction(action)


def build_choice_menu(
    window: QMainWindow,
    menu: QMenu,
    title: str,
    name: str,
    choices: Sequence[tuple[str, str]],
    current: str,
    choose: Callable[[str], object],
) -> dict[str, QAction]:
    """A submenu ``title`` of ``menu`` whose items (``choices``: value, label) are exclusive:
    ``current`` checked, ``choose(value)`` when one is picked. Each action is named
    ``name`` + the capitalised value + ``Action`` (``schemeDarkAction``); returns them by value."""
    submenu = menu.addMenu(title)
    submenu.setObjectName(f"{name}Menu")
    group = QActionGroup(submenu)
    group.setExclusive(True)
    actions: dict[str, QAction] = {}
    for value, label in choices:
        action = make_action(window, f"&{label}", f"{name}{value.capitalize()}Action",
                             lambda _checked=False, v=value: choose(v))  # fmt: skip
        action.setCheckable(True)
        action.setChecked(value == current)
        group.addAction(action)
        submenu.addAction(action)
        actions[value] = action
    return actions
