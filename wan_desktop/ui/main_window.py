"""The main window: composer | player over jobs | (later) library, in remembered splitters.

The window drives services it is given (``services``: paths, settings, key store, runner,
library); it never builds them. ``app.py`` is the composition root. The runner may arrive after
the window is shown (:meth:`MainWindow.attach_runner`): the window paints first, the engine
starts behind it.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..core.settings import save_settings
from .async_bridge import TaskKeeper, run_blocking
from .theme import colors

if TYPE_CHECKING:  # imported where first used: none of them is needed for the first paint
    from ..jobs.model import JobEvent
    from .banner import OfflineBanner
    from .composer import Composer
    from .jobs_panel import JobsModel, JobsPanel
    from .player import VideoPlayer
    from .settings_dialog import SettingsDialog
    from .welcome import WelcomeDialog

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1280, 800)
COMPOSER_MIN_WIDTH = 440
#: Below this window width the library pane starts hidden (Ctrl+L shows it): three panes do
#: not fit beside a composer that must not be clipped.
LIBRARY_BESIDE_MIN_WIDTH = 1600


def _b64(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _unb64(text: str | None) -> QByteArray | None:
    if not text:
        return None
    try:
        return QByteArray(base64.b64decode(text))
    except (ValueError, TypeError):
        return None


class MainWindow(QMainWindow):
    """``mainWindow``. ``services`` needs ``paths``, ``settings``, ``key_store``, and may have
    ``runner``/``library`` (``None`` until started) and
    ``async reconfigure(settings, key_changed)``.
    """

    def __init__(
        self,
        services: Any,
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
        self.tasks.failed.connect(self._on_tasks_failed)
        self.runner = None
        self._unsubscribe = None
        self._offline = False
        self._tray: Any = None  # a QSystemTrayIcon, made for the first notification
        self._full_state: dict[str, bool] = {}
        self.settings_dialog: SettingsDialog | None = None
        self.welcome_dialog: WelcomeDialog | None = None
        self.library_pane: QWidget | None = None
        self.library_actions: Any = None  # the library's service (issue 6), if docked
        self.last_enqueue_task = None
        self.last_played_job: str | None = None

        # The panes go into these boxes (finish_building). At start-up the window paints its
        # frame first (menus, status line, the panes laid out at their remembered sizes) and
        # the panes' contents a moment later, so it is on screen as early as possible.
        self._composer: Composer | None = None
        self._player: VideoPlayer | None = None
        self._jobs_panel: JobsPanel | None = None
        self._jobs_model: JobsModel | None = None
        self.composer_scroll = self.composer_box = _PaneBox((0, 0, 0, 0))
        self.composer_box.setMinimumWidth(COMPOSER_MIN_WIDTH)
        self.player_box = _PaneBox((8, 10, 10, 4), placeholder=colors().canvas_bg)
        self.jobs_box = _PaneBox((8, 4, 10, 8))
        self.work_splitter = QSplitter(Qt.Orientation.Vertical)
        self.work_splitter.setObjectName("workSplitter")
        self.work_splitter.addWidget(self.player_box)
        self.work_splitter.addWidget(self.jobs_box)
        self.work_splitter.setStretchFactor(0, 3)
        self.work_splitter.setStretchFactor(1, 2)
        self.work_splitter.setChildrenCollapsible(False)

        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self.composer_box)
        self.main_splitter.addWidget(self.work_splitter)
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 3)
        self.main_splitter.setChildrenCollapsible(False)

        self._banner: OfflineBanner | None = None  # made when the offline engine is in use
        central = QWidget()
        self._central_layout = cl = QVBoxLayout(central)
        cl.setContentsMargins(6, 6, 6, 0)
        cl.setSpacing(4)
        cl.addWidget(self.main_splitter, 1)
        self.setCentralWidget(central)

        self.engine_label = QLabel("Starting …")
        self.engine_label.setObjectName("engineLabel")
        self.engine_label.setAccessibleName("Engine")
        self.statusBar().addPermanentWidget(self.engine_label)
        self.statusBar().setObjectName("statusBar")

        self._build_menu_bar()
        self._restore_layout()
        if not deferred:
            self.finish_building()

    def is_built(self) -> bool:
        """Whether every pane has been built (:meth:`finish_building`)."""
        return self._player is not None

    # The panes, built on first use if the app has not built them yet.

    @property
    def banner(self) -> OfflineBanner:
        """The offline engine's banner above the panes (``offlineBanner``), hidden until the
        offline engine is in use."""
        if self._banner is None:
            from .banner import OfflineBanner

            banner = OfflineBanner()
            banner.hide()
            banner.settingsRequested.connect(self._on_banner_settings_requested)
            self._central_layout.insertWidget(0, banner)
            self._banner = banner
        return self._banner

    @property
    def composer(self) -> Composer:
        """The composer pane (``composer``)."""
        self.finish_building()
        assert self._composer is not None
        return self._composer

    @property
    def player(self) -> VideoPlayer:
        """The player pane (``videoPlayer``)."""
        self.finish_building()
        assert self._player is not None
        return self._player

    @property
    def jobs_panel(self) -> JobsPanel:
        """The jobs pane (``jobsPanel``)."""
        self.finish_building()
        assert self._jobs_panel is not None
        return self._jobs_panel

    @property
    def jobs_model(self) -> JobsModel:
        """The jobs pane's model."""
        self.finish_building()
        assert self._jobs_model is not None
        return self._jobs_model

    @property
    def jobs_view(self) -> QWidget:
        """The jobs list (``jobsView``)."""
        return self.jobs_panel.view

    def finish_building(self) -> None:
        """Build the composer, the player and the jobs panel into their panes (once).

        The window does this itself unless it was made with ``deferred=True``; then the app
        calls it right after the window's first paint.
        """
        if self.is_built():
            return
        from .composer import Composer
        from .icons import icon
        from .jobs_panel import JobsModel, JobsPanel
        from .player import VideoPlayer

        self._build_menus()
        self.setWindowIcon(icon("app"))
        self.open_action.setIcon(icon("open"))
        self.generate_action.setIcon(icon("play"))
        services = self.services
        composer = Composer(self.tasks, Path(services.paths.cache))
        composer.options.apply_defaults(services.settings.defaults)
        composer.negative.set_text(str(services.settings.defaults.get("negative_prompt", "")))
        composer.prompt.set_recent(list(services.settings.recent_prompts))
        # The composer never gets narrower than its controls need (nothing clipped).
        self.composer_box.setMinimumWidth(
            max(COMPOSER_MIN_WIDTH, composer.minimumSizeHint().width())
        )
        self.composer_box.layout().addWidget(composer)
        composer.generateRequested.connect(self._on_composer_generate_requested)

        player = VideoPlayer(self.tasks)
        jobs_model = JobsModel(self.tasks, self)
        jobs_panel = JobsPanel(jobs_model)
        self.player_box.layout().addWidget(player)
        self.jobs_box.layout().addWidget(jobs_panel)
        jobs_panel.cancelRequested.connect(self._on_jobs_panel_cancel_requested)
        jobs_panel.retryRequested.connect(self._on_jobs_panel_retry_requested)
        jobs_panel.removeRequested.connect(self._on_jobs_panel_remove_requested)
        jobs_panel.playRequested.connect(self._on_jobs_panel_play_requested)
        player.fullScreenRequested.connect(self._on_player_full_screen_requested)
        self._composer, self._player = composer, player
        self._jobs_model, self._jobs_panel = jobs_model, jobs_panel
        if getattr(services, "runner", None) is not None and self.runner is None:
            self.attach_runner(services.runner, bool(getattr(services, "offline", False)))

    # ---- menus ----------------------------------------------------------------------------

    def _action(
        self, text: str, name: str, slot, shortcuts=(), icon_=None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if icon_ is not None:
            action.setIcon(icon_)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work with the menu bar hidden (full screen)
        return action

    def _build_menu_bar(self) -> None:
        """The menu bar's titles; their actions come with the panes (:meth:`_build_menus`)."""
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.video_menu = bar.addMenu("&Video")
        self.view_menu = bar.addMenu("V&iew")
        self.help_menu = bar.addMenu("&Help")

    def _build_menus(self) -> None:
        file_menu, video_menu = self.file_menu, self.video_menu
        self.open_action = self._action(
            "&Open image…",
            "openImageAction",
            self._on_open_action_triggered,
            [QKeySequence.StandardKey.Open],
            None,
            "Choose the input image",
        )
        self.paste_action = self._action(
            "&Paste image",
            "pasteImageAction",
            self._on_paste_action_triggered,
            [QKeySequence.StandardKey.Paste],
            None,
            "Use the image (or image link) on the clipboard",
        )
        self.settings_action = self._action(
            "&Settings…",
            "settingsAction",
            self._on_settings_action_triggered,
            ["Ctrl+,"],
            None,
            "fal key, engine, defaults, library folder",
        )
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.open_library_folder_action = self._action(
            "Show &library folder",
            "openLibraryFolderAction",
            self._on_open_library_folder_action_triggered,
        )
        self.quit_action = self._action(
            "&Quit", "quitAction", self.close, [QKeySequence.StandardKey.Quit, "Ctrl+Q"]
        )
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        for a in (self.open_action, self.paste_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self.open_library_folder_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        self.generate_action = self._action(
            "&Generate",
            "generateAction",
            self._on_generate_action_triggered,
            ["Ctrl+Return", "Ctrl+Enter"],
            None,
            "Queue a video with these inputs",
        )
        self.play_action = self._action(
            "&Play / pause", "playPauseAction", self._on_play_action_triggered
        )
        self.play_action.setShortcutContext(
            Qt.ShortcutContext.WidgetShortcut
        )  # Space: player's own
        self.play_action.setText("&Play / pause\tSpace")
        self.shots_action = self._action(
            "Insert &shot lines",
            "insertShotsAction",
            self._on_shots_action_triggered,
            ["Ctrl+Shift+M"],
        )
        self.clear_action = self._action(
            "&Clear image", "clearImageAction", self._on_clear_action_triggered
        )
        for a in (self.generate_action, self.play_action, self.shots_action, self.clear_action):
            video_menu.addAction(a)

        self.show_jobs_action = self._action(
            "&Jobs", "showJobsAction", self._on_show_jobs_action_toggled, ["Ctrl+J"]
        )
        self.show_jobs_action.setCheckable(True)
        self.show_jobs_action.setChecked(True)
        self.full_screen_action = self._action(
            "&Full-screen video",
            "fullScreenAction",
            self._on_full_screen_action_triggered,
            ["Ctrl+Shift+F"],
        )
        self.reset_layout_action = self._action(
            "&Reset layout", "resetLayoutAction", self._on_reset_layout_action_triggered
        )
        self.view_menu.addAction(self.show_jobs_action)
        self.view_menu.addAction(self.full_screen_action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.reset_layout_action)

        help_menu = self.help_menu
        self.welcome_action = self._action("&Welcome", "welcomeAction", self.show_welcome)
        self.about_action = self._action(
            "&About Wan Desktop", "aboutAction", self._on_about_action_triggered
        )
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.open_logs_action = self._action(
            "Open &logs folder", "openLogsAction", self._on_open_logs_action_triggered
        )
        self.copy_diagnostics_action = self._action(
            "&Copy diagnostics", "copyDiagnosticsAction", self._on_copy_diagnostics_triggered
        )
        help_menu.addAction(self.welcome_action)
        help_menu.addSeparator()
        help_menu.addAction(self.open_logs_action)
        help_menu.addAction(self.copy_diagnostics_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    # ---- library pane (issue 6) -----------------------------------------------------------

    def add_library_pane(
        self, widget: QWidget, title: str = "Library", actions: Any = None
    ) -> QAction:
        """Dock the library pane (``libraryView``) as a third, remembered splitter pane; returns
        the View-menu action (Ctrl+L) that shows and hides it. ``actions`` (a
        ``LibraryActions``) hears the runner's events and names the parent of continuations."""
        self.library_pane = widget
        self.library_actions = actions
        if actions is not None and self.runner is not None:
            actions.attach_runner(self.runner)
        self.main_splitter.addWidget(widget)
        self.main_splitter.setStretchFactor(self.main_splitter.count() - 1, 3)
        action = self._action(
            f"&{title}", "showLibraryAction", lambda checked: widget.setVisible(checked), ["Ctrl+L"]
        )
        action.setCheckable(True)
        self.view_menu.insertAction(self.show_jobs_action, action)
        window = self.services.settings.window
        state = _unb64(window.get("main_splitter"))
        if state is not None:
            self.main_splitter.restoreState(state)
        remembered = window.get("library_visible")
        if remembered is None:
            visible = self.width() >= LIBRARY_BESIDE_MIN_WIDTH
        else:
            visible = remembered == "1"
        widget.setVisible(visible)
        action.setChecked(visible)
        self.library_action = action
        return action

    # ---- runner ---------------------------------------------------------------------------

    def attach_runner(self, runner: Any, offline: bool) -> None:
        """Drive ``runner`` (a ``JobRunner``); ``offline`` when it runs on the offline engine."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.runner = runner
        self._offline = offline
        self.jobs_model.set_jobs(list(runner.jobs()))
        self.jobs_model.set_library(getattr(self.services, "library", None))
        self._unsubscribe = runner.subscribe(self._on_runner_event)
        if self.library_actions is not None:
            self.library_actions.attach_runner(runner)
        if offline or self._banner is not None:
            self.banner.setVisible(offline)
        self.composer.cost.set_offline(offline)
        self.engine_label.setText(
            "Offline engine (not the AI model)" if offline else "fal · Wan 2.6"
        )
        self.composer.set_ready(None)
        self._update_today_total()
        # Qt Multimedia starts now that the window is up, not when the first result arrives.
        _ = self.player.engine

    def set_engine_problem(self, message: str) -> None:
        """The engine could not start: say why and keep Generate off."""
        self.engine_label.setText("Engine unavailable")
        self.composer.set_ready(message)
        self.statusBar().showMessage(message)

    def _on_runner_event(self, event: JobEvent) -> None:
        from ..jobs.model import JobState

        self.jobs_model.apply_event(event)
        job = event.job
        if event.kind != "state":
            return
        if job.state is JobState.DONE:
            self._update_today_total()
            self.tasks.spawn(self._show_result(job.id, job.entry_id), "Show the new video", self)
        elif job.state is JobState.FAILED:
            message = job.error or "The job failed."
            if job.error_field:
                self.composer.mark_refusal(job.error_field, message)
            self.statusBar().showMessage(f"Failed: {message}", 15000)

    async def _show_result(self, job_id: str, entry_id: str | None) -> None:
        library = getattr(self.services, "library", None)
        if entry_id is None or library is None:
            return
        entry = await run_blocking(library.get, entry_id)
        self.last_played_job = job_id
        self.player.load(
            str(entry.video_path), title=f"{_excerpt(entry.request.prompt)} · seed {entry.seed}"
        )
        self.composer.options.offer_seed(entry.seed)
        self._notify("Your video is ready", _excerpt(entry.request.prompt))

    def _notify(self, title: str, text: str) -> None:
        from PySide6.QtWidgets import QSystemTrayIcon

        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self._tray is None:
                self._tray = QSystemTrayIcon(self.windowIcon(), self)
                self._tray.show()
            self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 5000)
        self.statusBar().showMessage(f"{title}: {text}", 10000)
        if self.services.settings.notify_sound:
            QApplication.beep()

    def _update_today_total(self) -> None:
        if self.runner is None:
            return
        self.composer.cost.set_today_total(self.runner.spent_today_usd())

    # ---- generate -------------------------------------------------------------------------

    def _on_composer_generate_requested(self, request) -> None:
        self.last_enqueue_task = self.tasks.spawn(self.enqueue(request), "Queue the video")

    async def enqueue(self, request) -> Any:
        """Queue ``request`` on the runner; the composer stays ready for the next one."""
        if self.runner is None:
            self.statusBar().showMessage(
                "The engine is still starting; try again in a moment.", 5000
            )
            return None
        from ..core.problems import InvalidInputError

        self.composer.clear_refusals()
        try:
            link = self.library_actions
            parent_id = link.parent_for(request) if link is not None else None
            if parent_id is not None:
                job = await self.runner.enqueue(request, parent_id=parent_id)
            else:
                job = await self.runner.enqueue(request)
        except InvalidInputError as exc:
            for problem in exc.problems:
                self.composer.mark_refusal(problem.field, problem.message)
            self.statusBar().showMessage(str(exc), 10000)
            return None
        self.composer.options.after_enqueue()
        self.jobs_panel.select_job(job.id)
        settings = self.services.settings.with_recent_prompt(request.prompt)
        self.services.settings = settings
        self.composer.prompt.set_recent(list(settings.recent_prompts))
        self.tasks.spawn(
            run_blocking(save_settings, self.services.paths, settings), "Save recent prompts"
        )
        self.statusBar().showMessage("Queued. You can compose the next one.", 5000)
        return job

    # ---- dialogs --------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        """Show the settings dialog (non-modal to the loop: ``open()``, never ``exec()``)."""
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            return self.settings_dialog
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.services.settings, self.services.key_store, self.services.paths, self.tasks, self
        )
        dialog.saved.connect(self._on_settings_dialog_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def show_welcome(self) -> WelcomeDialog:
        from .welcome import WelcomeDialog

        library = self.services.settings.library_dir or str(self.services.paths.library)
        has_key = bool(getattr(self.services, "has_key", False))
        dialog = WelcomeDialog(library, has_key, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_welcome_dialog_finished)
        self.welcome_dialog = dialog
        dialog.open()
        return dialog

    def maybe_show_welcome(self) -> None:
        """The welcome, once (``settings.first_run_done``)."""
        if not self.services.settings.first_run_done:
            self.show_welcome()

    def _on_welcome_dialog_finished(self, _result: int) -> None:
        dialog = self.welcome_dialog
        choice = dialog.choice() if dialog is not None else "offline"
        self.welcome_dialog = None
        if not self.services.settings.first_run_done:
            self.services.settings = self.services.settings.replace(first_run_done=True)
            self.tasks.spawn(
                run_blocking(save_settings, self.services.paths, self.services.settings),
                "Save settings",
            )
        if choice == "key":
            self.open_settings()

    def _on_settings_dialog_saved(self, settings, key_changed: bool) -> None:
        old = self.services.settings
        self.services.settings = settings
        if settings.defaults != old.defaults:
            self.composer.options.apply_defaults(settings.defaults)
        if self.runner is not None and settings.concurrency != old.concurrency:
            self.runner.concurrency = settings.concurrency
        engine_changed = (
            key_changed or settings.backend != old.backend or settings.queue_url != old.queue_url
        )
        reconfigure = getattr(self.services, "reconfigure", None)
        if engine_changed and reconfigure is not None:
            self.tasks.spawn(self._reconfigure(reconfigure, settings, key_changed), "Switch engine")

    async def _reconfigure(self, reconfigure, settings, key_changed: bool) -> None:
        self.composer.set_ready("Switching engine …")
        self.engine_label.setText("Switching …")
        try:
            await reconfigure(settings, key_changed)
        except Exception as exc:
            self.set_engine_problem(f"The engine could not start: {exc}")
            raise
        self.attach_runner(self.services.runner, bool(self.services.offline))

    # ---- slots ----------------------------------------------------------------------------

    def _on_open_action_triggered(self) -> None:
        self.composer.drop_zone.browse()

    def _on_paste_action_triggered(self) -> None:
        if not self.composer.drop_zone.paste():
            self.statusBar().showMessage(
                "The clipboard holds no image, image file or image link.", 5000
            )

    def _on_settings_action_triggered(self) -> None:
        self.open_settings()

    def _on_banner_settings_requested(self) -> None:
        self.open_settings()

    def _on_generate_action_triggered(self) -> None:
        if not self.composer.trigger_generate():
            self.statusBar().showMessage(self.composer.reason_text(), 5000)

    def _on_play_action_triggered(self) -> None:
        self.player._on_play_button_clicked()

    def _on_clear_action_triggered(self) -> None:
        self.composer.drop_zone.clear()

    def _on_shots_action_triggered(self) -> None:
        self.composer.prompt.insert_shots()
        self.composer._on_prompt_shots_inserted()

    def _on_open_library_folder_action_triggered(self) -> None:
        folder = self.services.settings.library_dir or str(self.services.paths.library)
        _open_url(QUrl.fromLocalFile(folder))

    def _on_show_jobs_action_toggled(self, checked: bool) -> None:
        self.jobs_box.setVisible(checked)

    def _on_full_screen_action_triggered(self) -> None:
        self.player.set_full_screen(not self.player.is_full_screen())

    def _on_reset_layout_action_triggered(self) -> None:
        total = self.main_splitter.width()
        self.main_splitter.setSizes(
            [int(total * 0.4), int(total * 0.6)]
            + [int(total * 0.3)] * (self.main_splitter.count() - 2)
        )
        h = self.work_splitter.height()
        self.work_splitter.setSizes([int(h * 0.6), int(h * 0.4)])

    def _on_open_logs_action_triggered(self) -> None:
        folder = self.services.paths.logs
        folder.mkdir(parents=True, exist_ok=True)
        _open_url(QUrl.fromLocalFile(str(folder)))

    def _on_copy_diagnostics_triggered(self) -> None:
        self.tasks.spawn(self.copy_diagnostics(), "Copy diagnostics", self)

    async def copy_diagnostics(self) -> str:
        """Versions, the Qt multimedia backend and library figures (never the key), copied
        to the clipboard for a bug report; returns the text."""
        import functools
        import os

        from PySide6.QtCore import qVersion
        from PySide6.QtGui import QGuiApplication

        from ..core import diagnostics

        services = self.services
        extra: dict[str, Any] = {
            "qt": {
                "version": qVersion(),
                "platform": QGuiApplication.platformName(),
                "multimedia_backend": os.environ.get("QT_MEDIA_BACKEND") or "ffmpeg (default)",
                "playback": "available"
                if self.player.engine is not None
                else (self.player.unavailable_reason or "unavailable"),
            },
            "backend": "offline engine" if getattr(services, "offline", False) else "fal",
        }
        library = getattr(services, "library", None)
        if library is not None:
            extra["library"] = await run_blocking(library.stats)
        source = await run_blocking(services.key_store.get)
        extra["key_source"] = source.origin if source is not None else "none"
        info = await run_blocking(
            functools.partial(diagnostics.collect, services.paths, extra=extra)
        )
        text = diagnostics.format_text(info)
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage("Diagnostics copied to the clipboard (no key).", 8000)
        return text

    def _on_about_action_triggered(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from .. import __version__ as version  # type: ignore[attr-defined]

        QMessageBox.about(
            self,
            "About Wan Desktop",
            f"<b>Wan Desktop</b> {version}<br>Turns a still image into a short video with "
            "fal.ai's Wan 2.6 image-to-video flash model, and keeps every result in a local "
            "library.",
        )

    def _on_player_full_screen_requested(self, full: bool) -> None:
        others = [self.composer_scroll, self.jobs_box, self.menuBar(), self.statusBar()]
        others += [w for w in (self._banner, self.library_pane) if w is not None]
        if full:
            self._full_state = {str(id(w)): w.isVisible() for w in others}
            self._was_maximized = self.isMaximized()
            for w in others:
                w.hide()
            self.showFullScreen()
            self.player.setFocus()
        else:
            for w in others:
                w.setVisible(self._full_state.get(str(id(w)), True))
            if self._banner is not None:
                self._banner.setVisible(self._offline)
            self.showMaximized() if getattr(self, "_was_maximized", False) else self.showNormal()

    def _on_jobs_panel_cancel_requested(self, job_id: str) -> None:
        if self.runner is not None:
            self.tasks.spawn(self.runner.cancel(job_id), "Cancel the job")

    def _on_jobs_panel_retry_requested(self, job_id: str) -> None:
        if self.runner is not None:
            self.tasks.spawn(self.runner.retry(job_id), "Retry the job")

    def _on_jobs_panel_remove_requested(self, job_id: str) -> None:
        if self.runner is not None:
            self.runner.remove(job_id)

    def _on_jobs_panel_play_requested(self, job_id: str) -> None:
        job = self.jobs_model.job(job_id)
        if job is not None and job.entry_id:
            self.tasks.spawn(self._show_result(job_id, job.entry_id), "Play the video", self)

    def _on_tasks_failed(self, what: str, message: str) -> None:
        self.statusBar().showMessage(f"{what} failed: {message}", 15000)
        if QApplication.platformName() == "offscreen" or not self.isVisible():
            return  # no modal boxes where nobody can close them
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Warning, f"{what} failed", message, QMessageBox.StandardButton.Ok, self
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # ---- layout memory --------------------------------------------------------------------

    def _restore_layout(self) -> None:
        window = self.services.settings.window
        geometry = _unb64(window.get("geometry"))
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(DEFAULT_SIZE)
        for key, splitter in (
            ("main_splitter", self.main_splitter),
            ("work_splitter", self.work_splitter),
        ):
            state = _unb64(window.get(key))
            if state is None or not splitter.restoreState(state):
                QTimer.singleShot(0, self._on_reset_layout_action_triggered)

    def layout_state(self) -> dict[str, str]:
        return {
            "geometry": _b64(self.saveGeometry()),
            "main_splitter": _b64(self.main_splitter.saveState()),
            "work_splitter": _b64(self.work_splitter.saveState()),
            **(
                {"library_visible": "1" if self.library_pane.isVisibleTo(self) else "0"}
                if getattr(self, "library_pane", None) is not None
                else {}
            ),
        }

    def closeEvent(self, event: QCloseEvent) -> None:  # Qt override
        player = self._player
        if player is not None and player.is_full_screen():
            player.set_full_screen(False)
        settings = self.services.settings.replace(window=self.layout_state())
        self.services.settings = settings
        try:
            save_settings(self.services.paths, settings)  # a few hundred bytes, at exit
        except OSError as exc:
            log.warning("could not save the window layout: %s", exc)
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if player is not None:
            player.unload()
        super().closeEvent(event)


class _PaneBox(QWidget):
    """A pane that its panel is built into later (with the panel's margins). Until then it
    paints ``placeholder`` (if given) where the panel will be: the player's dark canvas does
    not flash in from the window's background."""

    def __init__(self, margins: tuple[int, int, int, int], placeholder: str | None = None):
        super().__init__()
        QVBoxLayout(self).setContentsMargins(*margins)
        self._placeholder = placeholder

    def paintEvent(self, event) -> None:  # Qt override
        if self._placeholder and self.layout().count() == 0:
            from PySide6.QtGui import QColor, QPainter

            painter = QPainter(self)
            area = self.rect().marginsRemoved(self.layout().contentsMargins())
            painter.fillRect(area, QColor(self._placeholder))
            painter.end()
        super().paintEvent(event)


def _open_url(url: QUrl) -> None:
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(url)


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
