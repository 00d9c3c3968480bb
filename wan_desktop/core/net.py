"""Which hosts count as "this machine" (Qt-free; any thread).

One rule for the whole app: ``localhost`` and every loopback address (all of
``127.0.0.0/8`` and ``::1``, IPv4-mapped forms included). Plain ``http://`` is allowed only to
these, and only these may serve the offline engine.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["is_loopback_host", "is_loopback_url"]


def is_loopback_host(host: str | None) -> bool:
    """True when ``host`` (a name or address, brackets allowed) names this machine's loopback."""
    name = (host or "").strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def is_loopback_url(url: str) -> bool:
    """True for an ``http``/``https`` URL whose host is loopback (see :func:`is_loopback_host`)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and is_loopback_host(host)
