"""``X-Fal-Request-Timeout``: a request that has not started by its deadline is dropped, as
fal drops it: COMPLETED with ``request_timeout``, and its result answers 504 with
``X-Fal-Request-Timeout-Type: user``. A request that starts in time is not affected."""

from __future__ import annotations

import asyncio
import time

import pytest
from emulator_helpers import SUBMIT, body, client_for, poll_status, wait_until

from wan_desktop.core import limits
from wan_desktop.fal import FalClient, RetryPolicy, StartTimeoutError

DEADLINE = "X-Fal-Request-Timeout"


def status_of(c, rid: str) -> dict:
    return c.get(f"/wan/v2.6/requests/{rid}/status").json()


def test_a_request_that_cannot_start_in_time_is_dropped(make_engine):
    engine = make_engine(workers=1, min_run_s=3)
    with client_for(engine) as c:
        busy = c.post(SUBMIT, json=body(), headers={DEADLINE: "30"}).json()["request_id"]
        late = c.post(SUBMIT, json=body(), headers={DEADLINE: "0.5"}).json()["request_id"]
        assert status_of(c, late)["status"] == "IN_QUEUE"
        done = wait_until(
            lambda: (s := status_of(c, late))["status"] == "COMPLETED" and s, timeout_s=2.5
        )
        assert done["error_type"] == "request_timeout"
        result = c.get(f"/wan/v2.6/requests/{late}")
        assert result.status_code == 504
        assert result.headers["x-fal-request-timeout-type"] == "user"
        assert result.json()["error_type"] == "request_timeout"
        assert poll_status(c, busy, "COMPLETED")["error"] is None  # it started in time
    assert engine.store.get(late)["state"] == "COMPLETED"
    assert not (engine.state_dir / "inputs" / f"{late}.image").exists()


def test_a_request_that_starts_in_time_runs(fast_engine, client):
    rid = client.post(SUBMIT, json=body(), headers={DEADLINE: "1"}).json()["request_id"]
    assert poll_status(client, rid, "COMPLETED")["error"] is None
    assert client.get(f"/wan/v2.6/requests/{rid}").status_code == 200


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf", "1e9"])
def test_a_deadline_that_is_not_one_is_refused(client, fast_engine, value):
    refused = client.post(SUBMIT, json=body(), headers={DEADLINE: value})
    assert refused.status_code == 400
    assert DEADLINE in refused.json()["detail"]
    assert fast_engine.stats()["submits"] == 0


def test_a_dropped_request_stays_dropped_after_a_restart(make_engine, tmp_path):
    first = make_engine(workers=1, min_run_s=5, state_dir=tmp_path)
    with client_for(first) as c:
        c.post(SUBMIT, json=body())
        late = c.post(SUBMIT, json=body(), headers={DEADLINE: "0.3"}).json()["request_id"]
    first.stop()
    time.sleep(0.4)
    second = make_engine(workers=1, state_dir=tmp_path)
    with client_for(second) as c:
        assert poll_status(c, late, "COMPLETED")["error_type"] == "request_timeout"


def test_the_apps_client_names_the_passed_deadline(make_engine):
    engine = make_engine(workers=1, min_run_s=3)
    retry = RetryPolicy(max_attempts=2, base_delay_s=0.001, max_delay_s=0.01)

    async def go():
        async with FalClient(engine.api_key, base_url=engine.base_url, retry=retry) as client:
            await client.submit(limits.ENDPOINT_ID, body())
            handle = await client.submit(limits.ENDPOINT_ID, body(), start_timeout_s=0.5)
            await asyncio.sleep(1.0)
            with pytest.raises(StartTimeoutError) as caught:
                await client.result(handle)
            return caught.value

    error = asyncio.run(go())
    assert error.timeout_s == 0.5
