"""What fal last said about the model (its schema) and the account (its price), on disk.

Kept in the settings folder, one small JSON file per kind, written atomically, each with the
time fal answered, the service it came from and a fingerprint of the key it was asked with
(a salted hash: never the key). A record is *fresh* for at most a day, and only for the same
endpoint, service and key: a new key asks again. A damaged or foreign file reads as no
record. Blocking file I/O: call from a worker thread when on the event loop.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

import msgspec

from .atomic import atomic_write_bytes
from .paths import AppPaths

__all__ = [
    "CACHE_FOLDER",
    "DAY_S",
    "KINDS",
    "CacheRecord",
    "ServiceCache",
    "key_fingerprint",
]

log = logging.getLogger(__name__)

CACHE_FOLDER = "fal-service"
#: Refresh at most once a day: fal's schema changes in months, not minutes.
DAY_S = 24 * 3600.0
#: What is kept: the model's schema and this account's price.
KINDS = ("schema", "price")
_VERSION = 1
# A record dated this far in the future came from a wrong clock: it is not trusted as fresh.
_CLOCK_SLACK_S = 300.0
_FINGERPRINT_SALT = b"wan-desktop fal key fingerprint v1\0"


def key_fingerprint(key: str | None) -> str:
    """A short hash that tells keys apart without revealing them ("" for no key)."""
    if not key:
        return ""
    return hashlib.sha256(_FINGERPRINT_SALT + key.strip().encode("utf-8")).hexdigest()[:16]


class CacheRecord(msgspec.Struct, frozen=True):
    """One answer of fal's Platform API as kept on disk.

    ``fetched_at`` is when fal answered (epoch seconds). ``payload`` is the answer's part that
    matters (the OpenAPI document, or the unit price), re-checked when it is used.
    """

    endpoint_id: str
    service_url: str
    key_fingerprint: str
    fetched_at: float
    payload: dict[str, Any]
    version: int = _VERSION

    @classmethod
    def new(
        cls,
        *,
        endpoint_id: str,
        service_url: str,
        key: str | None,
        payload: dict[str, Any],
        fetched_at: float | None = None,
    ) -> CacheRecord:
        """A record of an answer fal gave just now (the key reduced to its fingerprint)."""
        return cls(
            endpoint_id=endpoint_id,
            service_url=service_url.rstrip("/"),
            key_fingerprint=key_fingerprint(key),
            fetched_at=time.time() if fetched_at is None else fetched_at,
            payload=payload,
        )

    def age_s(self, now: float | None = None) -> float:
        """Seconds since fal answered (negative when the clock went back)."""
        return (time.time() if now is None else now) - self.fetched_at

    def is_stale(self, max_age_s: float = DAY_S, now: float | None = None) -> bool:
        """True when the record is older than ``max_age_s`` or dated in the future."""
        age = self.age_s(now)
        return age > max_age_s or age < -_CLOCK_SLACK_S

    def matches(self, endpoint_id: str, service_url: str, key: str | None = None) -> bool:
        """True when the record answers this endpoint on this service for this key."""
        return (
            self.endpoint_id == endpoint_id
            and self.service_url == service_url.rstrip("/")
            and self.key_fingerprint == key_fingerprint(key)
        )

    def is_fresh_for(
        self,
        endpoint_id: str,
        service_url: str,
        key: str | None = None,
        *,
        max_age_s: float = DAY_S,
        now: float | None = None,
    ) -> bool:
        """Usable without asking fal again: it matches and is not stale."""
        return self.matches(endpoint_id, service_url, key) and not self.is_stale(max_age_s, now)


class ServiceCache:
    """The folder of records (``<settings folder>/fal-service``). Blocking I/O; any thread."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @classmethod
    def for_paths(cls, paths: AppPaths) -> ServiceCache:
        """The cache beside the settings file."""
        return cls(paths.config / CACHE_FOLDER)

    def path(self, kind: str) -> Path:
        """The file of ``kind`` (one of :data:`KINDS`)."""
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        return self.folder / f"{kind}.json"

    def load(self, kind: str) -> CacheRecord | None:
        """The record of ``kind``, or ``None`` when there is none or it cannot be read."""
        try:
            data = self.path(kind).read_bytes()
        except OSError:
            return None
        try:
            record = msgspec.json.decode(data, type=CacheRecord)
        # ValidationError is a DecodeError; absurd nesting is a RecursionError.
        except (msgspec.DecodeError, RecursionError) as exc:
            log.warning("ignoring the cached fal %s: %s", kind, exc)
            return None
        return record if record.version == _VERSION else None

    def save(self, kind: str, record: CacheRecord) -> None:
        """Write ``record`` as the one of ``kind`` (atomically, private to the user)."""
        atomic_write_bytes(self.path(kind), msgspec.json.encode(record), mode=0o600)
