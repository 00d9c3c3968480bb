"""File names that are safe on Windows, macOS and Linux (Qt-free; any thread).

The one place that turns text into a file name: no path separators or characters Windows
forbids (``<>:"/\\|?*`` and controls), no trailing dots or spaces, no reserved device names
(``CON``, ``NUL``, ``COM0``–``COM9``, ``CONIN$``…), at most :data:`MAX_NAME_BYTES` bytes of
UTF-8, never empty.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_NAME_BYTES", "clean_name_text", "safe_name", "truncate_utf8"]

MAX_NAME_BYTES = 200
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Windows refuses these as a name's stem whatever the extension ("nul.txt", "COM1.mp4").
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    "CONIN$",
    "CONOUT$",
    *(f"COM{i}" for i in "0123456789¹²³"),
    *(f"LPT{i}" for i in "0123456789¹²³"),
}


def clean_name_text(text: str) -> str:
    """``text`` in NFC with controls and format characters dropped, white space folded to
    single spaces and every character a file system refuses replaced by ``_``."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"} or ch in "\t\n"
    )
    text = " ".join(text.split())  # tabs and newlines become single spaces first
    return _FORBIDDEN.sub("_", text)


def truncate_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` that fits ``max_bytes`` bytes of UTF-8 (no split
    character)."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", "ignore")


def safe_name(stem: str, suffix: str = "", *, fallback: str = "video") -> str:
    """``stem + suffix`` made safe on every OS, at most :data:`MAX_NAME_BYTES` bytes of UTF-8
    (``suffix`` such as ``.mp4`` is kept whole; ``fallback`` stands in for an empty stem)."""
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    stem = truncate_utf8(clean_name_text(stem), room).strip(" .")
    if not stem or set(stem) <= {"_", " ", "."}:
        stem = fallback
    if stem.split(".")[0].strip().upper() in _RESERVED:
        stem = truncate_utf8("_" + stem, room)
    return stem + suffix
