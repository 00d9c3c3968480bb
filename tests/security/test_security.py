"""Security checks (issue 8): after a full run with a key set, the key is in no file and no
output; downloads follow only https or the local engine; export and import never write
outside their folder; the library's files are not world-writable.

One module-scoped run does the work (``generate`` as a process against ``wan-desktop
emulator`` in its own process, then failing runs and the read-only commands), every process
under umask 000 so that the app's own file modes are what is checked.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path

import pytest
from security_helpers import (
    MediaServer,
    RecordingTransport,
    cli_env,
    unique_key,
    wan,
)
from wan_testkit import engine_process, make_image

from wan_desktop.fal import FalClient
from wan_desktop.fal.errors import DownloadError
from wan_desktop.library import Library
from wan_desktop.library.export import ExportError
from wan_desktop.library.sidecar import comment_text
from wan_desktop.media.mp4meta import write_comment

ESCAPING_PROMPT = "../../../escape/../evil a slow pan"


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("security")
    home = base / "home"
    exports = base / "exports"
    exports.mkdir()
    image = make_image(base / "scene.png")
    key = unique_key()
    runs = {}
    with engine_process(key=key) as engine:
        env = cli_env(home, engine.base_url, key)
        gen = ["generate", str(image), "--prompt", ESCAPING_PROMPT, "--seed", "5", "--json"]
        runs["generate"] = wan(*gen, env=env)
        engine.set_fault("auth", count=-1)
        runs["generate_auth"] = wan(*gen, env=env)
        engine.clear_faults()
        engine.set_fault("moderate", count=1)
        runs["generate_moderate"] = wan(*gen, env=env)
        engine.set_fault("fail_request", count=1)
        runs["generate_failed"] = wan(*gen, env=env)
        engine.clear_faults()
        entry_id = json.loads(runs["generate"].stdout)["id"] if runs["generate"].stdout else ""
        runs["jobs_list"] = wan("jobs", "list", env=env)
        runs["jobs_list_json"] = wan("jobs", "list", "--json", env=env)
        runs["library_list"] = wan("library", "list", "--json", env=env)
        runs["library_show"] = wan("library", "show", entry_id, "--json", env=env)
        runs["library_show_text"] = wan("library", "show", entry_id, env=env)
        runs["library_export"] = wan(
            "library", "export", entry_id, str(exports), "--template", "{prompt}",
            "--with-sidecar", "--json", env=env,
        )  # fmt: skip
        runs["library_export_escape"] = wan(
            "library", "export", entry_id, str(exports), "--template", "../{id}", env=env
        )
    return {
        "key": key,
        "home": home,
        "exports": exports,
        "base": base,
        "runs": runs,
        "entry_id": entry_id,
    }


def _needles(key: str) -> list[bytes]:
    key_id, _, secret = key.partition(":")
    return [key.encode(), key_id.encode(), secret.encode()]


def test_the_runs_did_what_they_should(full_run):
    runs = full_run["runs"]
    assert runs["generate"].returncode == 0, runs["generate"].stderr
    assert full_run["entry_id"]
    # The failing runs failed for the reasons set up, with an error text to inspect.
    assert runs["generate_auth"].returncode == 3, runs["generate_auth"].stderr
    assert runs["generate_moderate"].returncode == 3, runs["generate_moderate"].stderr
    assert runs["generate_failed"].returncode == 4, runs["generate_failed"].stderr
    for name in ("generate_auth", "generate_moderate", "generate_failed"):
        assert runs[name].stderr.strip()
    for name in ("jobs_list", "jobs_list_json", "library_list", "library_show", "library_export"):
        assert runs[name].returncode == 0, (name, runs[name].stderr)


def test_key_is_in_no_output(full_run):
    for name, run in full_run["runs"].items():
        for needle in _needles(full_run["key"]):
            text = needle.decode()
            assert text not in run.stdout, f"key in the stdout of {name}"
            assert text not in run.stderr, f"key in the stderr of {name}"


def test_key_is_in_no_file(full_run):
    files = [p for root in (full_run["home"], full_run["exports"]) for p in root.rglob("*")]
    files = [p for p in files if p.is_file()]
    names = {p.name for p in files}
    # The places the key could end up were written: the database, sidecars, the export.
    assert "library.db" in names and "entry.json" in names
    assert any(p.suffix == ".json" for p in full_run["exports"].iterdir())
    for path in files:
        data = path.read_bytes()
        for needle in _needles(full_run["key"]):
            assert needle not in data, f"key found in {path}"


def _world_writable(full_run, want_dirs: bool) -> tuple[list[str], int]:
    found, checked = [], 0
    for root in (full_run["home"], full_run["exports"]):
        for path in [root, *root.rglob("*")]:
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode) or stat.S_ISDIR(mode) != want_dirs:
                continue
            checked += 1
            if mode & stat.S_IWOTH:
                found.append(f"{stat.filemode(mode)} {path}")
    return found, checked


def test_library_files_are_not_world_writable(full_run):
    found, checked = _world_writable(full_run, want_dirs=False)
    assert checked > 5
    assert not found, found


def test_library_folders_are_not_world_writable_even_under_umask_000(full_run):
    found, checked = _world_writable(full_run, want_dirs=True)
    assert checked > 5
    assert not found, found


def test_export_stays_in_its_folder(full_run):
    runs, exports = full_run["runs"], full_run["exports"]
    # The prompt holds "../" runs: the file still lands directly in the folder.
    exported = Path(json.loads(runs["library_export"].stdout)["path"])
    assert exported.parent == exports and exported.is_file()
    # A template that climbs out is refused, and nothing is written.
    refused = runs["library_export_escape"]
    assert refused.returncode != 0 and "template" in refused.stderr.lower()
    outside = {p.name for p in full_run["base"].iterdir()}
    assert outside == {"home", "exports", "scene.png"}
    with Library.open(full_run["home"] / "library") as lib:
        for template in ("../{id}", "..\\{id}", "/tmp/{id}", "{id}/../../x", "sub/{id}"):
            with pytest.raises(ExportError):
                lib.export(full_run["entry_id"], exports, template)
    assert {p.name for p in full_run["base"].iterdir()} == outside


def test_import_of_a_video_naming_outside_files_stays_inside(full_run, tmp_path):
    with Library.open(full_run["home"] / "library") as lib:
        entry = lib.get(full_run["entry_id"])
        data = json.loads(Path(entry.sidecar_path).read_text())
        data["id"] = "0" * 10 + "ZZZZZZ"  # not one of ours: a fresh id is made
        data["files"] = {**data["files"], "video": "../../../../escaped.mp4"}
        for bad_id in ("../../../escaped", data["id"]):
            crafted = tmp_path / f"crafted-{len(bad_id)}.mp4"
            write_comment(entry.video_path, crafted, comment_text({**data, "id": bad_id}))
            before = {p for p in full_run["base"].rglob("*")}
            imported = lib.import_video(crafted)
            root = lib.root
            assert Path(imported.video_path).resolve().is_relative_to(root)
            assert Path(imported.folder).resolve().is_relative_to(root)
            assert ".." not in imported.id and "/" not in imported.id
            created = {p for p in full_run["base"].rglob("*")} - before
            assert all(p.resolve().is_relative_to(root) for p in created), created
    assert not list(full_run["base"].rglob("escaped*"))


def test_download_refuses_plain_http_to_other_hosts(tmp_path):
    tmp_path = tmp_path / "downloads"
    tmp_path.mkdir()

    async def go(transport):
        async with FalClient("sk-test", base_url="http://127.0.0.1:9", transport=transport) as c:
            for url in (
                "http://example.com/x.mp4",
                "http://203.0.113.7/x.mp4",
                "ftp://127.0.0.1/x.mp4",
                "file:///etc/passwd",
                "http://localhost.example.com/x.mp4",
            ):
                with pytest.raises(DownloadError) as info:
                    await c.download(url, tmp_path / "x.mp4")
                assert "sk-test" not in str(info.value)

    transport = RecordingTransport()
    asyncio.run(go(transport))
    assert transport.requests == []  # refused before any request
    assert list(tmp_path.iterdir()) == []


def test_redirect_from_loopback_to_outside_http_is_not_followed(tmp_path):
    tmp_path = tmp_path / "downloads"
    tmp_path.mkdir()
    with MediaServer() as media:
        transport = RecordingTransport()

        async def go():
            async with FalClient("sk-secret-1", base_url=media.base_url, transport=transport) as c:
                for target in ("http://203.0.113.7/x.mp4", "http://example.com/x.mp4"):
                    with pytest.raises(DownloadError) as info:
                        await c.download(f"{media.base_url}/redirect?to={target}", tmp_path / "v")
                    assert "only https" in str(info.value)
                # A redirect that stays on the engine is followed; the key is never sent.
                ok = await c.download(f"{media.base_url}/redirect?to=/clip.mp4", tmp_path / "v")
                return ok

        result = asyncio.run(go())
    assert result.path.is_file()
    hosts = {url.host for url in transport.requests}
    assert hosts == {"127.0.0.1"}, transport.requests
    assert all("authorization" not in {k.lower() for k in h} for _, h in media.seen)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v"]  # no .part left behind
    assert os.stat(result.path).st_size > 0
