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
# An MP4's first box (ISO-BMFF "ftyp"): the download recognises a video by its content.
FTYP = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
VIDEO = FTYP + bytes(range(256)) * 4096 + b"tail"  # ~1 MiB, offsets distinct to splice-check


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
@pytest.mark.parametrize("served_as", ["text/html", "video/mp4", "application/octet-stream"])
async def test_what_is_not_a_video_is_refused_whatever_its_type(scripted, tmp_path, served_as):
    page = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>"
    scripted.add("GET", "/x", Reply(media=page, headers={"Content-Type": served_as}))
    dest = tmp_path / "dl" / "v.mp4"
    async with client(scripted) as c:
        with pytest.raises(DownloadError, match=r"not a video.*web page") as info:
            await c.download(scripted.base_url + "/x", dest)
        assert served_as in str(info.value)
        assert list(dest.parent.iterdir()) == []
        # ... unless the caller says any content will do.
        result = await c.download(scripted.base_url + "/x", dest, require_video=False)
    assert result.content_type == served_as
    assert list(dest.parent.iterdir()) == [dest]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("head", "served_as"),
    [
        (FTYP, "application/octet-stream"),  # fal's CDN may not name the type
        (FTYP, ""),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x10mdat", "binary/octet-stream"),  # QuickTime
        (b"\x1aE\xdf\xa3\x9fB\x86\x81\x01", "application/octet-stream"),  # WebM
    ],
)
async def test_a_video_is_recognised_by_its_content_not_its_type(
    scripted, tmp_path, head, served_as
):
    body = head + bytes(range(256)) * 16
    scripted.add("GET", "/v", Reply(media=body, headers={"Content-Type": served_as}))
    async with client(scripted) as c:
        result = await c.download(scripted.base_url + "/v", tmp_path / "v.mp4")
    assert (tmp_path / "v.mp4").read_bytes() == body
    assert result.content_type == served_as.lower()


@pytest.mark.asyncio
async def test_a_video_shorter_than_a_box_header_is_refused(scripted, tmp_path):
    scripted.add("GET", "/v", Reply(media=b"\x00\x00"))
    async with client(scripted) as c:
        with pytest.raises(DownloadError, match="not a video"):
            await c.download(scripted.base_url + "/v", tmp_path / "v.mp4")


@pytest.mark.asyncio
async def test_a_size_other_than_the_announced_one_restarts_the_download(scripted, tmp_path):
    short = VIDEO[:-4]
    scripted.add("GET", "/v", Reply(media=short, ranges=False), Reply(media=VIDEO))
    dest = tmp_path / "v.mp4"
    async with client(scripted) as c:
        result = await c.download(
            scripted.base_url + "/v", dest, expected_size=len(VIDEO), checksum=True
        )
    assert dest.read_bytes() == VIDEO and result.size_bytes == len(VIDEO)
    assert result.sha256 == hashlib.sha256(VIDEO).hexdigest()
    seen = scripted.requests_to("GET", "/v")
    assert [s.headers.get("range") for s in seen] == [None, None]


@pytest.mark.asyncio
async def test_a_size_that_never_matches_is_an_error_after_the_tries(scripted, tmp_path):
    scripted.add("GET", "/v", Reply(media=VIDEO))
    dest = tmp_path / "dl" / "v.mp4"
    async with client(scripted) as c:
        with pytest.raises(DownloadError, match=r"1048600 bytes.*1048604") as info:
            await c.download(scripted.base_url + "/v", dest, expected_size=len(VIDEO) - 4)
    assert info.value.retryable
    assert len(scripted.requests_to("GET", "/v")) == FAST.max_attempts
    assert list(dest.parent.iterdir()) == []


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
    block = FTYP + bytes(range(256)) * 4096  # ~1 MiB, served 200 times: one block held
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
