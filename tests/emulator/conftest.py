"""Fixtures for the offline engine's tests (helpers are in emulator_helpers.py)."""

from __future__ import annotations

import pytest
from emulator_helpers import KEY, client_for, fake_render

from wan_desktop.emulator import EmulatorServer


@pytest.fixture
def make_engine():
    """A factory of engines (fake renderer and the token ``KEY`` by default), all stopped after
    the test."""
    engines: list[EmulatorServer] = []

    def make(**kwargs) -> EmulatorServer:
        kwargs.setdefault("render", fake_render)
        kwargs.setdefault("host", "127.0.0.1")
        kwargs.setdefault("api_key", KEY)
        server = EmulatorServer(port=kwargs.pop("port", 0), **kwargs).start()
        engines.append(server)
        return server

    yield make
    for server in engines:
        server.stop()


@pytest.fixture
def fast_engine(make_engine):
    """Two workers, the fake renderer."""
    return make_engine(workers=2)


@pytest.fixture
def client(fast_engine):
    with client_for(fast_engine) as c:
        yield c
