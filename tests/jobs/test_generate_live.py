"""``generate`` follows the live service, as a user runs it: a separate process against
``wan-desktop emulator`` standing in for fal's queue and Platform API (FAL_QUEUE_URL,
FAL_PLATFORM_URL at its ``/v1``), with its fault switches: a changed schema (another prompt
limit, an extra boolean input), a locked account, an octet-stream result, a 401.

What fal received is read from the engine's own request records (``--state-dir``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jobs_helpers import KEY, cli_env, fal_engine, parse_json_line, wan

from wan_desktop.core.pricing import PriceQuote, estimate
from wan_desktop.fal.errors import BILLING_URL

LIMIT = 1100  # between the old 800 and the bundled 1500


def _received(state_dir: Path) -> list[dict]:
    """The inputs of every request the engine accepted."""
    return [json.loads(p.read_text())["inputs"] for p in sorted(state_dir.glob("requests/*.json"))]


def _sidecar(result: dict) -> dict:
    return json.loads((Path(result["video"]).parent / "entry.json").read_text())


def test_the_live_prompt_limit_and_an_extra_field_are_followed(tmp_path, image):
    state = tmp_path / "engine"
    spec = f"changed_schema:prompt_max_chars={LIMIT},extra_field=camera_fixed"
    with fal_engine("--state-dir", str(state), "--fault", spec) as engine:
        env = cli_env(tmp_path / "h", engine.base_url)
        base = ("generate", str(image), "--resolution", "720p")
        # Allowed by the bundled table (1500), over the live one: refused here, nothing sent.
        out = wan(*base, "--prompt", "x" * (LIMIT + 1), env=env)
        assert out.returncode == 2, out.stderr
        assert str(LIMIT) in out.stderr and "Nothing was sent" in out.stderr
        out = wan(*base, "--prompt", "p", "--param", "nope=1", env=env)
        assert out.returncode == 2 and "nope" in out.stderr and "camera_fixed" in out.stderr
        out = wan(*base, "--prompt", "p", "--param", "camera_fixed=maybe", env=env)
        assert out.returncode == 2 and "camera_fixed" in out.stderr.lower()
        out = wan(*base, "--prompt", "p", "--param", "seed=3", env=env)
        assert out.returncode == 2 and "seed" in out.stderr
        assert engine.stats()["submits"] == 0
        out = wan(*base, "--prompt", "x" * LIMIT, "--param", "camera_fixed=true", "--json", env=env)
        assert out.returncode == 0, out.stderr
        assert engine.stats()["submits"] == 1
    (sent,) = _received(state)
    assert sent["extra_inputs"] == {"camera_fixed": True}
    sidecar = _sidecar(parse_json_line(out.stdout))
    # Every field sent is kept, so reuse and re-run send it again.
    assert sidecar["request"]["extra_params"] == {"camera_fixed": True}
    assert sidecar["arguments"]["camera_fixed"] is True
    assert KEY not in out.stderr and KEY not in out.stdout


def test_silent_sends_generate_audio_false_at_half_the_price(tmp_path, image):
    state = tmp_path / "engine"
    # The account's price cannot be read: the bundled table's estimate, labelled so.
    with fal_engine("--state-dir", str(state), "--fault", "auth:count=-1,routes=pricing") as e:
        env = cli_env(tmp_path / "h", e.base_url)
        out = wan(
            "generate", str(image), "--prompt", "p", "--resolution", "720p", "--silent",
            "--json", env=env,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
    (sent,) = _received(state)
    assert sent["generate_audio"] is False
    sidecar = _sidecar(parse_json_line(out.stdout))
    assert sidecar["request"]["generate_audio"] is False
    assert sidecar["arguments"]["generate_audio"] is False
    with_audio = estimate("720p", 5, price=PriceQuote.bundled()).amount_usd
    assert sidecar["cost_source"] == "bundled"
    assert sidecar["cost_usd"] == pytest.approx(with_audio / 2)
    # What fal said about the video is kept with the entry.
    assert sidecar["remote"]["video"]["height"] == sidecar["video"]["height"]


def test_a_locked_account_exits_3_and_the_job_resumes_once_credit_is_back(tmp_path, image):
    state = tmp_path / "engine"
    faults = ("--fault", "locked_account:count=-1", "--fault", "changed_schema:extra_field=loop")
    with fal_engine("--state-dir", str(state), *faults) as engine:
        env = cli_env(tmp_path / "h", engine.base_url)
        out = wan(
            "generate", str(image), "--prompt", "p", "--resolution", "720p",
            "--param", "loop=true", env=env,
        )  # fmt: skip
        assert out.returncode == 3, out.stderr
        assert "Exhausted balance" in out.stderr and BILLING_URL in out.stderr
        assert "jobs resume" in out.stderr
        assert "wrong" not in out.stderr.lower()
        assert engine.stats()["submits"] == 0
        engine.set_fault("locked_account", count=0)  # credit is back; the schema stays
        resumed = wan("jobs", "resume", "--json", env=env)
        assert resumed.returncode == 0, resumed.stderr
        (job,) = json.loads(resumed.stdout)
        assert job["state"] == "done" and Path(job["video"]).exists()
        assert engine.stats()["submits"] == 1
        assert KEY not in out.stderr + resumed.stderr + resumed.stdout
    (sent,) = _received(state)  # the same job, its extra input kept
    assert sent["extra_inputs"] == {"loop": True}


def test_a_refused_key_says_it_is_wrong(tmp_path, image):
    with fal_engine("--fault", "auth:count=-1") as engine:
        out = wan(
            "generate", str(image), "--prompt", "p", env=cli_env(tmp_path / "h", engine.base_url)
        )
        assert out.returncode == 3
        assert "wrong" in out.stderr.lower() and "balance" not in out.stderr.lower()


def test_an_octet_stream_result_is_saved(tmp_path, image):
    with fal_engine("--fault", "octet_stream:count=-1") as engine:
        env = cli_env(tmp_path / "h", engine.base_url)
        out = wan(
            "generate", str(image), "--prompt", "p", "--resolution", "720p", "--json", env=env
        )
        assert out.returncode == 0, out.stderr
        assert engine.stats()["faults_fired"].get("octet_stream", 0) >= 1
    assert Path(parse_json_line(out.stdout)["video"]).stat().st_size > 0
