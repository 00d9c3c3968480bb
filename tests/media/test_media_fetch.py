"""media.fetch: downloads from a real loopback server; non-loopback http is never contacted."""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from media_samples import image_bytes

from wan_desktop.core.problems import InvalidInputError
from wan_desktop.media.fetch import fetch_image

PNG = image_bytes((300, 300))


def _deflate(data_mb: int, *, wrapper: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, wrapper)
    zeros = b"\x00" * 1_000_000
    return b"".join(packer.compress(zeros) for _ in range(data_mb)) + packer.flush()


# gzip (wbits 31) and zlib-wrapped deflate (wbits 15) of 200 MB of zeros.
BOMBS = {"gzip": _deflate(200, wrapper=31), "deflate": _deflate(200, wrapper=15)}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # a body without Content-Length ends when the socket closes

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        path = self.path
        if path == "/images/My%20Photo.png":
            self._send(200, PNG, "image/png")
        elif path == "/big":
            self._send(200, b"\x00" * 5000, "image/png")
        elif path == "/big-undeclared":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            try:
                for _ in range(1000):  # 1 MB in 1 kB pieces, no length announced
                    self.wfile.write(b"\x00" * 1000)
            except OSError:
                pass  # the client hung up, as it should
        elif path == "/to-local":
            self._redirect("/images/My%20Photo.png")
        elif path == "/to-remote-http":
            self._redirect("http://192.0.2.1/elsewhere.png")
        elif path == "/loop":
            self._redirect("/loop")
        elif path == "/page":
            self._send(200, b"<html></html>", "text/html; charset=utf-8")
        elif path == "/slow":
            time.sleep(1.0)
            self._send(200, PNG, "image/png")
        elif path == "/drip":
            self._drip()
        elif path in ("/gzip-bomb", "/deflate-bomb"):
            self._bomb(path.removeprefix("/").removesuffix("-bomb"))
        elif path == "/gzip-small":
            self._send(200, gzip.compress(PNG), "image/png", {"Content-Encoding": "gzip"})
        elif path == "/":
            self._send(200, PNG, "image/png")
        else:
            self._send(404, b"not here", "text/plain")

    def _drip(self) -> None:
        """One byte every 0.2 s, for ever (until the client hangs up)."""
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        try:
            while True:
                self.wfile.write(b"\x89")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    def _bomb(self, encoding: str) -> None:
        """200 MB of zeros, compressed to about 200 kB."""
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Encoding", encoding)
        self.end_headers()
        try:
            self.wfile.write(BOMBS[encoding])
        except OSError:
            pass

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.paths = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def base(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


async def fetch(url: str, **kwargs) -> tuple[bytes, str]:
    async with httpx.AsyncClient(timeout=kwargs.pop("timeout", 5.0)) as client:
        return await fetch_image(url, client=client, **kwargs)


async def refused(url: str, **kwargs) -> str:
    with pytest.raises(InvalidInputError) as caught:
        await fetch(url, **kwargs)
    assert caught.value.fields == ["image_url"]
    return str(caught.value)


@pytest.mark.asyncio
async def test_fetches_bytes_and_file_name(base):
    data, name = await fetch(f"{base}/images/My%20Photo.png")
    assert data == PNG and name == "My Photo.png"


@pytest.mark.asyncio
async def test_url_without_a_file_name_gets_a_default(base):
    assert (await fetch(f"{base}/"))[1] == "image"


@pytest.mark.asyncio
async def test_localhost_name_is_loopback_too(server):
    port = server.server_address[1]
    data, _ = await fetch(f"http://localhost:{port}/images/My%20Photo.png")
    assert data == PNG


@pytest.mark.asyncio
async def test_not_found_names_host_and_status(base):
    message = await refused(f"{base}/nothing.png")
    assert message == "Image: could not download from 127.0.0.1 (HTTP 404 Not Found)."


@pytest.mark.asyncio
async def test_declared_size_over_the_cap_is_refused_before_reading(base):
    message = await refused(f"{base}/big", max_bytes=4999)
    assert "larger than" in message and "127.0.0.1" in message
    assert (await fetch(f"{base}/big", max_bytes=5000))[0] == b"\x00" * 5000  # inclusive


@pytest.mark.asyncio
async def test_undeclared_size_is_cut_off_while_streaming(base):
    message = await refused(f"{base}/big-undeclared", max_bytes=10_000)
    assert "the download was stopped" in message


@pytest.mark.asyncio
async def test_loopback_redirect_is_followed(base):
    data, name = await fetch(f"{base}/to-local")
    assert data == PNG and name == "My Photo.png"


@pytest.mark.asyncio
async def test_redirect_to_plain_http_elsewhere_is_not_followed(base):
    message = await refused(f"{base}/to-remote-http")
    assert "without https" in message and "192.0.2.1" in message


@pytest.mark.asyncio
async def test_redirect_loop_ends(base):
    assert "redirected more than" in await refused(f"{base}/loop")


@pytest.mark.asyncio
async def test_web_page_is_refused(base):
    assert "is a web page, not an image" in await refused(f"{base}/page")


@pytest.mark.asyncio
async def test_timeout_names_the_host(base):
    message = await refused(f"{base}/slow", timeout=0.2)
    assert message == "Image: the download from 127.0.0.1 timed out."


@pytest.mark.asyncio
async def test_connection_refused_is_a_clear_error():
    # Port 9 (discard) on loopback is closed on test machines; nothing leaves the host.
    message = await refused("http://127.0.0.1:9/x.png", timeout=2.0)
    assert message.startswith("Image: could not download from 127.0.0.1")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "http://192.0.2.1/photo.png",  # TEST-NET-1: documentation only, never routed
        "http://example.com/photo.png",
        "ftp://127.0.0.1/photo.png",
        "file:///etc/passwd",
        "not a url",
        "https://[::1/x.png",
    ],
)
async def test_non_https_urls_are_refused_without_any_request(url):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, content=PNG)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(InvalidInputError) as caught:
            await fetch_image(url, client=client)
    assert calls == []
    assert caught.value.fields == ["image_url"]


@pytest.mark.asyncio
async def test_https_is_fetched_through_the_given_client():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.scheme == "https"
        return httpx.Response(200, content=PNG, headers={"content-type": "image/png"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        data, name = await fetch_image("https://cdn.example/a/b/c.png?x=1", client=client)
    assert data == PNG and name == "c.png"


@pytest.mark.asyncio
async def test_a_dripping_download_stops_at_the_deadline(base):
    start = time.monotonic()
    message = await refused(f"{base}/drip", deadline_s=1.0)
    assert time.monotonic() - start < 3.0
    assert "1 s" in message and "127.0.0.1" in message


@pytest.mark.asyncio
async def test_fetches_have_a_deadline_by_default():
    import inspect

    assert inspect.signature(fetch_image).parameters["deadline_s"].default == 60.0


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
@pytest.mark.asyncio
async def test_a_compression_bomb_stops_at_the_cap_in_decoded_bytes(base, encoding):
    """200 MB of zeros sent compressed: memory stays near the 1 MB cap while decoding."""
    tracemalloc.start()
    try:
        message = await refused(f"{base}/{encoding}-bomb", max_bytes=1_000_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "1 MB" in message
    assert peak < 6_000_000, peak


@pytest.mark.asyncio
async def test_a_compressed_image_is_decoded(base):
    data, _ = await fetch(f"{base}/gzip-small")
    assert data == PNG
