"""The handle of a submitted request: the URLs to follow it, kept with the job to resume it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wan_desktop.fal.errors import ProtocolError

__all__ = ["RequestHandle", "app_root"]


def app_root(endpoint_id: str) -> str:
    """``owner/alias`` of a model id: status, result and cancel drop the rest of the path.

    ``wan/v2.6/image-to-video/flash`` → ``wan/v2.6``. Raises ``ValueError`` for an id with
    fewer than two parts.
    """
    parts = [p for p in endpoint_id.strip("/").split("/") if p]
    if len(parts) < 2:
        raise ValueError(f"A fal model id has the form owner/alias[/path]; got {endpoint_id!r}.")
    return f"{parts[0]}/{parts[1]}"


@dataclass(frozen=True, slots=True)
class RequestHandle:
    """A request in fal's queue: which model, its id, and the URLs the server gave for it.

    Plain data; safe to persist (``to_dict``) and to pass between threads. Holds no key.
    ``start_timeout_s``: the start deadline it was sent with (seconds), kept so the error
    can name it when it fires after a restart; None when it was sent without one.
    """

    endpoint_id: str
    request_id: str
    status_url: str
    response_url: str
    cancel_url: str
    start_timeout_s: float | None = None

    @classmethod
    def from_base(cls, base_url: str, endpoint_id: str, request_id: str) -> RequestHandle:
        """Rebuild the URLs from the queue base, the model id and the request id (used when
        the server did not return them, or to resume a job that kept only the id)."""
        root = f"{base_url.rstrip('/')}/{app_root(endpoint_id)}/requests/{request_id}"
        return cls(endpoint_id, request_id, f"{root}/status", root, f"{root}/cancel")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``from_dict`` reads it back (``start_timeout_s`` only when set,
        so handles sent without a deadline are stored as before)."""
        data: dict[str, Any] = {
            "endpoint_id": self.endpoint_id,
            "request_id": self.request_id,
            "status_url": self.status_url,
            "response_url": self.response_url,
            "cancel_url": self.cancel_url,
        }
        if self.start_timeout_s is not None:
            data["start_timeout_s"] = self.start_timeout_s
        return data

    @classmethod
    def from_dict(cls, data: Any) -> RequestHandle:
        """Read a handle saved by ``to_dict``; ``ProtocolError`` when a URL or id is missing
        (an unreadable ``start_timeout_s`` is dropped: it only words an error)."""
        if not isinstance(data, dict):
            raise ProtocolError("A saved request handle is not an object.")
        values = {}
        for name in ("endpoint_id", "request_id", "status_url", "response_url", "cancel_url"):
            value = data.get(name)
            if not isinstance(value, str) or not value:
                raise ProtocolError(f"A saved request handle has no {name}.")
            values[name] = value
        return cls(**values, start_timeout_s=_deadline(data.get("start_timeout_s")))


def _deadline(value: Any) -> float | None:
    """A stored start deadline: a positive, finite number of seconds, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 < value < float("inf") else None
