"""Playback behind our own signals: a thin facade over ``QMediaPlayer`` (Picard's manner).

:class:`MediaEngine` wraps ``QMediaPlayer`` + ``QVideoSink`` + ``QAudioOutput`` with signals
whose names carry their units (``position_changed_ms``). :func:`create_engine` returns
``None`` and a reason when QtMultimedia or its backend is missing, so the player can say so
plainly. :func:`first_frame` decodes a clip's first picture with PyAV, without QtMultimedia,
at the size it is shown.

``QMediaPlayer.stop()`` right after frames arrive can deadlock (PLATFORM_NOTES): the engine
always pauses first.

Frames become pictures in a worker thread (:mod:`.video_frames`), shrunk to the size the
canvas shows them at (:meth:`MediaEngine.set_frame_size`): the GUI thread only hands each
frame over and paints the picture that comes back.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QLoggingCategory, QObject, QSize, QUrl, Signal
from PySide6.QtGui import QImage

from ..core import limits
from .video_frames import FrameConverter, fitted_size

__all__ = [
    "QUIET_MULTIMEDIA_RULES",
    "MediaEngine",
    "create_engine",
    "first_frame",
    "quiet_multimedia_logs",
]

log = logging.getLogger(__name__)

#: Measured: opening a clip printed 23 lines on stderr (the FFmpeg stream dump, "No HW decoder
#: found", and ten lines about optional libraries: pipewire, VA-API); with these rules, none.
#: Warnings from the rest of Qt Multimedia still show. ``QT_LOGGING_RULES`` set by the user
#: wins over these (Qt applies the environment after ``setFilterRules``).
QUIET_MULTIMEDIA_RULES = (
    "qt.multimedia.ffmpeg*=false\n"
    "qt.multimedia.symbolsresolver*=false\n"
    "qt.multimedia.playbackengine*=false"
)


def quiet_multimedia_logs() -> None:
    """Keep Qt's FFmpeg backend from writing stream dumps and library probes to stderr."""
    QLoggingCategory.setFilterRules(QUIET_MULTIMEDIA_RULES)


def first_frame(path: str, box: QSize | None = None) -> QImage | None:
    """The first decoded frame of ``path`` as a ``QImage`` (PyAV), fitted into ``box`` device
    pixels (aspect kept, never enlarged; ``None`` or empty: the frame's own size). Worker
    thread only.

    FFmpeg scales and converts to RGB in one pass, straight to the size the canvas shows: a
    1080p frame in a 960-pixel canvas copies a quarter of its pixels, and those copies are the
    part that holds the interpreter lock (about 10 ms at full size, under 2 ms fitted).
    """
    import av

    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            # One decoding thread: FFmpeg's default (one per core) would take the GUI thread's
            # core too, for a picture Qt's own decoder is about to deliver anyway.
            stream.codec_context.thread_count = 1
            for frame in container.decode(stream):
                size = fitted_size(QSize(frame.width, frame.height), box or QSize())
                rgb = frame.reformat(
                    width=size.width(),
                    height=size.height(),
                    format="rgb24",
                    interpolation="AREA",
                )
                plane = rgb.planes[0]
                data = bytes(plane)
                image = QImage(
                    data, rgb.width, rgb.height, plane.line_size, QImage.Format.Format_RGB888
                )
                # A copy that owns its pixels (``data`` goes away with this frame), in the
                # format the canvas paints without converting.
                return image.convertToFormat(QImage.Format.Format_RGB32)
    except (av.FFmpegError, IndexError, OSError) as exc:
        log.info("first frame of %s: %s", path, exc)
    return None


class MediaEngine(QObject):
    """``QMediaPlayer`` behind signals in our units. Lives on the GUI thread.

    ``frame_ready`` carries each picture to show, already fitted into the size given to
    :meth:`set_frame_size`; a picture the GUI was too busy for is skipped, never queued.
    """

    position_changed_ms = Signal(int)
    duration_changed_ms = Signal(int)
    playing_changed = Signal(bool)
    frame_ready = Signal(QImage)
    error_occurred = Signal(str)
    ended = Signal()
    #: Emitted by the converter's worker thread, received on the GUI thread (queued).
    _picture_waiting = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QVideoSink

        self._QMediaPlayer = QMediaPlayer
        self._player = QMediaPlayer(self)
        self._sink = QVideoSink(self)
        self._audio = QAudioOutput(self)
        self._player.setVideoSink(self._sink)
        self._player.setAudioOutput(self._audio)
        self.audio_available = bool(QMediaDevices.audioOutputs())
        self.frames_received = 0
        """Valid frames the sink got since the last :meth:`load`."""
        self.frames_shown = 0
        """Pictures emitted as ``frame_ready`` since the last :meth:`load`."""
        self._fps = float(limits.OUTPUT_FPS)
        self._loop = False
        self._frame_size = QSize()
        self._converter = FrameConverter(self._picture_waiting.emit)
        self._picture_waiting.connect(self._on_picture_waiting)
        self.destroyed.connect(self._converter.close)
        self._sink.videoFrameChanged.connect(self._on_sink_video_frame_changed)
        self._player.positionChanged.connect(self._on_player_position_changed)
        self._player.durationChanged.connect(self._on_player_duration_changed)
        self._player.playbackStateChanged.connect(self._on_player_playback_state_changed)
        self._player.mediaStatusChanged.connect(self._on_player_media_status_changed)
        self._player.errorOccurred.connect(self._on_player_error_occurred)

    def is_available(self) -> bool:
        """Whether a media backend exists (frames will come)."""
        return self._player.isAvailable()

    # ---- control --------------------------------------------------------------------------

    def load(self, path: str | None) -> None:
        """Open ``path`` paused (``None``: nothing); frames and duration follow as signals."""
        self._player.pause()
        self.frames_received = 0
        self.frames_shown = 0
        self._converter.clear()
        self._player.setSource(QUrl.fromLocalFile(path) if path else QUrl())

    def source(self) -> str | None:
        """The local path playing, or ``None``."""
        url = self._player.source()
        return url.toLocalFile() if url.isValid() and not url.isEmpty() else None

    def play(self) -> None:
        """Start or resume playing."""
        self._player.play()

    def pause(self) -> None:
        """Pause where it is."""
        self._player.pause()

    def stop(self) -> None:
        """Stop and go back to the start (paused first: see the module docstring)."""
        self._player.pause()  # never stop() straight from playing: see the module docstring
        self._player.stop()

    def toggle(self) -> None:
        """Play when paused, pause when playing."""
        if self.is_playing():
            self.pause()
        else:
            self.play()

    def is_playing(self) -> bool:
        """Whether it is playing now."""
        return self._player.playbackState() == self._QMediaPlayer.PlaybackState.PlayingState

    def position_ms(self) -> int:
        """Where it is, in milliseconds from the start."""
        return self._player.position()

    def duration_ms(self) -> int:
        """The clip's length in milliseconds (0 until known)."""
        return self._player.duration()

    def seek_ms(self, ms: int) -> None:
        """Jump to ``ms`` milliseconds, clamped to the clip."""
        self._player.setPosition(max(0, min(int(ms), max(0, self.duration_ms()))))

    def step_frames(self, frames: int) -> None:
        """Pause and move ``frames`` frames (negative: back)."""
        self.pause()
        self.seek_ms(self.position_ms() + round(frames * 1000 / self._fps))

    def set_fps(self, fps: float) -> None:
        """Frames per second for frame steps (the clip's rate once it is known)."""
        if fps > 0:
            self._fps = fps

    def set_loop(self, loop: bool) -> None:
        """Play the clip over and over (``True``) or once."""
        self._loop = loop
        self._player.setLoops(self._QMediaPlayer.Loops.Infinite if loop else 1)

    def loop(self) -> bool:
        """Whether it loops."""
        return self._loop

    def set_volume(self, volume: float) -> None:
        """``volume`` from 0.0 to 1.0 (linear)."""
        self._audio.setVolume(volume)

    def volume(self) -> float:
        """The volume from 0.0 to 1.0 (linear)."""
        return self._audio.volume()

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute the sound."""
        self._audio.setMuted(muted)

    def is_muted(self) -> bool:
        """Whether the sound is muted."""
        return self._audio.isMuted()

    def set_frame_size(self, size: QSize) -> None:
        """Fit pictures into ``size`` device pixels (empty: the frames' own size). A paused
        frame is made again at the new size."""
        if size == self._frame_size:
            return
        self._frame_size = QSize(size)
        frame = self._sink.videoFrame()
        if frame.isValid() and not self.is_playing():
            self._converter.submit(frame, self._frame_size)

    def frames_dropped(self) -> int:
        """Frames skipped because the converter was still busy with an earlier one."""
        return self._converter.frames_dropped

    def set_rate(self, rate: float) -> None:
        """Playback speed: 1.0 is normal, 2.0 twice as fast."""
        self._player.setPlaybackRate(rate)

    def rate(self) -> float:
        """The playback speed (1.0: normal)."""
        return self._player.playbackRate()

    # ---- slots ----------------------------------------------------------------------------

    def _on_sink_video_frame_changed(self, frame) -> None:
        if not frame.isValid():  # one invalid frame arrives at end of media
            return
        self.frames_received += 1
        self._converter.submit(frame, self._frame_size)

    def _on_picture_waiting(self) -> None:
        image = self._converter.take()
        if image is not None:
            self.frames_shown += 1
            self.frame_ready.emit(image)

    def _on_player_position_changed(self, ms: int) -> None:
        self.position_changed_ms.emit(ms)

    def _on_player_duration_changed(self, ms: int) -> None:
        self.duration_changed_ms.emit(ms)

    def _on_player_playback_state_changed(self, _state) -> None:
        self.playing_changed.emit(self.is_playing())

    def _on_player_media_status_changed(self, status) -> None:
        if status == self._QMediaPlayer.MediaStatus.EndOfMedia:
            self.ended.emit()
        elif status == self._QMediaPlayer.MediaStatus.LoadedMedia:
            from PySide6.QtMultimedia import QMediaMetaData

            fps = self._player.metaData().value(QMediaMetaData.Key.VideoFrameRate)
            if isinstance(fps, (int, float)) and fps > 0:
                self._fps = float(fps)

    def _on_player_error_occurred(self, _error, message: str) -> None:
        self.error_occurred.emit(message or "The video could not be played.")


def create_engine(parent: QObject | None = None) -> tuple[MediaEngine | None, str | None]:
    """A :class:`MediaEngine`, or ``(None, reason)`` when video playback is unavailable."""
    if os.environ.get("WAN_DESKTOP_NO_MULTIMEDIA"):  # lets tests exercise the fallback
        return None, "Video playback is turned off (WAN_DESKTOP_NO_MULTIMEDIA is set)."
    try:
        quiet_multimedia_logs()
        engine = MediaEngine(parent)
    except ImportError as exc:
        return None, (
            "Video playback is unavailable: Qt Multimedia is not installed "
            f"(install PySide6-Addons). ({exc})"
        )
    if not engine.is_available():
        engine.deleteLater()
        return None, (
            "Video playback is unavailable: no Qt Multimedia backend was found on this system. "
            "Your videos are saved; open them in another player."
        )
    return engine, None
