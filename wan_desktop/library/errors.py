"""The errors the library raises, each a full sentence for people (``str()``).

Hierarchy::

    LibraryError                  anything the library cannot do
    ├── EntryNotFoundError        no entry has this id (also a KeyError)
    ├── SequenceNotFoundError     no sequence has this id (also a KeyError)
    ├── FieldError                a value outside its limits (a rating of 7, a flag of
    │                             "maybe"); the sentence names the field and the limit
    │                             (also a ValueError)
    ├── SidecarError              an entry.json or video comment that is missing, unreadable,
    │                             not ours or of the wrong shape (also a ValueError)
    ├── PathEscapeError           a path that would lead outside the library folder, or a
    │                             name that is not a plain file name (also a ValueError)
    ├── UnsafeFileError           an entry file that is a symbolic link (or not a regular
    │                             file): never opened, indexed or exported
    ├── ExportError               a template or destination that cannot be used (ValueError)
    ├── LibraryClosedError        the library was closed before this call ran (work a
    │                             window scheduled just before it closed: dropped quietly)
    └── SchemaTooNewError         the index was written by a newer wan-desktop (in
                                  :mod:`.migrations`; also a RuntimeError)

A video that cannot be played raises the media layer's ``VideoError`` (from
:func:`wan_desktop.media.video.check_playable`), not one of these: this module stays free of
PyAV so the window can load it before its first paint. Callers that only need "the library
said no" catch :class:`LibraryError` and ``VideoError``; the command line does, and prints the
sentence with a non-zero exit code.
"""

from __future__ import annotations

__all__ = [
    "EntryNotFoundError",
    "ExportError",
    "FieldError",
    "LibraryClosedError",
    "LibraryError",
    "PathEscapeError",
    "SequenceNotFoundError",
    "SidecarError",
    "UnsafeFileError",
]


class LibraryError(Exception):
    """Something the library cannot do; ``str()`` is a sentence for people."""


class EntryNotFoundError(LibraryError, KeyError):
    """No entry has this id."""

    def __str__(self) -> str:
        # KeyError's str() quotes its argument; ours is already a sentence.
        return str(self.args[0]) if self.args else "no such entry"


class SequenceNotFoundError(LibraryError, KeyError):
    """No sequence has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no such sequence"


class FieldError(LibraryError, ValueError):
    """A value given to the library outside its limits; ``str()`` names the field and the
    limit."""


class SidecarError(LibraryError, ValueError):
    """A sidecar (or embedded comment) that is missing, unreadable, not ours or mistyped."""


class PathEscapeError(LibraryError, ValueError):
    """A path that would lead outside the library folder."""


class UnsafeFileError(LibraryError):
    """An entry file that is a symbolic link or not a regular file: refused."""


class ExportError(LibraryError, ValueError):
    """A template or destination that cannot be used; ``str()`` says why."""


class LibraryClosedError(LibraryError):
    """The library was closed before this call reached it. Work queued for an executor just
    before the window closed meets this; the window drops such work quietly (nothing is left
    to show it to), while any other :class:`LibraryError` is still said."""
