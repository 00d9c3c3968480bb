"""Shared fixtures: every test gets its own WAN_DESKTOP_HOME; no test ever touches the network
beyond 127.0.0.1; Qt runs offscreen."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A key from the developer's shell must never reach a test (or leak into its files).
os.environ.pop("FAL_KEY", None)
os.environ.pop("FAL_QUEUE_URL", None)


@pytest.fixture(autouse=True)
def wan_home(tmp_path, monkeypatch):
    """A fresh, private app folder for each test (WAN_DESKTOP_HOME)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("WAN_DESKTOP_HOME", str(home))
    monkeypatch.delenv("FAL_KEY", raising=False)
    monkeypatch.delenv("FAL_QUEUE_URL", raising=False)
    return home


@pytest.fixture
def lib(wan_home):
    """The library at ``WAN_DESKTOP_HOME/library`` (where the app and the command line look
    too), closed after the test; a test may close it earlier to reopen the folder."""
    from wan_desktop.library import Library

    library = Library.open(wan_home / "library")
    try:
        yield library
    finally:
        library.close()


@pytest.fixture
def engine():
    """The offline engine on a real loopback socket, stopped after the test."""
    from wan_desktop.emulator import EmulatorServer

    server = EmulatorServer(host="127.0.0.1", port=0, workers=2)
    server.start()
    try:
        yield server
    finally:
        server.stop()
