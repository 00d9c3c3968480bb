"""The engine's storage API, as fal's clients call it: a token (with the key), the bytes to
``{base_url}/files/upload`` (with the token), the file's URL back; and the storage upload
(initiate, then PUT) that clients fall back to. The URLs are the engine's own: loopback and
signed, so its validator takes them as inputs."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import fal_client.client as fal_client_module
import httpx
import pytest
from emulator_helpers import SMALL_PNG, SUBMIT, body, client_for, poll_status, wav_bytes

from wan_desktop.emulator.uploads import UPLOAD_MAX_BYTES
from wan_desktop.fal import FalClient, RetryPolicy

TOKEN = "/storage/auth/token?storage_type=fal-cdn-v3"
INITIATE = "/storage/upload/initiate?storage_type=gcs"


def token_of(c: httpx.Client) -> dict:
    response = c.post(TOKEN, json={})
    assert response.status_code == 200, response.text
    return response.json()


def upload(engine, data: bytes, content_type: str = "image/png", name: str = "a.png") -> str:
    with client_for(engine) as c:
        token = token_of(c)
    headers = {
        "Authorization": f"{token['token_type']} {token['token']}",
        "Content-Type": content_type,
        "X-Fal-File-Name": name,
    }
    with client_for(engine, key=None) as cdn:
        response = cdn.post(token["base_url"] + "/files/upload", content=data, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["access_url"]


def test_the_token_answer(client, fast_engine):
    token = token_of(client)
    assert token["token_type"] == "Bearer"
    assert token["base_url"] == fast_engine.base_url
    assert fast_engine.api_key not in json.dumps(token)
    expires = token["expires_at"]
    from datetime import UTC, datetime

    assert datetime.fromisoformat(expires) > datetime.now(UTC)


def test_upload_then_fetch_without_the_key(fast_engine):
    url = upload(fast_engine, SMALL_PNG, name="holiday photo.png")
    assert url.startswith(fast_engine.base_url + "/files/uploads/")
    assert url.split("?")[0].endswith("/holiday%20photo.png")
    with client_for(fast_engine, key=None) as anyone:
        got = anyone.get(url)
        assert got.status_code == 200
        assert got.content == SMALL_PNG
        assert got.headers["content-type"] == "image/png"
        tampered = url[:-4] + ("0000" if not url.endswith("0000") else "1111")
        assert anyone.get(tampered).status_code == 401


def test_an_uploaded_url_is_an_input_the_engine_takes(fast_engine):
    image_url = upload(fast_engine, SMALL_PNG)
    audio_url = upload(fast_engine, wav_bytes(3.5), "audio/wav", "tone.wav")
    with client_for(fast_engine) as c:
        answer = c.post(SUBMIT, json=body(image_url=image_url, audio_url=audio_url))
        assert answer.status_code == 200, answer.text
        rid = answer.json()["request_id"]
        poll_status(c, rid, "COMPLETED")
        job = fast_engine.store.get(rid)
    assert job["has_audio"] and job["inputs"]["image_size"] == [320, 240]


def test_the_cdn_takes_the_token_not_the_key(fast_engine):
    with client_for(fast_engine) as keyed:
        assert keyed.post("/files/upload", content=SMALL_PNG).status_code == 401
    with client_for(fast_engine, key=None) as cdn:
        for auth in ("Bearer nope", "Bearer 1.abc", "Bearer", ""):
            response = cdn.post("/files/upload", content=SMALL_PNG, headers={"Authorization": auth})
            assert response.status_code == 401
        expired = f"{int(time.time()) - 5}"
        stale = f"Bearer {expired}.{fast_engine.signature('cdn-token', expired)}"
        assert (
            cdn.post("/files/upload", content=SMALL_PNG, headers={"Authorization": stale})
        ).status_code == 401
    with client_for(fast_engine, key=None) as anonymous:
        assert anonymous.post(TOKEN, json={}).status_code == 401


def raw_request(engine, head: str, body: bytes = b"") -> bytes:
    with socket.create_connection((engine.host, engine.port), timeout=5) as sock:
        sock.sendall(head.encode() + body)
        sock.shutdown(socket.SHUT_WR) if not body else None
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_an_oversized_upload_is_refused_before_its_body(fast_engine):
    with client_for(fast_engine) as c:
        token = token_of(c)
    head = (
        f"POST /files/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token['token']}\r\nContent-Type: image/png\r\n"
        f"Content-Length: {UPLOAD_MAX_BYTES + 1}\r\n\r\n"
    )
    started = time.monotonic()
    answer = raw_request(fast_engine, head)  # the body is never sent: the answer comes anyway
    assert answer.startswith(b"HTTP/1.1 413")
    assert time.monotonic() - started < 5
    assert not list((fast_engine.state_dir / "uploads").glob("*"))


def test_uploads_are_written_whole_in_the_state_folder(fast_engine):
    url = upload(fast_engine, SMALL_PNG)
    files = sorted(p.name for p in (fast_engine.state_dir / "uploads").iterdir())
    upload_id = url.split("/files/uploads/")[1].split("/")[0]
    assert files == [f"{upload_id}.bin", f"{upload_id}.json"]
    assert (fast_engine.state_dir / "uploads" / f"{upload_id}.bin").read_bytes() == SMALL_PNG


def test_an_upload_outlives_a_restart_on_the_same_folder(make_engine, tmp_path):
    first = make_engine(state_dir=tmp_path)
    url = upload(first, SMALL_PNG)
    first.stop()
    second = make_engine(state_dir=tmp_path)
    moved = url.replace(first.base_url, second.base_url)
    with client_for(second, key=None) as anyone:
        assert anyone.get(moved).content == SMALL_PNG


def test_the_lifecycle_preference_expires_an_upload(fast_engine):
    with client_for(fast_engine) as c:
        token = token_of(c)
    headers = {
        "Authorization": f"Bearer {token['token']}",
        "Content-Type": "image/png",
        "X-Fal-Object-Lifecycle-Preference": json.dumps({"expiration_duration_seconds": 1}),
    }
    with client_for(fast_engine, key=None) as cdn:
        url = cdn.post("/files/upload", content=SMALL_PNG, headers=headers).json()["access_url"]
        assert cdn.get(url).status_code == 200
        (seen,) = fast_engine.stats()["uploads"]
        assert seen["expires_in_s"] == 1 and seen["size"] == len(SMALL_PNG)
        time.sleep(1.2)
        assert cdn.get(url).status_code == 404


def test_an_unknown_content_type_is_served_as_octet_stream(fast_engine):
    # A page served from the engine's origin could script it: only media types go out as such.
    url = upload(fast_engine, b"<script>1</script>", "text/html", "x.html")
    with client_for(fast_engine, key=None) as anyone:
        served = anyone.get(url)
        assert served.headers["content-type"] == "application/octet-stream"
        assert served.headers["x-content-type-options"] == "nosniff"
    png = upload(fast_engine, SMALL_PNG, "IMAGE/PNG; charset=x", "a.png")
    with client_for(fast_engine, key=None) as anyone:
        assert anyone.get(png).headers["content-type"] == "image/png"


def test_the_storage_upload_initiate_then_put(fast_engine):
    with client_for(fast_engine) as c:
        plan = c.post(INITIATE, json={"file_name": "a.png", "content_type": "image/png"})
        assert plan.status_code == 200, plan.text
        upload_url, file_url = plan.json()["upload_url"], plan.json()["file_url"]
    with client_for(fast_engine, key=None) as anyone:
        assert anyone.get(file_url).status_code == 404  # nothing was put yet
        put = anyone.put(upload_url, content=SMALL_PNG, headers={"Content-Type": "image/png"})
        assert put.status_code == 200
        assert anyone.get(file_url).content == SMALL_PNG
        assert anyone.put(upload_url + "0", content=b"x").status_code == 401
    with client_for(fast_engine) as c:
        assert c.post(SUBMIT, json=body(image_url=file_url)).status_code == 200


def test_the_apps_client_uploads_to_the_engine(fast_engine):
    async def go() -> str:
        retry = RetryPolicy(max_attempts=2, base_delay_s=0.001, max_delay_s=0.01)
        async with FalClient(
            fast_engine.api_key, base_url=fast_engine.base_url, retry=retry,
            rest_url=fast_engine.base_url,
        ) as client:  # fmt: skip
            return await client.upload(SMALL_PNG, "image/png", "a.png")

    url = asyncio.run(go())
    with client_for(fast_engine) as c:
        assert c.post(SUBMIT, json=body(image_url=url)).status_code == 200
    routes = fast_engine.stats()["requests_by_route"]
    assert routes["token"] == 1 and routes["upload"] == 1


def test_the_apps_client_falls_back_to_the_storage_upload(fast_engine):
    fast_engine.faults.set("ingress_error", status=503, count=-1, routes=["upload"])

    async def go() -> str:
        retry = RetryPolicy(max_attempts=1, base_delay_s=0.001, max_delay_s=0.01)
        async with FalClient(
            fast_engine.api_key, base_url=fast_engine.base_url, retry=retry,
            rest_url=fast_engine.base_url,
        ) as client:  # fmt: skip
            return await client.upload(SMALL_PNG, "image/png", "a.png")

    url = asyncio.run(go())
    with client_for(fast_engine, key=None) as anyone:
        assert anyone.get(url).content == SMALL_PNG
    assert fast_engine.stats()["requests_by_route"]["upload_put"] == 1


@pytest.mark.parametrize("path", [TOKEN, INITIATE])
def test_storage_routes_take_post_only(client, path):
    assert client.get(path).status_code == 405


def test_fal_client_uploads_to_the_engine(fast_engine, monkeypatch):
    monkeypatch.setattr(fal_client_module, "REST_URL", fast_engine.base_url)
    monkeypatch.setattr(fal_client_module, "CDN_URL", fast_engine.base_url)
    client = fal_client_module.SyncClient(key=fast_engine.api_key)
    url = client.upload(SMALL_PNG, "image/png", "a.png")
    with client_for(fast_engine, key=None) as anyone:
        assert anyone.get(url).content == SMALL_PNG
