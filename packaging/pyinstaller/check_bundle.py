"""Check a built bundle the way a user runs it: no virtual environment, offscreen, a fresh home.

    python packaging/pyinstaller/check_bundle.py [dist/wan-desktop] [--quick]

Checks that Qt's multimedia plugin, Qt's FFmpeg, PyAV's FFmpeg, certifi, ``resources/`` and
the copied version metadata are in the folder, then runs the bundle's ``--version`` (must equal
pyproject.toml's), ``emulator --help``, a real offline ``generate --json``, ``--smoke`` and
``--screenshot``. ``--quick`` stops after ``--version``. Exit status 0 when all pass.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _env(home: Path) -> dict[str, str]:
    # Nothing of the build environment: no venv, no PYTHONPATH, no key.
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "WAN_DESKTOP_HOME": str(home / "wan"),
    }


def _run(exe: Path, args: list[str], home: Path, timeout: float = 180):
    start = time.monotonic()
    done = subprocess.run(
        [str(exe), *args],
        env=_env(home),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done, time.monotonic() - start


def _report(ok: bool, what: str, detail: str = "") -> bool:
    print(f"{'ok  ' if ok else 'FAIL'} {what}{(': ' + detail) if detail else ''}")
    return ok


def check_files(folder: Path, version: str) -> bool:
    internal = folder / "_internal"
    qt = internal / "PySide6" / "Qt"
    checks = {
        "Qt multimedia plugin (ffmpeg)": list(qt.glob("plugins/multimedia/libffmpegmediaplugin*")),
        "Qt's FFmpeg (libavcodec)": list(qt.glob("lib/libavcodec*")),
        "Qt's FFmpeg (libavformat)": list(qt.glob("lib/libavformat*")),
        "offscreen platform plugin": list(qt.glob("plugins/platforms/libqoffscreen*")),
        "xcb platform plugin": list(qt.glob("plugins/platforms/libqxcb*")),
        "svg icon engine": list(qt.glob("plugins/iconengines/*svg*")),
        "PyAV's FFmpeg (av.libs)": list(internal.glob("av.libs/libavcodec*")),
        "certifi CA bundle": list(internal.glob("certifi/cacert.pem")),
        "resources/icons": list(internal.glob("resources/icons/wan-desktop.svg")),
        "resources/linux": list(internal.glob("resources/linux/*.desktop")),
        f"wan-desktop {version} metadata": [
            *internal.glob(f"wan_desktop-{version}.dist-info"),
            *internal.glob("wan_desktop.egg-info/PKG-INFO"),
        ],
    }
    ok = True
    for what, found in checks.items():
        ok &= _report(bool(found), what, found[0].relative_to(folder).as_posix() if found else "")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "dist" / "wan-desktop")
    parser.add_argument("--quick", action="store_true", help="files and --version only")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    exe = folder / ("wan-desktop-cli.exe" if os.name == "nt" else "wan-desktop")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    version = pyproject["project"]["version"]
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"bundle {folder}: {size / 1e6:.0f} MB")
    ok = check_files(folder, version)
    with tempfile.TemporaryDirectory(prefix="wan-bundle-check-") as tmp:
        home = Path(tmp)
        done, took = _run(exe, ["--version"], home, timeout=60)
        ok &= _report(
            done.returncode == 0 and done.stdout.strip() == f"wan-desktop {version}",
            "--version",
            f"{done.stdout.strip() or done.stderr.strip()[-300:]} ({took:.1f} s)",
        )
        if args.quick:
            return 0 if ok else 1
        done, took = _run(exe, ["emulator", "--help"], home, timeout=60)
        ok &= _report(
            done.returncode == 0 and "usage: wan-desktop emulator" in done.stdout,
            "emulator --help",
            f"{took:.1f} s",
        )
        image = home / "still.png"
        _write_png(image)
        done, took = _run(
            exe,
            ["generate", str(image), "--prompt", "x", "--offline", "--json"],
            home,
            timeout=300,
        )
        try:
            result = json.loads(done.stdout)
            video = Path(result["video"])
            good = done.returncode == 0 and video.is_file() and video.stat().st_size > 0
            detail = f"{video.stat().st_size} bytes, seed {result['seed']} ({took:.1f} s)"
        except (ValueError, KeyError, OSError, TypeError):
            good, detail = False, f"exit {done.returncode}: {done.stderr.strip()[-500:]}"
        ok &= _report(good, "generate --offline --json", detail)
        if (ROOT / "wan_desktop" / "app.py").exists():
            done, took = _run(exe, ["--smoke"], home, timeout=180)
            ok &= _report(
                done.returncode == 0,
                "--smoke",
                f"{(done.stdout.strip() or done.stderr.strip())[-300:]} ({took:.1f} s)",
            )
            shot = home / "shot.png"
            done, took = _run(exe, ["--screenshot", str(shot)], home, timeout=180)
            ok &= _report(
                done.returncode == 0 and shot.is_file() and shot.stat().st_size > 10_000,
                "--screenshot",
                f"{shot.stat().st_size if shot.exists() else 0} bytes ({took:.1f} s)",
            )
    print("bundle check passed" if ok else "bundle check FAILED")
    return 0 if ok else 1


def _write_png(path: Path) -> None:
    """A 640×480 test image, made without Pillow (the checker runs with any Python 3.11)."""
    import struct
    import zlib

    width, height = 640, 480
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            inside = (x - 320) ** 2 + (y - 240) ** 2 < 120**2
            rows += bytes((250, 200, 40) if inside else (30, 80, 160))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    sys.exit(main())
