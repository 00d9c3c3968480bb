"""Fixtures for the job tests: the input picture a request names."""

from __future__ import annotations

from pathlib import Path

import pytest
from wan_testkit import make_image


@pytest.fixture
def image(tmp_path: Path) -> Path:
    """A real landscape PNG in the test's folder, for a request's ``image``."""
    return make_image(tmp_path / "scene.png")
