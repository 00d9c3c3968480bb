"""The states of a queued request, the one parser that builds them, and log de-duplication.

A request is ``Queued`` (``position`` = requests ahead of it, 0-based), then ``InProgress``,
then ``Completed`` — also when it failed or was cancelled (``error`` / ``error_type`` set).
No other states exist: ``parse_status`` rejects anything else with ``ProtocolError``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from wan_desktop.fal.errors import ProtocolError

__all__ = [
    "Completed",
    "InProgress",
    "LogDeduper",
    "LogEntry",
    "Queued",
    "Status",
    "parse_status",
]

IN_QUEUE = "IN_QUEUE"
IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"

# How many (timestamp, message) keys a LogDeduper remembers: far more than the window a
# server re-sends, small enough that a chatty model cannot grow memory without bound.
DEDUPE_WINDOW = 4096


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One log line of a running request. ``timestamp`` is the server's ISO 8601 text."""

    message: str
    level: str = "INFO"
    source: str = ""
    timestamp: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """What identifies a line across repeated windows of logs."""
        return (self.timestamp, self.message)


@dataclass(frozen=True, slots=True)
class Queued:
    """Waiting in fal's queue; ``position`` requests are ahead (0-based; None if not said)."""

    position: int | None


@dataclass(frozen=True, slots=True)
class InProgress:
    """Running; ``logs`` are the log lines the server sent with this status."""

    logs: tuple[LogEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class Completed:
    """Finished. ``error`` / ``error_type`` are set when it failed or was cancelled;
    ``metrics`` holds what the server measured (``inference_time`` in seconds)."""

    logs: tuple[LogEntry, ...] = ()
    metrics: dict[str, Any] = field(default_factory=dict, hash=False)
    error: str | None = None
    error_type: str | None = None

    @property
    def ok(self) -> bool:
        """True when the request produced a result."""
        return self.error is None and self.error_type is None


Status: TypeAlias = Queued | InProgress | Completed


def parse_status(obj: Any) -> Status:
    """Build a status from a decoded JSON status body.

    Raises ``ProtocolError`` for anything that is not a well-formed status object (unknown
    state, wrong types); never another exception. Pure; call from any thread.
    """
    if not isinstance(obj, dict):
        raise ProtocolError(f"The service sent a status that is not an object ({_kind(obj)}).")
    state = obj.get("status")
    if state == IN_QUEUE:
        position = obj.get("queue_position")
        if position is not None and (
            not isinstance(position, int) or isinstance(position, bool) or position < 0
        ):
            raise ProtocolError("The service sent a queue position that is not a count.")
        return Queued(position)
    if state == IN_PROGRESS:
        return InProgress(_logs(obj.get("logs")))
    if state == COMPLETED:
        metrics = obj.get("metrics")
        if metrics is None:
            metrics = {}
        if not isinstance(metrics, dict):
            raise ProtocolError("The service sent metrics that are not an object.")
        return Completed(
            _logs(obj.get("logs")),
            dict(metrics),
            _opt_str(obj, "error"),
            _opt_str(obj, "error_type"),
        )
    if isinstance(state, str):
        shown = state if len(state) <= 40 else state[:39] + "…"
        raise ProtocolError(f"The service sent an unknown request state {shown!r}.")
    raise ProtocolError("The service sent a status without a state.")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _opt_str(obj: dict[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ProtocolError(f"The service sent a status whose {name} is not text.")


def _logs(raw: Any) -> tuple[LogEntry, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ProtocolError("The service sent logs that are not a list.")
    entries = []
    for item in raw:
        if not isinstance(item, dict):
            raise ProtocolError("The service sent a log line that is not an object.")
        message = item.get("message")
        if not isinstance(message, str):
            raise ProtocolError("The service sent a log line without a message.")
        fields = {}
        for name in ("level", "source", "timestamp"):
            value = item.get(name)
            if value is not None and not isinstance(value, str):
                raise ProtocolError(f"The service sent a log line whose {name} is not text.")
            if value is not None:
                fields[name] = value
        entries.append(LogEntry(message, **fields))
    return tuple(entries)


class LogDeduper:
    """Remembers which log lines were already seen, keyed on (timestamp, message).

    A server may send only a moving window of recent lines, may repeat them in each status,
    and may drop old ones: ``new()`` returns each line the first time it appears, in order.
    Memory is bounded (the last ``window`` keys). Not thread-safe: one per watched request.
    """

    def __init__(self, window: int = DEDUPE_WINDOW) -> None:
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._window = window

    def new(self, logs: Iterable[LogEntry]) -> tuple[LogEntry, ...]:
        """The lines of ``logs`` not seen before (also not twice within ``logs`` itself)."""
        fresh = []
        for entry in logs:
            key = entry.key
            if key in self._seen:
                self._seen.move_to_end(key)
                continue
            self._seen[key] = None
            fresh.append(entry)
            if len(self._seen) > self._window:
                self._seen.popitem(last=False)
        return tuple(fresh)
