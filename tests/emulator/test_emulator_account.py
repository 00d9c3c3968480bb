"""The locked account, the octet-stream result, ``X-Fal-Retryable``, and silent clips."""

from __future__ import annotations

import io
import wave

import httpx
import pytest
from emulator_helpers import (
    SUBMIT,
    body,
    client_for,
    data_uri,
    fake_render,
    poll_status,
    wav_bytes,
)

from wan_desktop.emulator import render_video
from wan_desktop.emulator.soundtrack import soundtrack_wav
from wan_desktop.media.video import VideoInfo, probe

LOCKED = (
    "User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing"
)


def finished(c: httpx.Client, **changes) -> tuple[str, dict]:
    rid = c.post(SUBMIT, json=body(**changes)).json()["request_id"]
    poll_status(c, rid, "COMPLETED", timeout_s=60)
    return rid, c.get(f"/wan/v2.6/requests/{rid}").json()


def test_a_locked_account_is_refused_with_fals_words(client, fast_engine):
    fast_engine.faults.set("locked_account", count=-1)
    refused = client.post(SUBMIT, json=body())
    assert refused.status_code == 403
    assert refused.json() == {"detail": LOCKED}
    assert fast_engine.stats()["submits"] == 0
    fast_engine.faults.clear()
    assert client.post(SUBMIT, json=body()).status_code == 200


def test_a_locked_account_leaves_other_routes_alone_by_default(client, fast_engine):
    rid = client.post(SUBMIT, json=body()).json()["request_id"]
    fast_engine.faults.set("locked_account", count=-1)
    assert client.get(f"/wan/v2.6/requests/{rid}/status").status_code in (200, 202)
    assert client.post("/storage/auth/token", json={}).status_code == 200
    fast_engine.faults.set("locked_account", count=-1, routes=["token"])
    assert client.post("/storage/auth/token", json={}).status_code == 403


def test_an_octet_stream_result(client, fast_engine):
    _, result = finished(client)
    fast_engine.faults.set("octet_stream", count=-1)
    for method in ("GET", "HEAD"):
        media = client.request(method, result["video"]["url"])
        assert media.status_code == 200
        assert media.headers["content-type"] == "application/octet-stream"
    fast_engine.faults.clear()
    assert client.get(result["video"]["url"]).headers["content-type"] == "video/mp4"


@pytest.mark.parametrize("retryable", [True, False])
def test_error_answers_can_say_whether_to_retry(client, fast_engine, retryable):
    fast_engine.faults.set("retryable", count=-1, retryable=retryable)
    text = "true" if retryable else "false"
    assert client.post(SUBMIT, json=body(prompt="")).headers["x-fal-retryable"] == text
    assert client.get("/wan/v2.6/requests/nope/status").headers["x-fal-retryable"] == text
    fast_engine.faults.set("locked_account")
    assert client.post(SUBMIT, json=body()).headers["x-fal-retryable"] == text
    ok = client.post(SUBMIT, json=body())
    assert ok.status_code == 200 and "x-fal-retryable" not in ok.headers
    fast_engine.faults.clear()
    assert "x-fal-retryable" not in client.post(SUBMIT, json=body(prompt="")).headers


# ---- generate_audio ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 0, "false", None])
def test_generate_audio_must_be_a_boolean(client, value):
    refused = client.post(SUBMIT, json=body(generate_audio=value))
    assert refused.status_code == 422
    (item,) = refused.json()["detail"]
    assert item["loc"] == ["body", "generate_audio"] and item["type"] == "bool_type"


def test_generate_audio_is_recorded(client, fast_engine):
    silent = client.post(SUBMIT, json=body(generate_audio=False)).json()["request_id"]
    default = client.post(SUBMIT, json=body()).json()["request_id"]
    assert fast_engine.store.get(silent)["inputs"]["generate_audio"] is False
    assert fast_engine.store.get(default)["inputs"]["generate_audio"] is True


def downloaded(url: str, folder) -> VideoInfo:
    with httpx.Client(trust_env=False, timeout=30) as c:
        data = c.get(url).content
    path = folder / f"{len(list(folder.iterdir()))}.mp4"
    path.write_bytes(data)
    return probe(path)


def test_a_silent_clip_has_no_sound_track_and_each_says_what_it_is(make_engine, tmp_path):
    engine = make_engine(render=render_video, workers=2)
    with client_for(engine) as c:
        silent = c.post(SUBMIT, json=body(generate_audio=False)).json()["request_id"]
        sounding = c.post(SUBMIT, json=body()).json()["request_id"]
        videos = []
        for rid in (silent, sounding):
            poll_status(c, rid, "COMPLETED", timeout_s=60)
            videos.append(c.get(f"/wan/v2.6/requests/{rid}").json()["video"])
    infos = [downloaded(video["url"], tmp_path) for video in videos]
    assert [info.has_audio for info in infos] == [False, True]
    for video, info in zip(videos, infos, strict=True):
        # The output fields fal may send, read from the very file that is served.
        assert (video["width"], video["height"]) == (info.width, info.height) == (1108, 832)
        assert video["fps"] == info.fps == 24
        assert video["num_frames"] == info.frame_count == 120
        assert video["duration"] == info.duration_s
        assert video["file_size"] == info.size_bytes


def test_a_file_that_is_no_video_gets_no_video_fields(client):
    _, result = finished(client)  # the stand-in renderer writes bytes that are not a video
    assert set(result["video"]) == {"url", "content_type", "file_name", "file_size"}


def test_the_renderer_gets_the_sound_the_request_asks_for(make_engine):
    heard: dict[int, bytes | None] = {}

    def recording_render(image_bytes, *, seed, audio_bytes=None, **kwargs):
        heard[seed] = audio_bytes
        fake_render(image_bytes, seed=seed, audio_bytes=audio_bytes, **kwargs)

    engine = make_engine(render=recording_render)
    given = wav_bytes(3.5)
    with client_for(engine) as c:
        finished(c, seed=1, generate_audio=False)
        finished(c, seed=2)
        finished(c, seed=3, generate_audio=False, audio_url=data_uri(given, "audio/wav"))
    assert heard[1] is None
    assert heard[2] == soundtrack_wav(2, 5)
    assert heard[3] == given


def test_the_made_up_soundtrack_lasts_the_clip_and_follows_the_seed():
    with wave.open(io.BytesIO(soundtrack_wav(7, 10))) as track:
        assert track.getnframes() == 10 * track.getframerate()
    assert soundtrack_wav(7, 5) == soundtrack_wav(7, 5)
    assert len({soundtrack_wav(seed, 5) for seed in range(12)}) > 1
