"""Migrations: a fresh index is at the current version, and every past schema (an empty
database checked in under schemas/) opens and upgrades."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from wan_desktop.library import Library, migrations
from wan_desktop.library.migrations import SchemaTooNewError

SCHEMAS = Path(__file__).parent / "schemas"
PAST = sorted(SCHEMAS.glob("v*.db"), key=lambda p: int(p.stem[1:]))


def test_a_schema_file_is_checked_in_for_every_version():
    versions = {int(p.stem[1:]) for p in PAST}
    assert versions == set(range(1, migrations.CURRENT_VERSION + 1))


@pytest.mark.parametrize("schema", PAST, ids=[p.stem for p in PAST])
def test_every_past_schema_opens_and_migrates(schema: Path, tmp_path: Path, make):
    root = tmp_path / "lib"
    root.mkdir()
    shutil.copy(schema, root / "library.db")
    conn = sqlite3.connect(root / "library.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == int(schema.stem[1:])
    conn.close()
    with Library.open(root) as lib:
        version = lib._query("PRAGMA user_version")[0][0]
        assert version == migrations.CURRENT_VERSION
        entry = lib.add(make(prompt="migrated library still works"))
        assert [s.id for s in lib.search("migrated")] == [entry.id]
        assert lib._query("PRAGMA integrity_check")[0][0] == "ok"


def test_fresh_index_is_current_wal_with_foreign_keys(lib):
    assert lib._query("PRAGMA user_version")[0][0] == migrations.CURRENT_VERSION
    assert lib._query("PRAGMA journal_mode")[0][0] == "wal"
    assert lib._query("PRAGMA foreign_keys")[0][0] == 1


def test_an_index_from_a_newer_version_is_refused(tmp_path: Path):
    root = tmp_path / "lib"
    root.mkdir()
    conn = sqlite3.connect(root / "library.db")
    conn.execute(f"PRAGMA user_version = {migrations.CURRENT_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError, match=r"newer|Update"):
        Library.open(root)
    # And it was not taken for a corrupt file.
    assert (root / "library.db").exists()
    assert not list(root.glob("library.db.corrupt-*"))


def test_migrations_are_applied_one_version_at_a_time(tmp_path: Path):
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    assert migrations.migrate(conn, target=1) == 0
    assert migrations.schema_version(conn) == 1
    assert migrations.migrate(conn) == 1
    assert migrations.schema_version(conn) == migrations.CURRENT_VERSION
