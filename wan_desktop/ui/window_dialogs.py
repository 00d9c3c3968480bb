"""The window's dialogs: settings (and what a saved change means for the panes, the runner and
the engine) and the first-run welcome.

Both are opened with ``open()``, never ``exec()``: a nested event loop would stall the qasync
loop the jobs run on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

if TYPE_CHECKING:
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
        self._applied = window.services.settings  # what the panes and the runner use
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
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def show_welcome(self) -> WelcomeDialog:
        """Show the welcome (what the app does, where the library is, key or offline)."""
        from .welcome import WelcomeDialog

        window = self._window
        dialog = WelcomeDialog(window.library_folder(), window.services.has_key, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self._on_welcome_dialog_finished)
        self.welcome_dialog = dialog
        dialog.open()
        return dialog

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
            window.apply_color_scheme(settings.color_scheme)
        if window.runner is not None and settings.concurrency != old.concurrency:
            window.runner.concurrency = settings.concurrency
        engine_changed = (
            key_changed or settings.backend != old.backend or settings.queue_url != old.queue_url
        )
        if engine_changed:
            window.tasks.spawn(self._reconfigure(key_changed), "Switch engine")

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
