"""Rows of ``make reliability``: the service and the offline engine as attack surfaces.

- a key-echoing service (the engine's ``echo_key`` fault hands each request's key back in a
  log line, the result JSON and error details): after a full ``generate --json`` and a failing
  one, every file under ``WAN_DESKTOP_HOME`` (database, sidecars, MP4 bytes, logs) and every
  output is searched for the key, its halves and their URL-encoded forms;
- the engine's door: requests without its token, with a wrong one, addressed to another
  ``Host`` or sent from another ``Origin`` are refused, and a 60 MB body with a wrong key is
  refused before it is read (timed with no body byte sent).
"""

from __future__ import annotations

import http.client
import json
import socket
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

import httpx

from bench._common import EngineProcess
from bench.reliability_rows import Row, Run, entry_count, home_env, integrity, run_wan

__all__ = ["engine_door", "key_echo"]

#: fal's ``id:secret`` shape, each half long enough to be a secret of its own.
ECHO_KEY = "relkeyid-7f3a9c2e41d5:relsecret-b8d04e6f9a1c5d7e20"
SUBMIT_PATH = "/wan/v2.6/image-to-video/flash"
BIG_BODY = 60 * 1024 * 1024
REFUSAL_BUDGET_MS = 1000.0


def _needles(key: str) -> list[bytes]:
    """The key, its halves, and their URL-encoded forms, as bytes (searched without case)."""
    parts = [key, *key.split(":")]
    forms = {f for p in parts for f in (p, quote(p, safe=""), quote_plus(p))}
    return sorted({f.lower().encode() for f in forms}, key=len, reverse=True)


def _hits(home: Path, outputs: list[str], key: str) -> tuple[int, list[str]]:
    """(files searched, where a form of the key was found)."""
    needles = _needles(key)
    found: list[str] = []
    files = [p for p in home.rglob("*") if p.is_file() and not p.is_symlink()]
    for path in files:
        data = path.read_bytes().lower()
        found += [f"{path.relative_to(home)}" for n in needles if n in data][:1]
    for i, text in enumerate(outputs):
        data = text.lower().encode()
        found += [f"output #{i}" for n in needles if n in data][:1]
    return len(files), found


def _service_echoed(engine: EngineProcess, run: Run) -> bool:
    """Whether the service really sent the key back: its result for the done job, asked for
    directly (the app's scrubbing is what the row is about, not a fault that never fired)."""
    try:
        request_id = json.loads(run.stdout.strip().splitlines()[-1])["request_id"]
    except (ValueError, IndexError, KeyError, TypeError):
        return False
    with httpx.Client(
        base_url=engine.base_url, headers={"Authorization": f"Key {engine.key}"}, timeout=10
    ) as client:
        answer = client.get(f"{SUBMIT_PATH}/requests/{request_id}")
    return engine.key in answer.text


def key_echo(image: Path) -> Row:
    """The echoed key is in no stored file and no output of a done and a failed job."""
    row = Row(
        "key-echoing service",
        "generate exits 0 (then 4 on a failed job), 0 hits of the key or its halves in "
        "every file under the home and every output",
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wan-rel-echo-") as tmp:
        home = Path(tmp) / "home"
        with EngineProcess("--workers", "1", key=ECHO_KEY) as engine:
            env = home_env(home, FAL_QUEUE_URL=engine.base_url, FAL_KEY=ECHO_KEY)
            runs: list[Run] = []
            for seed, failing in ((31, False), (32, True)):
                engine.set_fault("echo_key", count=1)
                if failing:
                    engine.set_fault("fail_request", count=1)
                args = ("generate", str(image), "--prompt", "a slow pan", "--seed", str(seed))
                runs.append(run_wan(*args, "--resolution", "720p", "--json", env=env))
            submits = engine.stats()["submits"]
            echoed = _service_echoed(engine, runs[0])
        searched, found = _hits(home, [t for r in runs for t in (r.stdout, r.stderr)], ECHO_KEY)
        row.entries = str(entry_count(home))
        row.integrity = integrity(home)
    row.submits = str(submits)
    row.exits = " ".join(str(r.code) for r in runs)
    row.details.append(f"the service's own result carried the key: {echoed}")
    row.details.append(f"searched {searched} files and 4 outputs: {len(found)} hits {found[:5]}")
    row.check(runs[0].code == 0, f"the echoed job exited {runs[0].code}")
    row.check(runs[1].code == 4, f"the failing echoed job exited {runs[1].code}")
    row.check(echoed, "the service did not echo the key (the search proves nothing)")
    row.check(not found, "the key was stored or printed")
    row.check(row.entries == "1" and submits == 2, "entries or submits off")
    row.check(row.integrity == "ok", "integrity check failed")
    row.seconds = time.monotonic() - started
    return row


def _status(base_url: str, headers: dict[str, str]) -> int:
    """The status of ``GET /_emulator/stats`` with exactly these headers (``Host`` too)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("GET", "/_emulator/stats", skip_host=True, skip_accept_encoding=True)
        for name, value in {"Host": parts.netloc, **headers}.items():
            conn.putheader(name, value)
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def _big_body_refusal(base_url: str) -> tuple[int, float]:
    """Announce a 60 MB submit with a wrong key, send no body: (status, ms to the answer)."""
    parts = urlsplit(base_url)
    head = (
        f"POST {SUBMIT_PATH} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: Key wrong-key-000000\r\nContent-Type: application/json\r\n"
        f"Content-Length: {BIG_BODY}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(head)
        answer = sock.recv(4096)
        ms = (time.monotonic() - started) * 1000
    try:
        return int(answer.split(b" ", 2)[1]), ms
    except (IndexError, ValueError):
        return 0, ms


def engine_door() -> Row:
    """No token, a wrong token, another Host or Origin: refused; the 60 MB body is refused
    before a byte of it is sent."""
    row = Row(
        "engine token / Host / Origin",
        "token → 200; none or wrong → 401; Host evil.example → 421; Origin evil → 403; "
        f"60 MB with a wrong key refused (401/413) in < {REFUSAL_BUDGET_MS:g} ms with no body sent",
    )
    started = time.monotonic()
    with EngineProcess("--workers", "1") as engine:
        good = {"Authorization": f"Key {engine.key}"}
        codes = {
            "token": _status(engine.base_url, good),
            "none": _status(engine.base_url, {}),
            "wrong": _status(engine.base_url, {"Authorization": "Key wrong-key-000000"}),
            "Host evil.example": _status(engine.base_url, {**good, "Host": "evil.example"}),
            "Origin evil": _status(engine.base_url, {**good, "Origin": "https://evil.example"}),
        }
        big, big_ms = _big_body_refusal(engine.base_url)
        submits = engine.stats()["submits"]
    row.submits = str(submits)
    row.exits = " ".join(f"{k.split()[0]}={v}" for k, v in codes.items()) + f" 60MB={big}"
    row.details.append(
        f"60 MB body with a wrong key: HTTP {big} after {big_ms:.0f} ms, 0 body bytes sent"
    )
    expected = {
        "token": 200,
        "none": 401,
        "wrong": 401,
        "Host evil.example": 421,
        "Origin evil": 403,
    }
    for name, want in expected.items():
        row.check(codes[name] == want, f"{name}: HTTP {codes[name]}, expected {want}")
    row.check(
        big in (401, 413) and big_ms < REFUSAL_BUDGET_MS, f"60 MB: HTTP {big} in {big_ms:.0f} ms"
    )
    row.check(submits == 0, f"{submits} submits")
    row.seconds = time.monotonic() - started
    return row
