"""Checking and preparing the optional audio track (PyAV).

Accepted: WAV or MP3, decided by the content (a RIFF/WAVE header; an ID3 tag or an MPEG audio
frame sync), then confirmed by the name of the demuxer FFmpeg picks; at most
``limits.AUDIO_MAX_BYTES``; between ``limits.AUDIO_MIN_S`` and ``limits.AUDIO_MAX_S`` seconds
long, measured by decoding (exact, and it proves the file can be decoded). The bytes are sent
as they are; audio is never converted. Longer audio than the video is cut by the service and
shorter audio leaves the end silent: ``PreparedMedia.notes`` says which.

FFmpeg's own log lines are kept off stderr (PyAV leaves FFmpeg logging off by default; our
calls also capture anything logged on their thread in case someone turned it on).
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import av.logging

from wan_desktop.core import limits
from wan_desktop.core.problems import InvalidInputError, Problem

from ._text import format_number, format_seconds
from .files import check_size, read_input_file
from .prepared import PreparedMedia, safe_file_name
from .sniff import describe_content

__all__ = ["audio_notes", "prepare_audio_bytes", "prepare_audio_file"]

FIELD = "audio_url"

_MIME = {"WAV": "audio/wav", "MP3": "audio/mpeg"}
_EXTENSION = {"WAV": "wav", "MP3": "mp3"}
# FFmpeg demuxer names that confirm what the first bytes suggested.
_DEMUXERS = {"WAV": {"wav"}, "MP3": {"mp3"}}
_LIMIT_S = (
    f"it must be between {format_number(limits.AUDIO_MIN_S)} and "
    f"{format_number(limits.AUDIO_MAX_S)} seconds"
)
# Decoding stops this far past the maximum: the verdict is known, and a tiny-bitrate file
# under the byte limit could otherwise hold hours of sound to decode.
_DECODE_MARGIN_S = 1.0


def prepare_audio_file(path: str | Path, *, video_duration_s: float | None = None) -> PreparedMedia:
    """Check and prepare the audio file at ``path`` (see :func:`prepare_audio_bytes`).

    Only a regular file within the limit is read (see :func:`~.files.read_input_file`).
    Synchronous and CPU-bound: call in an executor, never on the GUI thread.
    """
    path = Path(path)
    data = read_input_file(path, field=FIELD, label="Audio")
    return prepare_audio_bytes(data, path.name, video_duration_s=video_duration_s)


def prepare_audio_bytes(
    data: bytes, name: str, *, video_duration_s: float | None = None
) -> PreparedMedia:
    """Check the audio ``data`` (named ``name`` by the user) and make it ready to send.

    Returns a :class:`PreparedMedia` holding ``data`` untouched, its ``format`` (``WAV`` or
    ``MP3``) and ``duration_s``. With ``video_duration_s`` (seconds), ``notes`` tells the user
    when the audio will be cut or leave the end of the video silent.
    Raises :class:`~wan_desktop.core.problems.InvalidInputError` on field ``audio_url`` with
    one sentence naming the problem and the limit. The extension of ``name`` is never trusted.
    Synchronous and CPU-bound (decodes the audio once): call in an executor, never on the GUI
    thread.
    """
    data = bytes(data)
    if not data:
        raise _refuse(f"Audio “{name}” is empty (0 bytes).")
    _check_size(len(data))

    kind = _sniff(data)
    if kind is None:
        what = describe_content(data)
        detail = f": it is {what}" if what else ""
        raise _refuse(f"Audio “{name}” is not WAV or MP3 audio{detail}. Use a WAV or MP3 file.")

    duration_s = _measure(data, name, kind)
    if not (limits.AUDIO_MIN_S <= duration_s <= limits.AUDIO_MAX_S):
        limit = limits.AUDIO_MIN_S if duration_s < limits.AUDIO_MIN_S else limits.AUDIO_MAX_S
        raise _refuse(f"Audio is {format_seconds(duration_s, limit)} s; {_LIMIT_S}.")

    return PreparedMedia(
        data=data,
        mime=_MIME[kind],
        file_name=safe_file_name(name, _EXTENSION[kind], "audio"),
        format=kind,
        size_bytes=len(data),
        duration_s=duration_s,
        notes=tuple(_notes(duration_s, video_duration_s)),
    )


def audio_notes(duration_s: float, video_duration_s: float | None) -> list[str]:
    """What happens to audio of ``duration_s`` under a video of ``video_duration_s`` seconds:
    the sentence for the user, or nothing when they match (or the video length is unknown).
    Pure function, any thread: the window calls it again when the duration choice changes.
    """
    return _notes(duration_s, video_duration_s)


# ---- steps -----------------------------------------------------------------------------------


def _check_size(size: int) -> None:
    check_size(size, field=FIELD, label="Audio")


def _sniff(data: bytes) -> str | None:
    """``WAV``/``MP3`` from the first bytes, or ``None``."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "WAV"
    if data[:3] == b"ID3":
        return "MP3"
    # MPEG audio frame sync: 11 set bits, a valid version (not 01) and layer (not 00).
    if len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:
        version, layer = (data[1] >> 3) & 0b11, (data[1] >> 1) & 0b11
        if version != 0b01 and layer != 0b00:
            return "MP3"
    return None


def _measure(data: bytes, name: str, kind: str) -> float:
    """Seconds of sound, counted by decoding every frame (stops once clearly too long)."""
    try:
        with av.logging.Capture(local=True), av.open(io.BytesIO(data), mode="r") as container:
            demuxer = container.format.name
            if not set(demuxer.split(",")) & _DEMUXERS[kind]:
                long_name = container.format.long_name or demuxer
                raise _refuse(
                    f"Audio “{name}” starts like {kind} but FFmpeg reads it as {long_name}. "
                    "Use a WAV or MP3 file."
                )
            if not container.streams.audio:
                raise _refuse(f"Audio “{name}” has no audio track.")
            stream = container.streams.audio[0]
            # Exact sums (samples over rate): 30 s of frames must not add up to 30.000001.
            total = Fraction(0)
            for frame in container.decode(stream):
                if frame.sample_rate:
                    total += Fraction(frame.samples, frame.sample_rate)
                if total > limits.AUDIO_MAX_S + _DECODE_MARGIN_S:
                    # The whole length is only needed for the message: the header's estimate.
                    if container.duration is not None:
                        total = max(total, Fraction(container.duration, av.time_base))
                    break
            decoded_s = float(total)
    except InvalidInputError:
        raise
    except Exception as exc:  # PyAV raises FFmpegError subclasses, ValueError, OSError, ...
        raise _refuse(
            f"Audio “{name}” could not be read as {kind}: the file is damaged or incomplete."
        ) from exc
    if decoded_s <= 0:
        raise _refuse(f"Audio “{name}” holds no sound that can be decoded.")
    return decoded_s


def _notes(duration_s: float, video_duration_s: float | None) -> list[str]:
    if video_duration_s is None:
        return []
    video = format_number(video_duration_s)
    audio = format_seconds(duration_s, video_duration_s)
    # Within a millisecond the two are the same length for any listener.
    if duration_s > video_duration_s + 0.001:
        return [f"Audio is {audio} s; the video is {video} s, so only the first {video} s is used."]
    if duration_s < video_duration_s - 0.001:
        silent = format_seconds(video_duration_s - duration_s, 0.0)
        return [f"Audio is {audio} s; the video is {video} s, so the last {silent} s is silent."]
    return []


def _refuse(message: str) -> InvalidInputError:
    return InvalidInputError(Problem(FIELD, message))
