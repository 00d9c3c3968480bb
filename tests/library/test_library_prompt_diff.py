"""The word-level prompt diff (Qt-free). Hover-scrub frames: test_library_hover_frames.py."""

from __future__ import annotations

from wan_desktop.library.prompt_diff import Segment, diff_words, side_by_side, similarity


def test_added_words_are_marked_and_equal_runs_kept():
    before = "a red fox running through snow"
    after = "A red fox running swiftly through deep fresh snow at dawn."
    segments = diff_words(before, after)
    assert Segment("added", "swiftly") in segments
    assert any(s.kind == "added" and "deep fresh" in s.text for s in segments)
    # Case and punctuation do not make a word different; the wording shown is the new one.
    assert segments[0] == Segment("equal", "A red fox running")
    assert " ".join(s.text for s in segments if s.kind != "removed") == after


def test_removed_words_and_two_columns():
    left, right = side_by_side("slow pan over a misty lake", "slow pan over a lake at night")
    assert Segment("removed", "misty") in left
    assert Segment("added", "at night") in right
    assert " ".join(s.text for s in left) == "slow pan over a misty lake"
    assert " ".join(s.text for s in right) == "slow pan over a lake at night"


def test_empty_and_identical_texts():
    assert diff_words("", "") == []
    assert diff_words("", "new words") == [Segment("added", "new words")]
    assert diff_words("old words", "") == [Segment("removed", "old words")]
    assert similarity("same text here", "Same text, here") == 1.0
    assert similarity("", "") == 1.0
    assert 0 < similarity("a b c d", "a b x y") < 1
