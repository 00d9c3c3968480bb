"""FalClient.download against the scripted server: resume, restart, checks, URL rules, and a
200 MB file with flat memory."""

from __future__ import annotations

import hashlib
import tracemalloc

import httpx
import pytest
from fal_scripted import KEY, Reply

from wan_desktop.fal import DownloadError, FalClient, RetryPolicy

FAST = RetryPolicy(max_attempts=5, base_delay_s=0.001, max_delay_s=0.01)
VIDEO = bytes(range(256)) * 4096 + b"tail"  # ~1 MiB, every offset distinct enough to splice-check


def client(scripted, **kw) -> FalClient:
    return FalClient(KEY, base_url=scripted.base_url, retry=FAST, **kw)


@pytest.mark.asyncio
async def test_download_streams_to_part_and_renames(scripted, tmp_path):
    scripted.add("GET", "/files/r1.mp4", Reply(media=VIDEO))
    progress = []
    dest = tmp_path / "out" / "video.mp4"
    async with client(scripted) as c:
        result = await c.download(
            scripted.base_url + "/files/r1.mp4?sig=s",
            dest,
            on_progress=lambda *a: progress.append(a),
            checksum=True,
        )
    assert dest.read_bytes() == VIDEO
    assert not dest.with_name("video.mp4.part").exists()
    assert result.path == dest and result.size_bytes == len(VIDEO)
    assert result.sha256 == hashlib.sha256(VIDEO).hexdigest()
    assert result.content_type == "video/mp4"
    assert progress[0] == (0, len(VIDEO)) and progress[-1] == (len(VIDEO), len(VIDEO))
    (seen,) = scripted.requests_to("GET", "/files/r1.mp4")
    assert "authorization" not in seen.headers  # the key never goes to a media host


@pytest.mark.asyncio
async def test_a_broken_download_resumes_with_range(scripted, tmp_path):
    scripted.add(
        "GET",
        "/files/r1.mp4",
        Reply(media=VIDEO, truncate_at=100_000),
        Reply(media=VIDEO, truncate_at=300_000),
        Reply(media=VIDEO),
    )
    dest = tmp_path / "v.mp4"
    async with client(scripted) as c:
        result = await c.download(scripted.base_url + "/files/r1.mp4", dest, checksum=True)
    assert dest.read_bytes() == VIDEO
    assert result.sha256 == hashlib.sha256(VIDEO).hexdigest()
    seen = scripted.requests_to("GET", "/files/r1.mp4")
    assert [s.headers.get("range") for s in seen] == [None, "bytes=100000-", "bytes=400000-"]


@pytest.mark.asyncio
async def test_a_server_without_ranges_restarts_from_zero(scripted, tmp_path):
    scripted.add(
        "GET",
        "/files/r1.mp4",
        Reply(media=VIDEO, ranges=False, truncate_at=200_000),
        Reply(media=VIDEO, ranges=False),
    )
    dest = tmp_path / "v.mp4"
    async with client(scripted) as c:
        result = await c.download(scripted.base_url + "/files/r1.mp4", dest, checksum=True)
    assert dest.read_bytes() == VIDEO and result.size_bytes == len(VIDEO)
    seen = scripted.requests_to("GET", "/files/r1.mp4")
    assert [s.headers.get("range") for s in seen] == [None, None]


@pytest.mark.asyncio
async def test_a_server_that_ignores_range_is_restarted(scripted, tmp_path):
    # Announces ranges, then answers the Range request with a plain 200 of the whole file.
    scripted.add(
        "GET",
        "/files/r1.mp4",
        Reply(media=VIDEO, truncate_at=50_000),
    )
    dest = tmp_path / "v.mp4"
    async with client(scripted) as c:
        scripted.routes.clear()
        scripted.add(
            "GET",
            "/files/r1.mp4",
            Reply(media=VIDEO, truncate_at=50_000),
            Reply(
                body_iter=lambda: [VIDEO],
                content_length=len(VIDEO),
                headers={"Content-Type": "video/mp4"},
            ),
        )
        result = await c.download(scripted.base_url + "/files/r1.mp4", dest, checksum=True)
    assert dest.read_bytes() == VIDEO
    assert result.sha256 == hashlib.sha256(VIDEO).hexdigest()


@pytest.mark.asyncio
async def test_wrong_content_type_is_refused_and_leaves_nothing(scripted, tmp_path):
    scripted.add("GET", "/x", Reply(media=b"<html>", headers={"Content-Type": "text/html"}))
    dest = tmp_path / "dl" / "v.mp4"
    async with client(scripted) as c:
        with pytest.raises(DownloadError, match="text/html"):
            await c.download(scripted.base_url + "/x", dest)
        # ... unless the caller says any type will do.
        result = await c.download(scripted.base_url + "/x", dest, expected_content_type=None)
    assert result.content_type == "text/html"
    assert list(dest.parent.iterdir()) == [dest]


@pytest.mark.asyncio
async def test_gone_media_and_broken_for_good(scripted, tmp_path):
    scripted.add("GET", "/gone", Reply(404, json={"detail": "x"}))
    scripted.add("GET", "/broken", Reply(media=VIDEO, ranges=False, truncate_at=10))
    async with client(scripted) as c:
        with pytest.raises(DownloadError, match="no longer available"):
            await c.download(scripted.base_url + "/gone", tmp_path / "dl" / "a.mp4")
        with pytest.raises(DownloadError, match="broke off") as info:
            await c.download(scripted.base_url + "/broken", tmp_path / "dl" / "b.mp4")
    assert info.value.retryable
    assert len(scripted.requests_to("GET", "/broken")) == FAST.max_attempts
    assert list((tmp_path / "dl").iterdir()) == []


@pytest.mark.asyncio
async def test_redirects_are_followed_and_checked(scripted, tmp_path):
    scripted.add("GET", "/r", Reply(302, headers={"Location": "/files/v.mp4"}))
    scripted.add("GET", "/files/v.mp4", Reply(media=VIDEO))
    scripted.add("GET", "/evil", Reply(302, headers={"Location": "http://example.invalid/v.mp4"}))
    async with client(scripted) as c:
        await c.download(scripted.base_url + "/r", tmp_path / "v.mp4")
        with pytest.raises(DownloadError, match="only https"):
            await c.download(scripted.base_url + "/evil", tmp_path / "w.mp4")
    assert (tmp_path / "v.mp4").read_bytes() == VIDEO


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/v.mp4",
        "http://10.0.0.1/v.mp4",
        "file:///etc/passwd",
        "ftp://host/v.mp4",
        "data:video/mp4;base64,AAAA",
        "not a url",
    ],
)
async def test_only_https_or_allowed_http_hosts(scripted, tmp_path, url):
    async with client(scripted) as c:
        with pytest.raises(DownloadError):
            await c.download(url, tmp_path / "v.mp4")
    assert scripted.seen == []


def test_allowed_http_hosts():
    # A local server may name itself by any loopback name in the URLs it returns: one rule
    # (wan_desktop.core.net) says which hosts those are, 127.0.0.2 included.
    for base in ("http://127.0.0.1:5", "http://localhost:5"):
        c = FalClient(None, base_url=base)
        assert all(c.allows_http(h) for h in ("127.0.0.1", "localhost", "::1", "127.0.0.2"))
        assert not c.allows_http("10.1.1.1") and not c.allows_http("localhost.example.com")
    assert FalClient(None, base_url="http://127.0.0.1:5").allow_http_hosts == {"127.0.0.1"}
    # A plain-http base that is not loopback is not trusted for media automatically.
    c = FalClient(None, base_url="http://10.1.1.1")
    assert c.allow_http_hosts == frozenset() and not c.allows_http("10.1.1.1")
    assert not c.allows_http("127.0.0.1")
    c = FalClient(None, allow_http_hosts={"media.local"})
    assert c.allow_http_hosts == {"media.local"} and c.allows_http("media.local")


@pytest.mark.asyncio
async def test_a_200_mb_download_keeps_memory_flat(scripted, tmp_path):
    block = bytes(range(256)) * 4096  # 1 MiB, served 200 times: the server holds one block
    count = 200
    expected = hashlib.sha256()
    for _ in range(count):
        expected.update(block)
    scripted.add(
        "GET",
        "/big.mp4",
        Reply(
            body_iter=lambda: (block for _ in range(count)),
            content_length=len(block) * count,
            headers={"Content-Type": "video/mp4"},
        ),
    )
    dest = tmp_path / "big.mp4"
    async with client(scripted) as c:
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            result = await c.download(scripted.base_url + "/big.mp4", dest, checksum=True)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.size_bytes == len(block) * count == dest.stat().st_size
    assert result.sha256 == expected.hexdigest()
    assert peak - before < 30 * 1024 * 1024, f"peak grew by {(peak - before) / 2**20:.1f} MiB"


@pytest.mark.asyncio
async def test_a_part_left_by_an_earlier_run_is_continued(scripted, tmp_path):
    scripted.add("GET", "/files/r1.mp4", Reply(media=VIDEO))
    dest = tmp_path / "v.mp4"
    dest.with_name("v.mp4.part").write_bytes(VIDEO[:123_456])
    async with client(scripted) as c:
        result = await c.download(scripted.base_url + "/files/r1.mp4", dest, checksum=True)
    assert dest.read_bytes() == VIDEO
    assert result.sha256 == hashlib.sha256(VIDEO).hexdigest()
    (seen,) = scripted.requests_to("GET", "/files/r1.mp4")
    assert seen.headers["range"] == "bytes=123456-"


def media_server(answers: list[tuple[int, bytes, dict]]) -> tuple[httpx.MockTransport, list]:
    """Answers each request with the next (status, body, headers), streamed as a server would."""
    ranges: list[str | None] = []

    async def body(data: bytes):
        yield data

    def handle(request: httpx.Request) -> httpx.Response:
        ranges.append(request.headers.get("range"))
        status, data, headers = answers.pop(0)
        headers = {"content-length": str(len(data)), **headers}
        return httpx.Response(status, content=body(data), headers=headers)

    return httpx.MockTransport(handle), ranges


WHOLE = (200, VIDEO, {"content-type": "video/mp4"})


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "refusal",
    [
        (416, b"", {}),  # the part is longer than the file
        # a 206 for some other range than the one asked
        (
            206,
            VIDEO[:10],
            {"content-type": "video/mp4", "content-range": f"bytes 0-9/{len(VIDEO)}"},
        ),
    ],
)
async def test_a_part_the_server_cannot_continue_is_started_again(tmp_path, refusal):
    transport, ranges = media_server([refusal, WHOLE])
    dest = tmp_path / "v.mp4"
    dest.with_name("v.mp4.part").write_bytes(b"x" * 1000)
    delays = []

    async def record(s):
        delays.append(s)

    async with FalClient(None, transport=transport, retry=FAST, sleep=record) as c:
        result = await c.download("https://media.test/v.mp4", dest, checksum=True)
    assert dest.read_bytes() == VIDEO
    assert result.sha256 == hashlib.sha256(VIDEO).hexdigest()
    assert ranges == ["bytes=1000-", None]
    assert delays == []  # starting again is no failed try: no wait


@pytest.mark.asyncio
async def test_retried_answers_wait_through_the_injected_sleep(tmp_path):
    busy = (503, b"", {"retry-after": "7"})
    transport, ranges = media_server([busy, busy, WHOLE])
    delays = []

    async def record(s):
        delays.append(s)

    async with FalClient(None, transport=transport, retry=FAST, sleep=record) as c:
        await c.download("https://media.test/v.mp4", tmp_path / "v.mp4")
    assert delays == [7.0, 7.0] and len(ranges) == 3


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [204, 206])
async def test_a_success_code_without_the_file_is_an_error(tmp_path, status):
    transport, _ = media_server([(status, b"", {"content-type": "video/mp4"})])
    dest = tmp_path / "dl" / "v.mp4"
    async with FalClient(None, transport=transport, retry=FAST) as c:
        with pytest.raises(DownloadError, match=f"HTTP {status}"):
            await c.download("https://media.test/v.mp4", dest)
    assert list(dest.parent.iterdir()) == []
