"""The main window: composer | player over jobs | (later) library, in remembered splitters.
On a narrow window the library is a tab beside the composer instead (``window_library``).

The window drives services it is given (:class:`~.window_services.WindowServices`: paths, the
settings store, the key store, the runner and the library); it never builds them. ``app.py``
is the composition root. The runner may arrive after the window is shown
(:meth:`MainWindow.attach_runner`): the window paints first, the engine starts behind it.

Its pieces live beside it: the menus are a table (``window_menus``), queueing a job is a plain
service (``generate_flow``) that ``window_generate`` drives (the runner, Generate), the
runner's events reach the panes through ``jobs_link``, the dialogs open through
``window_dialogs``, full screen has its own controller (``full_screen``), the layout memory
its own functions (``window_layout``), the library's place and toggle ``window_library``, the
library's links to the other parts (contact sheet, compare, shot marks, sequences)
``window_links``, the status line's one-action notices ``window_notices`` and the
window-wide keys (Space, F, Ctrl+F, Ctrl+Z) ``window_keys``. The window calls only public
methods of its panes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from . import window_layout
from .async_bridge import TaskKeeper
from .full_screen import FullScreenController
from .pane_box import PaneBox
from .theme import SCHEMES, colors
from .window_dialogs import WindowDialogs
from .window_generate import WindowGenerateMixin
from .window_notices import WindowNotices

if TYPE_CHECKING:  # imported where first used: none of them is needed for the first paint
    from PySide6.QtGui import QAction, QCloseEvent, QResizeEvent

    from .banner import OfflineBanner
    from .composer import Composer
    from .generate_flow import GenerateFlow
    from .jobs_link import JobsLink
    from .jobs_panel import JobsModel, JobsPanel
    from .library_actions import LibraryActions
    from .library_pane import LibraryPane
    from .player import VideoPlayer
    from .settings_dialog import SettingsDialog
    from .status_notice import StatusNotice
    from .welcome import WelcomeDialog
    from .window_keys import WindowKeys
    from .window_library import LibraryDock
    from .window_links import WindowLinks
    from .window_services import WindowServices

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

COMPOSER_MIN_WIDTH = 440
#: The composer's form reads best narrow: on a wide screen the spare width goes to the player
#: and the library instead of stretching its fields.
COMPOSER_MAX_WIDTH = 760


#: ``Qt::Vertical``, set as the splitter's property by its number: the window's frame is painted
#: before anything builds PySide's ``Qt`` namespace (its 93 enums cost 15–30 ms of start-up).
_VERTICAL = 2


def _splitter(vertical: bool, name: str, panes, stretches) -> QSplitter:
    splitter = QSplitter()  # horizontal
    if vertical:
        splitter.setProperty("orientation", _VERTICAL)
    splitter.setObjectName(name)
    for index, (pane, stretch) in enumerate(zip(panes, stretches, strict=True)):
        splitter.addWidget(pane)
        splitter.setStretchFactor(index, stretch)
    splitter.setChildrenCollapsible(False)
    return splitter


class _Panes(NamedTuple):  # not a dataclass: this module loads before the first paint
    composer: Composer
    player: VideoPlayer
    jobs_panel: JobsPanel
    jobs_model: JobsModel
    jobs: JobsLink


class MainWindow(WindowGenerateMixin, QMainWindow):
    """``mainWindow``: drives ``services`` (see :class:`~.window_services.WindowServices`)."""

    def __init__(
        self,
        services: WindowServices,
        tasks: TaskKeeper | None = None,
        parent: QWidget | None = None,
        *,
        deferred: bool = False,
    ):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setAccessibleName("Wan Desktop")
        self.setWindowTitle("Wan Desktop")
        self.services = services
        self.tasks = tasks or TaskKeeper(self)
        self._generate_flow: GenerateFlow | None = None
        self.dialogs = WindowDialogs(self)
        self.tasks.failed.connect(self._on_tasks_failed)
        self._offline = False
        self.library_pane: LibraryPane | None = None
        self.library_actions: LibraryActions | None = None
        self.library_dock: LibraryDock | None = None
        self.links: WindowLinks | None = None  # made with the library (add_library_pane)
        self.scheme_actions: dict[str, QAction] = {}  # View → Colour scheme, with the menus
        self.keys: WindowKeys  # made with the panes (finish_building)
        self.last_enqueue_task = None
        # The panes go into boxes (finish_building). At start-up the window paints its frame
        # first (menus, status line, the panes laid out at their remembered sizes) and the
        # panes' contents a moment later, so it is on screen as early as possible.
        self._panes: _Panes | None = None
        self._banner: OfflineBanner | None = None  # made when the offline engine is in use
        self._build_frame()
        self.full_screen = FullScreenController(self, self._around_the_player, lambda: self.player)
        if not deferred:
            self.finish_building()

    def _build_frame(self) -> None:
        """The splitters with their empty panes, the status line, the menu titles."""
        self.composer_scroll = self.composer_box = PaneBox((0, 0, 0, 0))
        self.composer_box.setMinimumWidth(COMPOSER_MIN_WIDTH)
        self.composer_box.setMaximumWidth(COMPOSER_MAX_WIDTH)
        self.player_box = PaneBox((8, 10, 10, 4), placeholder=colors().canvas_bg)
        self.jobs_box = PaneBox((8, 4, 10, 8))
        self.work_splitter = _splitter(
            True, "workSplitter", (self.player_box, self.jobs_box), (3, 2)
        )
        self.main_splitter = _splitter(
            False, "mainSplitter", (self.composer_box, self.work_splitter), (2, 3)
        )
        central = QWidget()
        self._central_layout = layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.setSpacing(4)
        layout.addWidget(self.main_splitter, 1)
        self.setCentralWidget(central)
        self.engine_label = QLabel("Starting …")
        self.engine_label.setObjectName("engineLabel")
        self.engine_label.setAccessibleName("Engine")
        self.notices = WindowNotices(self.statusBar())
        self.statusBar().addPermanentWidget(self.engine_label)
        self.statusBar().setObjectName("statusBar")
        bar = self.menuBar()  # titles now; the actions come with the panes (finish_building)
        self.file_menu = bar.addMenu("&File")
        self.video_menu = bar.addMenu("&Video")
        self.view_menu = bar.addMenu("V&iew")
        self.help_menu = bar.addMenu("&Help")
        # From the files' plain data: the typed settings (msgspec) wait for the panes.
        layout = self.services.store.first_paint()[1]
        if not window_layout.restore(self, self._splitters(), layout):
            QTimer.singleShot(0, self, self.reset_layout)  # not if the window went first

    def _build_keys(self) -> None:
        """The window-wide Space, F, Ctrl+F and Ctrl+Z (``keys``), made with the panes they
        act on: their Qt types are not needed for the first paint."""
        from .window_keys import WindowKeys

        self.keys = WindowKeys(
            self,
            player=lambda: self._panes.player if self._panes is not None else None,
            library=lambda: self.library_pane,
            find=self.find_in_library,
            undo=self.undo_from_notice,
            undo_available=self.notices.undo_available,
        )
        self.notices.changed = self.keys.refresh

    def is_built(self) -> bool:
        """Whether every pane has been built (:meth:`finish_building`)."""
        return self._panes is not None

    def _built(self) -> _Panes:
        self.finish_building()
        assert self._panes is not None
        return self._panes

    # The panes, built on first use if the app has not built them yet.

    @property
    def banner(self) -> OfflineBanner:
        """The offline engine's banner above the panes (``offlineBanner``), hidden until the
        offline engine is in use."""
        if self._banner is None:
            from .banner import OfflineBanner

            self._banner = OfflineBanner()
            self._banner.hide()
            self._banner.settingsRequested.connect(self.open_settings)
            self._central_layout.insertWidget(0, self._banner)
        return self._banner

    @property
    def notice(self) -> StatusNotice:
        """The status line's notice with one action (``statusNotice``), left of the engine."""
        return self.notices.widget

    def show_notice(
        self,
        text: str,
        action_text: str | None = None,
        on_action: Callable[[], object] | None = None,
        timeout_ms: int = 10000,
    ) -> None:
        """Show ``text`` in the status line with one action (see :class:`StatusNotice`)."""
        self.notices.show(text, action_text, on_action, timeout_ms)

    @property
    def composer(self) -> Composer:
        """The composer pane (``composer``)."""
        return self._built().composer

    @property
    def player(self) -> VideoPlayer:
        """The player pane (``videoPlayer``)."""
        return self._built().player

    @property
    def jobs_panel(self) -> JobsPanel:
        """The jobs pane (``jobsPanel``)."""
        return self._built().jobs_panel

    @property
    def jobs_model(self) -> JobsModel:
        """The jobs pane's model."""
        return self._built().jobs_model

    @property
    def last_played_job(self) -> str | None:
        """The job whose video the player got last."""
        return self._panes.jobs.last_played_job if self._panes is not None else None

    @property
    def settings_dialog(self) -> SettingsDialog | None:
        """The open settings dialog, if any."""
        return self.dialogs.settings_dialog

    @property
    def welcome_dialog(self) -> WelcomeDialog | None:
        """The open welcome, if any."""
        return self.dialogs.welcome_dialog

    @property
    def jobs_view(self) -> QWidget:
        """The jobs list (``jobsView``)."""
        return self.jobs_panel.view

    def finish_building(self) -> None:
        """Build the menus, the composer, the player and the jobs panel (once).

        The window does this itself unless it was made with ``deferred=True``; then the app
        calls it right after the window's first paint.
        """
        if self.is_built():
            return
        self._build_keys()
        from .composer import Composer
        from .icons import icon
        from .jobs_link import JobsLink
        from .jobs_panel import JobsModel, JobsPanel
        from .player import VideoPlayer
        from .window_menus import MENUS, build_choice_menu, build_menus

        self.dialogs.panes_built(self.services.settings)
        build_menus(self, MENUS)
        self.view_menu.addSeparator()
        self.scheme_actions = build_choice_menu(
            self, self.view_menu, "&Colour scheme", "scheme", SCHEMES,
            self.services.settings.color_scheme, self.dialogs.set_color_scheme,
        )  # fmt: skip
        self.setWindowIcon(icon("app"))
        self.open_action.setIcon(icon("open"))
        self.generate_action.setIcon(icon("play"))
        composer = Composer(self.tasks, self.services.paths.cache)
        composer.apply_defaults(self.services.settings.defaults)
        composer.set_recent_prompts(self.generate_flow.recent_prompts())
        # The composer never gets narrower than its controls need (nothing clipped).
        width = max(COMPOSER_MIN_WIDTH, composer.minimumSizeHint().width())
        self.composer_box.setMinimumWidth(width)
        self.composer_box.add_panel(composer)
        composer.generateRequested.connect(self._on_composer_generate_requested)
        composer.draft_replaced.connect(self._on_composer_draft_replaced)
        composer.priceChanged.connect(self._on_composer_price_changed)
        player = VideoPlayer(self.tasks)
        player.fullScreenRequested.connect(self._on_player_full_screen_requested)
        self.player_box.add_panel(player)
        jobs_model = JobsModel(self.tasks, self)
        jobs_panel = JobsPanel(jobs_model)
        self.jobs_box.add_panel(jobs_panel)
        self._panes = _Panes(composer, player, jobs_panel, jobs_model, JobsLink(self, jobs_panel))
        if self.services.runner is not None and self.runner is None:
            self.attach_runner(self.services.runner, self.services.offline)

    # ---- library pane -----------------------------------------------------------------------

    def add_library_pane(
        self, widget: LibraryPane, title: str = "Library", actions: LibraryActions | None = None
    ) -> QAction:
        """Dock the library pane (``libraryView``): beside the others when the window is wide
        enough, else as a tab beside the composer (:class:`LibraryDock`); returns the
        View-menu action (Ctrl+L) that shows and hides it, also at the menu bar's right
        (``libraryToggleButton``). ``actions`` (a ``LibraryActions``) hears the runner's
        events and names the parent of continuations. Clips moved to the trash can be brought
        back from the status line (Undo, or Ctrl+Z). The other parts' links to the pane
        (contact sheet, compare, shot marks, sequences) are made by ``window_links``: they are
        :attr:`links`."""
        from .window_library import LibraryDock
        from .window_links import link_actions, link_library_pane

        self.library_pane = widget
        self.library_actions = actions
        if actions is not None:
            link_actions(self, actions)
        dock = LibraryDock(self, self.main_splitter, self.composer_box, widget, title,
                           self._on_library_view_changed)  # fmt: skip
        self.library_dock = dock
        self.view_menu.insertAction(self.show_jobs_action, dock.action)
        self.menuBar().setCornerWidget(dock.button)  # the top right corner
        dock.restore(self.services.store.window.layout)  # before the links read the layout
        self.links = link_library_pane(self, widget, actions)
        self.sequence_link = self.links.sequences  # the Sequences dock, chains
        return dock.action

    @property
    def library_action(self) -> QAction | None:
        """The action that shows and hides the library (``None`` before it is docked)."""
        return self.library_dock.action if self.library_dock is not None else None

    def show_composer(self) -> None:
        """Bring the composer in front (when it shares its place with the library)."""
        if self.library_dock is not None:
            self.library_dock.show_composer()

    def find_in_library(self) -> None:
        """Show the library if hidden (in front when tabbed), then focus its search."""
        if self.library_dock is None or self.library_pane is None:
            return
        self.library_dock.show_in_view()
        self.library_pane.focus_search()

    def _on_tasks_failed(self, what: str, message: str) -> None:
        # A slot of the window, not of its dialogs helper (a plain object): Qt drops the
        # connection when the window is deleted, so a keeper that outlives the window never
        # reaches into a deleted one.
        self.dialogs.show_task_failure(what, message)

    def _on_library_view_changed(self) -> None:
        self.keys.set_find_wanted(not (self.library_dock and self.library_dock.is_in_view()))

    def undo_from_notice(self) -> bool:
        """Ctrl+Z: use the status line's Undo while it is offered; ``False`` when none."""
        return self.notices.undo()

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        # Full screen shows the player alone whatever its size: the library stays put (hidden)
        # until the window is back, and its size says again where the library goes.
        full = self._panes is not None and self._panes.player.is_full_screen()
        if self.library_dock is not None and not full:
            self.library_dock.place()

    # ---- dialogs ----------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        """Show the settings dialog (``open()``, never ``exec()``)."""
        return self.dialogs.open_settings()

    def show_welcome(self) -> WelcomeDialog:
        """Show the welcome (what the app does, where the library is, key or offline)."""
        return self.dialogs.show_welcome()

    def maybe_show_welcome(self) -> None:
        """The welcome, once (``first_run_done`` in the window state)."""
        if not self.services.store.window.first_run_done:
            self.show_welcome()

    # ---- menu slots (window_menus.MENUS names them) -------------------------------------------

    def _on_paste_action_triggered(self) -> None:
        if not self.composer.paste_image():
            self.statusBar().showMessage(
                "The clipboard holds no image, image file or image link.", 5000
            )

    def _on_generate_action_triggered(self) -> None:
        if not self.composer.trigger_generate():
            self.statusBar().showMessage(self.composer.reason_text(), 5000)

    def library_folder(self) -> str:
        """The library folder in use (the setting, else the default)."""
        return self.services.settings.library_dir or str(self.services.paths.library)

    def _on_show_jobs_action_toggled(self, checked: bool) -> None:
        self.jobs_box.setVisible(checked)

    def reset_layout(self) -> None:
        """Share the window between the panes as on first start."""
        window_layout.reset_sizes(self.main_splitter, self.work_splitter)

    async def copy_diagnostics(self) -> str:
        """See :meth:`WindowDialogs.copy_diagnostics`."""
        return await self.dialogs.copy_diagnostics()

    # ---- other slots --------------------------------------------------------------------------

    def _around_the_player(self) -> list[QWidget]:
        others = [self.main_splitter.widget(0), self.jobs_box, self.menuBar(), self.statusBar()]
        if self.library_dock is not None:
            others += [w for w in self.library_dock.around_the_player() if w not in others]
        return others + ([self._banner] if self._banner is not None else [])

    def _on_player_full_screen_requested(self, full: bool) -> None:
        self.full_screen.set_full(full)
        if not full and self._banner is not None:
            self._banner.setVisible(self._offline)

    # ---- layout memory ----------------------------------------------------------------------

    def _splitters(self) -> dict[str, QSplitter]:
        return {"main_splitter": self.main_splitter, "work_splitter": self.work_splitter}

    def layout_state(self) -> dict[str, str]:
        """The geometry and splitter states (base64), whether the library pane shows and the
        width of its cards' pictures."""
        shown = self.library_dock.shown if self.library_dock is not None else None
        layout = window_layout.layout_of(self, self._splitters(), shown)
        if self.library_pane is not None:
            layout[window_layout.THUMBNAIL_KEY] = str(self.library_pane.thumbnail_size)
        return layout

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        player = self._panes.player if self._panes is not None else None
        if player is not None and player.is_full_screen():
            player.set_full_screen(False)
        store = self.services.store
        store.set_window(store.window.replace(layout=self.layout_state()))
        try:
            store.save()  # a few hundred bytes, at exit
        except OSError as exc:
            log.warning("could not save the window layout: %s", exc)
        if self._panes is not None:
            self._panes.jobs.detach()
            player.unload()
        super().closeEvent(event)
