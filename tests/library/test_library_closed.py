"""A closed library refuses every call with :class:`LibraryClosedError`, a
:class:`LibraryError` of its own kind, so the window can drop work that was queued just before
the close without hiding any other refusal."""

from __future__ import annotations

import pytest

from wan_desktop.library import Filters, Library
from wan_desktop.library.errors import LibraryClosedError, LibraryError


def test_every_call_on_a_closed_library_says_it_is_closed(tmp_path):
    lib = Library.open(tmp_path / "library")
    lib.close()
    lib.close()  # idempotent
    for call in (lambda: lib.list(Filters()), lambda: lib.count(), lambda: lib.get("x")):
        with pytest.raises(LibraryClosedError, match="the library is closed") as caught:
            call()
        assert isinstance(caught.value, LibraryError)


def test_a_missing_entry_is_not_a_closed_library(tmp_path):
    with Library.open(tmp_path / "library") as lib, pytest.raises(LibraryError) as caught:
        lib.get("01m8vnj6a7vtg00n")
    assert not isinstance(caught.value, LibraryClosedError)
