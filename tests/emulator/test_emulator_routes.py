"""Every queue route, state and status code, over a real loopback socket."""

from __future__ import annotations

import json

import httpx
import pytest
from emulator_helpers import KEY, SUBMIT, body, client_for, poll_status, wait_until

from wan_desktop.core import limits
from wan_desktop.emulator import EmulatorServer


def test_submit_answers_in_queue_with_absolute_urls(client, fast_engine):
    response = client.post(SUBMIT, json=body())
    assert response.status_code == 200
    data = response.json()
    rid = data["request_id"]
    assert response.headers["x-fal-request-id"] == rid
    assert data["status"] == "IN_QUEUE"
    assert data["queue_position"] == 0
    assert data["gateway_request_id"] and data["gateway_request_id"] != rid
    base = fast_engine.base_url
    assert data["response_url"] == f"{base}/wan/v2.6/requests/{rid}"
    assert data["status_url"] == f"{base}/wan/v2.6/requests/{rid}/status"
    assert data["cancel_url"] == f"{base}/wan/v2.6/requests/{rid}/cancel"


def test_real_engine_end_to_end(engine):
    """The shared ``engine`` fixture (real renderer): submit, poll, result, media."""
    with client_for(engine) as c:
        data = c.post(SUBMIT, json=body(enable_prompt_expansion=False)).json()
        done = poll_status(c, data["request_id"], "COMPLETED", timeout_s=30)
        assert done["error"] is None and done["error_type"] is None
        assert done["metrics"]["inference_time"] > 0
        result = c.get(data["response_url"])
        assert result.status_code == 200
        assert result.headers["x-fal-request-id"] == data["request_id"]
        out = result.json()
        assert out["seed"] == 42
        assert "actual_prompt" not in out  # expansion off
        video = out["video"]
        assert video["content_type"] == "video/mp4"
        assert video["url"].startswith(f"{engine.base_url}/files/{data['request_id']}.mp4?sig=")
        media = c.get(video["url"])
        assert media.status_code == 200
        assert len(media.content) == video["file_size"] == int(media.headers["content-length"])
        assert media.content[4:8] == b"ftyp"


@pytest.mark.parametrize("logs", ["1", "true", "True"])
def test_status_with_logs(client, logs):
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    poll_status(client, rid, "COMPLETED")
    response = client.get(f"/wan/v2.6/requests/{rid}/status", params={"logs": logs})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "COMPLETED"
    assert data["logs"], "logs were asked for"
    entry = data["logs"][-1]
    assert set(entry) == {"message", "level", "source", "timestamp"}
    assert entry["level"] == "INFO" and entry["source"] == "USER"
    assert any(e["message"] == "Rendering frame 120/120" for e in data["logs"])
    assert len(data["logs"]) <= 20  # a moving window


@pytest.mark.parametrize("logs", ["0", "false", None])
def test_status_without_logs(client, logs):
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    poll_status(client, rid, "COMPLETED")
    params = {} if logs is None else {"logs": logs}
    data = client.get(f"/wan/v2.6/requests/{rid}/status", params=params).json()
    assert data["logs"] is None
    assert "inference_time" in data["metrics"]


def test_log_window_moves(make_engine):
    server = make_engine(log_window=5)
    with client_for(server) as c:
        rid = c.post(SUBMIT, json=body(duration="15")).json()["request_id"]
        logs = poll_status(c, rid, "COMPLETED")["logs"]
        assert len(logs) == 5
        assert logs[-2]["message"] == "Rendering frame 360/360"
        assert not any(e["message"].startswith("Offline engine") for e in logs)  # scrolled off


def test_status_is_202_while_queued_and_running(make_engine):
    server = make_engine(workers=1, min_run_s=5)
    with client_for(server) as c:
        first = c.post(SUBMIT, json=body()).json()["request_id"]
        second = c.post(SUBMIT, json=body()).json()["request_id"]
        running = poll_status(c, first, "IN_PROGRESS")
        assert "logs" in running
        queued = c.get(f"/wan/v2.6/requests/{second}/status")
        assert queued.status_code == 202
        assert queued.json() == {
            "status": "IN_QUEUE",
            "queue_position": 0,
            "request_id": second,
            "response_url": f"{server.base_url}/wan/v2.6/requests/{second}",
        }
        assert c.get(f"/wan/v2.6/requests/{first}/status").status_code == 202


def test_result_before_completion_is_400(make_engine):
    server = make_engine(workers=1, min_run_s=5)
    with client_for(server) as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        response = c.get(f"/wan/v2.6/requests/{rid}")
        assert response.status_code == 400
        assert response.json() == {"detail": "Request is still in progress"}


def test_queue_positions_with_more_jobs_than_workers(make_engine):
    server = make_engine(workers=2, min_run_s=30)
    with client_for(server) as c:
        submitted = [c.post(SUBMIT, json=body()).json() for _ in range(5)]
        ids = [s["request_id"] for s in submitted]
        poll_status(c, ids[0], "IN_PROGRESS")
        poll_status(c, ids[1], "IN_PROGRESS")
        positions = [
            c.get(f"/wan/v2.6/requests/{i}/status").json()["queue_position"] for i in ids[2:]
        ]
        assert positions == [0, 1, 2]
        # Cancelling the head of the queue moves the others up.
        assert c.put(f"/wan/v2.6/requests/{ids[2]}/cancel").json() == {"status": "OK"}
        positions = [
            c.get(f"/wan/v2.6/requests/{i}/status").json()["queue_position"] for i in ids[3:]
        ]
        assert positions == [0, 1]
        assert server.stats()["jobs"] == {"IN_QUEUE": 2, "IN_PROGRESS": 2, "COMPLETED": 1}


def test_submit_position_counts_waiting_jobs(make_engine):
    server = make_engine(workers=1, min_run_s=30)
    with client_for(server) as c:
        first = c.post(SUBMIT, json=body()).json()["request_id"]
        poll_status(c, first, "IN_PROGRESS")
        assert c.post(SUBMIT, json=body()).json()["queue_position"] == 0
        assert c.post(SUBMIT, json=body()).json()["queue_position"] == 1


def test_cancel_in_each_state(make_engine):
    server = make_engine(workers=1, min_run_s=30)
    with client_for(server) as c:
        running = c.post(SUBMIT, json=body()).json()["request_id"]
        queued = c.post(SUBMIT, json=body()).json()["request_id"]
        poll_status(c, running, "IN_PROGRESS")

        response = c.put(f"/wan/v2.6/requests/{queued}/cancel")
        assert (response.status_code, response.json()) == (200, {"status": "OK"})
        done = c.get(f"/wan/v2.6/requests/{queued}/status").json()
        assert done["status"] == "COMPLETED" and done["error_type"] == "client_cancelled"

        response = c.put(f"/wan/v2.6/requests/{running}/cancel")
        assert (response.status_code, response.json()) == (
            202,
            {"status": "CANCELLATION_REQUESTED"},
        )
        done = poll_status(c, running, "COMPLETED")
        assert done["error_type"] == "client_cancelled"
        result = c.get(f"/wan/v2.6/requests/{running}")
        assert result.status_code == 400
        assert result.json()["error_type"] == "client_cancelled"
        assert c.get(f"{server.base_url}/files/{running}.mp4").status_code == 404

        response = c.put(f"/wan/v2.6/requests/{running}/cancel")
        assert (response.status_code, response.json()) == (400, {"status": "ALREADY_COMPLETED"})

        response = c.put("/wan/v2.6/requests/no-such-id/cancel")
        assert (response.status_code, response.json()) == (404, {"status": "NOT_FOUND"})
        assert server.stats()["cancels"] == 4


def test_unknown_request_id_is_404_everywhere(client):
    for path in ("/status", "/status/stream", ""):
        response = client.get(f"/wan/v2.6/requests/00000000-0000-0000-0000-000000000000{path}")
        assert response.status_code == 404, path
        assert "detail" in response.json()


def test_unknown_route_and_wrong_method(client):
    assert client.get("/nothing/here").status_code == 404
    response = client.get(SUBMIT)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert client.post("/wan/v2.6/requests/x/cancel").status_code == 405


def test_endpoint_path_forms_are_accepted(client):
    """fal accepts the status/result URLs with the endpoint path too."""
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    poll_status(client, rid, "COMPLETED")
    long_form = f"/wan/v2.6/image-to-video/flash/requests/{rid}"
    assert client.get(long_form + "/status").status_code == 200
    assert client.get(long_form).status_code == 200


def test_auth_missing_or_wrong(make_engine):
    server = make_engine(api_key="right-key")
    with client_for(server, key=None) as anonymous:
        response = anonymous.post(SUBMIT, json=body())
        assert response.status_code == 401
        assert isinstance(response.json()["detail"], str)
        response = anonymous.post(
            SUBMIT, json=body(), headers={"Authorization": "Bearer right-key"}
        )
        assert response.status_code == 401
        response = anonymous.post(SUBMIT, json=body(), headers={"Authorization": "Key"})
        assert response.status_code == 401
    with client_for(server, key="wrong-key") as wrong:
        response = wrong.post(SUBMIT, json=body())
        assert response.status_code == 401
        assert "wrong-key" not in response.text
        assert wrong.get("/wan/v2.6/requests/x/status").status_code == 401
    with client_for(server, key="right-key") as right:
        assert right.post(SUBMIT, json=body()).status_code == 200
    assert server.stats()["submits"] == 1


def test_media_is_public_and_supports_ranges(client, fast_engine):
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    poll_status(client, rid, "COMPLETED")
    url = client.get(f"/wan/v2.6/requests/{rid}").json()["video"]["url"]
    with httpx.Client(trust_env=False) as anonymous:
        full = anonymous.get(url)
        assert full.status_code == 200
        assert full.headers["accept-ranges"] == "bytes"
        assert full.headers["content-type"] == "video/mp4"
        size = len(full.content)
        assert size == 300_000 == int(full.headers["content-length"])

        head = anonymous.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(size)

        part = anonymous.get(url, headers={"Range": "bytes=100-199"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 100-199/{size}"
        assert part.content == full.content[100:200]

        tail = anonymous.get(url, headers={"Range": "bytes=299990-"})
        assert tail.status_code == 206 and tail.content == full.content[299_990:]
        suffix = anonymous.get(url, headers={"Range": "bytes=-10"})
        assert suffix.status_code == 206 and suffix.content == full.content[-10:]
        clipped = anonymous.get(url, headers={"Range": "bytes=299999-400000"})
        assert clipped.content == full.content[-1:]

        bad = anonymous.get(url, headers={"Range": f"bytes={size}-"})
        assert bad.status_code == 416
        assert bad.headers["content-range"] == f"bytes */{size}"
        many = anonymous.get(url, headers={"Range": "bytes=0-1,5-6"})
        assert many.status_code == 200 and len(many.content) == size
    stats = fast_engine.stats()
    assert stats["media_bytes_sent"] == size + 100 + 10 + 10 + 1 + size
    assert stats["requests_by_route"]["media"] == 8


def test_media_of_unknown_or_unfinished_request_is_404(make_engine):
    server = make_engine(workers=1, min_run_s=5)
    with client_for(server) as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        assert c.get(f"/files/{rid}.mp4").status_code == 404
        assert c.get("/files/../../etc/passwd.mp4").status_code == 404
        assert c.get("/files/nope.mp4").status_code == 404


def test_seed_is_random_when_missing_and_returned(client):
    payload = body()
    del payload["seed"]
    rid = client.post(SUBMIT, json=payload).json()["request_id"]
    poll_status(client, rid, "COMPLETED")
    seed = client.get(f"/wan/v2.6/requests/{rid}").json()["seed"]
    assert limits.SEED_MIN <= seed <= limits.SEED_MAX
    rid2 = client.post(SUBMIT, json={**payload, "seed": None}).json()["request_id"]
    poll_status(client, rid2, "COMPLETED")
    assert isinstance(client.get(f"/wan/v2.6/requests/{rid2}").json()["seed"], int)


def test_prompt_expansion_is_deterministic(client):
    def result(**changes):
        rid = client.post(SUBMIT, json=body(**changes)).json()["request_id"]
        poll_status(client, rid, "COMPLETED")
        return client.get(f"/wan/v2.6/requests/{rid}").json()

    a = result(seed=7)
    b = result(seed=7)
    c = result(seed=8)
    d = result(seed=7, enable_prompt_expansion=False)
    assert a["actual_prompt"] == b["actual_prompt"]
    assert a["actual_prompt"].startswith("a slow drift over the lake.")
    assert "camera" in a["actual_prompt"]
    assert c["actual_prompt"] != a["actual_prompt"]
    assert "actual_prompt" not in d
    multi = result(seed=7, multi_shots=True)
    assert "Shot 2" in multi["actual_prompt"]


def test_sse_stream_events_keepalive_and_close(make_engine):
    server = make_engine(workers=1, min_run_s=0.6, keepalive_s=0.1)
    with client_for(server) as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        events, comments = [], 0
        with c.stream("GET", f"/wan/v2.6/requests/{rid}/status/stream", params={"logs": 1}) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            assert r.headers["x-fal-request-id"] == rid
            for line in r.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line[6:]))
                elif line == ": keep-alive":
                    comments += 1
        # The server closed the stream after COMPLETED.
        assert events[-1]["status"] == "COMPLETED"
        assert all(e["status"] != "COMPLETED" for e in events[:-1])
        assert comments >= 2  # 0.6 s held with nothing new, a comment every 0.1 s
        assert len({json.dumps(e, sort_keys=True) for e in events}) == len(events)  # changes only
        assert any(e["status"] == "IN_PROGRESS" and e["logs"] for e in events)


def test_sse_stream_shows_queue_moves(make_engine):
    server = make_engine(workers=1, min_run_s=0.3)
    with client_for(server) as c:
        first = c.post(SUBMIT, json=body()).json()["request_id"]
        poll_status(c, first, "IN_PROGRESS")
        c.post(SUBMIT, json=body())
        third = c.post(SUBMIT, json=body()).json()["request_id"]
        statuses = []
        with c.stream("GET", f"/wan/v2.6/requests/{third}/status/stream") as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    data = json.loads(line[6:])
                    statuses.append((data["status"], data.get("queue_position")))
        assert statuses[0] == ("IN_QUEUE", 1)
        assert ("IN_QUEUE", 0) in statuses
        assert statuses[-1] == ("COMPLETED", None)


def test_sse_on_completed_request_sends_one_event(client):
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    poll_status(client, rid, "COMPLETED")
    text = client.get(f"/wan/v2.6/requests/{rid}/status/stream").text
    assert text.count("data: ") == 1 and '"COMPLETED"' in text


def test_keep_alive_connection_is_reused(client):
    """HTTP/1.1: several requests on one connection (Content-Length everywhere)."""
    for _ in range(5):
        assert client.get("/_emulator/stats").status_code == 200
    assert client.get("/_emulator/stats").http_version == "HTTP/1.1"


def test_state_dir_survives_restart(tmp_path, make_engine):
    state = tmp_path / "engine"
    first = make_engine(workers=1, state_dir=state, min_run_s=30)
    with client_for(first) as c:
        done_id = c.post(SUBMIT, json=body(seed=1)).json()["request_id"]
        poll_status(c, done_id, "IN_PROGRESS")  # held there by min_run_s when we stop
    first.stop()
    assert (state / "requests" / f"{done_id}.json").exists()

    # A restarted engine (another port) re-queues the unfinished request and renders it.
    second = make_engine(workers=1, state_dir=state)
    with client_for(second) as c:
        poll_status(c, done_id, "COMPLETED")
        result = c.get(f"/wan/v2.6/requests/{done_id}").json()
        assert result["seed"] == 1
        assert result["video"]["url"].startswith(second.base_url)
        assert c.get(result["video"]["url"]).status_code == 200
    second.stop()

    # A third one knows the completed request and its result without rendering again.
    third = make_engine(workers=1, state_dir=state, render=_must_not_render)
    with client_for(third) as c:
        status = c.get(f"/wan/v2.6/requests/{done_id}/status")
        assert status.status_code == 200 and status.json()["status"] == "COMPLETED"
        assert c.get(f"/wan/v2.6/requests/{done_id}").json()["seed"] == 1
        assert c.get(f"/files/{done_id}.mp4").status_code == 200


def _must_not_render(*args, **kwargs):
    raise AssertionError("a completed request was rendered again")


def test_temporary_state_is_removed_on_stop():
    server = EmulatorServer(workers=1).start()
    folder = server.state_dir
    assert folder.exists()
    server.stop()
    assert not folder.exists()
    server.stop()  # idempotent


def test_stop_closes_idle_keep_alive_connections(make_engine):
    server = make_engine()
    with client_for(server) as c:
        c.get("/_emulator/stats")
        server.stop()
        with pytest.raises(httpx.TransportError):
            c.get("/_emulator/stats")


def test_control_endpoint(client, fast_engine):
    response = client.post(
        "/_emulator/faults", json={"rate_limit": {"count": 2}, "slow": {"delay_s": 0}}
    )
    assert response.status_code == 200
    assert set(response.json()["faults"]) == {"rate_limit", "slow"}
    assert client.get("/_emulator/faults").json()["faults"]["rate_limit"]["count"] == 2
    assert client.post("/_emulator/faults", json={"nonsense": {}}).status_code == 422
    assert client.post("/_emulator/faults", json={"slow": {"bogus": 1}}).status_code == 422
    assert client.delete("/_emulator/faults").json() == {"faults": {}}
    assert fast_engine.faults.active() == {}
    client.post(SUBMIT, json=body())
    stats = client.get("/_emulator/stats").json()
    assert stats["submits"] == 1 and stats["requests_by_route"]["submit"] == 1
    assert client.post("/_emulator/reset").status_code == 200
    stats = client.get("/_emulator/stats").json()
    assert stats["submits"] == 0
    assert stats["requests_by_route"] == {"control": 1}


def test_stats_record_completion_times(client, fast_engine):
    import time

    before_mono, before_wall = time.monotonic(), time.time()
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    poll_status(client, rid, "COMPLETED")
    completed = wait_until(lambda: fast_engine.stats()["completed"].get(rid))
    assert before_mono <= completed["monotonic"] <= time.monotonic()
    assert before_wall <= completed["time"] <= time.time()


def test_key_is_never_logged(make_engine, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="wan_desktop.emulator")
    server = make_engine()
    with client_for(server, key="very-secret-key-xyz") as c:
        c.post(SUBMIT, json=body())
        c.post(SUBMIT, json={"prompt": ""})
    assert caplog.records, "the engine logs requests at DEBUG"
    assert "very-secret-key-xyz" not in caplog.text
    assert KEY not in caplog.text


def test_min_run_s_holds_jobs_in_progress(make_engine):
    server = make_engine(workers=1, min_run_s=0.4)
    with client_for(server) as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        done = poll_status(c, rid, "COMPLETED")
        assert done["metrics"]["inference_time"] >= 0.4


def test_big_media_is_streamed_with_little_memory(make_engine):
    """A 24 MB file goes out in small chunks: the engine never holds it in memory."""
    import tracemalloc

    size = 24 * 1024 * 1024

    def big_render(image_bytes, *, dest, progress=None, **kwargs):
        with open(dest, "wb") as handle:
            handle.truncate(size)  # sparse: cheap to make

    server = make_engine(workers=1, render=big_render)
    with client_for(server) as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        poll_status(c, rid, "COMPLETED")
        tracemalloc.start()
        try:
            received = 0
            with c.stream("GET", f"/files/{rid}.mp4") as response:
                for chunk in response.iter_bytes():
                    received += len(chunk)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert received == size
    assert peak < 4 * 1024 * 1024, peak  # server and client together, in this process


def test_ipv6_loopback(make_engine):
    import socket

    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        server = make_engine(host="::1")
    except OSError:
        pytest.skip("::1 cannot be bound here")
    assert server.base_url.startswith("http://[::1]:")
    with client_for(server) as c:
        data = c.post(SUBMIT, json=body()).json()
        assert data["status_url"].startswith("http://[::1]:")
        poll_status(c, data["request_id"], "COMPLETED")
