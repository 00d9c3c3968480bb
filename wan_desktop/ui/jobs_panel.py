"""The jobs panel: ``jobsView`` (:class:`~.jobs_view.JobsView`) over
:class:`~.jobs_model.JobsModel`, painted by :class:`~.job_delegate.JobDelegate`, with its
actions (play, show log, edit, cancel, retry, remove) and "Clear finished".

The panel only shows and asks: its actions come out as signals carrying the job id, and the
window acts on them. "Clear finished" asks ``removeRequested`` for every done, failed and
cancelled job: removing a job forgets the job, never the clip it made. A job still waiting in
the local queue can be edited (the Edit button, the context menu, double-click or Enter) and
dragged to another place in line (or moved with Alt+Up / Alt+Down); for any other job Edit is
disabled and its tooltip says why.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..jobs.job_edit import edit_refusal
from ..jobs.model import JobSnapshot, JobState
from .job_delegate import JobDelegate
from .job_order import summary_text
from .jobs_model import JobRole, JobsModel, format_duration
from .jobs_view import JobsView
from .plain_text import plain_label
from .theme import set_role

__all__ = ["JobRole", "JobsModel", "JobsPanel", "format_duration", "summary_text"]

#: Roles that change every second or arrive in the background; none changes what the
#: buttons may do, so they do not re-check them.
_PASSIVE_ROLES = {JobRole.ElapsedSeconds, JobRole.EtaSeconds, JobRole.Thumbnail}


#: The Edit button's tooltip while it can be used.
EDIT_TIP = "Change the selected job's prompt and options before it is sent (Enter)"


class JobsPanel(QWidget):
    """The ``jobsView`` list with its action buttons. Emits requests; the window acts on them."""

    cancelRequested = Signal(str)
    retryRequested = Signal(str)
    removeRequested = Signal(str)
    playRequested = Signal(str)
    #: Edit the waiting job with this id (the window opens the edit dialog).
    editRequested = Signal(str)
    #: Move the waiting job with this id to this index among the other waiting jobs.
    moveRequested = Signal(str, int)

    def __init__(self, model: JobsModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.view = self._make_view(model)
        self.summary = plain_label(QLabel())
        self.summary.setObjectName("jobsSummary")
        self.summary.setAccessibleName("Jobs summary")
        set_role(self.summary, "muted")
        # Wrapping, the summary never widens the panel (and so the window) beyond the screen.
        self.summary.setWordWrap(True)
        self._make_buttons()
        self._text_buttons_width = self._measure_buttons()
        self._lay_out()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._connect()
        self._timer.start()
        self._sync()

    def _make_view(self, model: JobsModel) -> JobsView:
        view = JobsView()
        view.setModel(model)
        view.setItemDelegate(JobDelegate(view))
        view.setUniformItemSizes(False)
        view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        return view

    def _make_buttons(self) -> None:
        st = QStyle.StandardPixmap
        self.cancel_button = self._button(
            "jobCancelButton", "Cancel", st.SP_DialogCancelButton, "Cancel the selected job"
        )
        self.retry_button = self._button(
            "jobRetryButton", "Retry", st.SP_BrowserReload, "Run the selected job again"
        )
        self.remove_button = self._button(
            "jobRemoveButton", "Remove", st.SP_TrashIcon, "Remove the selected job from the list"
        )
        self.log_button = self._button(
            "jobLogButton", "Log", st.SP_FileDialogDetailedView, "Show or hide the job's log lines"
        )
        self.log_button.setCheckable(True)
        self.play_button = self._button(
            "jobPlayButton", "Play", st.SP_MediaPlay, "Play the video of the selected job"
        )
        self.edit_button = self._button(
            "jobEditButton", "Edit", st.SP_FileDialogContentsView, EDIT_TIP
        )
        self.clear_finished_button = self._button(
            "jobsClearFinishedButton",
            "Clear finished",
            st.SP_DialogResetButton,
            "Remove every done, failed and cancelled job from the list (their clips stay in "
            "the library)",
        )
        self.clear_finished_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)

    def _buttons(self) -> tuple[QToolButton, ...]:
        """The action buttons in the order they show (the context menu's order too)."""
        return (
            self.play_button,
            self.log_button,
            self.edit_button,
            self.cancel_button,
            self.retry_button,
            self.remove_button,
        )

    def _measure_buttons(self) -> int:
        """The action buttons' width with their text (what the header needs to show it);
        each may shrink to its icon alone, so the panel's minimum is the icons'."""
        width = 0
        for button in self._buttons():
            width += button.sizeHint().width()
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            button.setMinimumWidth(button.sizeHint().width())
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return width

    def _fit_buttons(self) -> None:
        """Text beside the icons while the header has room for it, else the icons alone
        (their names stay in the tooltips, the accessible names and the context menu)."""
        fixed = self.summary.sizeHint().width() + self.clear_finished_button.sizeHint().width()
        wide = self.width() >= fixed + self._text_buttons_width + 80  # heading and spacing
        style = (
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon
            if wide
            else Qt.ToolButtonStyle.ToolButtonIconOnly
        )
        for button in self._buttons():
            if button.toolButtonStyle() != style:
                button.setToolButtonStyle(style)

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self._fit_buttons()

    def _lay_out(self) -> None:
        title = QLabel("Jobs")
        set_role(title, "heading")
        header = QHBoxLayout()
        header.addWidget(title)
        header.addWidget(self.summary, 1)
        for button in self._buttons():
            header.addWidget(button)
        header.addWidget(self.clear_finished_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)

    def _connect(self) -> None:
        model, view = self.model, self.view
        self._timer.timeout.connect(self._on_timer_timeout)
        view.selectionModel().currentChanged.connect(self._on_selection_current_changed)
        view.doubleClicked.connect(self._on_view_double_clicked)
        view.customContextMenuRequested.connect(self._on_view_custom_context_menu_requested)
        model.rowsInserted.connect(self._on_model_rows_changed)
        model.rowsRemoved.connect(self._on_model_rows_changed)
        model.modelReset.connect(self._on_model_rows_changed)
        model.dataChanged.connect(self._on_model_data_changed)
        self.cancel_button.clicked.connect(lambda: self._emit(self.cancelRequested))
        self.retry_button.clicked.connect(lambda: self._emit(self.retryRequested))
        self.remove_button.clicked.connect(lambda: self._emit(self.removeRequested))
        self.play_button.clicked.connect(lambda: self._emit(self.playRequested))
        self.edit_button.clicked.connect(lambda: self._emit(self.editRequested))
        view.moveRequested.connect(self.moveRequested)
        view.editKeyPressed.connect(self._on_view_edit_key_pressed)
        self.clear_finished_button.clicked.connect(self._on_clear_finished_button_clicked)
        self.log_button.toggled.connect(self._on_log_button_toggled)

    @staticmethod
    def _button(name: str, text: str, pixmap: QStyle.StandardPixmap, tip: str) -> QToolButton:
        b = QToolButton()
        b.setObjectName(name)
        b.setAccessibleName(text)
        b.setText(text)
        b.setToolTip(tip)
        b.setIcon(QApplication.style().standardIcon(pixmap))
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        b.setAutoRaise(True)
        return b

    def current_job(self) -> JobSnapshot | None:
        """The selected job's snapshot, or ``None``."""
        index = self.view.currentIndex()
        return index.data(JobRole.Snapshot) if index.isValid() else None

    def select_job(self, job_id: str) -> None:
        """Select ``job_id``'s row (nothing when it is not shown)."""
        row = self.model.row_of(job_id)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))

    def _emit(self, signal) -> None:
        job = self.current_job()
        if job is not None:
            signal.emit(job.id)

    def _sync(self) -> None:
        """Buttons enabled by the current job's state; the summary counts."""
        job = self.current_job()
        self.cancel_button.setEnabled(job is not None and not job.state.is_final)
        self.retry_button.setEnabled(
            job is not None and job.state in (JobState.FAILED, JobState.CANCELLED)
        )
        self.remove_button.setEnabled(job is not None and job.state.is_final)
        self.play_button.setEnabled(job is not None and self.model.is_playable(job))
        refusal = edit_refusal(job.state) if job is not None else None
        self.edit_button.setEnabled(job is not None and refusal is None)
        self.edit_button.setToolTip(f"Edit is unavailable: {refusal}" if refusal else EDIT_TIP)
        self.clear_finished_button.setEnabled(any(j.state.is_final for j in self.model.jobs()))
        self.log_button.setEnabled(job is not None)
        with_block = self.log_button.blockSignals(True)
        self.log_button.setChecked(
            job is not None and bool(self.model.data(self.view.currentIndex(), JobRole.Expanded))
        )
        self.log_button.blockSignals(with_block)
        self.summary.setText(summary_text(self.model.jobs()))
        self._fit_buttons()
        self.view.viewport().update()

    # ---- slots ----------------------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        self.model.tick()

    def _on_selection_current_changed(self, *_args: object) -> None:
        self._sync()

    def _on_model_rows_changed(self, *_args: object) -> None:
        self._sync()

    def _on_model_data_changed(self, *_args: object) -> None:
        roles = _args[2] if len(_args) > 2 else []
        if roles and set(roles) <= _PASSIVE_ROLES:
            return
        self._sync()

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        job = index.data(JobRole.Snapshot)
        if job is not None and index.data(JobRole.Playable):
            self.playRequested.emit(job.id)
        elif job is not None and job.state is JobState.WAITING:
            self.editRequested.emit(job.id)
        elif job is not None:
            self.model.set_expanded(job.id, not index.data(JobRole.Expanded))

    def _on_clear_finished_button_clicked(self) -> None:
        for job in self.model.jobs():
            if job.state.is_final:
                self.removeRequested.emit(job.id)

    def _on_log_button_toggled(self, checked: bool) -> None:
        job = self.current_job()
        if job is not None:
            self.model.set_expanded(job.id, checked)

    def _on_view_custom_context_menu_requested(self, pos) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        self.view.setCurrentIndex(index)
        menu = QMenu(self)
        menu.setToolTipsVisible(True)  # a disabled Edit says why
        for button in self._buttons():
            text = "Edit…" if button is self.edit_button else button.text()
            action = QAction(button.icon(), text, menu)
            action.setEnabled(button.isEnabled())
            action.setToolTip(button.toolTip())
            action.triggered.connect(button.click)
            menu.addAction(action)
        self._add_move_actions(menu, index.data(JobRole.Snapshot))
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def _add_move_actions(self, menu: QMenu, job: JobSnapshot | None) -> None:
        """ "Move up" and "Move down" in line, for a waiting job that can go that way."""
        ids = [self.model.jobs()[row].id for row in self.view.waiting_rows()]
        if job is None or job.id not in ids:
            return
        place = ids.index(job.id)
        menu.addSeparator()
        for text, target in (("Move up in line", place - 1), ("Move down in line", place + 1)):
            action = QAction(text, menu)
            action.setShortcut("Alt+Up" if target < place else "Alt+Down")
            action.setEnabled(0 <= target < len(ids))
            action.triggered.connect(lambda _=False, t=target: self.moveRequested.emit(job.id, t))
            menu.addAction(action)

    def _on_view_edit_key_pressed(self, job_id: str) -> None:
        self.editRequested.emit(job_id)
