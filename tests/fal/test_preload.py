"""preload_transport: after it, a client's first request imports nothing more (it runs on the
event loop, which in the window is the GUI thread)."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import asyncio, http.server, sys, threading

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
import httpx
from wan_desktop.fal.client import preload_transport

if sys.argv[1] == "preload":
    preload_transport()

async def main():
    async with httpx.AsyncClient() as client:
        before = set(sys.modules)
        response = await client.get(f"http://127.0.0.1:{server.server_port}/")
        assert response.status_code == 200
        print(",".join(sorted(set(sys.modules) - before)) or "-")

asyncio.run(main())
server.shutdown()
"""


def _first_request_imports(mode: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_first_request_imports_nothing_after_preload():
    assert "anyio._backends._asyncio" in _first_request_imports("cold")  # what it saves
    assert _first_request_imports("preload") == "-"
