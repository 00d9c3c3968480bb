"""Multi-shot prompts as a storyboard: ``Shot N [a-bs] text`` lines parsed into shots, shots
compiled back into lines, and the checks a shot plan must pass before it is sent.

The canonical form is the one in the model's own example: an optional description of the whole
video, a blank line, then one line per shot, ``Shot 1 [0-4s] what happens``. Parsing also takes
what people type: any case, spaces around the numbers, ``–`` or ``—`` for the dash, ``4s-8s``,
tenths of seconds. A shot's words run to the next shot line, so a shot may span lines.

The shot numbers people type are kept only to be checked (:func:`numbering_checks`: a duplicate
or out-of-order number is named, as the prompt is sent as typed); :func:`compile` numbers the
shots in order.
Pure functions of plain data; any thread.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

__all__ = [
    "TOLERANCE_S",
    "Board",
    "Check",
    "Shot",
    "add_shot",
    "checks",
    "compile",
    "even_shots",
    "format_seconds",
    "move_shot",
    "numbering_checks",
    "parse",
    "parse_board",
    "problems",
    "remove_shot",
    "rescale_shots",
    "shot_header",
    "shots_misfit",
    "spread_shots",
]

#: Times within this many seconds of each other (or of the video's end) meet.
TOLERANCE_S = 0.05
#: A shot of about this many seconds reads well; :func:`even_shots` splits by it.
_SHOT_S = 4

# "Shot 2 [4-8s]", "shot 2 [4 – 8 s]", "Shot 2 [4s-8s]", "Shot 2 [2.5–5s]": the forms the app
# writes and the ones people type. Only at the start of a line.
_SHOT = re.compile(
    r"^[ \t]*shot[ \t]*(?P<number>\d+)[ \t]*\[[ \t]*(?P<start>\d+(?:\.\d+)?)[ \t]*s?[ \t]*"
    r"[-–—][ \t]*(?P<end>\d+(?:\.\d+)?)[ \t]*s?[ \t]*\][ \t]*",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class Shot:
    """One shot of a multi-shot prompt: from ``start_s`` to ``end_s`` seconds into the video,
    and what happens in it (``text``, may span lines)."""

    start_s: float
    end_s: float
    text: str

    @property
    def length_s(self) -> float:
        """How long the shot lasts, in seconds (negative when its times are reversed)."""
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class Board:
    """A parsed multi-shot prompt: ``intro`` (the words before the first shot line, the whole
    video's description; ``""`` when none), the ``shots`` in prompt order and ``numbers``, the
    shot numbers as typed on their lines (see :func:`numbering_checks`)."""

    intro: str
    shots: tuple[Shot, ...]
    numbers: tuple[int, ...] = field(default=(), compare=False)  # how it was typed

    def text(self) -> str:
        """The prompt this board compiles to."""
        return compile(list(self.shots), intro=self.intro)


def parse_board(prompt: str) -> Board | None:
    """``prompt`` as an intro and shots; ``None`` when it has no shot line."""
    matches = list(_SHOT.finditer(prompt))
    if not matches:
        return None
    shots = []
    for i, match in enumerate(matches):
        stop = matches[i + 1].start() if i + 1 < len(matches) else len(prompt)
        text = prompt[match.end() : stop].strip()
        shots.append(Shot(float(match["start"]), float(match["end"]), text))
    numbers = tuple(int(match["number"]) for match in matches)
    return Board(prompt[: matches[0].start()].strip(), tuple(shots), numbers)


def parse(prompt: str) -> list[Shot] | None:
    """The shots of ``prompt`` in order; ``None`` when it is not a multi-shot prompt (no
    ``Shot N [a-bs]`` line). The intro, if any, is left out: see :func:`parse_board`."""
    board = parse_board(prompt)
    return None if board is None else list(board.shots)


def compile(shots: list[Shot], *, intro: str = "") -> str:
    """The prompt for ``shots``: ``intro`` (when not blank), a blank line, then
    ``Shot 1 [0-4s] text`` lines numbered in order. The inverse of :func:`parse_board` for
    texts without surrounding white space."""
    lines = "\n".join(_line(number, shot) for number, shot in enumerate(shots, 1))
    intro = intro.strip()
    if not intro:
        return lines
    return f"{intro}\n\n{lines}" if lines else intro


def shot_header(number: int, shot: Shot) -> str:
    """``Shot 2 [4-8s]``: the start of shot ``number``'s line."""
    return f"Shot {number} [{format_seconds(shot.start_s)}-{format_seconds(shot.end_s)}s]"


def _line(number: int, shot: Shot) -> str:
    text = shot.text.strip()
    header = shot_header(number, shot)
    return f"{header} {text}" if text else header


def format_seconds(value: float) -> str:
    """``5`` for whole seconds, else up to two decimals (``2.5``, ``0.25``)."""
    if math.isclose(value, round(value), abs_tol=1e-9):
        return str(round(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def even_shots(duration_s: float, count: int | None = None) -> list[Shot]:
    """``count`` shots without words that split ``duration_s`` evenly on whole seconds
    (default: shots of about four seconds, at least two)."""
    n = max(2, math.ceil(duration_s / _SHOT_S)) if count is None else max(1, count)
    bounds = [math.floor(i * duration_s / n + 0.5) for i in range(n + 1)]
    if any(a >= b for a, b in itertools.pairwise(bounds)):
        bounds = [round(i * duration_s / n, 2) for i in range(n + 1)]  # shorter than a second
    return [Shot(float(bounds[i]), float(bounds[i + 1]), "") for i in range(n)]


# ---- editing the shots (what the storyboard's buttons do) -----------------------------------


def add_shot(shots: list[Shot], duration_s: float) -> list[Shot]:
    """``shots`` and one more, without words: it fills the time after the last shot, or,
    when the last shot already reaches the end, takes the second half of it. The first shot
    of an empty plan covers the whole video."""
    if not shots:
        return [Shot(0.0, float(duration_s), "")]
    last = shots[-1]
    if last.end_s < duration_s - TOLERANCE_S:
        return [*shots, Shot(last.end_s, float(duration_s), "")]
    middle = _half_way(last.start_s, last.end_s)
    return [*shots[:-1], Shot(last.start_s, middle, last.text), Shot(middle, last.end_s, "")]


def _half_way(start: float, end: float) -> float:
    """The middle of ``start``–``end`` on a half second when one lies strictly inside."""
    middle = round((start + end) / 2 * 2) / 2
    return middle if start < middle < end else round((start + end) / 2, 2)


def remove_shot(shots: list[Shot], index: int) -> list[Shot]:
    """``shots`` without shot ``index``; the neighbour that met it takes its time (the one
    before, or the next when it was the first), so removing a shot leaves no gap."""
    gone = shots[index]
    rest = [*shots[:index], *shots[index + 1 :]]
    if index > 0 and abs(shots[index - 1].end_s - gone.start_s) <= TOLERANCE_S:
        before = rest[index - 1]
        rest[index - 1] = Shot(before.start_s, gone.end_s, before.text)
    elif index == 0 and rest and abs(rest[0].start_s - gone.end_s) <= TOLERANCE_S:
        rest[0] = Shot(gone.start_s, rest[0].end_s, rest[0].text)
    return rest


def move_shot(shots: list[Shot], index: int, delta: int) -> list[Shot]:
    """``shots`` with shot ``index`` moved ``delta`` places (−1: one earlier). Each shot keeps
    its length and the shots are laid end to end from where the first began, so a plan that
    covered the video still does. (Times that are reversed or empty cannot be laid out:
    then the shots only change places.)"""
    target = min(max(index + delta, 0), len(shots) - 1)
    order = list(shots)
    order.insert(target, order.pop(index))
    if any(shot.length_s <= 0 for shot in shots):
        return order
    start = shots[0].start_s
    laid: list[Shot] = []
    for shot in order:
        end = round(start + shot.length_s, 2)  # no 3.9999999 s from the float sums
        laid.append(Shot(start, end, shot.text))
        start = end
    return laid


def spread_shots(shots: list[Shot], duration_s: float) -> list[Shot]:
    """The same shots, in order with their words, splitting ``duration_s`` evenly."""
    slots = even_shots(duration_s, len(shots)) if shots else []
    return [
        Shot(slot.start_s, slot.end_s, shot.text) for slot, shot in zip(slots, shots, strict=True)
    ]


# ---- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    """One problem of a shot plan: the ``message`` and the numbers of the ``shots`` it is
    about (empty for the prompt's length)."""

    message: str
    shots: tuple[int, ...] = ()


def problems(
    shots: list[Shot], duration_s: float, prompt_limit: int, *, intro: str = ""
) -> list[str]:
    """Every reason the shot plan does not fit a ``duration_s`` video, in shot order: times
    reversed or empty, a shot without words, gaps and overlaps between shots, the start and
    the end of the video left uncovered, shots past its end; and the compiled prompt (with
    ``intro``) over ``prompt_limit`` characters. Each message names the shot and the seconds.
    Empty when the plan is good (or has no shots)."""
    return [check.message for check in checks(shots, duration_s, prompt_limit, intro=intro)]


def checks(
    shots: list[Shot], duration_s: float, prompt_limit: int | None, *, intro: str = ""
) -> list[Check]:
    """:func:`problems` with the shots each one is about; ``prompt_limit`` ``None`` leaves
    the prompt's length unchecked."""
    if not shots:
        return []
    found: list[Check] = []
    for number, shot in enumerate(shots, 1):
        found += _shot_checks(number, shot, duration_s)
    found += _coverage_checks(shots, duration_s)
    length = len(compile(shots, intro=intro))
    if prompt_limit is not None and length > prompt_limit:
        found.append(
            Check(
                f"With its shot lines the prompt is {length} characters; the limit is "
                f"{prompt_limit} (remove {length - prompt_limit})."
            )
        )
    return found


def numbering_checks(numbers: tuple[int, ...] | list[int]) -> list[Check]:
    """The shot lines typed with another number than their place (``numbers``: as typed, in
    prompt order, :attr:`Board.numbers`): a number used twice, skipped or out of order. The
    prompt goes to the model as typed, and "Shot 2 [0-5s] … Shot 1 [5-10s]" says two things
    at once; each such line is named by its place and the number it carries. Editing any
    card numbers the lines 1, 2, 3… again (:func:`compile`)."""
    found: list[Check] = []
    seen: set[int] = set()
    for place, typed in enumerate(numbers, 1):
        if typed != place:
            again = " again" if typed in seen else ""
            message = (
                f'Shot {place} is written as "Shot {typed}"{again}: number the shot lines '
                f"1, 2, 3… in order (edit any card to renumber them)."
            )
            found.append(Check(message, (place,)))
        seen.add(typed)
    return found


def _shot_checks(number: int, shot: Shot, duration_s: float) -> list[Check]:
    start, end, video = (format_seconds(v) for v in (shot.start_s, shot.end_s, duration_s))
    said: list[str] = []
    if shot.length_s < -TOLERANCE_S:
        said.append(f"Shot {number} ends at {end} s, before it starts ({start} s).")
    elif shot.length_s <= TOLERANCE_S:
        said.append(f"Shot {number} starts and ends at {start} s: give it some length.")
    if shot.start_s >= duration_s - TOLERANCE_S:
        said.append(f"Shot {number} ({start}–{end} s) starts after the {video} s video ends.")
    elif shot.end_s > duration_s + TOLERANCE_S:
        said.append(f"Shot {number} runs to {end} s, past the end of the {video} s video.")
    if not shot.text.strip():
        said.append(f"Shot {number} ({start}–{end} s) has no words: say what happens in it.")
    return [Check(message, (number,)) for message in said]


def _coverage_checks(shots: list[Shot], duration_s: float) -> list[Check]:
    """Gaps and overlaps between neighbours, and the video's start and end left uncovered."""
    found: list[Check] = []
    first = shots[0]
    if first.start_s > TOLERANCE_S:
        s = format_seconds(first.start_s)
        found.append(Check(f"Nothing is planned for 0–{s} s: shot 1 starts at {s} s.", (1,)))
    for number, (before, after) in enumerate(itertools.pairwise(shots), 1):
        a, b = format_seconds(before.end_s), format_seconds(after.start_s)
        pair = (number, number + 1)
        if after.start_s > before.end_s + TOLERANCE_S:
            message = (
                f"Nothing is planned for {a}–{b} s, between shot {number} (ends at {a} s) "
                f"and shot {number + 1} (starts at {b} s)."
            )
            found.append(Check(message, pair))
        elif after.start_s < before.end_s - TOLERANCE_S:
            message = (
                f"Shots {number} and {number + 1} overlap at {b}–{a} s: shot {number + 1} "
                f"starts at {b} s, before shot {number} ends at {a} s."
            )
            found.append(Check(message, pair))
    last_end = max(shot.end_s for shot in shots)
    if last_end < duration_s - TOLERANCE_S:
        e, d = format_seconds(last_end), format_seconds(duration_s)
        message = (
            f"Nothing is planned for {e}–{d} s: the shots end at {e} s and the video is {d} s long."
        )
        found.append(Check(message, (len(shots),)))
    return found


# ---- the shot times against the video's duration --------------------------------------------


def shots_misfit(prompt: str, duration_s: float) -> str | None:
    """A sentence saying how the shot lines of ``prompt`` miss a ``duration_s`` video, or
    ``None`` when there are none or the last one ends with the video."""
    shots = parse(prompt)
    if not shots:
        return None
    end = max(shot.end_s for shot in shots)
    if abs(end - duration_s) <= TOLERANCE_S:
        return None
    e, d = format_seconds(end), format_seconds(duration_s)
    if end > duration_s:
        return (
            f"The shot times run to {e} s, but the video is {d} s long: "
            "the last shots would be cut."
        )
    return f"The shot times end at {e} s, but the video is {d} s long: they no longer fit."


def rescale_shots(prompt: str, duration_s: float) -> str:
    """``prompt`` with every shot line's times stretched or squeezed so the last shot ends at
    ``duration_s``; each shot keeps its share of the video and its words, and nothing else in
    the prompt changes. Whole seconds when that keeps every shot at least a second long, else
    tenths."""
    matches = list(_SHOT.finditer(prompt))
    end = max((float(m["end"]) for m in matches), default=0.0)
    if end <= 0:
        return prompt
    factor = duration_s / end
    scaled = [(float(m["start"]) * factor, float(m["end"]) * factor) for m in matches]
    digits = 0 if _keeps_order(scaled, 0) else 1
    pieces: list[str] = []
    last = 0
    for match, (start, stop) in zip(matches, scaled, strict=True):
        pieces.append(prompt[last : match.start("start")])
        pieces.append(format_seconds(round(start, digits)))
        pieces.append(prompt[match.end("start") : match.start("end")])
        pieces.append(format_seconds(round(stop, digits)))
        last = match.end("end")
    pieces.append(prompt[last:])
    return "".join(pieces)


def _keeps_order(spans: list[tuple[float, float]], digits: int) -> bool:
    """Whether rounding to ``digits`` keeps every shot longer than nothing."""
    return all(round(a, digits) < round(b, digits) for a, b in spans if a < b)
