"""The offline engine is not an open door: a token on every route, checked before the body is
read; loopback Host and Origin only; hostile JSON and fault parameters answered, not crashed on."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from emulator_helpers import KEY, SUBMIT, body, client_for, poll_status

from wan_desktop.emulator import EmulatorServer
from wan_desktop.emulator.faults import FaultError

# Every route the engine serves, with a method it takes.
ROUTES = [
    ("POST", SUBMIT),
    ("GET", "/wan/v2.6/requests/00000000-0000-0000-0000-000000000000/status"),
    ("GET", "/wan/v2.6/requests/00000000-0000-0000-0000-000000000000/status/stream"),
    ("GET", "/wan/v2.6/requests/00000000-0000-0000-0000-000000000000"),
    ("PUT", "/wan/v2.6/requests/00000000-0000-0000-0000-000000000000/cancel"),
    ("GET", "/files/00000000-0000-0000-0000-000000000000.mp4"),
    ("HEAD", "/files/00000000-0000-0000-0000-000000000000.mp4"),
    ("GET", "/_emulator/faults"),
    ("POST", "/_emulator/faults"),
    ("DELETE", "/_emulator/faults"),
    ("GET", "/_emulator/stats"),
    ("POST", "/_emulator/reset"),
    ("GET", "/nothing/here"),
]


def raw_request(server: EmulatorServer, head: str, timeout_s: float = 3.0) -> bytes:
    """Send ``head`` (request line and headers, no body) on a fresh socket; the bytes answered
    before the server closes or ``timeout_s`` passes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout_s) as sock:
        sock.sendall(head.encode("latin-1"))
        received = b""
        deadline = time.monotonic() + timeout_s
        while b"\r\n\r\n" not in received and time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            received += chunk
        return received


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_needs_the_token(make_engine, method, path):
    server = make_engine(api_key="the-right-token")
    for key in (None, "wrong-token", "anything:else"):
        with client_for(server, key=key) as c:
            response = c.request(method, path)
            assert response.status_code == 401, (key, response.status_code)
            if method != "HEAD":
                assert isinstance(response.json()["detail"], str)
                assert "wrong-token" not in response.text
    with client_for(server, key="the-right-token") as c:
        assert c.request(method, path).status_code != 401
    assert server.stats()["submits"] == 0


def test_python_engine_makes_a_random_token_when_given_none(make_engine):
    one, two = make_engine(api_key=None), make_engine(api_key=None)
    assert one.api_key and two.api_key and one.api_key != two.api_key
    assert len(one.api_key) >= 32
    with client_for(one, key="any-key") as c:
        assert c.post(SUBMIT, json=body()).status_code == 401
    with client_for(one, key=one.api_key) as c:
        assert c.post(SUBMIT, json=body()).status_code == 200
    assert one.api_key not in repr(one)


def test_the_token_is_checked_before_the_body_is_read(make_engine):
    """A 60 MB body announced with a wrong key is refused at once: nothing is waited for."""
    server = make_engine(api_key="the-right-token")
    start = time.monotonic()
    answer = raw_request(
        server,
        f"POST {SUBMIT} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        "Authorization: Key wrong\r\nContent-Type: application/json\r\n"
        "Content-Length: 60000000\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert time.monotonic() - start < 2.0


def test_an_oversized_body_is_refused_by_its_length_before_reading(make_engine):
    from wan_desktop.emulator.handler import MAX_BODY_BYTES

    server = make_engine()
    answer = raw_request(
        server,
        f"POST {SUBMIT} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Authorization: Key {KEY}\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_refusals_before_the_body_still_reach_a_client_sending_it(make_engine):
    """httpx sending 8 MB with a wrong key sees the 401, not a reset connection."""
    server = make_engine(api_key="the-right-token")
    with client_for(server, key="wrong") as c:
        response = c.post(SUBMIT, content=b"x" * 8_000_000)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:80", "192.168.1.10", "127.0.0.1.evil.example", ""]
)
def test_a_host_that_is_not_loopback_is_refused(make_engine, host):
    server = make_engine()
    with client_for(server) as c:
        response = c.get("/_emulator/stats", headers={"Host": host})
    assert response.status_code in (403, 421)
    assert "detail" in response.json()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.2", "[::1]", "LOCALHOST"])
def test_loopback_hosts_are_served(make_engine, host):
    server = make_engine()
    with client_for(server) as c:
        response = c.get("/_emulator/stats", headers={"Host": f"{host}:{server.port}"})
    assert response.status_code == 200


def test_a_request_without_host_is_refused(make_engine):
    server = make_engine()
    answer = raw_request(
        server, f"GET /_emulator/stats HTTP/1.1\r\nAuthorization: Key {KEY}\r\n\r\n"
    )
    assert answer.split(b" ", 2)[1] in (b"403", b"421"), answer[:200]


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://10.0.0.1:8080"])
def test_a_web_page_cannot_drive_the_engine(make_engine, origin):
    server = make_engine()
    with client_for(server) as c:
        response = c.post(SUBMIT, json=body(), headers={"Origin": origin})
        assert response.status_code == 403
        assert (
            c.post("/_emulator/faults", json={"auth": {}}, headers={"Origin": origin}).status_code
            == 403
        )
    assert server.stats()["submits"] == 0 and server.faults.active() == {}


def test_a_loopback_origin_is_served(make_engine):
    server = make_engine()
    with client_for(server) as c:
        response = c.post(SUBMIT, json=body(), headers={"Origin": "http://localhost:5173"})
    assert response.status_code == 200


def test_media_takes_the_key_or_the_signed_url_from_the_result(make_engine):
    server = make_engine()
    with client_for(server) as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        poll_status(c, rid, "COMPLETED")
        url = c.get(f"/wan/v2.6/requests/{rid}").json()["video"]["url"]
        assert c.get(f"/files/{rid}.mp4").status_code == 200  # the key in the header
    assert KEY not in url
    with httpx.Client(trust_env=False) as anonymous:
        assert anonymous.get(url).status_code == 200
        bare = url.split("?", 1)[0]
        assert anonymous.get(bare).status_code == 401
        assert anonymous.get(bare + "?sig=0123456789abcdef").status_code == 401


def test_signed_media_urls_survive_a_restart_on_the_same_state(tmp_path, make_engine):
    first = make_engine(state_dir=tmp_path / "state")
    with client_for(first) as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        poll_status(c, rid, "COMPLETED")
        url = c.get(f"/wan/v2.6/requests/{rid}").json()["video"]["url"]
    first.stop()
    second = make_engine(state_dir=tmp_path / "state", api_key="a-new-token")
    query = url.split("?", 1)[1]
    with httpx.Client(trust_env=False) as anonymous:
        assert anonymous.get(f"{second.base_url}/files/{rid}.mp4?{query}").status_code == 200


def nested(depth: int) -> bytes:
    return b'{"prompt": ' + b"[" * depth + b"]" * depth + b', "image_url": "data:,"}'


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_is_answered_422(client, depth):
    response = client.post(
        SUBMIT, content=nested(depth), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "deep" in json.dumps(response.json()["detail"])
    assert client.get("/_emulator/stats").status_code == 200  # the engine lives on


def test_deeply_nested_fault_parameters_are_answered_422(client, fast_engine):
    raw = b'{"slow": {"routes": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}"
    response = client.post("/_emulator/faults", content=raw)
    assert response.status_code == 422 and response.json()["detail"]
    assert fast_engine.faults.active() == {}


@pytest.mark.parametrize(
    "params",
    [
        {"slow": {"delay_s": 1e308}},
        {"slow": {"delay_s": -1}},
        {"rate_limit": {"retry_after_s": 1e308}},
        {"rate_limit": {"retry_after_s": "1\r\nX-Injected: yes"}},
        {"ingress_error": {"status": 10**30}},
        {"truncate_media": {"after_bytes": 1e308}},
        {"fail_request": {"error_type": "x\r\nX-Injected: yes"}},
        {"fail_request": {"status": 99}},
        {"slow": {"count": 10**30}},
    ],
)
def test_fault_parameters_out_of_range_are_answered_422(client, fast_engine, params):
    response = client.post("/_emulator/faults", json=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    assert fast_engine.faults.active() == {}
    # The engine still answers quickly, with no injected header.
    submitted = client.post(SUBMIT, json=body())
    assert submitted.status_code == 200 and "x-injected" not in submitted.headers


@pytest.mark.parametrize("raw", [b'{"slow": {"delay_s": 1e999}}', b'{"slow": {"delay_s": NaN}}'])
def test_non_finite_numbers_are_answered_422(client, fast_engine, raw):
    response = client.post("/_emulator/faults", content=raw)
    assert response.status_code == 422
    assert fast_engine.faults.active() == {}


def test_huge_numbers_in_a_submit_are_answered_422(client):
    raw = json.dumps(body()).encode()[:-1] + b', "seed": 1e999, "duration": 1e308}'
    response = client.post(SUBMIT, content=raw)
    assert response.status_code == 422
    assert client.post(SUBMIT, content=b'{"seed": ' + b"9" * 5000 + b"}").status_code == 422


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("slow", {"delay_s": 1e308}),
        ("slow", {"delay_s": float("inf")}),
        ("rate_limit", {"retry_after_s": "1\r\nX: y"}),
        ("fail_request", {"error_type": "a b"}),
        ("ingress_error", {"status": "503"}),
    ],
)
def test_fault_parameters_are_checked_from_python_too(name, params):
    from wan_desktop.emulator import Faults

    with pytest.raises(FaultError):
        Faults().set(name, **params)


def test_echo_key_puts_the_key_in_logs_result_and_error(make_engine):
    """The switch the app's scrubbing is proven against: the request's key comes back."""
    server = make_engine(api_key="echo-me-0123456789")
    server.faults.set("echo_key", count=-1)
    with client_for(server, key="echo-me-0123456789") as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        status = poll_status(c, rid, "COMPLETED")
        assert any("echo-me-0123456789" in line["message"] for line in status["logs"])
        assert "echo-me-0123456789" in c.get(f"/wan/v2.6/requests/{rid}").text
        server.faults.set("fail_request", count=1)
        failed = c.post(SUBMIT, json=body()).json()["request_id"]
        poll_status(c, failed, "COMPLETED")
        assert "echo-me-0123456789" in c.get(f"/wan/v2.6/requests/{failed}").json()["detail"]
        refused = c.post(SUBMIT, json={"prompt": ""})
        assert refused.status_code == 422 and "echo-me-0123456789" in refused.text
    # Kept in memory only: the engine's own files never hold the key.
    for path in server.state_dir.rglob("*"):
        if path.is_file():
            assert b"echo-me-0123456789" not in path.read_bytes(), path


def test_without_echo_key_the_key_never_comes_back(make_engine):
    server = make_engine(api_key="quiet-key-0123456789")
    with client_for(server, key="quiet-key-0123456789") as c:
        rid = c.post(SUBMIT, json=body()).json()["request_id"]
        status = poll_status(c, rid, "COMPLETED")
        assert "quiet-key" not in json.dumps(status)
        assert "quiet-key" not in c.get(f"/wan/v2.6/requests/{rid}").text


@pytest.mark.parametrize(("host", "bound"), [("localhost", "127.0.0.1"), ("0.0.0.0", "0.0.0.0")])
def test_bound_url_is_the_address_really_bound(make_engine, host, bound):
    server = make_engine(host=host)
    assert server.bound_url == f"http://{bound}:{server.port}"
    assert server.base_url.startswith(("http://127.0.0.1:", "http://localhost:"))


def test_expect_100_continue_is_not_granted_to_a_wrong_key(make_engine):
    """curl asks before sending a large body: a wrong key gets the 401 instead of '100'."""
    server = make_engine(api_key="the-right-token")
    answer = raw_request(
        server,
        f"POST {SUBMIT} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        "Authorization: Key wrong\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    with client_for(server) as c:
        response = c.post(SUBMIT, json=body(), headers={"Expect": "100-continue"})
    assert response.status_code == 200
