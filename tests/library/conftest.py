"""Fixtures for the library tests (the open library ``lib`` is the suite-wide one of
``tests/conftest.py``): a factory of finished generations (real 1 s H.264 clips made with PyAV)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from library_entries import new_entry

from wan_desktop.library import Entry, Library, NewEntry


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
