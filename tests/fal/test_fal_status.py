"""The status parser (each state, each malformation, fuzzed) and log de-duplication."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wan_desktop.fal.errors import FalError, ProtocolError
from wan_desktop.fal.status import (
    Completed,
    InProgress,
    LogDeduper,
    LogEntry,
    Queued,
    parse_status,
)

LINE = {"message": "step 1", "level": "INFO", "source": "user", "timestamp": "2025-01-01T00:00:01"}


def test_queued():
    assert parse_status({"status": "IN_QUEUE", "queue_position": 3}) == Queued(3)
    assert parse_status({"status": "IN_QUEUE"}) == Queued(None)


def test_in_progress_with_logs_or_null():
    status = parse_status({"status": "IN_PROGRESS", "logs": [LINE]})
    assert status == InProgress((LogEntry("step 1", "INFO", "user", "2025-01-01T00:00:01"),))
    assert parse_status({"status": "IN_PROGRESS", "logs": None}) == InProgress(())
    assert parse_status({"status": "IN_PROGRESS"}) == InProgress(())


def test_log_entry_needs_only_a_message():
    status = parse_status({"status": "IN_PROGRESS", "logs": [{"message": "hi"}]})
    assert status.logs == (LogEntry("hi"),)


def test_completed_ok_and_failed():
    ok = parse_status(
        {"status": "COMPLETED", "logs": None, "metrics": {"inference_time": 1.5}, "error": None}
    )
    assert ok == Completed((), {"inference_time": 1.5}, None, None)
    assert ok.ok
    failed = parse_status(
        {"status": "COMPLETED", "error": "boom", "error_type": "runner_error", "metrics": None}
    )
    assert not failed.ok
    assert (failed.error, failed.error_type) == ("boom", "runner_error")


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "COMPLETED",
        {},
        {"status": None},
        {"status": 3},
        {"status": "DONE"},
        {"status": "in_queue"},
        {"status": "IN_QUEUE", "queue_position": -1},
        {"status": "IN_QUEUE", "queue_position": "2"},
        {"status": "IN_QUEUE", "queue_position": True},
        {"status": "IN_QUEUE", "queue_position": 1.5},
        {"status": "IN_PROGRESS", "logs": "a line"},
        {"status": "IN_PROGRESS", "logs": ["a line"]},
        {"status": "IN_PROGRESS", "logs": [{"level": "INFO"}]},
        {"status": "IN_PROGRESS", "logs": [{"message": "m", "timestamp": 5}]},
        {"status": "COMPLETED", "metrics": [1]},
        {"status": "COMPLETED", "error": {"x": 1}},
        {"status": "COMPLETED", "error_type": 7},
    ],
)
def test_malformed_bodies_raise_protocol_error(body):
    with pytest.raises(ProtocolError) as info:
        parse_status(body)
    assert str(info.value).startswith("The service sent")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
states = st.sampled_from(["IN_QUEUE", "IN_PROGRESS", "COMPLETED", "FAILED", "", None, 1])
log_lines = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "message": st.text(max_size=5) | json_values,
            "level": st.sampled_from(["INFO", "ERROR"]) | json_values,
            "timestamp": st.text(max_size=5) | json_values,
            "source": json_values,
        },
    )
    | json_values,
    max_size=3,
)
status_like = st.fixed_dictionaries(
    {"status": states},
    optional={
        "queue_position": st.integers(-2, 5) | json_values,
        "logs": log_lines | json_values,
        "metrics": json_values,
        "error": json_values,
        "error_type": json_values,
    },
)


@settings(max_examples=250, deadline=None)
@given(st.one_of(json_values, status_like))
def test_fuzz_parse_status_gives_a_status_or_protocol_error(body):
    try:
        status = parse_status(body)
    except ProtocolError as exc:
        assert str(exc)
    else:
        assert isinstance(status, Queued | InProgress | Completed)


def entry(ts: str, message: str) -> LogEntry:
    return LogEntry(message, timestamp=ts)


def test_deduper_handles_a_moving_window():
    dedupe = LogDeduper()
    a, b, c, d = entry("1", "a"), entry("2", "b"), entry("3", "c"), entry("4", "d")
    assert dedupe.new([a, b]) == (a, b)
    assert dedupe.new([a, b, c]) == (c,)
    # The server dropped the old lines: only d is new.
    assert dedupe.new([c, d]) == (d,)
    assert dedupe.new([]) == ()
    assert dedupe.new([b, d]) == ()


def test_deduper_keys_on_timestamp_and_message():
    dedupe = LogDeduper()
    same_text_later = entry("2", "tick")
    assert dedupe.new([entry("1", "tick"), same_text_later]) == (
        entry("1", "tick"),
        same_text_later,
    )
    assert dedupe.new([LogEntry("tick", level="ERROR", timestamp="1")]) == ()
    assert dedupe.new([entry("1", "tick"), entry("1", "tick")]) == ()


def test_deduper_memory_is_bounded():
    dedupe = LogDeduper(window=3)
    lines = [entry(str(i), "x") for i in range(5)]
    assert dedupe.new(lines) == tuple(lines)
    assert len(dedupe._seen) == 3
    assert dedupe.new(lines[-3:]) == ()


def test_protocol_error_is_a_fal_error():
    assert issubclass(ProtocolError, FalError)
