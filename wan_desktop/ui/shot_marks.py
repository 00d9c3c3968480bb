"""Planned shots and detected cuts of multi-shot clips, on the seek bar and in the details.

When a clip whose prompt is a multi-shot prompt (``Shot 1 [0-4s] …``) is loaded in the
player, shown in the library's details, or has just been made, :class:`ShotMarks` runs cut
detection (:func:`~wan_desktop.media.cut_cache.cuts_for`, cached in ``cuts.json`` beside
the clip) on a worker thread of its own and shows:

- on the seek bar, a ``planned`` mark where each shot after the first was meant to start and
  a ``cut`` mark where the picture actually changed (marks of other kinds, a sequence's
  seams, are left alone);
- in the details, the line ``Shots: planned 0 · 4 · 7 s; cut at 0 · 4.1 · 7.0 s``.

One detection at a time, one per clip however many ask; a detection nobody waits for any more
(the user moved on) is stopped between frames. GUI thread, except the detection itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject

from ..core.storyboard import format_seconds
from ..media.cut_cache import cuts_for
from ..media.cuts import CutDetectionCancelled
from ..media.video import VideoError
from .async_bridge import TaskKeeper, run_blocking
from .seek_marks import Mark
from .shot_facts import planned_shots

__all__ = ["OWN_KINDS", "ShotMarks", "install_shot_marks", "shot_marks_for"]

log = logging.getLogger(__name__)

#: The kinds of mark this object puts on the seek bar (it replaces only these).
OWN_KINDS = ("planned", "cut")
_REMEMBERED = 256  # clips whose cuts are kept in memory


def shot_marks_for(starts: list[float], cuts: list[float] | None) -> list[Mark]:
    """The seek-bar marks for planned shot starts ``starts`` (seconds; the first shot's start
    gets none) and detected ``cuts`` (seconds; ``None`` while unknown)."""
    marks = [
        Mark(start, "planned", f"Shot {number} planned to start at {format_seconds(start)} s")
        for number, start in enumerate(starts, 1)
        if start > 0
    ]
    marks += [Mark(cut, "cut", f"Cut found at {cut:.1f} s") for cut in cuts or ()]
    return marks


class _Detection:
    """One clip's detection: its result, the event that stops it, and whether it runs for a
    new entry (``warming``: it then runs to the end whoever waits)."""

    def __init__(self, future: asyncio.Future[list[float]]) -> None:
        self.future = future
        self.cancel = threading.Event()
        self.warming = False


class ShotMarks(QObject):
    """Shows planned shots and detected cuts (see the module docstring).

    ``library()`` gives the open library or ``None``. Connect the sources with
    :meth:`watch_player`, :meth:`watch_details` and :meth:`warm` (a new entry's id).
    """

    def __init__(
        self, tasks: TaskKeeper, library: Callable[[], Any], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._library = library
        # One worker: detection decodes a whole clip; two at once would only share the cores
        # with playback, and the default executor must stay free for quick work.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cuts")
        self._running: dict[str, _Detection] = {}
        self._found: OrderedDict[tuple[str, int, int], list[float]] = OrderedDict()
        self._wanted: dict[str, str] = {}  # who ("player", "details") waits for which clip
        self._player: Any = None
        self._details: Any = None
        self._player_token = 0

    # ---- sources ------------------------------------------------------------------------------

    def watch_player(self, player: Any) -> None:
        """Mark the clips ``player`` (a ``VideoPlayer``) loads."""
        self._player = player
        player.clipLoaded.connect(self._on_player_clip_loaded)

    def watch_details(self, details: Any) -> None:
        """Fill the Shots line of the clips ``details`` (a ``DetailsPanel``) shows."""
        self._details = details
        details.entryShown.connect(self._on_details_entry_shown)

    def warm(self, entry_id: str) -> asyncio.Task:
        """Detect the cuts of a new entry now (a multi-shot result), so they are ready when it
        is shown."""
        return self._tasks.spawn(self._warm(entry_id), "Find the cuts of the new clip", self)

    def cancel_all(self) -> None:
        """Stop every detection (the window is closing)."""
        self._wanted.clear()
        for detection in self._running.values():
            detection.cancel.set()

    # ---- cuts ---------------------------------------------------------------------------------

    async def cuts(self, video_path: str, *, warming: bool = False) -> list[float]:
        """The cut times (seconds) of ``video_path``: remembered, else detected on the worker
        (one detection per clip, however many ask; ``warming``: run it to the end even when
        nobody waits). Raises ``VideoError`` and ``CutDetectionCancelled``."""
        key = _file_key(video_path)
        if key is not None and key in self._found:
            self._found.move_to_end(key)
            return list(self._found[key])
        detection = self._running.get(video_path)
        if detection is None or detection.cancel.is_set():  # a stopped one cannot be joined
            loop = asyncio.get_running_loop()
            future = loop.create_future()
            detection = _Detection(future)
            self._running[video_path] = detection
            work = loop.run_in_executor(self._executor, _detect, video_path, detection.cancel)
            work.add_done_callback(lambda done: self._settle(video_path, key, detection, done))
        detection.warming = detection.warming or warming
        return list(await asyncio.shield(detection.future))

    def _settle(
        self,
        video_path: str,
        key: tuple[str, int, int] | None,
        detection: _Detection,
        done: asyncio.Future[list[float]],
    ) -> None:
        if self._running.get(video_path) is detection:
            del self._running[video_path]
        if done.cancelled():
            detection.future.cancel()
            return
        problem = done.exception()
        if problem is not None:
            detection.future.set_exception(problem)
            detection.future.exception()  # retrieved here: no "never retrieved" warning
            return
        result = done.result()
        if key is not None:
            self._found[key] = result
            while len(self._found) > _REMEMBERED:
                self._found.popitem(last=False)
        detection.future.set_result(result)

    def _want(self, who: str, video_path: str | None) -> None:
        """``who`` now waits for ``video_path`` (or nothing); a detection nobody waits for
        stops."""
        if video_path:
            self._wanted[who] = video_path
        else:
            self._wanted.pop(who, None)
        wanted = set(self._wanted.values())
        for path, detection in self._running.items():
            if path not in wanted and not detection.warming:
                detection.cancel.set()

    # ---- the player ---------------------------------------------------------------------------

    def _on_player_clip_loaded(self, path: str) -> None:
        self._player_token += 1
        self._want("player", None)
        if path:
            token = self._player_token
            self._tasks.spawn(self._mark_player(path, token), "Mark the shots", self)

    async def _mark_player(self, path: str, token: int) -> None:
        entry = await self._entry_for(path)
        if entry is None or token != self._player_token:
            return
        starts = planned_shots(entry)
        if starts is None:
            return
        self._set_player_marks(path, shot_marks_for(starts, None))
        self._want("player", path)
        cuts = await self._cuts_quietly(path)
        if token == self._player_token and cuts is not None:
            self._set_player_marks(path, shot_marks_for(starts, cuts))

    def _set_player_marks(self, path: str, marks: list[Mark]) -> None:
        player = self._player
        if player is None or player.path() != path:
            return
        others = [m for m in player.marks() if m.kind not in OWN_KINDS]
        player.set_marks(others + marks)

    async def _entry_for(self, path: str) -> Any:
        """The library entry whose video is ``path``, or ``None`` (not a library clip)."""
        library = self._library()
        if library is None:
            return None
        from ..library import LibraryError, is_valid_id

        entry_id = Path(path).parent.name
        if not is_valid_id(entry_id):
            return None
        try:
            entry = await run_blocking(library.get, entry_id)
        except LibraryError:
            return None
        return entry if Path(entry.video_path) == Path(path) else None

    # ---- the details --------------------------------------------------------------------------

    def _on_details_entry_shown(self, entry: Any) -> None:
        if entry is None or planned_shots(entry) is None:
            self._want("details", None)
            return
        path = str(entry.video_path)
        self._want("details", path)
        self._tasks.spawn(self._fill_details(entry, path), "Find the cuts", self)

    async def _fill_details(self, entry: Any, path: str) -> None:
        try:
            cuts = await self.cuts(path)
        except CutDetectionCancelled:
            return
        except VideoError as exc:
            if self._details is not None:
                self._details.show_cuts(entry.id, None, str(exc))
            return
        if self._details is not None:
            self._details.show_cuts(entry.id, cuts)

    # ---- new entries ----------------------------------------------------------------------------

    async def _warm(self, entry_id: str) -> None:
        library = self._library()
        if library is None:
            return
        from ..library import LibraryError

        try:
            entry = await run_blocking(library.get, entry_id)
        except LibraryError:
            return
        if planned_shots(entry) is not None:
            await self._cuts_quietly(str(entry.video_path), warming=True)

    async def _cuts_quietly(self, path: str, *, warming: bool = False) -> list[float] | None:
        """:meth:`cuts`, or ``None`` when stopped or the clip cannot be read (logged: the marks
        are a help, not a result the user asked for)."""
        try:
            return await self.cuts(path, warming=warming)
        except CutDetectionCancelled:
            return None
        except VideoError as exc:
            log.info("no cuts for %s: %s", Path(path).name, exc)
            return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.Close:
            self.cancel_all()
        return False


def _detect(video_path: str, cancel: threading.Event) -> list[float]:
    """The worker's job: stop at once when nobody waits any more, else cached or detected."""
    if cancel.is_set():
        raise CutDetectionCancelled("Nobody waits for these cuts any more.")
    return cuts_for(video_path, cancel=cancel)


def _file_key(video_path: str) -> tuple[str, int, int] | None:
    """The clip as it is now (path, size, modification time): a replaced file is new."""
    with contextlib.suppress(OSError):
        stat = os.stat(video_path)
        return (video_path, stat.st_size, stat.st_mtime_ns)
    return None


def install_shot_marks(window: Any, pane: Any, actions: Any) -> ShotMarks:
    """Connect a :class:`ShotMarks` to ``window``'s player, ``pane``'s details and the new
    entries ``actions`` (a ``LibraryActions``) announce; detections stop when the window
    closes."""
    marks = ShotMarks(window.tasks, lambda: window.services.library, window)
    marks.watch_player(window.player)
    marks.watch_details(pane.details)
    if actions is not None:
        actions.entry_added.append(marks.warm)
    window.installEventFilter(marks)
    return marks
