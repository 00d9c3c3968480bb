"""The offline engine the app starts answers only the token of its run."""

from __future__ import annotations

import httpx
import pytest

from wan_desktop.core.paths import app_paths
from wan_desktop.core.settings import Settings
from wan_desktop.jobs.backend import open_backend


@pytest.mark.asyncio
async def test_the_offline_engine_takes_only_this_runs_token(monkeypatch):
    monkeypatch.setenv("FAL_KEY", "the-users-real-fal-key")
    backend = await open_backend(app_paths(), Settings(backend="offline"), offline=True)
    try:
        assert backend.offline and len(backend.key) >= 32
        assert backend.key != "the-users-real-fal-key"
        assert backend.key not in " ".join(backend.engine.command())  # not on the command line
        async with httpx.AsyncClient(base_url=backend.base_url, trust_env=False) as http:
            wrong = await http.get("/_emulator/stats", headers={"Authorization": "Key guess"})
            assert wrong.status_code == 401
            right = await http.get(
                "/_emulator/stats", headers={"Authorization": f"Key {backend.key}"}
            )
            assert right.status_code == 200
    finally:
        await backend.close()
    again = await open_backend(app_paths(), Settings(backend="offline"), offline=True)
    try:
        assert again.key != backend.key  # a new token each run
    finally:
        await again.close()
