"""FAL_PLATFORM_URL and FAL_REST_URL: defaults, overrides, and plain http only to this machine."""

from __future__ import annotations

import pytest

from wan_desktop.core.endpoints import (
    DEFAULT_PLATFORM_URL,
    DEFAULT_REST_URL,
    resolve_platform_url,
    resolve_rest_url,
)


def test_defaults():
    assert resolve_platform_url({}) == DEFAULT_PLATFORM_URL == "https://api.fal.ai/v1"
    assert resolve_rest_url({"FAL_REST_URL": "  "}) == DEFAULT_REST_URL == "https://rest.fal.ai"


def test_overrides_drop_the_trailing_slash():
    env = {"FAL_PLATFORM_URL": "http://127.0.0.1:8123/v1/", "FAL_REST_URL": "https://x.test/"}
    assert resolve_platform_url(env) == "http://127.0.0.1:8123/v1"
    assert resolve_rest_url(env) == "https://x.test"


def test_the_process_environment_is_read(monkeypatch):
    monkeypatch.setenv("FAL_PLATFORM_URL", "https://platform.test/v1")
    assert resolve_platform_url() == "https://platform.test/v1"


@pytest.mark.parametrize("value", ["http://example.com/v1", "ftp://x", "api.fal.ai", "https://"])
def test_bad_values_are_refused_naming_the_variable(value):
    with pytest.raises(ValueError, match="FAL_PLATFORM_URL"):
        resolve_platform_url({"FAL_PLATFORM_URL": value})
    with pytest.raises(ValueError, match="FAL_REST_URL"):
        resolve_rest_url({"FAL_REST_URL": value})
