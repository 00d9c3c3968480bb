"""Testing a fal key with one cheap authenticated call (a plain service, no widgets).

It asks the queue for the status of a request id that cannot exist: a valid key gets
"not found" (HTTP 404), a refused key gets 401/403. Nothing is submitted, nothing is billed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROBE_REQUEST_ID", "KeyCheck", "check_key"]

PROBE_REQUEST_ID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """The verdict: ``ok`` True (accepted), False (refused) or None (could not tell)."""

    ok: bool | None
    message: str


async def check_key(key: str, base_url: str | None = None, *, transport=None) -> KeyCheck:
    """Ask the queue at ``base_url`` whether it accepts ``key``. Call on the event loop."""
    from urllib.parse import urlsplit

    from ..core import limits
    from ..core.net import is_loopback_host
    from ..fal import AuthError, FalClient, FalError, NetworkError, RequestHandle, RetryPolicy

    key = key.strip()
    if not key:
        return KeyCheck(False, "Enter a key first.")
    host = urlsplit(base_url or "").hostname or ""
    allow = frozenset({host}) if is_loopback_host(host) else frozenset()
    async with FalClient(
        key,
        base_url=base_url,
        transport=transport,
        timeout_s=15,
        retry=RetryPolicy(max_attempts=2),
        allow_http_hosts=allow,
    ) as client:
        handle = RequestHandle.from_base(client.base_url, limits.ENDPOINT_ID, PROBE_REQUEST_ID)
        try:
            await client.status(handle, logs=False)
        except AuthError:
            return KeyCheck(False, "fal refused this key (HTTP 401/403). Check it and try again.")
        except NetworkError as exc:
            return KeyCheck(None, f"Could not reach fal to test the key: {exc}")
        except FalError as exc:
            if exc.status_code == 404:
                return KeyCheck(True, "The key works: fal accepted it.")
            return KeyCheck(None, f"fal answered unexpectedly: {exc}")
    return KeyCheck(True, "The key works: fal accepted it.")
