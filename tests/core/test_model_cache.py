"""The cache of fal's answers: in the settings folder, dated, keyed by a fingerprint of the key."""

from __future__ import annotations

import os

import pytest

from wan_desktop.core.model_cache import DAY_S, CacheRecord, ServiceCache, key_fingerprint
from wan_desktop.core.paths import app_paths

URL = "https://api.fal.ai/v1"
EP = "wan/v2.6/image-to-video/flash"
KEY = "key-id-1234:secret-abcdefgh"


@pytest.fixture
def cache() -> ServiceCache:
    return ServiceCache.for_paths(app_paths())


def record(**kw) -> CacheRecord:
    base = dict(endpoint_id=EP, service_url=URL, key=KEY, payload={"x": 1}, fetched_at=1000.0)
    base.update(kw)
    return CacheRecord.new(**base)


def test_lives_in_the_settings_folder(cache, wan_home):
    assert cache.folder.parent == app_paths().settings_file.parent
    cache.save("schema", record())
    assert (cache.folder / "schema.json").exists()


def test_round_trip_keeps_the_time_and_never_the_key(cache):
    cache.save("price", record(payload={"unit_price": 0.07}))
    loaded = cache.load("price")
    assert loaded == record(payload={"unit_price": 0.07})
    assert loaded.fetched_at == 1000.0
    text = cache.path("price").read_text(encoding="utf-8")
    for part in (KEY, *KEY.split(":")):
        assert part not in text
    if os.name != "nt":
        assert cache.path("price").stat().st_mode & 0o777 == 0o600


def test_freshness_is_a_day():
    r = record()
    assert not r.is_stale(now=1000.0 + DAY_S - 1)
    assert r.is_stale(now=1000.0 + DAY_S + 1)
    assert r.is_stale(max_age_s=60, now=1100.0)
    assert r.is_stale(now=1000.0 - 3600)  # dated in the future: a wrong clock


def test_a_new_key_or_service_is_not_fresh():
    r = record()
    assert r.is_fresh_for(EP, URL, KEY, now=1001.0)
    assert r.is_fresh_for(EP, URL + "/", KEY, now=1001.0)
    assert not r.is_fresh_for(EP, URL, "another-key-5678", now=1001.0)
    assert not r.is_fresh_for(EP, URL, None, now=1001.0)
    assert not r.is_fresh_for(EP, "https://other.test/v1", KEY, now=1001.0)
    assert not r.is_fresh_for("other/model", URL, KEY, now=1001.0)


def test_fingerprints_tell_keys_apart_without_showing_them():
    assert key_fingerprint(None) == key_fingerprint("") == ""
    a, b = key_fingerprint(KEY), key_fingerprint(KEY + "x")
    assert a != b and len(a) == 16 and KEY not in a
    assert key_fingerprint(f"  {KEY}\n") == a


@pytest.mark.parametrize(
    "content", [b"", b"{", b"[]", b'{"endpoint_id": 1}', b'{"version": 99}', b"\xff\xfe"]
)
def test_damaged_files_read_as_nothing(cache, content):
    cache.folder.mkdir(parents=True)
    cache.path("schema").write_bytes(content)
    assert cache.load("schema") is None


def test_a_missing_file_reads_as_nothing(cache):
    assert cache.load("schema") is None and cache.load("price") is None


def test_unknown_kinds_are_refused(cache):
    with pytest.raises(ValueError):
        cache.path("../settings")


def test_a_deeply_nested_file_reads_as_nothing(cache):
    cache.folder.mkdir(parents=True)
    deep = b"[" * 200_000 + b"]" * 200_000
    cache.path("schema").write_bytes(b'{"payload": {"a": ' + deep + b"}}")
    assert cache.load("schema") is None
