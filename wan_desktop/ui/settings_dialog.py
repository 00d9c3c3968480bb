"""The settings dialog: the fal key (masked, tested, stored by ``core.secrets.KeyStore``), the
backend, concurrency, the library location, default options and the queue URL.

Keyring calls can block (D-Bus), so reading and writing the key happen in an executor.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core import limits
from ..core.paths import AppPaths
from ..core.secrets import KeyStore
from ..core.settings import CONCURRENCY_MAX, DEFAULT_QUEUE_URL, Settings, save_settings
from .async_bridge import TaskKeeper, run_blocking
from .key_check import KeyCheck, check_key
from .theme import set_role

__all__ = ["BACKENDS", "SettingsDialog"]

BACKENDS = (
    ("auto", "Automatic — fal when a key is set, else the offline engine"),
    ("fal", "fal (Wan 2.6, billed by fal)"),
    ("offline", "Offline engine (local camera move, not the AI model)"),
)


def _top_aligned(tab: QWidget, form: QFormLayout) -> None:
    """Rows at the top of the tab; spare height goes below them, not between them."""
    outer = QVBoxLayout(tab)
    outer.addLayout(form)
    outer.addStretch(1)


def _named(widget, name: str, accessible: str):
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    return widget


class SettingsDialog(QDialog):
    """``settingsDialog``. ``saved(settings, key_changed)`` after OK has stored everything."""

    saved = Signal(object, bool)

    def __init__(
        self,
        settings: Settings,
        key_store: KeyStore,
        paths: AppPaths,
        tasks: TaskKeeper,
        parent: QWidget | None = None,
        *,
        key_checker=check_key,
    ):
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setAccessibleName("Settings")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(620)
        self._settings = settings
        self._store = key_store
        self._paths = paths
        self._tasks = tasks
        self._check = key_checker
        self._key_origin: str | None = None
        self.load_task = None
        self.test_task = None
        self.save_task = None

        # ---- fal key tab ----------------------------------------------------------------
        self.key_edit = _named(QLineEdit(), "falKeyEdit", "fal key")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("key-id:key-secret")
        self.key_edit.setClearButtonEnabled(True)
        self.show_key = _named(QPushButton("Show"), "showKeyButton", "Show key")
        self.show_key.setCheckable(True)
        self.test_button = _named(QPushButton("Test key"), "testKeyButton", "Test key")
        self.test_button.setToolTip(
            "One cheap authenticated call to fal; nothing is generated or billed."
        )
        self.remove_key = _named(
            QPushButton("Remove stored key"), "removeKeyButton", "Remove stored key"
        )
        self.key_state = _named(
            QLabel("Checking where the key is kept …"), "keyStateLabel", "Key state"
        )
        self.key_status = _named(QLabel(), "keyStatusLabel", "Key test result")
        self.key_status.setWordWrap(True)
        self.key_status.hide()
        self.where = _named(QLabel(), "keyStorageLabel", "Where the key is stored")
        self.where.setWordWrap(True)
        self.where.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        set_role(self.where, "muted")
        self.backend = _named(QComboBox(), "backendCombo", "Backend")
        for value, label in BACKENDS:
            self.backend.addItem(label, value)

        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key)
        key_row.addWidget(self.test_button)
        key_tab = QWidget()
        kf = QFormLayout()
        _top_aligned(key_tab, kf)
        info = QVBoxLayout()
        info.setSpacing(6)
        info.addWidget(self.key_state)
        info.addWidget(self.key_status)
        info.addWidget(self.where)
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.remove_key)
        remove_row.addStretch(1)
        info.addLayout(remove_row)
        backend_note = QLabel(
            "The offline engine animates your image locally with a camera move; it is not "
            "the Wan AI model. It is used when no key is set."
        )
        set_role(backend_note, "muted")
        backend_note.setWordWrap(True)
        kf.addRow("fal key", key_row)
        kf.addRow("", info)
        kf.addRow("Generate with", self.backend)
        kf.addRow("", backend_note)

        # ---- generation tab -------------------------------------------------------------
        self.concurrency = _named(QSpinBox(), "concurrencySpin", "Jobs at once")
        self.concurrency.setRange(1, CONCURRENCY_MAX)
        self.concurrency.setToolTip("How many jobs run at once on fal (new accounts: 2).")
        self.default_resolution = _named(
            QComboBox(), "defaultResolutionCombo", "Default resolution"
        )
        for r in limits.RESOLUTIONS:
            self.default_resolution.addItem(r, r)
        self.default_duration = _named(QComboBox(), "defaultDurationCombo", "Default duration")
        for d in limits.DURATIONS_S:
            self.default_duration.addItem(f"{d} s", d)
        self.default_expansion = _named(
            QCheckBox("Prompt expansion"), "defaultExpansionCheck", "Default prompt expansion"
        )
        self.default_multi = _named(
            QCheckBox("Multi-shot"), "defaultMultiShotsCheck", "Default multi-shot"
        )
        self.default_safety = _named(
            QCheckBox("Safety checker"), "defaultSafetyCheck", "Default safety checker"
        )
        self.default_negative = _named(
            QLineEdit(), "defaultNegativePromptEdit", "Default negative prompt"
        )
        self.default_negative.setMaxLength(limits.NEGATIVE_PROMPT_MAX_CHARS)
        self.notify_sound = _named(
            QCheckBox("Play a sound when a video is ready"),
            "notifySoundCheck",
            "Notification sound",
        )
        gen_tab = QWidget()
        gf = QFormLayout()
        _top_aligned(gen_tab, gf)
        gf.addRow("Jobs at once", self.concurrency)
        gf.addRow("Resolution", self.default_resolution)
        gf.addRow("Duration", self.default_duration)
        checks = QHBoxLayout()
        for w in (self.default_expansion, self.default_multi, self.default_safety):
            checks.addWidget(w)
        checks.addStretch(1)
        gf.addRow("Options", checks)
        gf.addRow("Negative prompt", self.default_negative)
        gf.addRow("", self.notify_sound)

        # ---- storage & advanced tab -----------------------------------------------------
        self.library_dir = _named(QLineEdit(), "libraryDirEdit", "Library folder")
        self.library_dir.setPlaceholderText(str(paths.library))
        self.library_browse = _named(
            QPushButton("Choose…"), "libraryDirButton", "Choose library folder"
        )
        self.queue_url = _named(QLineEdit(), "queueUrlEdit", "Queue URL")
        self.queue_url.setPlaceholderText(DEFAULT_QUEUE_URL)
        lib_row = QHBoxLayout()
        lib_row.addWidget(self.library_dir, 1)
        lib_row.addWidget(self.library_browse)
        adv_tab = QWidget()
        af = QFormLayout()
        _top_aligned(adv_tab, af)
        af.addRow("Library folder", lib_row)
        note = QLabel("A new library folder is used the next time the app starts.")
        set_role(note, "muted")
        af.addRow("", note)
        af.addRow("Queue URL", self.queue_url)
        env_note = QLabel(
            "FAL_QUEUE_URL in the environment overrides this."
            if os.environ.get("FAL_QUEUE_URL")
            else "Leave empty for fal's queue. For testing against a compatible server only."
        )
        set_role(env_note, "muted")
        env_note.setWordWrap(True)
        af.addRow("", env_note)

        self.tabs = _named(QTabWidget(), "settingsTabs", "Settings sections")
        self.tabs.addTab(key_tab, "fal key")
        self.tabs.addTab(gen_tab, "Generation")
        self.tabs.addTab(adv_tab, "Storage && advanced")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("settingsButtons")
        self.error = _named(QLabel(), "settingsErrorLabel", "Settings problem")
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._fill(settings)
        self.show_key.toggled.connect(self._on_show_key_toggled)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.remove_key.clicked.connect(self._on_remove_key_clicked)
        self.library_browse.clicked.connect(self._on_library_browse_clicked)
        self.default_expansion.toggled.connect(self._on_default_expansion_toggled)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.load_task = tasks.spawn(self._load_key_state(), "Read the key", self)

    # ---- filling and reading --------------------------------------------------------------

    def _fill(self, s: Settings) -> None:
        self.backend.setCurrentIndex(max(0, self.backend.findData(s.backend)))
        self.concurrency.setValue(s.concurrency)
        d = s.defaults
        self.default_resolution.setCurrentIndex(
            max(0, self.default_resolution.findData(d.get("resolution")))
        )
        self.default_duration.setCurrentIndex(
            max(0, self.default_duration.findData(d.get("duration")))
        )
        self.default_expansion.setChecked(bool(d.get("enable_prompt_expansion", True)))
        self.default_multi.setChecked(bool(d.get("multi_shots", False)))
        self.default_safety.setChecked(bool(d.get("enable_safety_checker", True)))
        self.default_negative.setText(str(d.get("negative_prompt", "")))
        self.notify_sound.setChecked(s.notify_sound)
        self.library_dir.setText(s.library_dir or "")
        self.queue_url.setText(s.queue_url or "")
        self._on_default_expansion_toggled(self.default_expansion.isChecked())

    def result_settings(self) -> Settings:
        """The settings as the form shows them."""
        defaults = dict(self._settings.defaults)
        defaults.update(
            resolution=self.default_resolution.currentData(),
            duration=self.default_duration.currentData(),
            enable_prompt_expansion=self.default_expansion.isChecked(),
            multi_shots=self.default_multi.isChecked() and self.default_expansion.isChecked(),
            enable_safety_checker=self.default_safety.isChecked(),
            negative_prompt=self.default_negative.text(),
        )
        return self._settings.replace(
            backend=self.backend.currentData(),
            concurrency=self.concurrency.value(),
            defaults=defaults,
            notify_sound=self.notify_sound.isChecked(),
            library_dir=self.library_dir.text().strip() or None,
            queue_url=self.queue_url.text().strip().rstrip("/") or None,
        )

    # ---- async work -----------------------------------------------------------------------

    async def _load_key_state(self) -> None:
        source = await run_blocking(self._store.get)
        where = await run_blocking(self._store.describe)
        self._key_origin = source.origin if source else None
        self.where.setText(where)
        if source is None:
            self.key_state.setText("No key is set: the offline engine is used.")
        elif source.origin == "env":
            self.key_state.setText(
                "Using FAL_KEY from the environment (it overrides a stored key)."
            )
        else:
            label = "the system keyring" if source.origin == "keyring" else "the private key file"
            self.key_state.setText(f"A key is stored in {label}. Type a new one to replace it.")
        self.remove_key.setEnabled(source is not None and source.origin != "env")

    async def test_key(self) -> KeyCheck:
        """Test the typed key (or the stored one) with one cheap call; shows the verdict."""
        key = self.key_edit.text().strip()
        if not key:
            source = await run_blocking(self._store.get)
            key = source.key if source else ""
        base = os.environ.get("FAL_QUEUE_URL") or self.queue_url.text().strip() or None
        self.key_status.setText("Testing …")
        self.key_status.show()
        set_role(self.key_status, "muted")
        self.test_button.setEnabled(False)
        try:
            result = await self._check(key, base)
        except Exception as exc:  # the verdict is shown, not raised: it is the user's action
            result = KeyCheck(None, f"The test did not finish: {exc}")
        finally:
            self.test_button.setEnabled(True)
        self.key_status.setText(result.message)
        role = {True: "", False: "error", None: "warning"}[result.ok]
        set_role(self.key_status, role)
        return result

    async def save(self) -> None:
        """Store the key (if one was typed) and the settings; then emit ``saved``."""
        new_settings = self.result_settings()
        key = self.key_edit.text().strip()
        key_changed = False
        if key:
            message = await run_blocking(self._store.set, key)
            self.where.setText(message)
            key_changed = True
        await run_blocking(save_settings, self._paths, new_settings)
        self._settings = new_settings
        self.saved.emit(new_settings, key_changed)

    async def _save_and_close(self) -> None:
        self.buttons.setEnabled(False)
        try:
            await self.save()
        except Exception as exc:
            self.error.setText(f"Could not save: {exc}")
            self.error.show()
            self.buttons.setEnabled(True)
            return
        self.accept()

    async def _remove(self) -> None:
        await run_blocking(self._store.clear)
        self.key_edit.clear()
        await self._load_key_state()
        self.saved.emit(self._settings, True)

    # ---- slots ----------------------------------------------------------------------------

    def _on_show_key_toggled(self, checked: bool) -> None:
        self.key_edit.setEchoMode(
            QLineEdit.EchoMode.Normal if checked else QLineEdit.EchoMode.Password
        )
        self.show_key.setText("Hide" if checked else "Show")

    def _on_test_button_clicked(self) -> None:
        self.test_task = self._tasks.spawn(self.test_key(), "Test key", self)

    def _on_remove_key_clicked(self) -> None:
        self._tasks.spawn(self._remove(), "Remove key")

    def _on_library_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Library folder", self.library_dir.text() or str(self._paths.library)
        )
        if folder:
            self.library_dir.setText(folder)

    def _on_default_expansion_toggled(self, checked: bool) -> None:
        self.default_multi.setEnabled(checked)
        self.default_multi.setToolTip(
            "" if checked else "Multi-shot only works with prompt expansion on."
        )

    def _on_buttons_accepted(self) -> None:
        self.save_task = self._tasks.spawn(self._save_and_close(), "Save settings")

    def done(self, result: int) -> None:  # Qt override
        # The dialog is deleted on close: work still reading or testing the key must stop.
        for task in (self.load_task, self.test_task):
            if task is not None and not task.done():
                task.cancel()
        super().done(result)

    def keyPressEvent(self, event) -> None:  # Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.key_edit.hasFocus():
            self._on_test_button_clicked()
            return
        super().keyPressEvent(event)
