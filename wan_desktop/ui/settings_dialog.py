"""The settings dialog: the fal key (masked, tested, stored by ``core.secrets.KeyStore``), the
backend, concurrency, the library location, default options, the queue URL, the window's
colour scheme and what a finished video does, and the spending caps (the Budget tab).

Keyring calls can block (D-Bus), so reading and writing the key happen in an executor.
"""

from __future__ import annotations

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
    QLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core import limits
from ..core.budget import SpendLedger, ledger_path
from ..core.secrets import KeyStore
from ..core.settings import CONCURRENCY_MAX, DEFAULT_QUEUE_URL, Settings, resolve_queue_url
from ..core.settings_store import SettingsStore
from .advanced_settings import AdvancedSettings
from .async_bridge import TaskKeeper, run_blocking
from .budget_settings import BudgetSettings
from .key_check import KeyCheck, check_key
from .naming import named
from .plain_text import plain_label
from .theme import SCHEMES, set_role

__all__ = ["BACKENDS", "VIDEO_READY", "SettingsDialog"]

BACKENDS = (
    ("auto", "Automatic — fal when a key is set, else the offline engine"),
    ("fal", "fal (Wan 2.6, billed by fal)"),
    ("offline", "Offline engine (local camera move, not the AI model)"),
)
#: What a finished video does (``Settings.video_ready``), as the dialog says it.
VIDEO_READY = (
    ("offer", "Offer it while another clip is open"),
    ("play", "Play it now"),
)


def _combo(name: str, accessible: str, choices: tuple[tuple[str, str], ...]) -> QComboBox:
    """A combo box of ``choices`` (value, label), the value as each item's data."""
    combo = named(QComboBox(), name, accessible)
    for value, label in choices:
        combo.addItem(label, value)
    # The longest choice does not set the dialog's width (its label would be cut instead).
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    combo.setCurrentIndex(max(0, combo.findData(value)))


def _form_tab(*rows: tuple[str, QWidget | QLayout]) -> QWidget:
    """A tab of labelled rows at its top; spare height goes below them, not between them."""
    tab = QWidget()
    form = QFormLayout()
    for label, field in rows:
        form.addRow(label, field)
    outer = QVBoxLayout(tab)
    outer.addLayout(form)
    outer.addStretch(1)
    return tab


def _row(*widgets: QWidget, stretch_first: bool = False, stretch_last: bool = False) -> QHBoxLayout:
    """Widgets side by side; the first one takes the spare width, or a stretch after them."""
    row = QHBoxLayout()
    for index, widget in enumerate(widgets):
        row.addWidget(widget, 1 if stretch_first and index == 0 else 0)
    if stretch_last:
        row.addStretch(1)
    return row


def _note(text: str, *, wrap: bool = True) -> QLabel:
    """A muted sentence under a row."""
    label = QLabel(text)
    set_role(label, "muted")
    label.setWordWrap(wrap)
    return label


class SettingsDialog(QDialog):
    """``settingsDialog``. Edits the preferences in ``store`` (a ``SettingsStore``, the one
    writer of the settings file) and the key in ``key_store``. ``saved(settings, key_changed)``
    after Save has stored everything."""

    saved = Signal(object, bool)

    def __init__(
        self,
        store: SettingsStore,
        key_store: KeyStore,
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
        self._settings_store = store
        self._settings = store.settings
        self._store = key_store
        self._paths = store.paths
        self._tasks = tasks
        self._check = key_checker
        self._key_origin: str | None = None
        self.load_task = None
        self.test_task = None
        self.save_task = None

        self.tabs = named(QTabWidget(), "settingsTabs", "Settings sections")
        self.tabs.addTab(self._build_key_tab(), "fal key")
        self.tabs.addTab(self._build_generation_tab(), "Generation")
        self.tabs.addTab(self._build_window_tab(), "Window")
        self.tabs.addTab(self._build_storage_tab(), "Storage")
        ledger = SpendLedger(ledger_path(self._paths))
        self.budget = BudgetSettings(self._settings, ledger=ledger, tasks=tasks)
        self.tabs.addTab(self.budget, "Budget")
        self.advanced = AdvancedSettings(self._settings)
        self.tabs.addTab(self.advanced, "Advanced")
        self._build_footer()
        self._fill(self._settings)
        self._connect()
        self.load_task = tasks.spawn(self._load_key_state(), "Read the key", self)

    # ---- building -------------------------------------------------------------------------

    def _build_key_widgets(self) -> None:
        self.key_edit = named(QLineEdit(), "falKeyEdit", "fal key")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("key-id:key-secret")
        self.key_edit.setClearButtonEnabled(True)
        self.show_key = named(QPushButton("Show"), "showKeyButton", "Show key")
        self.show_key.setCheckable(True)
        self.test_button = named(QPushButton("Test key"), "testKeyButton", "Test key")
        self.test_button.setToolTip(
            "One cheap authenticated call to fal; nothing is generated or billed."
        )
        self.remove_key = named(
            QPushButton("Remove stored key"), "removeKeyButton", "Remove stored key"
        )
        self.key_state = named(
            QLabel("Checking where the key is kept …"), "keyStateLabel", "Key state"
        )
        self.key_status = named(plain_label(QLabel()), "keyStatusLabel", "Key test result")
        self.key_status.setWordWrap(True)
        self.key_status.hide()
        self.where = named(plain_label(QLabel()), "keyStorageLabel", "Where the key is stored")
        self.where.setWordWrap(True)
        self.where.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        set_role(self.where, "muted")
        self.backend = named(QComboBox(), "backendCombo", "Backend")
        for value, label in BACKENDS:
            self.backend.addItem(label, value)

    def _build_key_tab(self) -> QWidget:
        """The key (masked, shown, tested, removed), where it is kept, and the backend."""
        self._build_key_widgets()
        key_row = _row(self.key_edit, self.show_key, self.test_button, stretch_first=True)
        info = QVBoxLayout()
        info.setSpacing(6)
        for label in (self.key_state, self.key_status, self.where):
            info.addWidget(label)
        info.addLayout(_row(self.remove_key, stretch_last=True))
        backend_note = _note(
            "The offline engine animates your image locally with a camera move; it is not "
            "the Wan AI model. It is used when no key is set."
        )
        return _form_tab(
            ("fal key", key_row), ("", info), ("Generate with", self.backend), ("", backend_note)
        )

    def _build_generation_widgets(self) -> None:
        self.concurrency = named(QSpinBox(), "concurrencySpin", "Jobs at once")
        self.concurrency.setRange(1, CONCURRENCY_MAX)
        self.concurrency.setToolTip("How many jobs run at once on fal (new accounts: 2).")
        self.default_resolution = named(QComboBox(), "defaultResolutionCombo", "Default resolution")
        for r in limits.RESOLUTIONS:
            self.default_resolution.addItem(r, r)
        self.default_duration = named(QComboBox(), "defaultDurationCombo", "Default duration")
        for d in limits.DURATIONS_S:
            self.default_duration.addItem(f"{d} s", d)
        self.default_expansion = named(
            QCheckBox("Prompt expansion"), "defaultExpansionCheck", "Default prompt expansion"
        )
        self.default_multi = named(
            QCheckBox("Multi-shot"), "defaultMultiShotsCheck", "Default multi-shot"
        )
        self.default_safety = named(
            QCheckBox("Safety checker"), "defaultSafetyCheck", "Default safety checker"
        )
        self.default_negative = named(
            QLineEdit(), "defaultNegativePromptEdit", "Default negative prompt"
        )
        self.default_negative.setMaxLength(limits.NEGATIVE_PROMPT_MAX_CHARS)
        self.notify_sound = named(
            QCheckBox("Play a sound when a video is ready"),
            "notifySoundCheck",
            "Notification sound",
        )

    def _build_generation_tab(self) -> QWidget:
        """Jobs at once, the default options and the notification sound."""
        self._build_generation_widgets()
        checks = _row(
            self.default_expansion, self.default_multi, self.default_safety, stretch_last=True
        )
        return _form_tab(
            ("Jobs at once", self.concurrency),
            ("Resolution", self.default_resolution),
            ("Duration", self.default_duration),
            ("Options", checks),
            ("Negative prompt", self.default_negative),
            ("", self.notify_sound),
        )

    def _build_window_tab(self) -> QWidget:
        """The colour scheme and what a finished video does."""
        self.color_scheme = _combo("colorSchemeCombo", "Colour scheme", SCHEMES)
        self.video_ready = _combo("videoReadyCombo", "When a video finishes", VIDEO_READY)
        return _form_tab(
            ("Colour scheme", self.color_scheme),
            ("When a video finishes", self.video_ready),
            ("", _note("Offered, a video that finishes while you watch or pause another clip "
                       "waits under the player: \u201cNew video ready \u2013 Play\u201d. In "
                       "an idle player it plays at once either way.")),
        )  # fmt: skip

    def _build_storage_tab(self) -> QWidget:
        """The library folder and the queue URL (which ``FAL_QUEUE_URL`` overrides)."""
        self.library_dir = named(QLineEdit(), "libraryDirEdit", "Library folder")
        self.library_dir.setPlaceholderText(str(self._paths.library))
        self.library_browse = named(
            QPushButton("Choose…"), "libraryDirButton", "Choose library folder"
        )
        self.queue_url = named(QLineEdit(), "queueUrlEdit", "Queue URL")
        self.queue_url.setPlaceholderText(DEFAULT_QUEUE_URL)
        _url, source = resolve_queue_url(self._settings)
        env_note = _note(
            "FAL_QUEUE_URL in the environment overrides this."
            if source == "env"
            else "Leave empty for fal's queue. For testing against a compatible server only."
        )
        return _form_tab(
            ("Library folder", _row(self.library_dir, self.library_browse, stretch_first=True)),
            ("", _note("A new library folder is used the next time the app starts.", wrap=False)),
            ("Queue URL", self.queue_url),
            ("", env_note),
        )

    def _build_footer(self) -> None:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.setObjectName("settingsButtons")
        self.error = named(plain_label(QLabel()), "settingsErrorLabel", "Settings problem")
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _connect(self) -> None:
        self.show_key.toggled.connect(self._on_show_key_toggled)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.remove_key.clicked.connect(self._on_remove_key_clicked)
        self.library_browse.clicked.connect(self._on_library_browse_clicked)
        self.default_expansion.toggled.connect(self._on_default_expansion_toggled)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

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
        _select(self.color_scheme, s.color_scheme)
        _select(self.video_ready, s.video_ready)
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
        return self.budget.applied(self.advanced.applied(self._settings)).replace(
            backend=self.backend.currentData(),
            concurrency=self.concurrency.value(),
            defaults=defaults,
            notify_sound=self.notify_sound.isChecked(),
            color_scheme=self.color_scheme.currentData(),
            video_ready=self.video_ready.currentData(),
            library_dir=self.library_dir.text().strip() or None,
            queue_url=self.queue_url.text().strip().rstrip("/") or None,
        )

    # ---- async work -----------------------------------------------------------------------

    async def _load_key_state(self) -> None:
        source = await run_blocking(self._store.get)
        where = await run_blocking(self._store.describe)
        self._key_origin = source.origin if source else None
        if source is None:
            # "The key is stored in …" beside "No key is set" contradicts itself: say where a
            # key would be kept instead.
            stored = "The key is stored in "
            if where.startswith(stored):
                where = "A key you save is kept in " + where.removeprefix(stored)
            self.where.setText(where)
            self.key_state.setText("No key is set: the offline engine is used.")
            self.remove_key.setEnabled(False)
            return
        self.where.setText(where)
        if source.origin == "env":
            self.key_state.setText(
                "Using FAL_KEY from the environment (it overrides a stored key)."
            )
        else:
            label = "the system keyring" if source.origin == "keyring" else "the private key file"
            self.key_state.setText(f"A key is stored in {label}. Type a new one to replace it.")
        self.remove_key.setEnabled(source.origin != "env")

    async def test_key(self) -> KeyCheck:
        """Test the typed key (or the stored one) with one cheap call; shows the verdict."""
        key = self.key_edit.text().strip()
        if not key:
            source = await run_blocking(self._store.get)
            key = source.key if source else ""
        base, _source = resolve_queue_url(self.result_settings())
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
            await run_blocking(self._store.set, key)
            key_changed = True
            await self._load_key_state()  # the key's state and place say the same thing
        self._settings_store.set_settings(new_settings)
        await run_blocking(self._settings_store.save)
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
