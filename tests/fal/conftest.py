"""Fixtures of the fal client tests: ``scripted``, a scripted HTTP server on 127.0.0.1."""

from __future__ import annotations

import pytest
from fal_scripted import ScriptedServer


@pytest.fixture
def scripted():
    server = ScriptedServer().start()
    try:
        yield server
    finally:
        server.stop()
