"""The contact sheet's sound: the take under the pointer, kept on the sheet's clock.

The cells are pictures decoded from silent proxies; sound comes from one ``QMediaPlayer``
(audio output only, no video sink) playing the original clip of the take the pointer is over.
The clock leads: :meth:`SheetAudio.sync` moves the player to the clock's time when they differ
by more than :data:`SYNC_TOLERANCE_MS` (after a seek, a step, a loop's wrap), pauses it with
the clock, and silences it past the clip's end (a shorter take in a longer loop).

The player is made on first use: a sheet nobody hovers never starts Qt Multimedia. Without Qt
Multimedia (or with ``WAN_DESKTOP_NO_MULTIMEDIA`` set) the sheet plays on, silent, and
:attr:`SheetAudio.problem` says why. ``QMediaPlayer.stop()`` is never called (PLATFORM_NOTES:
it can deadlock right after frames arrive); pausing is enough. GUI thread.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, QUrl

__all__ = ["SYNC_TOLERANCE_MS", "SheetAudio"]

log = logging.getLogger(__name__)

#: How far the sound may drift from the clock before it is moved back onto it. Below this a
#: seek would cost an audible skip for a difference no one hears against the picture.
SYNC_TOLERANCE_MS = 120


class SheetAudio(QObject):
    """Plays the sound of :attr:`path` (``None``: silence) in step with the sheet's clock."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        """The take whose sound is followed (the one under the pointer), or ``None``."""
        self.problem: str | None = None
        """Why there is no sound at all (no Qt Multimedia), else ``None``."""
        self._player = None
        self._output = None

    def _ensure_player(self):
        if self._player is not None or self.problem is not None:
            return self._player
        if os.environ.get("WAN_DESKTOP_NO_MULTIMEDIA"):
            self.problem = "Sound is off (WAN_DESKTOP_NO_MULTIMEDIA is set)."
            return None
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        except ImportError as exc:
            self.problem = f"No sound: Qt Multimedia is not installed ({exc})."
            log.info("contact sheet: %s", self.problem)
            return None
        self._player = QMediaPlayer(self)
        self._output = QAudioOutput(self)
        self._player.setAudioOutput(self._output)
        return self._player

    def follow(self, path: Path | None, position_s: float, playing: bool) -> None:
        """Play ``path``'s sound from now on (``None``: none), starting at the clock's
        ``position_s`` seconds, playing when ``playing``."""
        if path == self.path:
            return
        self.path = path
        player = self._ensure_player()
        if player is None:
            return
        player.pause()
        player.setSource(QUrl.fromLocalFile(str(path)) if path is not None else QUrl())
        if path is not None:
            self.sync(position_s, playing, force=True)

    def sync(self, position_s: float, playing: bool, *, force: bool = False) -> None:
        """Keep the sound on the clock: ``position_s`` seconds into the loop, ``playing`` or
        paused. ``force``: move it even within the tolerance (a seek, a new take)."""
        player = self._player
        if player is None or self.path is None:
            return
        from PySide6.QtMultimedia import QMediaPlayer

        ms = round(position_s * 1000)
        duration = player.duration()
        past_end = duration > 0 and ms >= duration
        is_playing = player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
        if force or abs(player.position() - ms) > SYNC_TOLERANCE_MS:
            player.setPosition(min(ms, duration) if duration > 0 else ms)
        if playing and not past_end:
            if not is_playing:
                player.play()
        elif is_playing:
            player.pause()

    def is_playing(self) -> bool:
        """Whether sound is playing now."""
        if self._player is None:
            return False
        from PySide6.QtMultimedia import QMediaPlayer

        return self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def close(self) -> None:
        """Silence it for good (paused, source cleared)."""
        self.path = None
        if self._player is not None:
            self._player.pause()
            self._player.setSource(QUrl())
