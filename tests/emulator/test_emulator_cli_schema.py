"""``wan-desktop emulator --schema FILE``: the engine serves and enforces a given table (the
app can hand its engine the schema it resolved)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import httpx
import pytest
from emulator_helpers import KEY, SUBMIT, body
from test_emulator_cli import ROOT, start, stop

from wan_desktop.core.model_schema import ModelSchema
from wan_desktop.core.platform_answers import models_answer, to_openapi


def narrower(limit: int) -> ModelSchema:
    bundled = ModelSchema.bundled()
    prompt = dataclasses.replace(bundled.spec("prompt"), max_chars=limit)
    return bundled.replace(inputs={**bundled.inputs, "prompt": prompt})


@pytest.mark.parametrize("shape", ["models_answer", "openapi"])
def test_the_given_schema_is_published_and_enforced(tmp_path, shape):
    table = narrower(900)
    doc = models_answer(table) if shape == "models_answer" else to_openapi(table)
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(doc), "utf-8")
    process, base = start("--schema", str(path))
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Key {KEY}"}) as c:
            published = c.get("/v1/models", params={"expand": "openapi-3.0"}).json()
            schema = ModelSchema.from_openapi(published["models"][0]["openapi"])
            assert schema.max_chars("prompt") == 900
            assert c.post(SUBMIT, json=body(prompt="x" * 901)).status_code == 422
            assert c.post(SUBMIT, json=body(prompt="x" * 900)).status_code == 200
    finally:
        stop(process)


@pytest.mark.parametrize("content", [None, "{nope", '{"models": []}', '{"paths": {}}'])
def test_a_schema_it_cannot_read_exits_2(tmp_path, content):
    path = tmp_path / "schema.json"
    if content is not None:
        path.write_text(content, "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "wan_desktop.emulator.cli", "--key", KEY, "--schema", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"wan-desktop emulator: --schema {path}")
