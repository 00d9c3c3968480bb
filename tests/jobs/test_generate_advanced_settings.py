"""``wan-desktop generate`` follows the Advanced settings the window honours: the start
deadline goes with the submit (kept in the job's request handle), as from the window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jobs_helpers import cli_env, parse_json_line, wan
from wan_testkit import make_image

from wan_desktop.jobs.store import JobStore
from wan_desktop.library import Library


def _generate_offline(home: Path, image: Path) -> dict:
    out = wan(
        "generate", str(image), "--prompt", "a slow pan", "--resolution", "720p",
        "--duration", "5", "--offline", "--json",
        env=cli_env(home, key=None),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    result = parse_json_line(out.stdout)
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
