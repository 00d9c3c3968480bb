"""The offline engine's stand-in for the model's own soundtrack (any thread; pure).

fal's model makes a soundtrack unless ``generate_audio`` is false; the engine does too, so a
clip it renders has a sound track exactly when fal's would: a soft chord that swells in and
fades out, chosen by the seed. It is not the AI's sound, only its shape.
"""

from __future__ import annotations

import functools
import io
import math
import random
import sys
import wave
from array import array

__all__ = ["SOUNDTRACK_RATE", "soundtrack_wav"]

#: Sample rate of the made-up soundtrack (Hz); the renderer resamples it.
SOUNDTRACK_RATE = 16_000
_AMPLITUDE = 2500  # of 32767: quiet, as a background should be
_FADE_S = 0.5
# Chords of whole-hertz notes: a one-second cycle repeats without a click.
_CHORDS = ((220, 277, 330), (196, 247, 294), (262, 330, 392), (175, 220, 262))


def soundtrack_wav(seed: int, duration_s: int) -> bytes:
    """A mono 16-bit WAV of ``duration_s`` seconds for ``seed`` (same seed, same bytes)."""
    chord = random.Random(seed).choice(_CHORDS)
    second = array("h", _cycle(chord))
    samples = second * int(duration_s)
    fade = min(int(_FADE_S * SOUNDTRACK_RATE), len(samples) // 2)
    for i in range(fade):
        gain = i / fade
        samples[i] = int(samples[i] * gain)
        samples[-1 - i] = int(samples[-1 - i] * gain)
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(SOUNDTRACK_RATE)
        handle.writeframes(samples.tobytes())
    return out.getvalue()


@functools.cache
def _cycle(chord: tuple[int, ...]) -> tuple[int, ...]:
    """One second of ``chord`` (whole-hertz sines, equal parts) as 16-bit samples (computed
    once per chord: there are four)."""
    part = _AMPLITUDE / len(chord)
    step = [2 * math.pi * hz / SOUNDTRACK_RATE for hz in chord]
    return tuple(round(sum(part * math.sin(s * i) for s in step)) for i in range(SOUNDTRACK_RATE))
