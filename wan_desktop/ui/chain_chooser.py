"""``chainBranchChooser``: which way a continue-chain goes where a clip was continued more
than once. Lists the children (poster, prompt, when made), newest first and selected; OK
follows the chosen one, Cancel makes no sequence. Opened with ``open()`` (never ``exec()``):
:func:`ask_branch` awaits the answer. Posters are decoded in the executor. GUI thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.text import excerpt
from .async_bridge import run_blocking
from .formats import format_duration, local_time
from .naming import named
from .plain_text import tooltip_text
from .thumbnail_cache import read_thumbnail

__all__ = ["BranchChooser", "ask_branch"]

_ICON = QSize(128, 72)
_ROLE_ID = Qt.ItemDataRole.UserRole + 1


class BranchChooser(QDialog):
    """The children of clip ``parent_title`` to choose from (``children``: ``EntrySummary``
    rows, newest first)."""

    def __init__(self, parent_title: str, children: list[Any],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("chainBranchChooser")
        self.setWindowTitle("Which continuation?")
        intro = QLabel(f"“{parent_title}” was continued {len(children)} times. "
                       "Which one should the sequence follow?")  # fmt: skip
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.list = named(QListWidget(), "chainBranchList", "Continuations")
        self.list.setIconSize(_ICON)
        self.list.setSpacing(2)
        self.list.setWordWrap(True)
        for child in children:
            prompt = excerpt(child.prompt, 140) or child.title or child.id
            label = child.variant or child.title
            head = f"{label} · " if label and label != prompt else ""
            when = f"{local_time(child.created_at)} · {format_duration(child.duration_s)}"
            text = f"{head}{prompt}\n{when}"
            item = QListWidgetItem(text)
            item.setData(_ROLE_ID, child.id)
            item.setToolTip(tooltip_text(child.prompt))
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Follow this one")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.resize(560, 380)

    def chosen_id(self) -> str | None:
        """The id of the selected child."""
        item = self.list.currentItem()
        return item.data(_ROLE_ID) if item is not None else None

    def set_poster(self, row: int, image: QImage) -> None:
        """Show ``image`` as row ``row``'s poster."""
        item = self.list.item(row)
        if item is not None and not image.isNull():
            item.setIcon(QIcon(QPixmap.fromImage(image)))


async def _load_posters(dialog: BranchChooser, children: list[Any]) -> None:
    box = QSize(_ICON.width() * 2, _ICON.height() * 2)
    for row, child in enumerate(children):
        if not child.poster_file:
            continue
        try:
            image = await run_blocking(read_thumbnail, child.poster_file, box)
        except OSError:
            continue
        dialog.set_poster(row, image)


async def ask_branch(parent: QWidget | None, parent_title: str, children: list[Any]) -> str | None:
    """Ask which of ``children`` to follow; the chosen id, or ``None`` when cancelled."""
    dialog = BranchChooser(parent_title, children, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    def settle(value: str | None) -> None:
        if not answer.done():
            answer.set_result(value)

    dialog.accepted.connect(lambda: settle(dialog.chosen_id()))
    dialog.rejected.connect(lambda: settle(None))
    posters = asyncio.ensure_future(_load_posters(dialog, children))
    dialog.open()
    try:
        return await answer
    finally:
        posters.cancel()
        if answer.cancelled():  # the asking task was cancelled: the question goes too
            dialog.reject()
