"""``generate --variants``, ``--continue-from``, the budget's refusal and ``spend``, as a user
runs them: separate processes on the offline engine, or ``wan-desktop emulator`` standing in
for fal (whose results are billed and so counted in the spend ledger)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest
from jobs_helpers import (
    cli_env,
    fal_engine,
    parse_json_line,
    start_window_like,
    stop_window_like,
    wan,
)
from PIL import Image, ImageChops
from wan_testkit import write_clip

from wan_desktop.core.atomic import atomic_write_json
from wan_desktop.core.budget import SpendLedger
from wan_desktop.core.pricing import PriceQuote, estimate_usd
from wan_desktop.jobs.continue_from import continuation_image
from wan_desktop.library import Library
from wan_desktop.media.mp4meta import read_comment
from wan_desktop.media.video import last_frame

LIBRARY_TESTS = Path(__file__).parents[1] / "library"
if str(LIBRARY_TESTS) not in sys.path:
    sys.path.insert(0, str(LIBRARY_TESTS))

from library_entries import new_entry  # noqa: E402


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_variants_make_one_group_with_a_json_line_per_take(tmp_path, image):
    home = tmp_path / "home"
    out = wan(
        "generate", str(image), "--prompt", "a slow pan", "--resolution", "720p",
        "--seed", "70", "--variants", "2", "--offline",
        env=cli_env(home, key=None), timeout=240,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    takes = json_lines(out.stdout)
    assert len(takes) == 2
    assert sorted(t["variant"] for t in takes) == ["seed 70", "seed 71"]
    assert sorted(t["seed"] for t in takes) == [70, 71]
    assert len({t["group_id"] for t in takes}) == 1 and takes[0]["group_id"].startswith("g-")
    assert all(t["state"] == "done" and t["error"] is None for t in takes)
    assert "Queued 2 takes as group" in out.stderr and "seed 71: done" in out.stderr
    with Library.open(home / "library") as lib:
        members = lib.group_members(takes[0]["group_id"])
        assert sorted(m.id for m in members) == sorted(t["id"] for t in takes)
        entry = lib.get(takes[0]["id"])
        comment = read_comment(entry.video_path)
        assert takes[0]["group_id"] in comment and takes[0]["variant"] in comment


@pytest.mark.timeout(300)
def test_variants_are_handed_to_the_window_as_one_group(tmp_path, image):
    home = tmp_path / "home"
    with fal_engine() as engine:
        env = cli_env(home, engine.base_url)
        window = start_window_like(env, tmp_path / "window.err")
        try:
            out = wan(
                "generate", str(image), "--prompt", "a slow pan", "--resolution", "720p",
                "--variant-mode", "prompts", "--alt-prompt", "a fast zoom", "--seed", "3",
                env=env, timeout=240,
            )  # fmt: skip
        finally:
            stop_window_like(window)
        assert out.returncode == 0, out.stderr
        assert "handing 2 takes" in out.stderr and "waiting for" not in out.stderr
        takes = json_lines(out.stdout)
        assert sorted(t["variant"] for t in takes) == ["prompt A · seed 3", "prompt B · seed 3"]
        assert len({t["group_id"] for t in takes}) == 1
        assert engine.stats()["submits"] == 2
    with Library.open(home / "library") as lib:
        members = lib.group_members(takes[0]["group_id"])
        # The takes keep their queue order through the handoff (issue 17).
        assert [(m.take, m.prompt) for m in members] == [(1, "a slow pan"), (2, "a fast zoom")]


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--variants", "9"], ["count", "1 to 8", "got 9"]),
        (["--variants", "3", "--alt-prompt", "b", "--alt-prompt", "c"], ["9 takes", "at most 8"]),
        (["--variant-mode", "prompts"], ["--alt-prompt", "got 0"]),
        (["--variant-mode", "seeds", "--alt-prompt", "b"], ["--variant-mode prompts"]),
        (["--variants", "2", "--alt-prompt", "x" * 1600], ["Prompt", "1500"]),
    ],
)
def test_bad_variants_exit_2_nothing_sent(tmp_path, image, extra, words):
    with fal_engine() as engine:
        env = cli_env(tmp_path / "h", engine.base_url)
        out = wan("generate", str(image), "--prompt", "ok", *extra, env=env)
        assert out.returncode == 2, out.stderr
        for word in words:
            assert word in out.stderr
        assert "Nothing was sent" in out.stderr
        assert engine.stats()["submits"] == 0


def _clip_entry(lib: Library, tmp_path: Path) -> str:
    """A 480×320 clip whose frames differ, filed in ``lib``; returns its id."""

    def paint(i: int, _count: int) -> Image.Image:
        return Image.new("RGB", (480, 320), (20 + 9 * i, 200 - 7 * i, 90))

    video = write_clip(tmp_path / "clip.mp4", paint, frames=24)
    entry = dataclasses.replace(new_entry(tmp_path / "made"), video_path=video)
    return lib.add(entry).id


def test_continue_from_starts_at_the_last_frame_and_records_the_parent(tmp_path, wan_home, lib):
    parent = _clip_entry(lib, tmp_path)
    expected = last_frame(lib.get(parent).video_path)
    lib.close()
    out = wan(
        "generate", "--continue-from", parent, "--prompt", "and on", "--resolution", "720p",
        "--offline", "--json",
        env=cli_env(wan_home, key=None), timeout=240,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    result = parse_json_line(out.stdout)
    with Library.open(wan_home / "library") as again:
        child = again.get(result["id"])
        assert child.parent_id == parent
        assert [c.id for c in again.children_of(parent)] == [child.id]
        kept = Image.open(child.image_path).convert("RGB")
    assert kept.size == expected.size
    assert ImageChops.difference(kept, expected).getbbox() is None  # the exact frame


def test_continue_from_an_unknown_entry_or_with_an_image_exits_2(tmp_path, wan_home, image):
    env = cli_env(wan_home, key=None)
    out = wan("generate", "--continue-from", "0123456789abcdef", "--prompt", "x", "--offline",
              env=env)  # fmt: skip
    assert out.returncode == 2
    assert "no library entry with id '0123456789abcdef'" in out.stderr
    out = wan("generate", "--continue-from", "../etc", "--prompt", "x", "--offline", env=env)
    assert out.returncode == 2 and "not a library entry id" in out.stderr
    out = wan("generate", str(image), "--continue-from", "0123456789abcdef", "--prompt", "x",
              "--offline", env=env)  # fmt: skip
    assert out.returncode == 2 and "not both" in out.stderr
    out = wan("generate", "--prompt", "x", "--offline", env=env)
    assert out.returncode == 2 and "--continue-from" in out.stderr


def test_a_missing_last_frame_is_decoded_from_the_video(tmp_path, wan_home, lib):
    parent = _clip_entry(lib, tmp_path)
    entry = lib.get(parent)
    entry.last_frame_path.unlink()
    made = continuation_image(lib.root, parent, wan_home / "cache")
    assert made.parent == wan_home / "cache" / "continue-from"
    expected = last_frame(entry.video_path)
    assert ImageChops.difference(Image.open(made).convert("RGB"), expected).getbbox() is None
    # Made once: asked again, the same file is used.
    stamp = made.stat().st_mtime_ns
    assert continuation_image(lib.root, parent, wan_home / "cache") == made
    assert made.stat().st_mtime_ns == stamp


def test_spend_counts_billed_takes_and_the_caps_refuse_with_the_figures(tmp_path, image):
    home = tmp_path / "home"
    with fal_engine() as engine:
        env = cli_env(home, engine.base_url)
        # The stand-in publishes a price of $0 (it is free): with no Platform API to ask, the
        # bundled price holds and the takes cost what fal would bill.
        env["FAL_PLATFORM_URL"] = "http://127.0.0.1:9/v1"
        env["WAN_DESKTOP_PLATFORM_WAIT_S"] = "2"
        out = wan(
            "generate", str(image), "--prompt", "a slow pan", "--resolution", "720p",
            "--variants", "2", "--json",
            env=env, timeout=240,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert len(json_lines(out.stdout)) == 2
        spend = json.loads(wan("spend", "--json", env=env).stdout)
        assert spend["daily_cap_usd"] is None and spend["monthly_cap_usd"] is None
        price = estimate_usd("720p", 5, price=PriceQuote.bundled())
        assert spend["today_usd"] == pytest.approx(2 * price)
        assert spend["month_usd"] == spend["today_usd"]
        text = wan("spend", env=env).stdout
        assert "Today" in text and "no cap" in text and f"${spend['today_usd']:.2f}" in text

        # A cap just under what one more take costs: refused before anything is sent.
        cap = round(spend["today_usd"] + price * 0.6, 2)
        atomic_write_json(home / "settings.json", {"daily_cap_usd": cap})
        submits = engine.stats()["submits"]
        out = wan("generate", str(image), "--prompt", "again", "--resolution", "720p", env=env)
        assert out.returncode == 2, out.stderr
        assert f"${spend['today_usd']:.2f} spent today" in out.stderr
        assert f"daily spending cap of ${cap:.2f}" in out.stderr
        assert f"this job costs ${price:.2f}" in out.stderr
        assert "Nothing was sent" in out.stderr
        out = wan("generate", str(image), "--prompt", "again", "--resolution", "720p",
                  "--variants", "3", env=env)  # fmt: skip
        assert out.returncode == 2 and "these 3 takes cost" in out.stderr
        assert engine.stats()["submits"] == submits
        assert "of $" in wan("spend", env=env).stdout
    assert SpendLedger(home / "spend.sqlite3").today_usd() == spend["today_usd"]
