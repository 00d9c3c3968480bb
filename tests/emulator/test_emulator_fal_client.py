"""The official fal client (fal-client 1.0.3) against the engine, end to end.

fal-client builds its submit URL from the module constant ``QUEUE_URL_FORMAT``, computed at
import time as ``https://{FAL_QUEUE_RUN_HOST}/``: the env var can change the host but never
the scheme, and no client parameter sets a base URL. So the test points that constant at the
engine (a plain-http loopback server); that is the one patch. Everything after the submit
uses the ``status_url``/``response_url``/``cancel_url`` the engine returned, as fal's docs say.
"""

from __future__ import annotations

import asyncio

import fal_client
import fal_client.client as fal_client_module
import pytest
from emulator_helpers import KEY, body, wait_until

from wan_desktop.core import limits
from wan_desktop.emulator import render_video


@pytest.fixture
def fal_engine(make_engine, monkeypatch):
    """A real-render engine with FAL_KEY set to its key and fal-client pointed at it (every
    engine here shares ``KEY``: fal-client's module functions keep the first key they read)."""
    engine = make_engine(render=render_video)
    monkeypatch.setenv("FAL_KEY", engine.api_key)
    monkeypatch.setattr(fal_client_module, "QUEUE_URL_FORMAT", engine.base_url + "/")
    return engine


@pytest.fixture
def fal_fast_engine(fast_engine, monkeypatch):
    """Like ``fal_engine`` but with the stand-in renderer (protocol-only tests)."""
    monkeypatch.setenv("FAL_KEY", fast_engine.api_key)
    monkeypatch.setattr(fal_client_module, "QUEUE_URL_FORMAT", fast_engine.base_url + "/")
    return fast_engine


def test_fal_client_version():
    assert fal_client.__version__.startswith("1.0.3")


def test_subscribe_end_to_end(fal_engine):
    updates = []
    result = fal_client.subscribe(
        limits.ENDPOINT_ID,
        arguments=body(),
        with_logs=True,
        on_queue_update=updates.append,
    )
    assert result["seed"] == 42
    assert result["video"]["url"].startswith(fal_engine.base_url + "/files/")
    assert result["actual_prompt"].startswith("a slow drift over the lake.")
    assert isinstance(updates[-1], fal_client.Completed)
    assert updates[-1].metrics["inference_time"] > 0
    messages = {log["message"] for u in updates if getattr(u, "logs", None) for log in u.logs}
    assert "Rendering frame 120/120" in messages
    stats = fal_engine.stats()
    assert stats["submits"] == 1
    assert stats["requests_by_route"]["status"] >= 1
    assert stats["requests_by_route"]["result"] == 1


def test_submit_status_result_and_cancel_by_handle(fal_fast_engine):
    client = fal_client.SyncClient()  # the key comes from FAL_KEY
    handle = client.submit(limits.ENDPOINT_ID, arguments=body(seed=5))
    assert handle.status_url.startswith(fal_fast_engine.base_url)
    status = handle.status(with_logs=True)
    assert isinstance(status, fal_client.Queued | fal_client.InProgress | fal_client.Completed)
    wait_until(lambda: isinstance(handle.status(), fal_client.Completed), timeout_s=30)
    assert handle.get()["seed"] == 5
    # Rebuilt from the request id alone (fal-client's own URL form).
    assert client.result(limits.ENDPOINT_ID, handle.request_id)["seed"] == 5
    with pytest.raises(fal_client_module.FalClientHTTPError) as caught:
        handle.cancel()
    assert caught.value.status_code == 400  # ALREADY_COMPLETED


def test_validation_error_is_a_422(fal_fast_engine):
    with pytest.raises(fal_client_module.FalClientHTTPError) as caught:
        fal_client.subscribe(
            limits.ENDPOINT_ID, arguments=body(prompt="x" * (limits.PROMPT_MAX_CHARS + 1))
        )
    assert caught.value.status_code == 422
    detail = caught.value.response.json()["detail"]
    assert detail[0]["loc"] == ["body", "prompt"]
    assert fal_fast_engine.stats()["submits"] == 0


def test_client_retries_rate_limits_and_ingress_errors(fal_fast_engine):
    fal_fast_engine.faults.set("rate_limit", count=1, retry_after_s=0, routes=["submit"])
    fal_fast_engine.faults.set("ingress_error", count=1, status=503, routes=["status"])
    handle = fal_client.submit(limits.ENDPOINT_ID, arguments=body())
    handle.status()  # the 503 from the "ingress" is retried by the client
    assert fal_fast_engine.stats()["faults_fired"] == {"rate_limit": 1, "ingress_error": 1}


def test_async_client(fal_fast_engine):
    async def go():
        client = fal_client.AsyncClient(key=KEY)
        handle = await client.submit(limits.ENDPOINT_ID, arguments=body(seed=9))
        return await handle.get()

    assert asyncio.run(go())["seed"] == 9
