"""The storyboard: a multi-shot prompt's ``Shot N [a-bs]`` lines as cards, kept in step with
the prompt both ways, and the live checks of the shot plan (GUI thread).

The prompt stays the one truth. A card edit compiles every card into shot lines and rewrites
the prompt (one undoable edit, its cursor kept); a hand edit of the prompt is parsed back into
the cards, which change in place, so neither side loops into the other or loses its cursor.
The words before the first shot line (the whole video's description) are kept as they are.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..core import storyboard
from ..core.storyboard import Shot
from .naming import named
from .shot_card import ShotCard
from .text_buttons import LinkButton
from .theme import set_role

__all__ = ["Storyboard"]

_EMPTY = (
    "No shot lines yet. Split the video into shots, then say what happens in each one; the "
    "cards and the prompt's Shot lines stay in step."
)


class Storyboard(QWidget):
    """Shot cards for the prompt that ``text_of()`` reads and ``set_text(text)`` rewrites.

    Call :meth:`update_from_text` when the prompt changes, :meth:`set_duration` and
    :meth:`set_prompt_limit` when the video's length or the live limit change. ``changed``
    fires when the problems change. Object name ``storyboard``.
    """

    changed = Signal()

    def __init__(
        self,
        text_of: Callable[[], str],
        set_text: Callable[[str], None],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        named(self, "storyboard", "Storyboard")
        self._text_of = text_of
        self._set_text = set_text
        self._duration_s = 5
        self._limit = 1500
        self._intro = ""
        self._written: str | None = None  # the prompt as the cards last wrote it
        self._numbers: tuple[int, ...] = ()  # the shot numbers as typed in the prompt
        self._problems: list[str] = []
        self.cards: list[ShotCard] = []
        self._build()
        self.update_from_text()

    def _build(self) -> None:
        title = QLabel("Storyboard")
        set_role(title, "heading")
        self.summary = named(QLabel(), "storyboardSummary", "Storyboard summary")
        set_role(self.summary, "muted")
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.summary)
        self.empty = named(QLabel(_EMPTY), "storyboardEmpty", "No shots yet")
        set_role(self.empty, "muted")
        self.empty.setWordWrap(True)
        self.split_button = named(LinkButton(), "storyboardSplitButton", "Split into shots")
        self.add_button = named(LinkButton("Add a shot"), "storyboardAddButton", "Add a shot")
        self.spread_button = named(
            LinkButton("Spread evenly"), "storyboardSpreadButton", "Spread the shots evenly"
        )
        self.spread_button.setToolTip("Give every shot the same length, keeping their words")
        self.fit_button = named(LinkButton(), "storyboardFitButton", "Fit the shots to the video")
        self.problem_label = named(QLabel(), "storyboardProblems", "Storyboard problems")
        set_role(self.problem_label, "error")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self._cards_box = QVBoxLayout()
        self._cards_box.setContentsMargins(0, 0, 0, 0)
        self._cards_box.setSpacing(6)
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(14)
        for button in (self.split_button, self.add_button, self.spread_button, self.fit_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.empty)
        layout.addLayout(self._cards_box)
        layout.addLayout(actions)
        layout.addWidget(self.problem_label)
        self.split_button.clicked.connect(self._on_split_button_clicked)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.spread_button.clicked.connect(self._on_spread_button_clicked)
        self.fit_button.clicked.connect(self._on_fit_button_clicked)

    # ---- what the composer asks of it -----------------------------------------------------

    def shots(self) -> list[Shot]:
        """The shots the cards show, in order."""
        return [card.shot() for card in self.cards]

    def problems(self, *, with_limit: bool = True) -> list[str]:
        """Why the shot plan does not fit the video (empty when it does, or has no shots).
        ``with_limit=False`` leaves out the prompt's length, which the prompt's own check
        already reports."""
        if with_limit:
            return list(self._problems)
        found = self._found(None)
        return [check.message for check in found]

    def set_duration(self, duration_s: int) -> None:
        """The video's length in seconds: the shots must cover it."""
        self._duration_s = duration_s
        self.split_button.setText(f"Split into {len(storyboard.even_shots(duration_s))} shots")
        self.split_button.setToolTip(
            f"Shots of about 4 s that cover the {duration_s} s video, each to describe"
        )
        self.fit_button.setText(f"Fit the shots to {duration_s} s")
        self.fit_button.setToolTip(
            f"Stretch or squeeze the shot times so the last one ends at {duration_s} s; "
            "each shot keeps its share and its words"
        )
        self._check()

    def set_prompt_limit(self, max_chars: int) -> None:
        """The prompt's live limit in characters (the shot lines count toward it)."""
        self._limit = max_chars
        self._check()

    def update_from_text(self) -> None:
        """Show the prompt's shots: cards change in place, added or dropped at the end. The
        prompt as the cards just wrote it is not parsed back (no loop, no cursor moved)."""
        text = self._text_of()
        if text != self._written:
            self._written = None
            board = storyboard.parse_board(text)
            self._intro = board.intro if board is not None else text.strip()
            self._numbers = board.numbers if board is not None else ()
            self._show(list(board.shots) if board is not None else [])
        self._check()

    def split(self) -> None:
        """Start the plan: shots of about 4 s that cover the video, without words yet."""
        self._write(storyboard.even_shots(self._duration_s))
        if self.cards:
            self.cards[0].text_edit.setFocus()

    def add_shot(self) -> None:
        """One more shot at the end (see :func:`core.storyboard.add_shot`); its words box
        takes the focus."""
        self._write(storyboard.add_shot(self.shots(), self._duration_s))
        self.cards[-1].text_edit.setFocus()

    def remove_shot(self, index: int) -> None:
        """Remove shot ``index`` (0 for the first); its neighbour takes its time."""
        self._write(storyboard.remove_shot(self.shots(), index))

    def move_shot(self, index: int, delta: int) -> None:
        """Move shot ``index`` ``delta`` places, each shot keeping its length."""
        self._write(storyboard.move_shot(self.shots(), index, delta))
        target = min(max(index + delta, 0), len(self.cards) - 1)
        button = self.cards[target].up_button if delta < 0 else self.cards[target].down_button
        (button if button.isEnabled() else self.cards[target].text_edit).setFocus()

    def spread(self) -> None:
        """Give every shot the same length."""
        self._write(storyboard.spread_shots(self.shots(), self._duration_s))

    def fit(self) -> None:
        """Stretch or squeeze the shot times so the last shot ends with the video."""
        self._set_text(storyboard.rescale_shots(self._text_of(), self._duration_s))

    # ---- the two directions ---------------------------------------------------------------

    def _write(self, shots: list[Shot]) -> None:
        """Show ``shots`` and write them into the prompt."""
        self._show(shots)
        self._on_card_edited()

    def _show(self, shots: list[Shot]) -> None:
        """Cards for ``shots``: existing cards reused in order, extra ones dropped."""
        while len(self.cards) > len(shots):
            card = self.cards.pop()
            card.hide()
            card.deleteLater()
        while len(self.cards) < len(shots):
            card = ShotCard(self)
            card.edited.connect(self._on_card_edited)
            card.moveRequested.connect(lambda delta, c=card: self.move_shot(self._index(c), delta))
            card.removeRequested.connect(lambda c=card: self.remove_shot(self._index(c)))
            self._cards_box.addWidget(card)
            self.cards.append(card)
        last = len(shots) - 1
        for index, (card, shot) in enumerate(zip(self.cards, shots, strict=True)):
            card.set_shot(index + 1, shot)
            card.set_movable(index > 0, index < last)
        self.empty.setVisible(not shots)
        self.split_button.setVisible(not shots)
        self.spread_button.setVisible(len(shots) > 1)

    def _index(self, card: ShotCard) -> int:
        return self.cards.index(card)

    def _on_card_edited(self) -> None:
        text = storyboard.compile(self.shots(), intro=self._intro)
        self._written = text
        self._numbers = ()  # compiled: numbered 1, 2, 3… in order
        self._set_text(text)
        self._check()

    # ---- checks ---------------------------------------------------------------------------

    def _check(self) -> None:
        shots = self.shots()
        found = self._found(self._limit)
        total = sum(max(shot.length_s, 0) for shot in shots)
        count = f"{len(shots)} shot" + ("" if len(shots) == 1 else "s")
        self.summary.setText(
            f"{count} · {storyboard.format_seconds(total)} of {self._duration_s} s"
            if shots
            else f"{self._duration_s} s video"
        )
        misfit = storyboard.shots_misfit(self._text_of(), self._duration_s)
        self.fit_button.setVisible(misfit is not None and bool(shots))
        for card in self.cards:
            said = [c.message for c in found if card.number() in c.shots]
            card.set_flagged(bool(said), "\n".join(said))
        messages = [check.message for check in found]
        self.problem_label.setText("\n".join(f"• {m}" for m in messages))
        self.problem_label.setVisible(bool(messages))
        if messages != self._problems:
            self._problems = messages
            self.changed.emit()

    def _found(self, limit: int | None) -> list[storyboard.Check]:
        """The shot lines typed with a wrong number first (the prompt goes as typed), then
        the plan's checks (``limit``: the prompt's, or ``None`` to leave it out)."""
        found = storyboard.numbering_checks(self._numbers)
        return found + storyboard.checks(self.shots(), self._duration_s, limit, intro=self._intro)

    def _on_split_button_clicked(self) -> None:
        self.split()

    def _on_add_button_clicked(self) -> None:
        self.add_shot()

    def _on_spread_button_clicked(self) -> None:
        self.spread()

    def _on_fit_button_clicked(self) -> None:
        self.fit()
