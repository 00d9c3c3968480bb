"""The compare view's sound: clip A's or clip B's soundtrack (or none), following the one
transport. GUI thread.

A ``QMediaPlayer`` with an audio output and no video output plays the chosen clip's sound; it
is moved to the transport's time when that jumps (a seek, a step, the loop coming round) and
whenever it wanders more than :data:`DRIFT_MS` from it while playing. The player is only ever
paused, never stopped (``stop()`` right after starting could deadlock: PLATFORM_NOTES). Without
QtMultimedia the view has no sound and says why.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, QUrl

__all__ = ["DRIFT_MS", "SOURCES", "CompareAudio"]

log = logging.getLogger(__name__)

#: How far the sound may wander from the pictures before it is put back, ms. Under this, a
#: jump would be heard as a click more than the drift is seen.
DRIFT_MS = 120
#: The sound choices: (key, label).
SOURCES: tuple[tuple[str, str], ...] = (("a", "Sound from A"), ("b", "Sound from B"),
                                        ("off", "No sound"))  # fmt: skip


class CompareAudio(QObject):
    """Plays the soundtrack of ``paths[0]`` (A) or ``paths[1]`` (B). ``available`` is False
    (and ``reason`` says why) when this Qt has no multimedia backend."""

    def __init__(self, paths: tuple[Path, Path], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self.source = "off"
        self._player = None
        self._playing = False
        self.reason = ""
        if os.environ.get("WAN_DESKTOP_NO_MULTIMEDIA"):  # as the player: tests, no device
            self.reason = "No sound: WAN_DESKTOP_NO_MULTIMEDIA is set."
            return
        try:
            from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        except ImportError as exc:  # PySide6-Essentials alone: no QtMultimedia
            self.reason = f"No sound: Qt Multimedia is not installed ({exc})."
            return
        self._player = QMediaPlayer(self)
        self._output = QAudioOutput(self)
        self._player.setAudioOutput(self._output)
        self._QMediaPlayer = QMediaPlayer

    @property
    def available(self) -> bool:
        """Whether sound can play here at all."""
        return self._player is not None

    def set_source(self, source: str, time_s: float, playing: bool) -> None:
        """Play ``source`` ("a", "b" or "off") from ``time_s`` seconds, playing or paused."""
        if source not in dict(SOURCES):
            raise ValueError(f"source must be one of a, b, off: {source!r}")
        self.source = source
        if self._player is None:
            return
        self._player.pause()
        if source == "off":
            self._player.setSource(QUrl())
            return
        path = self._paths[0 if source == "a" else 1]
        self._player.setSource(QUrl.fromLocalFile(str(path)))
        self.follow(time_s, playing, jumped=True)

    def follow(self, time_s: float, playing: bool, *, jumped: bool = False) -> None:
        """Keep up with the transport at ``time_s``: play or pause as it does, and move to its
        time after a jump or when the sound has drifted more than :data:`DRIFT_MS`."""
        player = self._player
        if player is None or self.source == "off":
            return
        ms = max(0, round(time_s * 1000))
        if jumped or abs(player.position() - ms) > DRIFT_MS:
            player.setPosition(ms)
        if playing and (jumped or not self._playing):
            player.play()  # also after a jump: the sound may have ended (a shorter clip)
        elif not playing and self._playing:
            player.pause()
        self._playing = playing

    def close(self) -> None:
        """Silence it (paused, never stopped) and let go of the file."""
        if self._player is not None:
            self._player.pause()
            self._player.setSource(QUrl())
        self._playing = False
