"""Every fault switch, observed over the wire; the Faults object and its command-line form."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from emulator_helpers import SUBMIT, body, client_for, poll_status

from wan_desktop.emulator import Faults
from wan_desktop.emulator.faults import FaultError, parse_fault_spec


def completed_job(c: httpx.Client) -> tuple[str, str]:
    """A finished request's id and media URL."""
    rid = c.post(SUBMIT, json=body()).json()["request_id"]
    poll_status(c, rid, "COMPLETED")
    return rid, c.get(f"/wan/v2.6/requests/{rid}").json()["video"]["url"]


def test_rate_limit_with_retry_after(client, fast_engine):
    fast_engine.faults.set("rate_limit", count=2, retry_after_s=3, routes=["submit"])
    for _ in range(2):
        response = client.post(SUBMIT, json=body())
        assert response.status_code == 429
        assert response.headers["retry-after"] == "3"
        assert "x-fal-request-id" in response.headers
    assert client.post(SUBMIT, json=body()).status_code == 200
    assert fast_engine.stats()["submits"] == 1
    assert fast_engine.stats()["faults_fired"] == {"rate_limit": 2}


def test_rate_limit_only_on_its_routes(client, fast_engine):
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    fast_engine.faults.set("rate_limit", count=-1, routes="status")
    assert client.post(SUBMIT, json=body()).status_code == 200
    for _ in range(3):  # count -1: always
        assert client.get(f"/wan/v2.6/requests/{rid}/status").status_code == 429
    fast_engine.faults.clear()
    assert client.get(f"/wan/v2.6/requests/{rid}/status").status_code in (200, 202)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_ingress_error_has_no_request_id(client, fast_engine, status):
    fast_engine.faults.set("ingress_error", status=status)
    response = client.post(SUBMIT, json=body())
    assert response.status_code == status
    assert "x-fal-request-id" not in response.headers
    assert "nginx" in response.text
    assert client.post(SUBMIT, json=body()).status_code == 200  # count 1 by default
    # Ordinary answers, errors included, do carry the id.
    assert "x-fal-request-id" in client.post(SUBMIT, json={}).headers


def test_drop_connection(client, fast_engine):
    fast_engine.faults.set("drop_connection", routes=["submit"])
    with pytest.raises(httpx.TransportError):
        client.post(SUBMIT, json=body())
    assert fast_engine.stats()["submits"] == 0
    assert client.post(SUBMIT, json=body()).status_code == 200


def test_slow(client, fast_engine):
    fast_engine.faults.set("slow", delay_s=0.4, routes=["status"], count=1)
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    started = time.monotonic()
    assert client.get(f"/wan/v2.6/requests/{rid}/status").status_code in (200, 202)
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    client.get(f"/wan/v2.6/requests/{rid}/status")
    assert time.monotonic() - started < 0.4


def test_fail_request(client, fast_engine):
    fast_engine.faults.set("fail_request", error="GPU on fire", error_type="runner_error")
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    done = poll_status(client, rid, "COMPLETED")
    assert (done["error"], done["error_type"]) == ("GPU on fire", "runner_error")
    result = client.get(f"/wan/v2.6/requests/{rid}")
    assert result.status_code == 500
    assert result.json() == {"detail": "GPU on fire", "error_type": "runner_error"}
    assert result.headers["x-fal-error-type"] == "runner_error"
    assert result.headers["x-fal-request-id"] == rid  # from the service, not the ingress
    # Only the next job failed.
    rid2 = client.post(SUBMIT, json=body()).json()["request_id"]
    assert poll_status(client, rid2, "COMPLETED")["error"] is None


def test_fail_request_with_a_422_status(client, fast_engine):
    fast_engine.faults.set("fail_request", error="bad input", error_type="validation", status=422)
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    poll_status(client, rid, "COMPLETED")
    assert client.get(f"/wan/v2.6/requests/{rid}").status_code == 422


def test_expire_result(client, fast_engine):
    rid, url = completed_job(client)
    fast_engine.faults.set("expire_result", count=2)
    assert client.get(f"/wan/v2.6/requests/{rid}").status_code == 404
    assert client.get(url).status_code == 404
    assert client.get(f"/wan/v2.6/requests/{rid}").status_code == 200
    assert client.get(url).status_code == 200


def test_truncate_media(client, fast_engine):
    _, url = completed_job(client)
    fast_engine.faults.set("truncate_media", after_bytes=1000)
    received = bytearray()
    with pytest.raises(httpx.RemoteProtocolError), client.stream("GET", url) as response:
        assert response.headers["content-length"] == "300000"
        for chunk in response.iter_bytes():
            received += chunk
    assert len(received) == 1000
    assert len(client.get(url).content) == 300_000  # once only


def test_truncate_media_in_a_range(client, fast_engine):
    _, url = completed_job(client)
    fast_engine.faults.set("truncate_media", after_bytes=10)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(url, headers={"Range": "bytes=1000-"})


def test_no_range(client, fast_engine):
    _, url = completed_job(client)
    fast_engine.faults.set("no_range")
    response = client.get(url, headers={"Range": "bytes=10-19"})
    assert response.status_code == 200 and len(response.content) == 300_000
    assert client.get(url, headers={"Range": "bytes=10-19"}).status_code == 206


def test_break_stream(make_engine):
    server = make_engine(workers=1, min_run_s=0.5)
    server.faults.set("break_stream")
    with client_for(server) as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        with c.stream("GET", f"/wan/v2.6/requests/{rid}/status/stream") as response:
            events = [
                json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")
            ]
        assert len(events) == 1 and events[0]["status"] != "COMPLETED"
        # The next stream is whole.
        with c.stream("GET", f"/wan/v2.6/requests/{rid}/status/stream") as response:
            events = [
                json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")
            ]
        assert events[-1]["status"] == "COMPLETED"


def test_break_stream_on_completed_request_sends_nothing(client, fast_engine):
    rid, _ = completed_job(client)
    fast_engine.faults.set("break_stream")
    response = client.get(f"/wan/v2.6/requests/{rid}/status/stream")
    assert response.status_code == 200 and "data:" not in response.text


def test_moderate(client, fast_engine):
    fast_engine.faults.set("moderate")
    response = client.post(SUBMIT, json=body())
    assert response.status_code == 422
    (entry,) = response.json()["detail"]
    assert entry["loc"] == ["body", "prompt"]
    assert entry["type"] == "content_policy_violation"
    assert fast_engine.stats()["submits"] == 0
    assert client.post(SUBMIT, json=body()).status_code == 200


def test_auth_fault(client, fast_engine):
    fast_engine.faults.set("auth", count=1)
    response = client.post(SUBMIT, json=body())
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)
    assert client.post(SUBMIT, json=body()).status_code == 200


def test_faults_over_the_control_endpoint(client, fast_engine):
    client.post("/_emulator/faults", json={"rate_limit": {"count": 1, "routes": ["submit"]}})
    assert client.post(SUBMIT, json=body()).status_code == 429
    client.post("/_emulator/faults", json={"moderate": {}})
    assert (
        client.post(SUBMIT, json=body()).json()["detail"][0]["type"] == "content_policy_violation"
    )
    client.post("/_emulator/faults", json={"auth": {"count": -1}})
    client.delete("/_emulator/faults")
    assert client.post(SUBMIT, json=body()).status_code == 200


def test_faults_object():
    faults = Faults()
    with pytest.raises(FaultError):
        faults.set("no_such_fault")
    with pytest.raises(FaultError):
        faults.set("slow", speed=3)
    with pytest.raises(FaultError):
        faults.set("rate_limit", routes=["nowhere"])
    with pytest.raises(FaultError):
        faults.set("auth", count=-2)
    faults.set("auth", count=2, routes=["submit"])
    assert faults.take("auth", "status") is None
    assert faults.take("auth", "submit") is not None
    assert faults.take("auth", "submit") is not None
    assert faults.take("auth", "submit") is None
    faults.set("no_range", count=0)  # count 0: off
    assert faults.active() == {}
    faults.set("slow", count=-1)
    assert faults.active()["slow"]["delay_s"] == 1.0
    faults.clear("slow")
    assert faults.active() == {}
    assert faults.fired() == {"auth": 2}


def test_parse_fault_spec():
    assert parse_fault_spec("rate_limit") == ("rate_limit", {})
    assert parse_fault_spec("rate_limit:count=2,retry_after_s=1.5,routes=submit+status") == (
        "rate_limit",
        {"count": 2, "retry_after_s": 1.5, "routes": "submit+status"},
    )
    faults = Faults()
    name, params = parse_fault_spec("slow:routes=submit+status")
    faults.set(name, **params)
    assert faults.active()["slow"]["routes"] == ["status", "submit"]
    with pytest.raises(FaultError):
        parse_fault_spec("slow:delay")
