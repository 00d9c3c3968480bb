"""How the window links the library pane to its other parts, in one place so
``MainWindow.add_library_pane`` only docks the pane.

:func:`link_actions` lets the library's actions (``LibraryActions``) hear the runner, name the
parent of a continuation and bring the composer in front when a clip's settings are reused.
:func:`link_library_pane` makes the links that each live as a child of the window: the trash
and its Undo and the cards' size (:class:`~.window_library_links.LibraryLinks`), Open contact
sheet (:class:`~.window_sheet.SheetLink`), Compare two clips
(:class:`~.compare_link.CompareLink`), a multi-shot clip's planned shots and cuts on the seek
bar (:func:`~.shot_marks.install_shot_marks`) and the Sequences dock
(:class:`~.window_sequences.SequenceLink`). Marks set in any of them reach every view through
the pane's own :class:`~.mark_sync.MarkSync` (``pane.marks``), which the sheet and compare
links use. This module is imported when the library is docked, never for the first paint.
GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from .compare_link import CompareLink
from .shot_marks import ShotMarks, install_shot_marks
from .window_library_links import LibraryLinks
from .window_sequences import SequenceLink
from .window_sheet import SheetLink

if TYPE_CHECKING:
    from .library_actions import LibraryActions
    from .library_pane import LibraryPane
    from .main_window import MainWindow

__all__ = ["WindowLinks", "link_actions", "link_library_pane"]


class WindowLinks(NamedTuple):
    """The links made by :func:`link_library_pane` (each a child of the window)."""

    library: LibraryLinks
    sheet: SheetLink
    compare: CompareLink
    shot_marks: ShotMarks
    sequences: SequenceLink


def link_actions(window: MainWindow, actions: LibraryActions) -> None:
    """Link the library's ``actions`` to ``window``: a queued job's parent is the entry the
    composer's image came from, the runner's events reach them (now, if it runs), and
    reusing a clip's settings brings the composer in front when it is tabbed with the
    library."""
    window.generate_flow.parent_for = actions.parent_for
    if window.runner is not None:
        actions.attach_runner(window.runner)
    fill = actions.fill_composer
    if fill is not None:
        actions.fill_composer = lambda data: (fill(data), window.show_composer())[0]


def link_library_pane(
    window: MainWindow, pane: LibraryPane, actions: LibraryActions | None
) -> WindowLinks:
    """Make every link between ``pane`` (docked in ``window``) and the window's other parts;
    ``actions`` announce new entries to the shot marks. Called once the pane is docked: the
    links read the window's remembered layout (the cards' size, the Sequences dock)."""
    return WindowLinks(
        library=LibraryLinks(window, pane),
        sheet=SheetLink(window, pane),
        compare=CompareLink(window, pane, window.tasks),
        shot_marks=install_shot_marks(window, pane, actions),
        sequences=SequenceLink(window, pane),
    )
