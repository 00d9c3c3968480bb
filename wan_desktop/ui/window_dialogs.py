"""The window's dialogs: settings (and what a saved change means for the panes, the runner,
the engine and the colours), the first-run welcome, About; and the File and Help menus' ways
out of the app: the library and logs folders, diagnostics for a bug report.

Both are opened with ``open()``, never ``exec()``: a nested event loop would stall the qasync
loop the jobs run on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from .theme import set_scheme_preference

if TYPE_CHECKING:
    from PySide6.QtCore import QUrl

    from ..core.settings import Settings
    from .main_window import MainWindow
    from .settings_dialog import SettingsDialog
    from .welcome import WelcomeDialog

__all__ = ["WindowDialogs"]


class WindowDialogs:
    """Opens ``window``'s settings dialog and welcome; GUI thread. ``settings_dialog`` and
    ``welcome_dialog`` are the open ones (``None`` when closed)."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        # What the panes and the runner use: the settings the panes were built with (read
        # then, not before the first paint: see panes_built).
        self._applied_settings: Settings | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.welcome_dialog: WelcomeDialog | None = None

    def open_settings(self) -> SettingsDialog:
        """Show the settings dialog, or raise the open one."""
        if self.settings_dialog is not None and self.settings_dialog.isVisible():
            self.settings_dialog.raise_()
            return self.settings_dialog
        from .settings_dialog import SettingsDialog

        window, services = self._window, self._window.services
        dialog = SettingsDialog(services.store, services.key_store, window.tasks, window)
        dialog.saved.connect(self._on_settings_dialog_saved)
        dialog.setAttribute(_delete_on_close())
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def show_welcome(self) -> WelcomeDialog:
        """Show the welcome (what the app does, where the library is, key or offline)."""
        from .welcome import WelcomeDialog

        window = self._window
        dialog = WelcomeDialog(window.library_folder(), window.services.has_key, window)
        dialog.setAttribute(_delete_on_close())
        dialog.finished.connect(self._on_welcome_dialog_finished)
        self.welcome_dialog = dialog
        dialog.open()
        return dialog

    def show_task_failure(self, what: str, message: str) -> None:
        """A background task failed: say so in the status line and in a box (not offscreen,
        nor while the window is hidden: nobody could close it)."""
        window = self._window
        window.statusBar().showMessage(f"{what} failed: {message}", 15000)
        if QApplication.platformName() == "offscreen" or not window.isVisible():
            return
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, f"{what} failed", message,
                          QMessageBox.StandardButton.Ok, window)  # fmt: skip
        box.setAttribute(_delete_on_close())
        box.open()

    def about(self) -> None:
        """The About box: the version and what the app does."""
        from PySide6.QtWidgets import QMessageBox

        from .. import __version__ as version  # type: ignore[attr-defined]

        QMessageBox.about(
            self._window,
            "About Wan Desktop",
            f"<b>Wan Desktop</b> {version}<br>Turns a still image into a short video with "
            "fal.ai's Wan 2.6 image-to-video flash model, and keeps every result in a local "
            "library.",
        )

    def open_library_folder(self) -> None:
        """Show the library folder in the file manager."""
        _open_folder(self._window.library_folder())

    def open_logs_folder(self) -> None:
        """Show the logs folder (the log file, ``crash.log``) in the file manager."""
        folder = self._window.services.paths.logs
        folder.mkdir(parents=True, exist_ok=True)
        _open_folder(str(folder))

    def copy_diagnostics_soon(self) -> None:
        """:meth:`copy_diagnostics` as a task of the window."""
        self._window.tasks.spawn(self.copy_diagnostics(), "Copy diagnostics", self._window)

    async def copy_diagnostics(self) -> str:
        """Versions, the Qt multimedia backend and library figures (never the key), copied
        to the clipboard for a bug report; returns the text."""
        from .diagnostics_report import diagnostics_text

        window = self._window
        text = await diagnostics_text(window.services, window.player)
        QApplication.clipboard().setText(text)
        window.statusBar().showMessage("Diagnostics copied to the clipboard (no key).", 8000)
        return text

    def set_color_scheme(self, scheme: str) -> None:
        """Use ``scheme`` (``system``, ``light``, ``dark``) now and from now on (a preference,
        as View → Colour scheme sets it)."""
        window = self._window
        store = window.services.store
        if store.settings.color_scheme != scheme:
            store.set_settings(store.settings.replace(color_scheme=scheme))
            window.save_store("Save the colour scheme")
        self._applied = self._applied.replace(color_scheme=scheme)
        self.apply_color_scheme(scheme)

    def apply_color_scheme(self, scheme: str) -> None:
        """Re-colour the app for ``scheme`` and tick it in View → Colour scheme."""
        set_scheme_preference(scheme)
        action = self._window.scheme_actions.get(scheme)
        if action is not None:
            action.setChecked(True)

    def _on_welcome_dialog_finished(self, _result: int) -> None:
        dialog = self.welcome_dialog
        choice = dialog.choice() if dialog is not None else "offline"
        self.welcome_dialog = None
        store = self._window.services.store
        if not store.window.first_run_done:
            store.set_window(store.window.replace(first_run_done=True))
            self._window.save_store("Save settings")
        if choice == "key":
            self.open_settings()

    def _on_settings_dialog_saved(self, settings: Settings, key_changed: bool) -> None:
        """The dialog stored ``settings`` (through the store); apply what changed."""
        window = self._window
        old, self._applied = self._applied, settings
        if settings.defaults != old.defaults:
            window.composer.apply_defaults(settings.defaults)
        if settings.color_scheme != old.color_scheme:
            self.apply_color_scheme(settings.color_scheme)
        runner = window.runner
        if runner is not None and settings.concurrency != old.concurrency:
            runner.concurrency = settings.concurrency
        limits = ("start_timeout_min", "upload_expiry_h")
        if runner is not None and any(getattr(settings, k) != getattr(old, k) for k in limits):
            runner.set_limits(
                start_timeout_s=settings.start_timeout_s(),
                upload_expiry_s=settings.upload_expiry_s(),
            )
        if runner is not None and settings.caps() != old.caps():
            runner.set_caps(settings.caps())
            window.update_budget()
        engine_changed = (
            key_changed or settings.backend != old.backend or settings.queue_url != old.queue_url
        )
        if engine_changed:
            window.tasks.spawn(self._reconfigure(key_changed), "Switch engine")

    def panes_built(self, settings: Settings) -> None:
        """The panes were built with ``settings``: a saved dialog applies what differs."""
        self._applied_settings = settings

    @property
    def _applied(self) -> Settings:
        if self._applied_settings is None:
            self._applied_settings = self._window.services.settings
        return self._applied_settings

    @_applied.setter
    def _applied(self, settings: Settings) -> None:
        self._applied_settings = settings

    async def _reconfigure(self, key_changed: bool) -> None:
        window = self._window
        window.composer.set_ready("Switching engine …")
        window.engine_label.setText("Switching …")
        try:
            await window.services.reconfigure(key_changed)
        except Exception as exc:
            window.set_engine_problem(f"The engine could not start: {exc}")
            raise
        assert window.services.runner is not None
        window.attach_runner(window.services.runner, window.services.offline)


def _delete_on_close():
    """``Qt.WA_DeleteOnClose``, looked up when a dialog opens: this module is loaded before the
    first paint, which must not build PySide's ``Qt`` namespace (see theme)."""
    from PySide6.QtCore import Qt

    return Qt.WidgetAttribute.WA_DeleteOnClose


def _open_folder(path: str) -> None:
    from PySide6.QtCore import QUrl  # not at import: before the first paint (its type costs)

    _open_url(QUrl.fromLocalFile(path))


def _open_url(url: QUrl) -> None:
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(url)
