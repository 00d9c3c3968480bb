"""``PreparedMedia``: an input checked and ready to send, with what the user should know."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from ..core.names import safe_name
from .datauri import to_data_uri

__all__ = ["PreparedMedia", "safe_file_name"]


@dataclass(frozen=True, slots=True)
class PreparedMedia:
    """An image or audio file that passed every check, as it will be sent.

    ``data`` is either the user's original bytes (untouched) or, when ``converted`` is true,
    the one conversion made of them. ``format`` is the content's format (``JPEG``, ``PNG``,
    ``WEBP``, ``BMP``, ``WAV``, ``MP3``) and ``mime`` its media type; ``file_name`` ends in the
    matching extension. ``width``/``height`` are pixels after EXIF orientation (images only),
    ``duration_s`` seconds (audio only). ``notes`` are sentences for the user (conversions made,
    audio that will be cut or leave silence); a list passed in is stored as a tuple.
    Immutable and plain data: safe to hand from a worker thread to the GUI thread.
    """

    data: bytes = field(repr=False)
    mime: str
    file_name: str
    format: str
    size_bytes: int
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    converted: bool = False
    notes: tuple[str, ...] = ()
    _sha256: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.notes, tuple):
            object.__setattr__(self, "notes", tuple(self.notes))
        if self.size_bytes != len(self.data):
            raise ValueError(f"size_bytes is {self.size_bytes} but data holds {len(self.data)}")

    def __hash__(self) -> int:
        return hash((self.sha256, self.mime, self.file_name))

    def __repr__(self) -> str:
        # Never the bytes: a repr ends up in logs and tracebacks.
        shape = (
            f"{self.width}x{self.height}px"
            if self.width is not None
            else f"{self.duration_s:.3f}s"
            if self.duration_s is not None
            else "-"
        )
        return (
            f"PreparedMedia({self.file_name!r}, {self.format}, {self.mime}, "
            f"{self.size_bytes} bytes, {shape}, converted={self.converted}, notes={self.notes!r})"
        )

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of ``data`` (computed once, then cached)."""
        if not self._sha256:
            self._sha256.append(hashlib.sha256(self.data).hexdigest())
        return self._sha256[0]

    def to_data_uri(self) -> str:
        """``data:<mime>;base64,...`` of ``data`` (about 4/3 of ``size_bytes`` characters)."""
        return to_data_uri(self.data, self.mime)


# Names travel in upload headers and URLs too: ASCII letters, digits and ``._-`` only.
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_name(name: str | None, extension: str, fallback: str) -> str:
    """``<stem>.<extension>`` from a user's file name: the stem in ASCII letters, digits and
    ``._-`` (at most 64), made safe on every OS by :func:`~wan_desktop.core.names.safe_name`
    (no reserved device names such as ``CON``).

    The stem keeps the user's name recognisable in the library and upload; the extension is
    the canonical one for the content (never the user's, which may lie). ``fallback`` is the
    stem when nothing usable is left.
    """
    stem = PurePath(str(name or "").replace("\\", "/")).name
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    stem = _NOT_ASCII_SAFE.sub("_", stem).strip("._-")[:64]
    return safe_name(stem, f".{extension}", fallback=fallback)
