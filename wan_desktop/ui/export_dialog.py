"""``libraryExportDialog``: where to copy a clip, how to name it, and whether its settings go
along as a JSON sidecar (GUI thread)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .naming import named
from .theme import set_role

__all__ = ["TEMPLATE_FIELDS", "ExportDialog"]

TEMPLATE_FIELDS = "Fields: {date} {time} {id} {seed} {prompt:40} {resolution} {duration} {title}"


class ExportDialog(QDialog):
    """A folder, a filename template and "with sidecar". Read the choice with :meth:`folder`,
    :meth:`template` and :meth:`with_sidecar` once ``accepted`` fires."""

    def __init__(self, folder: str, template: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("libraryExportDialog")
        self.setWindowTitle("Export clip")
        self.folder_edit = named(QLineEdit(folder), "libraryExportFolder", "Folder")
        browse = named(QToolButton(), "libraryExportBrowse", "Choose folder")
        browse.setText("…")
        self.template_edit = named(
            QLineEdit(template), "libraryExportTemplate", "File name", TEMPLATE_FIELDS
        )
        self.sidecar_check = named(
            QCheckBox("Also write the settings (JSON sidecar)"), "libraryExportSidecar", "Sidecar"
        )
        hint = QLabel(TEMPLATE_FIELDS)
        set_role(hint, "muted")
        hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Folder", row)
        form.addRow("File name", self.template_edit)
        form.addRow("", hint)
        form.addRow("", self.sidecar_check)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        browse.clicked.connect(self._on_browse_clicked)
        self.resize(520, self.sizeHint().height())

    def folder(self) -> str:
        """The folder typed or chosen, trimmed ("" when left empty)."""
        return self.folder_edit.text().strip()

    def template(self) -> str:
        """The filename template, trimmed ("" when left empty)."""
        return self.template_edit.text().strip()

    def with_sidecar(self) -> bool:
        """Whether the clip's settings are written beside it as JSON."""
        return self.sidecar_check.isChecked()

    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)
