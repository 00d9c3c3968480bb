"""``wan-desktop generate`` follows the Advanced settings the window honours: the start
deadline goes with the submit (kept in the job's request handle), as from the window; the
``--start-timeout``/``--upload-expiry`` flags override them for this command, within range."""

from __future__ import annotations

import json
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
from wan_testkit import make_image

from wan_desktop.jobs.store import JobStore
from wan_desktop.library import Library


def _generate_offline(home: Path, image: Path, *flags: str) -> dict:
    out = wan(
        "generate", str(image), "--prompt", "a slow pan", "--resolution", "720p",
        "--duration", "5", "--offline", "--json", *flags,
        env=cli_env(home, key=None),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return _handle(home, parse_json_line(out.stdout))


def _handle(home: Path, result: dict) -> dict:
    """The request handle of the job that made ``result`` (from the job table)."""
    with Library.open(home / "library") as lib:
        store = JobStore(lib.paths.db)
        try:
            [job] = [
                r
                for r in store.load()
                if r.handle and r.handle.get("request_id") == result["request_id"]
            ]
        finally:
            store.close()
    return job.handle or {}


@pytest.mark.parametrize(("minutes", "sent_s"), [(7, 420.0), (0, None)])
def test_generate_sends_the_start_deadline_of_the_settings(tmp_path, wan_home, minutes, sent_s):
    settings = {"start_timeout_min": minutes, "upload_expiry_h": 2}
    (wan_home / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    handle = _generate_offline(wan_home, make_image(tmp_path / "in.png"))
    assert handle.get("start_timeout_s") == sent_s


def test_a_flag_overrides_the_saved_start_deadline(tmp_path, wan_home):
    (wan_home / "settings.json").write_text(json.dumps({"start_timeout_min": 7}), "utf-8")
    image = make_image(tmp_path / "in.png")
    handle = _generate_offline(wan_home, image, "--start-timeout", "3")
    assert handle.get("start_timeout_s") == 180.0


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [
        (
            "--start-timeout",
            "1441",
            "--start-timeout must be a whole number of minutes from 0 to 1440",
        ),
        ("--upload-expiry", "-1", "--upload-expiry must be a whole number of hours from 0 to 8760"),
        ("--start-timeout", "soon", "(got 'soon')"),
    ],
)
def test_a_flag_out_of_range_is_refused_naming_it(tmp_path, wan_home, flag, value, said):
    image = make_image(tmp_path / "in.png")
    out = wan(
        "generate", str(image), "--prompt", "p", "--offline", f"{flag}={value}",
        env=cli_env(wan_home, key=None),
    )  # fmt: skip
    assert out.returncode == 2
    assert said in out.stderr
    assert not (wan_home / "library" / "jobs").exists() or not any(
        (wan_home / "library" / "jobs").iterdir()
    )


def test_handed_to_the_window_the_job_goes_with_the_windows_settings_said(tmp_path, wan_home):
    image = make_image(tmp_path / "in.png")
    with fal_engine() as engine:
        env = cli_env(wan_home, engine.base_url)
        window = start_window_like(env, tmp_path / "window.err")
        try:
            out = wan(
                "generate", str(image), "--prompt", "a slow pan", "--resolution", "720p",
                "--start-timeout", "3", "--json",
                env=env,
            )  # fmt: skip
        finally:
            stop_window_like(window)
    assert out.returncode == 0, out.stderr
    assert "sends jobs with its own Advanced settings: --start-timeout is not used" in out.stderr
    # The window's runner sent it (its settings: no start deadline).
    assert _handle(wan_home, parse_json_line(out.stdout)).get("start_timeout_s") is None
