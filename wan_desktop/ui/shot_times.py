"""The times of ``Shot N [a–bs]`` lines in a prompt: do they fit the video, and rewriting
them for another duration. Plain functions over text; any thread.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["ShotSpan", "rescale_shots", "shot_spans", "shots_misfit"]

# "Shot 2 [4–8s]", "shot 2 [4 - 8 s]", "Shot 2 [4s-8s]", "Shot 2 [2.5–5s]": the forms the
# helper writes and the ones people type; only the two numbers are ever rewritten.
_SHOT = re.compile(
    r"^[ \t]*shot[ \t]*\d+[ \t]*\[[ \t]*(?P<start>\d+(?:\.\d+)?)[ \t]*s?[ \t]*[-–—][ \t]*"
    r"(?P<end>\d+(?:\.\d+)?)[ \t]*s?[ \t]*\]",
    re.IGNORECASE | re.MULTILINE,
)
#: Shot times within this many seconds of the duration fit it.
_TOLERANCE_S = 0.05


@dataclass(frozen=True, slots=True)
class ShotSpan:
    """One shot line's times, in seconds."""

    start_s: float
    end_s: float


def shot_spans(text: str) -> list[ShotSpan]:
    """The shot lines' times in ``text``, in order (empty when it has none)."""
    return [ShotSpan(float(m["start"]), float(m["end"])) for m in _SHOT.finditer(text)]


def shots_misfit(text: str, duration_s: float) -> str | None:
    """A sentence saying how the shot lines miss a ``duration_s`` video, or ``None`` when
    there are none or the last one ends with the video."""
    spans = shot_spans(text)
    if not spans:
        return None
    end = max(span.end_s for span in spans)
    if abs(end - duration_s) <= _TOLERANCE_S:
        return None
    if end > duration_s:
        return (
            f"The shot times run to {_seconds(end)} s, but the video is {_seconds(duration_s)} s "
            "long: the last shots would be cut."
        )
    return (
        f"The shot times end at {_seconds(end)} s, but the video is {_seconds(duration_s)} s "
        "long: they no longer fit."
    )


def rescale_shots(text: str, duration_s: float) -> str:
    """``text`` with every shot line's times stretched or squeezed so the last shot ends at
    ``duration_s``; each shot keeps its share of the video and its words. Whole seconds
    when that keeps every shot at least a second long, else tenths."""
    matches = list(_SHOT.finditer(text))
    end = max((float(m["end"]) for m in matches), default=0.0)
    if end <= 0:
        return text
    factor = duration_s / end
    scaled = [(float(m["start"]) * factor, float(m["end"]) * factor) for m in matches]
    digits = 0 if _keeps_order(scaled, 0) else 1
    pieces: list[str] = []
    last = 0
    for match, (start, stop) in zip(matches, scaled, strict=True):
        pieces.append(text[last : match.start("start")])
        pieces.append(_seconds(round(start, digits)))
        pieces.append(text[match.end("start") : match.start("end")])
        pieces.append(_seconds(round(stop, digits)))
        last = match.end("end")
    pieces.append(text[last:])
    return "".join(pieces)


def _keeps_order(spans: list[tuple[float, float]], digits: int) -> bool:
    """Whether rounding to ``digits`` keeps every shot longer than nothing."""
    return all(round(a, digits) < round(b, digits) for a, b in spans if a < b)


def _seconds(value: float) -> str:
    """``5`` for whole seconds, ``2.5`` otherwise."""
    if math.isclose(value, round(value)):
        return str(round(value))
    return f"{value:.1f}"
