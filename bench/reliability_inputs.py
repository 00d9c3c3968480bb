"""Rows of ``make reliability``: files an attacker or a wrong click hands the app.

- hostile imports: an MP4 whose comment carries our metadata with wrong types
  (``"request": [1, 2]``) and HTML in ``parent_id``, then a ``video.mp4 -> /etc/passwd``
  planted in an entry folder; ``library import``, ``rebuild`` and ``export`` as processes;
- non-regular and huge inputs: ``generate`` on ``/dev/zero``, a FIFO named ``f.png`` and a
  300 MB sparse ``.png``, each timed and its peak memory read from the child's own rusage.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from bench._common import EngineProcess, tiny_mp4
from bench.reliability_rows import Row, entry_count, home_env, integrity, run_wan
from wan_desktop.library.sidecar import comment_text, decode_comment
from wan_desktop.media import mp4meta

__all__ = ["hostile_imports", "hostile_inputs"]

KEY = "reliability-key-0123456789"
HTML = '<b style="color:red">Your fal key expired: paste it at https://evil.example</b>'
PASSWD = Path("/etc/passwd")
#: How much more memory than a plainly refused input a hostile one may cost (KiB).
RSS_SLACK_KIB = 50 * 1024
REFUSAL_DEADLINE_S = 20.0


def _library(lib: Path, *args: str, env: dict[str, str]):
    command, *rest = args
    return run_wan("library", "--library", str(lib), command, *rest, env=env, timeout=60)


def _hostile_mp4(lib: Path, clean_video: Path, dest: Path) -> None:
    """A copy of a library video whose comment says ours, with a wrong-typed ``request`` and
    HTML where the parent's id belongs."""
    data = decode_comment(mp4meta.read_comment(clean_video)) or {}
    data.update(request=[1, 2], parent_id=HTML)
    mp4meta.write_comment(clean_video, dest, comment_text(data))


def _export_copied_passwd(dest: Path) -> bool:
    secret = PASSWD.read_bytes()
    return any(p.is_file() and secret in p.read_bytes() for p in dest.rglob("*"))


def _json(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def hostile_imports() -> Row:
    """Wrong types and HTML imported as a foreign video with the bad fields set aside; a
    planted symlink neither breaks ``rebuild`` nor lets ``export`` copy its target."""
    row = Row(
        "hostile import + symlink",
        "import exits 0 with the bad fields set aside, rebuild exits 0 (twice), "
        "export never copies /etc/passwd",
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wan-rel-import-") as tmp:
        home, lib = Path(tmp) / "home", Path(tmp) / "home" / "library"
        env = home_env(home)
        (Path(tmp) / "clip.mp4").write_bytes(tiny_mp4())
        clean = _library(lib, "import", str(Path(tmp) / "clip.mp4"), "--json", env=env)
        first = _json(clean.stdout)
        _hostile_mp4(lib, Path(first.get("video", "")), Path(tmp) / "hostile.mp4")
        hostile = _library(lib, "import", str(Path(tmp) / "hostile.mp4"), "--json", env=env)
        shown = _library(lib, "show", str(_json(hostile.stdout).get("id")), "--json", env=env)
        rebuilt = _library(lib, "rebuild", "--json", env=env)
        entries_before = entry_count(home)
        video = Path(first["video"])
        video.unlink()
        video.symlink_to(PASSWD)
        planted = _library(lib, "rebuild", "--json", env=env)
        exported = _library(lib, "export", str(first["id"]), str(Path(tmp) / "out"), env=env)
        copied = _export_copied_passwd(Path(tmp) / "out")
        row.entries = f"{entries_before}→{entry_count(home)}"
        row.integrity = integrity(home)
    aside = _json(hostile.stdout).get("set_aside", [])
    parent = _json(shown.stdout).get("parent_id")
    codes = (clean, hostile, rebuilt, planted, exported)
    row.exits = "import={} import={} rebuild={} rebuild={} export={}".format(
        *(r.code for r in codes)
    )
    row.details.append(f"set aside: {aside}; parent_id shown: {parent!r}")
    row.details.append(f"rebuild with the symlink: skipped {_json(planted.stdout).get('skipped')}")
    row.details.append(f"export said: {(exported.stdout + exported.stderr).strip()[-160:]!r}")
    row.check(clean.code == 0 and hostile.code == 0, "an import failed")
    row.check("request" in aside, "the wrong-typed request was not set aside")
    row.check(parent is None or "<" not in str(parent), "HTML kept as the parent id")
    row.check(rebuilt.code == 0 and planted.code == 0, "rebuild failed")
    row.check(not copied, "export copied /etc/passwd")
    row.check(row.integrity == "ok", "integrity check failed")
    row.check(entries_before == 2, f"{entries_before} entries after 2 imports")
    row.seconds = time.monotonic() - started
    return row


def _inputs(folder: Path) -> dict[str, str]:
    """The hostile inputs (name → path): a character device, a FIFO, a sparse huge file."""
    fifo = folder / "f.png"
    os.mkfifo(fifo)
    sparse = folder / "huge.png"
    with open(sparse, "wb") as out:
        out.truncate(300 * 1024 * 1024)
    return {"/dev/zero": "/dev/zero", "FIFO f.png": str(fifo), "300 MB sparse .png": str(sparse)}


def hostile_inputs() -> Row:
    """Each hostile input refused with exit 2, fast, with no more memory than a missing file
    costs (+ :data:`RSS_SLACK_KIB`), and nothing submitted."""
    row = Row(
        "/dev/zero, FIFO, 300 MB .png",
        f"each exits 2 within {REFUSAL_DEADLINE_S:g} s, peak RSS ≤ a missing file's + 50 MB, "
        "0 submits",
    )
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wan-rel-inputs-") as tmp:
        home = Path(tmp) / "home"
        with EngineProcess("--workers", "1", key=KEY) as engine:
            env = home_env(home, FAL_QUEUE_URL=engine.base_url, FAL_KEY=KEY)
            cases = {
                "missing file (baseline)": str(Path(tmp) / "missing.png"),
                **_inputs(Path(tmp)),
            }
            runs = {
                name: run_wan(
                    "generate", path, "--prompt", "x", env=env, timeout=REFUSAL_DEADLINE_S
                )
                for name, path in cases.items()
            }
            submits = engine.stats()["submits"]
        row.entries = str(entry_count(home))
        row.integrity = integrity(home)
    base = runs.pop("missing file (baseline)")
    row.submits = str(submits)
    row.exits = " ".join(str(r.code) for r in runs.values())
    row.details.append(
        f"missing file: exit {base.code}, {base.ms:.0f} ms, peak {base.peak_kib / 1024:.0f} MB"
    )
    for name, run in runs.items():
        said = [line for line in run.stderr.splitlines() if line.startswith("error")] or [""]
        row.details.append(
            f"{name}: exit {run.code}, {run.ms:.0f} ms, "
            f"peak {run.peak_kib / 1024:.0f} MB: {said[0][:110]}"
        )
        row.check(run.code == 2, f"{name}: exit {run.code}")
        row.check(run.peak_kib <= base.peak_kib + RSS_SLACK_KIB, f"{name}: peak {run.peak_kib} KiB")
    row.check(submits == 0, f"{submits} submits")
    row.seconds = time.monotonic() - started
    return row
