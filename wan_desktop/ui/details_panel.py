"""Everything about the selected clip: its title (or prompt) as the heading, the key facts
beside the input image's thumbnail, the prompt beside the prompt the service used (changes
highlighted), the user's title, favourite, tags and notes, then the other parameters.

The thumbnail is decoded in the background through the thumbnail machinery
(:class:`~.thumbnail_cache.BackgroundImageLoader`), never on the GUI thread.

The panel only shows and collects; saving goes through signals to the pane, which calls the
library in the executor.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .details_facts import (
    KEY_FACT_NAMES,
    OTHER_FACT_NAMES,
    heading_text,
    human_size,
    key_facts_html,
    other_facts_html,
)
from .plain_text import plain_label, tooltip_text
from .prompt_diff import diff_html
from .shot_facts import planned_shots, shots_text
from .theme import colors, set_role
from .thumbnail_cache import BackgroundImageLoader, ImageCache, read_thumbnail

__all__ = ["DetailsPanel", "human_size"]

_NOTHING_SELECTED = "Select a clip to see its details"
#: The input image's box beside the key facts, in logical pixels (decoded at twice the size,
#: sharp on high-density screens).
_IMAGE_BOX = QSize(144, 108)
#: A table's cell padding and the gap after its names (``details_facts._table``), px, and a
#: little slack: an elided value must not be the one pixel that widens the table.
_TABLE_CHROME = 10 + 2 * 2 + 6
#: Narrower than this (px), the body shows the input image at half size beside the key facts:
#: at full size, a 36-character request id would be cut to a few characters.
_FULL_IMAGE_MIN = _IMAGE_BOX.width() + 300


def read_input_image(path: str) -> QImage:
    """The clip's input image fitted in twice :data:`_IMAGE_BOX`. Worker thread only."""
    return read_thumbnail(path, _IMAGE_BOX * 2)


def _parent_link_html(parent_id: str) -> str:
    """The link to the parent clip; the id is data, so it is escaped in the text and the href
    (Qt gives the href back unescaped to ``linkActivated``)."""
    safe = html.escape(parent_id)
    return f'Continues from the last frame of <a href="entry:{safe}">{safe}</a>'


def _fit_width(label: QLabel) -> None:
    """``label`` takes the width the layout has for it, not its text's: a long word in it
    (an id, a path) must not widen the panel past the screen; :func:`_elider` shortens it."""
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    label.setSizePolicy(policy)
    label.setMinimumWidth(0)


def _elider(label: QLabel, names: tuple[str, ...]):
    """Shortens a value in the middle to the value column of ``label``'s table (its width
    less the widest of the row ``names``, in bold, and the cells' padding)."""
    metrics = label.fontMetrics()
    bold = QFont(label.font())
    bold.setBold(True)
    names_px = max(QFontMetrics(bold).horizontalAdvance(name) for name in names)
    room = max(metrics.horizontalAdvance("M…M"), label.width() - names_px - _TABLE_CHROME)
    return lambda text: metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, room)


class _Browser(QTextBrowser):
    def __init__(self, name: str, accessible: str):
        super().__init__()
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.setOpenLinks(False)
        self.setMinimumHeight(90)
        self.setFrameShape(QFrame.Shape.StyledPanel)


class DetailsPanel(QWidget):
    """``libraryDetails``. Shows one entry (:meth:`show_entry`); edits come out as signals
    carrying the entry id."""

    favouriteToggled = Signal(str, bool)
    titleEdited = Signal(str, str)
    tagsEdited = Signal(str, list)
    notesEdited = Signal(str, str)
    usePromptRequested = Signal(str)
    parentRequested = Signal(str)
    #: After every :meth:`show_entry` (the entry, or ``None``): the shot marks find its cuts.
    entryShown = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("libraryDetails")
        self.setAccessibleName("Clip details")
        self.entry: Any = None
        self._loading = False
        self._notes_timer = QTimer(self)
        self._notes_timer.setSingleShot(True)
        self._notes_timer.setInterval(600)
        self._images = ImageCache(max_bytes=8 << 20, max_count=48)
        self._loader = BackgroundImageLoader(concurrency=1, parent=self)
        self._image_key: str | None = None
        self._facts_width = (0, 0)  # the tables' widths the ids were last elided to
        self._make_header()
        self._make_prompts()
        self._make_user_fields()
        self._lay_out()
        self._connect()
        self.show_entry(None)

    def _make_header(self) -> None:
        """The heading, the title and favourite, the parent link and the parameter table."""
        self.heading = plain_label(QLabel(_NOTHING_SELECTED))
        self.heading.setObjectName("libraryDetailsHeading")
        set_role(self.heading, "heading")
        self.heading.setWordWrap(True)
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("libraryTitleEdit")
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setPlaceholderText("Add a title")
        self.favourite_check = QCheckBox("Favourite")
        self.favourite_check.setObjectName("libraryFavouriteCheck")
        self.favourite_check.setAccessibleName("Favourite")
        # Rich text for the link; the id in it is escaped (see _parent_link_html).
        self.parent_link = QLabel()
        self.parent_link.setObjectName("libraryParentLink")
        self.parent_link.setAccessibleName("Continues the clip")
        self.parent_link.setTextFormat(Qt.TextFormat.RichText)
        self.parent_link.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.parent_link.hide()
        # A multi-shot clip's planned shots and detected cuts (data-free text: numbers only).
        self.shots = plain_label(QLabel())
        self.shots.setObjectName("libraryShots")
        self.shots.setAccessibleName("Shots")
        self.shots.setWordWrap(True)
        self.shots.hide()
        self._make_key_block()
        # Rich text for the table; every value in it is escaped (see details_facts).
        self.facts = QLabel()
        self.facts.setObjectName("libraryFacts")
        self.facts.setAccessibleName("Parameters")
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setWordWrap(True)
        _fit_width(self.facts)
        self.facts.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.facts.addAction(self.copy_file_path_action)

    def _make_key_block(self) -> None:
        """The input image's thumbnail and, beside it, the facts a user looks for first."""
        self.image = QLabel()
        self.image.setObjectName("libraryDetailsImage")
        self.image.setAccessibleName("Input image")
        self.image.setToolTip("The image this clip was made from")
        self.image.setFixedSize(_IMAGE_BOX)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.hide()
        # Rich text for the table; every value in it is escaped (see details_facts).
        self.key_facts = QLabel()
        self.key_facts.setObjectName("libraryKeyFacts")
        self.key_facts.setAccessibleName("Key facts")
        self.key_facts.setTextFormat(Qt.TextFormat.RichText)
        self.key_facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_facts.setWordWrap(True)
        self.key_facts.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        _fit_width(self.key_facts)
        # Long ids are elided in the middle to fit: their whole text is one click away.
        self.copy_request_id_action = QAction("Copy request id", self)
        self.copy_request_id_action.setObjectName("libraryCopyRequestIdAction")
        self.copy_group_id_action = QAction("Copy group id", self)
        self.copy_group_id_action.setObjectName("libraryCopyGroupIdAction")
        self.copy_file_path_action = QAction("Copy file path", self)
        self.copy_file_path_action.setObjectName("libraryCopyFilePathAction")
        self.key_facts.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.key_facts.addActions([self.copy_request_id_action, self.copy_group_id_action])

    def _make_prompts(self) -> None:
        """The two prompts side by side, and the button that reuses the service's."""
        self.prompt_view = _Browser("libraryPromptView", "Your prompt")
        self.actual_view = _Browser("libraryActualPromptView", "Prompt the service used")
        self.use_prompt_button = QPushButton("Use this prompt")
        self.use_prompt_button.setObjectName("libraryUsePromptButton")
        self.use_prompt_button.setAccessibleName("Use this prompt")
        self.use_prompt_button.setToolTip(
            "Put the prompt the service used in the composer, with prompt expansion off, to "
            "get closer to this result"
        )

    def _make_user_fields(self) -> None:
        """What the user adds: tags and notes."""
        self.tags_edit = QLineEdit()
        self.tags_edit.setObjectName("libraryTagsEdit")
        self.tags_edit.setAccessibleName("Tags")
        self.tags_edit.setPlaceholderText("tags, separated by commas")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("libraryNotesEdit")
        self.notes_edit.setAccessibleName("Notes")
        self.notes_edit.setPlaceholderText("Notes")
        self.notes_edit.setMaximumHeight(70)

    def _prompts_grid(self) -> QGridLayout:
        prompts = QGridLayout()
        prompts.setHorizontalSpacing(8)
        prompts.setVerticalSpacing(2)
        for column, (text, view) in enumerate(
            (("Your prompt", self.prompt_view), ("Prompt the service used", self.actual_view))
        ):
            head = QLabel(text)
            set_role(head, "heading")
            prompts.addWidget(head, 0, column)
            prompts.addWidget(view, 1, column)
            prompts.setColumnStretch(column, 1)
        return prompts

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title_edit, 1)
        top.addWidget(self.favourite_check)
        legend = QLabel("Words the service added are highlighted; words it dropped are struck out.")
        set_role(legend, "muted")
        legend.setWordWrap(True)
        use_row = QHBoxLayout()
        use_row.addWidget(legend, 1)
        use_row.addWidget(self.use_prompt_button)
        user = QFormLayout()
        user.setContentsMargins(0, 0, 0, 0)
        user.addRow("Tags", self.tags_edit)
        user.addRow("Notes", self.notes_edit)
        self.body = QWidget()
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        key_row = QHBoxLayout()
        key_row.setSpacing(10)
        key_row.addWidget(self.image, 0, Qt.AlignmentFlag.AlignTop)
        key_row.addWidget(self.key_facts, 1)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addLayout(key_row)
        layout.addWidget(self.parent_link)
        layout.addWidget(self.shots)
        layout.addLayout(self._prompts_grid())
        layout.addLayout(use_row)
        layout.addLayout(user)
        layout.addWidget(self.facts)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("libraryDetailsScroll")
        scroll.setAccessibleName("Details of the selected clip")
        scroll.setWidgetResizable(True)
        # The body fits the width (long ids and paths are elided): it only scrolls down.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _connect(self) -> None:
        self.favourite_check.toggled.connect(self._on_favourite_check_toggled)
        self.title_edit.editingFinished.connect(self._on_title_edit_editing_finished)
        self.tags_edit.editingFinished.connect(self._on_tags_edit_editing_finished)
        self.notes_edit.textChanged.connect(self._notes_timer.start)
        self._notes_timer.timeout.connect(self._on_notes_timer_timeout)
        self.use_prompt_button.clicked.connect(self._on_use_prompt_button_clicked)
        self.parent_link.linkActivated.connect(self._on_parent_link_link_activated)
        self._loader.loaded.connect(self._on_loader_loaded)
        self._loader.failed.connect(self._on_loader_failed)
        self.copy_request_id_action.triggered.connect(
            lambda: self._copy(getattr(self.entry, "request_id", None))
        )
        self.copy_group_id_action.triggered.connect(
            lambda: self._copy(getattr(self.entry, "group_id", None))
        )
        self.copy_file_path_action.triggered.connect(
            lambda: self._copy(str(self.entry.video_path) if self.entry is not None else None)
        )
        self.key_facts.installEventFilter(self)
        self.facts.installEventFilter(self)
        self.body.installEventFilter(self)

    # ---- showing ------------------------------------------------------------------------------

    def show_entry(self, entry: Any) -> None:
        """Show ``entry`` (an ``Entry``), or the empty state for ``None``."""
        self.flush()
        self.entry = entry
        self._loading = True
        try:
            self._fill(entry)
            self._fill_shots(entry)
        finally:
            self._loading = False
        self.entryShown.emit(entry)

    def _fill_shots(self, entry: Any) -> None:
        starts = planned_shots(entry) if entry is not None else None
        self.shots.setVisible(starts is not None)
        self.shots.setText(shots_text(starts, None) if starts is not None else "")

    def show_cuts(self, entry_id: str, cuts: list[float] | None, problem: str = "") -> None:
        """The cuts found in ``entry_id``'s video (seconds), or ``problem`` when they could
        not be found: shown beside its planned shots while that entry is shown."""
        if self.entry is None or self.entry.id != entry_id:
            return
        starts = planned_shots(self.entry)
        if starts is not None:
            self.shots.setText(shots_text(starts, cuts, problem))

    def _fill(self, entry: Any) -> None:
        enabled = entry is not None
        for w in (self.title_edit, self.favourite_check, self.tags_edit, self.notes_edit):
            w.setEnabled(enabled)
        if entry is None:
            self.heading.setText(_NOTHING_SELECTED)
            self.title_edit.clear()
            self.favourite_check.setChecked(False)
            self.tags_edit.clear()
            self.notes_edit.clear()
            self.facts.clear()
            self.key_facts.clear()
            self._show_image(None)
            self.prompt_view.clear()
            self.actual_view.clear()
            self.parent_link.hide()
            self.use_prompt_button.setEnabled(False)
            return
        self.heading.setText(heading_text(entry))
        self.title_edit.setText(entry.title)
        self.favourite_check.setChecked(bool(entry.favourite))
        self.tags_edit.setText(", ".join(entry.tags))
        self.notes_edit.setPlainText(entry.notes)
        if entry.parent_id:
            self.parent_link.setText(_parent_link_html(entry.parent_id))
        self.parent_link.setVisible(bool(entry.parent_id))
        self._fill_facts(entry)
        self._show_image(entry.image_path or entry.poster_path)
        self.image.setToolTip(
            "The image this clip was made from" if entry.image_path else "A still from the clip"
        )
        left, right = diff_html(entry.prompt, entry.actual_prompt)
        self.prompt_view.setHtml(left or "<i>No prompt recorded.</i>")
        self.actual_view.setHtml(right)
        self.use_prompt_button.setEnabled(bool(entry.actual_prompt or entry.prompt))

    def show_marks(self, entry: Any) -> None:
        """``entry`` was saved with new stars, flag or favourite: refresh the facts and the
        favourite box only (a title or note being typed stays as it is)."""
        if self.entry is not None and entry is not None and self.entry.id == entry.id:
            self.entry = entry
            self._fill_facts(entry)
            with QSignalBlocker(self.favourite_check):  # shown, not a new edit to save
                self.favourite_check.setChecked(bool(entry.favourite))

    def _fill_facts(self, entry: Any) -> None:
        muted = colors().muted
        key_elide = _elider(self.key_facts, KEY_FACT_NAMES)
        self.key_facts.setText(key_facts_html(entry, muted, key_elide))
        self.facts.setText(other_facts_html(entry, muted, _elider(self.facts, OTHER_FACT_NAMES)))
        request_id = getattr(entry, "request_id", None)
        group_id = getattr(entry, "group_id", None)
        whole = [f"Request id: {request_id}"] if request_id else []
        whole += [f"Group: {group_id}"] if group_id else []
        self.key_facts.setToolTip(tooltip_text("\n".join(whole)))
        self.facts.setToolTip(tooltip_text(f"File: {entry.video_path}"))
        self.copy_request_id_action.setEnabled(bool(request_id))
        self.copy_group_id_action.setEnabled(bool(group_id))
        self._facts_width = (self.key_facts.width(), self.facts.width())

    def eventFilter(self, watched: Any, event: QEvent) -> bool:  # Qt override
        if watched is self.body and event.type() == QEvent.Type.Resize:
            box = _IMAGE_BOX if self.body.width() >= _FULL_IMAGE_MIN else _IMAGE_BOX / 2
            if self.image.size() != box:
                self.image.setFixedSize(box)
                cached = self._images.get(self._image_key) if self._image_key else None
                if cached is not None:
                    self._set_image(cached)
        # The ids and the path are elided to the tables' width: a new width elides again.
        if (
            event.type() == QEvent.Type.Resize
            and watched in (self.key_facts, self.facts)
            and self.entry is not None
            and self._facts_width != (self.key_facts.width(), self.facts.width())
        ):
            self._fill_facts(self.entry)
        return super().eventFilter(watched, event)

    def _copy(self, text: str | None) -> None:
        if text:
            QGuiApplication.clipboard().setText(text)

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        # The row labels take the scheme's muted colour: a new palette re-colours them.
        changes = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in changes and self.entry is not None:
            self._fill_facts(self.entry)
        super().changeEvent(event)

    def _show_image(self, path: Any) -> None:
        """Show the picture at ``path`` beside the key facts (hidden for ``None``): from the
        cache, else blank until the loader has decoded it in the background."""
        self._image_key = str(path) if path is not None else None
        self.image.clear()
        self.image.setVisible(path is not None)
        if self._image_key is None:
            return
        cached = self._images.get(self._image_key)
        if cached is not None:
            self._set_image(cached)
        elif not self._loader.is_pending(self._image_key):
            key = self._image_key
            self._loader.request(key, lambda: read_input_image(key))

    def _set_image(self, image: QImage) -> None:
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap.fromImage(image).scaled(
            self.image.size() * ratio,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        pixmap.setDevicePixelRatio(ratio)
        self.image.setPixmap(pixmap)

    def flush(self) -> None:
        """Save notes typed but not yet saved (before another entry is shown)."""
        if self._notes_timer.isActive():
            self._notes_timer.stop()
            self._on_notes_timer_timeout()

    # ---- slots --------------------------------------------------------------------------------

    def _on_favourite_check_toggled(self, checked: bool) -> None:
        if not self._loading and self.entry is not None:
            self.favouriteToggled.emit(self.entry.id, checked)

    def _on_title_edit_editing_finished(self) -> None:
        if (
            not self._loading
            and self.entry is not None
            and self.title_edit.text() != self.entry.title
        ):
            self.heading.setText(heading_text(self.entry, self.title_edit.text()))
            self.titleEdited.emit(self.entry.id, self.title_edit.text())

    def _on_tags_edit_editing_finished(self) -> None:
        if self._loading or self.entry is None:
            return
        tags = [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]
        if tags != list(self.entry.tags):
            self.tagsEdited.emit(self.entry.id, tags)

    def _on_notes_timer_timeout(self) -> None:
        if not self._loading and self.entry is not None:
            text = self.notes_edit.toPlainText()
            if text != self.entry.notes:
                self.notesEdited.emit(self.entry.id, text)

    def _on_loader_loaded(self, key: str, image: QImage | None) -> None:
        if image is None or image.isNull():
            return
        self._images.put(key, image)
        if key == self._image_key:
            self._set_image(image)

    def _on_loader_failed(self, key: str, _message: str) -> None:
        if key == self._image_key:  # nothing to show: no empty box beside the facts
            self.image.hide()

    def _on_use_prompt_button_clicked(self) -> None:
        if self.entry is not None:
            self.usePromptRequested.emit(self.entry.id)

    def _on_parent_link_link_activated(self, link: str) -> None:
        if link.startswith("entry:"):
            self.parentRequested.emit(link.removeprefix("entry:"))
