"""The storyboard of a multi-shot prompt: prompt → shots → prompt round trips, the forms people
type, and the checks that refuse gaps, overlaps, uncovered ends and a prompt over the limit."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from wan_desktop.core.storyboard import (
    Board,
    Shot,
    add_shot,
    checks,
    compile,
    even_shots,
    format_seconds,
    move_shot,
    parse,
    parse_board,
    problems,
    remove_shot,
    rescale_shots,
    shots_misfit,
    spread_shots,
)

# The multi-shot prompt of the model's own request example (the API document).
API_EXAMPLE = (
    "A comedic cinematic demo where typed prompts physically transform reality. Photoreal, "
    "strong match cuts, coherent main character, no subtitles.\n"
    "\n"
    'Shot 1 [0-4s] Continue from first frame. The creator presses "PRINT". The machine clunks '
    'like a spaceship. Creator whispers: "Okay… I\'m pressing enter."\n'
    "Shot 2 [4-8s] Smash cut: the printed paper flies into the air and unfolds into a full desert "
    "canyon scene around the desk, like reality is being unrolled. Creator says: "
    '"Wait—my prompt has physics?"\n'
    "Shot 3 [8-12s] Hard cut: the paper tears and reveals a tropical jungle behind it, perfectly "
    'lit, cinematic sun. Creator laughs: "This is exactly why we do AI."\n'
    "Shot 4 [12-15s] Hard cut back to studio. The printer prints a final line (not shown "
    'clearly). Creator looks to camera: "Multi-scene. Single prompt."'
)
LIMIT = 1500


def test_the_models_own_example_round_trips():
    prompt = API_EXAMPLE
    board = parse_board(prompt)
    assert board is not None
    assert board.intro.startswith("A comedic cinematic demo")
    assert [(s.start_s, s.end_s) for s in board.shots] == [(0, 4), (4, 8), (8, 12), (12, 15)]
    assert board.shots[3].text.endswith('"Multi-scene. Single prompt."')
    assert board.text() == prompt
    assert problems(list(board.shots), 15, LIMIT, intro=board.intro) == []


def test_round_trip_prompt_cards_prompt():
    prompt = "A fox in the snow.\n\nShot 1 [0-4s] it sniffs the air\nShot 2 [4-10s] it runs"
    shots = parse(prompt)
    assert shots == [Shot(0, 4, "it sniffs the air"), Shot(4, 10, "it runs")]
    assert compile(shots, intro="A fox in the snow.") == prompt
    assert compile(shots) == "Shot 1 [0-4s] it sniffs the air\nShot 2 [4-10s] it runs"


def test_the_forms_people_type():
    text = (
        "A fox.\nShot 1 [0–4s] runs\nshot 2 [4 - 8 s] jumps\n  SHOT 7 [8s—10.5s]   lands\n"
        "  and rolls over\nShot x [1-2s] not a shot line"
    )
    board = parse_board(text)
    assert board == Board(
        "A fox.",
        (
            Shot(0, 4, "runs"),
            Shot(4, 8, "jumps"),
            Shot(8, 10.5, "lands\n  and rolls over\nShot x [1-2s] not a shot line"),
        ),
    )
    # Compiled: numbered in order, the app's own spelling; the words as they were.
    assert board.text().splitlines()[2:5] == [
        "Shot 1 [0-4s] runs",
        "Shot 2 [4-8s] jumps",
        "Shot 3 [8-10.5s] lands",
    ]


def test_not_a_multi_shot_prompt():
    assert parse("A fox runs across the snow, then jumps.") is None
    assert parse("") is None
    assert parse("The shot [0-4s] is not at the start") is None
    assert parse_board("Intro only") is None


def test_a_shot_without_words_compiles_to_its_header():
    assert compile([Shot(0, 2.5, ""), Shot(2.5, 5, "  b ")]) == "Shot 1 [0-2.5s]\nShot 2 [2.5-5s] b"
    assert parse("Shot 1 [0-2.5s]\nShot 2 [2.5-5s] b") == [Shot(0, 2.5, ""), Shot(2.5, 5, "b")]


_times = st.integers(0, 1500).map(lambda n: n / 100)  # what a two-decimal prompt can say
_words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40
).map(str.strip)


@given(st.lists(st.tuples(_times, _times, _words), max_size=6), _words)
def test_shots_prompt_shots_round_trip(raw, intro):
    assume(parse(intro) is None)  # an intro that is itself a shot line is a shot
    shots = [Shot(a, b, text) for a, b, text in raw]
    prompt = compile(shots, intro=intro)
    board = parse_board(prompt)
    if not shots:
        assert board is None
        return
    assert board == Board(intro, tuple(shots))
    assert board.text() == prompt


def test_seconds_are_written_short():
    assert [format_seconds(v) for v in (0, 4.0, 2.5, 0.25, 10.999999999999)] == [
        "0",
        "4",
        "2.5",
        "0.25",
        "11",
    ]


@pytest.mark.parametrize(("duration", "count"), [(5, 2), (10, 3), (15, 4)])
def test_even_shots_cover_the_duration(duration, count):
    shots = even_shots(duration)
    assert len(shots) == count
    assert shots[0].start_s == 0 and shots[-1].end_s == duration
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(shots))
    assert even_shots(2, 8)[-1].end_s == 2  # shorter than a second each: no empty shot
    assert all(s.length_s > 0 for s in even_shots(2, 8))


# ---- checks ---------------------------------------------------------------------------------


def _plan(*spans, text="words"):
    return [Shot(a, b, text) for a, b in spans]


def test_a_good_plan_has_no_problems():
    assert problems(_plan((0, 4), (4, 7), (7, 10)), 10, LIMIT) == []
    assert problems([], 10, LIMIT) == []
    # Within the tolerance: tenths typed by hand meet.
    assert problems(_plan((0, 3.33), (3.33, 6.67), (6.67, 10)), 10, LIMIT) == []


def test_a_gap_is_refused_naming_the_shots_and_seconds():
    found = problems(_plan((0, 4), (5, 10)), 10, LIMIT)
    assert found == [
        "Nothing is planned for 4–5 s, between shot 1 (ends at 4 s) and shot 2 (starts at 5 s)."
    ]


def test_an_overlap_is_refused_naming_the_shots_and_seconds():
    found = problems(_plan((0, 4), (3, 10)), 10, LIMIT)
    assert found == [
        "Shots 1 and 2 overlap at 3–4 s: shot 2 starts at 3 s, before shot 1 ends at 4 s."
    ]


def test_the_start_and_the_end_must_be_covered():
    assert problems(_plan((1, 5), (5, 10)), 10, LIMIT) == [
        "Nothing is planned for 0–1 s: shot 1 starts at 1 s."
    ]
    assert problems(_plan((0, 4), (4, 8)), 10, LIMIT) == [
        "Nothing is planned for 8–10 s: the shots end at 8 s and the video is 10 s long."
    ]


def test_shots_past_the_end_and_backwards_times():
    found = problems(_plan((0, 4), (4, 12)), 10, LIMIT)
    assert found == ["Shot 2 runs to 12 s, past the end of the 10 s video."]
    found = problems(_plan((0, 5), (5, 10), (10, 12)), 10, LIMIT)
    assert found == ["Shot 3 (10–12 s) starts after the 10 s video ends."]
    found = problems(_plan((0, 5), (5, 4), (4, 10)), 10, LIMIT)
    assert "Shot 2 ends at 4 s, before it starts (5 s)." in found
    found = problems(_plan((0, 5), (5, 5), (5, 10)), 10, LIMIT)
    assert found == ["Shot 2 starts and ends at 5 s: give it some length."]


def test_a_shot_without_words():
    found = problems([Shot(0, 2.5, "a"), Shot(2.5, 5, " ")], 5, LIMIT)
    assert found == ["Shot 2 (2.5–5 s) has no words: say what happens in it."]


def test_the_prompt_limit_counts_the_compiled_prompt():
    shots = _plan((0, 5), (5, 10), text="x" * 40)
    length = len(compile(shots, intro="intro"))
    assert problems(shots, 10, length, intro="intro") == []
    assert problems(shots, 10, length - 3, intro="intro") == [
        f"With its shot lines the prompt is {length} characters; the limit is {length - 3} "
        "(remove 3)."
    ]


# ---- times against the duration --------------------------------------------------------------


def test_misfit_says_both_lengths():
    text = "Shot 1 [0–3s] a\nShot 2 [3–5s] b"
    assert shots_misfit(text, 5) is None
    assert shots_misfit("no shots here", 10) is None
    longer = shots_misfit(text, 10)
    assert longer is not None and "5 s" in longer and "10 s" in longer
    shorter = shots_misfit("Shot 1 [0–8s] a\nShot 2 [8–15s] b", 5)
    assert shorter is not None and "15 s" in shorter and "cut" in shorter


@pytest.mark.parametrize(
    ("text", "duration", "expected"),
    [
        ("Shot 1 [0–3s] a\nShot 2 [3–5s] b", 10, "Shot 1 [0–6s] a\nShot 2 [6–10s] b"),
        (
            "Intro.\n\nShot 1 [0-4s] x\nShot 2 [4-8s] y\nShot 3 [8-11s] z\nShot 4 [11-15s] w",
            5,
            "Intro.\n\nShot 1 [0-1s] x\nShot 2 [1-3s] y\nShot 3 [3-4s] z\nShot 4 [4-5s] w",
        ),
        # Eight one-second shots into five seconds: whole seconds would merge shots.
        ("\n".join(f"Shot {i + 1} [{i}-{i + 1}s]" for i in range(8)), 5, None),
    ],
)
def test_rescale_keeps_each_share_and_the_words(text, duration, expected):
    rewritten = rescale_shots(text, duration)
    shots = parse(rewritten)
    assert shots is not None and shots[-1].end_s == duration
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(shots))
    assert all(s.start_s < s.end_s for s in shots)
    if expected is not None:
        assert rewritten == expected
    else:
        assert "Shot 2 [0.6-1.2s]" in rewritten
    assert rescale_shots("no shots", 10) == "no shots"


# ---- editing -----------------------------------------------------------------------------------


def _covers(shots, duration):
    return problems([Shot(s.start_s, s.end_s, "w") for s in shots], duration, LIMIT) == []


def test_add_fills_the_end_or_halves_the_last_shot():
    assert add_shot([], 10) == [Shot(0, 10, "")]
    assert add_shot([Shot(0, 4, "a")], 10) == [Shot(0, 4, "a"), Shot(4, 10, "")]
    halved = add_shot([Shot(0, 4, "a"), Shot(4, 10, "b")], 10)
    assert halved == [Shot(0, 4, "a"), Shot(4, 7, "b"), Shot(7, 10, "")]
    assert add_shot([Shot(0, 5, "a"), Shot(5, 5.5, "b")], 5.5)[-2:] == [
        Shot(5, 5.25, "b"),
        Shot(5.25, 5.5, ""),
    ]


def test_remove_gives_the_time_to_the_neighbour():
    shots = [Shot(0, 4, "a"), Shot(4, 7, "b"), Shot(7, 10, "c")]
    assert remove_shot(shots, 1) == [Shot(0, 7, "a"), Shot(7, 10, "c")]
    assert remove_shot(shots, 0) == [Shot(0, 7, "b"), Shot(7, 10, "c")]
    assert remove_shot(shots, 2) == [Shot(0, 4, "a"), Shot(4, 10, "b")]
    assert remove_shot([Shot(0, 4, "a")], 0) == []
    # A neighbour that did not meet the shot keeps its times (the gap stays visible).
    assert remove_shot([Shot(0, 3, "a"), Shot(4, 10, "b")], 1) == [Shot(0, 3, "a")]


def test_move_keeps_each_length_and_the_coverage():
    shots = [Shot(0, 4, "a"), Shot(4, 8, "b"), Shot(8, 10, "c")]
    moved = move_shot(shots, 2, -1)
    assert moved == [Shot(0, 4, "a"), Shot(4, 6, "c"), Shot(6, 10, "b")]
    assert _covers(moved, 10)
    assert move_shot(shots, 0, -1) == shots  # the first cannot move earlier
    assert move_shot(moved, 1, 1) == [Shot(0, 4, "a"), Shot(4, 8, "b"), Shot(8, 10, "c")]
    thirds = [Shot(0, 3.33, "a"), Shot(3.33, 6.67, "b"), Shot(6.67, 10, "c")]
    assert move_shot(thirds, 0, 2)[-1].end_s == 10
    # Reversed times cannot be laid end to end: the shots only change places.
    odd = [Shot(0, 4, "a"), Shot(6, 5, "b")]
    assert move_shot(odd, 1, -1) == [Shot(6, 5, "b"), Shot(0, 4, "a")]


def test_spread_evenly_keeps_the_words():
    spread = spread_shots([Shot(0, 1, "a"), Shot(3, 9, "b"), Shot(9, 12, "c")], 15)
    assert spread == [Shot(0, 5, "a"), Shot(5, 10, "b"), Shot(10, 15, "c")]
    assert spread_shots([], 10) == []


def test_each_check_names_the_shots_it_is_about():
    plan = [Shot(1, 4, "a"), Shot(3, 6, ""), Shot(7, 8, "c")]
    found = checks(plan, 10, 10)
    assert [c.shots for c in found] == [(2,), (1,), (1, 2), (2, 3), (3,), ()]
    assert [c.message for c in found] == problems(plan, 10, 10)
    assert checks(plan, 10, None)[-1].shots == (3,)  # no limit: no length check
