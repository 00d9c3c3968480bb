"""fal's service addresses other than the queue: the Platform API and the storage API.

``FAL_PLATFORM_URL`` (default ``https://api.fal.ai/v1``) is where the model's schema and the
account's price are read; ``FAL_REST_URL`` (default ``https://rest.fal.ai``) is where inputs
are uploaded. Both follow the queue URL's rule for plain ``http://``: only to this machine
(the offline engine, a local stand-in), never across a network with the key in it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from .net import is_loopback_url

__all__ = [
    "DEFAULT_PLATFORM_URL",
    "DEFAULT_REST_URL",
    "resolve_platform_url",
    "resolve_rest_url",
]

DEFAULT_PLATFORM_URL = "https://api.fal.ai/v1"
DEFAULT_REST_URL = "https://rest.fal.ai"


def resolve_platform_url(environ: Mapping[str, str] | None = None) -> str:
    """fal's Platform API base URL: ``FAL_PLATFORM_URL`` when set, else the default.

    No trailing slash. Raises ``ValueError`` (naming the variable) for a value that is not
    an ``https://`` URL, or ``http://`` to this machine.
    """
    return _resolve("FAL_PLATFORM_URL", DEFAULT_PLATFORM_URL, environ)


def resolve_rest_url(environ: Mapping[str, str] | None = None) -> str:
    """fal's storage API base URL: ``FAL_REST_URL`` when set, else the default (same rules
    as :func:`resolve_platform_url`)."""
    return _resolve("FAL_REST_URL", DEFAULT_REST_URL, environ)


def _resolve(variable: str, default: str, environ: Mapping[str, str] | None) -> str:
    env = os.environ if environ is None else environ
    value = (env.get(variable) or "").strip()
    if not value:
        return default
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or not host or parts.scheme not in ("http", "https"):
        raise ValueError(f"{variable} must be an https:// URL (got {value!r}).")
    if parts.scheme == "http" and not is_loopback_url(value):
        raise ValueError(
            f"{variable}: plain http:// is allowed only to this machine; use https:// "
            f"(got {value!r})."
        )
    return value.rstrip("/")
