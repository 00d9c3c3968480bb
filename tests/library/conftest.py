"""Fixtures for the library tests: the one open library (``lib``, in the app's default folder
under the test's own ``WAN_DESKTOP_HOME``, so the command line finds the same library), and a
factory of finished generations (real 1 s H.264 clips made with PyAV)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from library_entries import new_entry

from wan_desktop.library import Entry, Library, NewEntry


@pytest.fixture
def lib(wan_home: Path) -> Iterator[Library]:
    """The library at ``WAN_DESKTOP_HOME/library``, closed after the test (a test may close it
    earlier, to reopen the folder or run the command line on it)."""
    library = Library.open(wan_home / "library")
    try:
        yield library
    finally:
        library.close()


@pytest.fixture
def make(tmp_path: Path) -> Callable[..., NewEntry]:
    """``make(**options) -> NewEntry`` with a fresh clip under ``tmp_path/incoming``."""

    def factory(**options: Any) -> NewEntry:
        return new_entry(tmp_path / "incoming", **options)

    return factory


@pytest.fixture
def add(lib: Library, make: Callable[..., NewEntry]) -> Callable[..., Entry]:
    """``add(**options) -> Entry``: make a generation and keep it in ``lib``."""

    def adder(**options: Any) -> Entry:
        return lib.add(make(**options))

    return adder
