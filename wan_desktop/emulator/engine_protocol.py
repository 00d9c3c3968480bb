"""What the HTTP side needs from the engine, as protocols (the server implements them).

The handler depends on these, never on :class:`~wan_desktop.emulator.server.EmulatorServer`
itself: the server imports the handler, and the handler imports only this.
"""

from __future__ import annotations

import socket
from typing import Any, Protocol

from wan_desktop.core.model_schema import ModelSchema

from .faults import Faults
from .jobs import JobStore
from .uploads import UploadStore

__all__ = ["ConnectionTracker", "Engine"]


class Engine(Protocol):
    """The engine as a request handler sees it. Every member is safe from any thread."""

    @property
    def api_key(self) -> str:
        """The token every request must carry (``Authorization: Key TOKEN``)."""
        ...

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT``, the base of every URL the engine hands out."""
        ...

    @property
    def faults(self) -> Faults: ...

    @property
    def store(self) -> JobStore: ...

    @property
    def uploads(self) -> UploadStore:
        """The files uploaded through the storage API."""
        ...

    @property
    def schema(self) -> ModelSchema:
        """The engine's resolved table: what ``/v1/models`` publishes and submits are checked
        against (the ``changed_schema`` fault changes both)."""
        ...

    @property
    def keepalive_s(self) -> float:
        """Seconds between SSE keep-alive comments."""
        ...

    @property
    def stopping(self) -> bool: ...

    def clock(self) -> float:
        """Monotonic seconds."""
        ...

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds``, waking early when the engine stops."""
        ...

    def media_url(self, request_id: str) -> str:
        """The signed URL of a request's video (works without the key)."""
        ...

    def media_signature_ok(self, request_id: str, signature: str) -> bool:
        """True when ``signature`` is the one :meth:`media_url` puts in the URL."""
        ...

    def signature(self, scope: str, item: str) -> str:
        """The engine's signature of ``item`` for ``scope`` (an upload's URL, a CDN token)."""
        ...

    def signature_ok(self, scope: str, item: str, signature: str) -> bool:
        """True when ``signature`` is :meth:`signature` of ``item`` for ``scope``."""
        ...

    def count_request(self, route: str) -> None: ...

    def count_submit(self) -> None: ...

    def count_cancel(self) -> None: ...

    def count_media_bytes(self, count: int) -> None: ...

    def stats(self) -> dict[str, Any]: ...

    def reset(self) -> None: ...


class ConnectionTracker(Protocol):
    """Keeps the open connections, so that stopping closes idle keep-alive ones."""

    def track(self, connection: socket.socket, open_: bool) -> None: ...
