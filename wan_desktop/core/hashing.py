"""Content hashes of files (Qt-free). Reads in blocks: call it off the GUI thread."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["sha256_file"]


def sha256_file(path: Path) -> str:
    """The SHA-256 of the file at ``path`` as 64 hex digits, read in 1 MiB blocks (which
    releases the interpreter lock between blocks, so a GUI thread is never held for long)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
