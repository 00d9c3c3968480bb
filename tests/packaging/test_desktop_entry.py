"""The desktop entry and the AppStream metainfo: valid for the freedesktop tools, and
consistent with each other, pyproject.toml and the CHANGELOG."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET

from packaging_helpers import (
    APP_ID,
    DESKTOP,
    METAINFO,
    MIME_TYPES,
    ROOT,
    desktop_entry,
    project,
    require_tool,
)


def test_desktop_file_validates():
    tool = require_tool("desktop-file-validate", "desktop-file-utils")
    done = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_metainfo_validates():
    tool = require_tool("appstreamcli", "appstream")
    done = subprocess.run(
        [tool, "validate", "--no-net", "--pedantic", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # Nothing worse than the pedantic note on the id's capitals and the info that this
    # AppStream version does not know <developer> yet.
    assert not re.search(r"^[EW]:", done.stdout, re.M), done.stdout


def test_desktop_entry_opens_images_in_the_drop_zone():
    entry = desktop_entry(DESKTOP.read_text(encoding="utf-8"))
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "wan-desktop %f"  # %f: one local file → `wan-desktop IMAGE`
    assert entry["TryExec"] == "wan-desktop"
    assert entry["Icon"] == "wan-desktop"
    assert entry["Terminal"] == "false"
    assert set(filter(None, entry["MimeType"].split(";"))) == MIME_TYPES
    assert entry["MimeType"].endswith(";")
    assert "AudioVideo" in entry["Categories"].split(";")
    assert "image-to-video" in entry["Keywords"].split(";")


def test_metainfo_matches_the_desktop_entry_and_the_project():
    root = ET.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == DESKTOP.name
    assert root.findtext("project_license") == project()["license"]
    assert root.find("content_rating").get("type").startswith("oars-")
    assert root.findtext("provides/binary") == "wan-desktop"
    assert {m.text for m in root.findall("provides/mediatype")} == MIME_TYPES
    screenshots = root.findall("screenshots/screenshot/image")
    assert screenshots
    for image in screenshots:
        # Each screenshot URL names a file kept in this repository.
        relative = image.text.split("/raw/main/", 1)[1]
        assert (ROOT / relative).is_file(), relative
    description = root.find("description")
    assert description is not None and len(description.findall("p")) >= 1


def _changelog_releases() -> list[tuple[str, str]]:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\] - (\d{4}-\d{2}-\d{2})$", text, re.M)


def test_releases_match_the_changelog_and_the_version():
    root = ET.parse(METAINFO).getroot()
    releases = [(r.get("version"), r.get("date")) for r in root.findall("releases/release")]
    assert releases == _changelog_releases()
    assert releases[0][0] == project()["version"]


def test_changelog_follows_keep_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "## [Unreleased]" in text
    assert "### Added" in text
    for version, _ in _changelog_releases():
        assert re.search(rf"^\[{re.escape(version)}\]: ", text, re.M), version
