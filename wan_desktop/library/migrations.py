"""The index's schema, as an ordered list of migrations.

``PRAGMA user_version`` holds the number of migrations applied. Each migration is a list of
SQL statements run in one transaction with the version bump, so a database is always at a
whole version. Never edit a released step: append a new one, and check in an empty database
of the old version under ``tests/library/schemas/`` (``tests/library/make_schema.py``) so the
upgrade from every past version stays tested.

Why the shape:
- ``seq INTEGER PRIMARY KEY`` is the rowid the FTS index points at; an explicit alias keeps it
  stable across ``VACUUM`` (an implicit rowid may be renumbered).
- ``created_ms`` (from the id) sorts and pages; partial indexes over live (not trashed) rows
  serve the list pages without touching other rows.
- ``tags`` holds the JSON list; FTS tokenizes it to the tag words. ``entry_tags`` lists them one
  per row for tag lookups.
- ``parent_id`` has no foreign key on purpose: a parent may be trashed, purged or never have
  been in this library (an imported video), and rebuild inserts in folder order.
- ``source_sha256`` is the hash of an imported file before our comment was added: importing
  the same file twice finds it.
- ``data`` is the sidecar JSON, so :meth:`Library.get` needs no file read.
"""

from __future__ import annotations

import sqlite3

from .errors import LibraryError

__all__ = ["CURRENT_VERSION", "MIGRATIONS", "SchemaTooNewError", "migrate", "schema_version"]

MIGRATIONS: list[list[str]] = [
    # v1
    [
        """
        CREATE TABLE entries (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            folder TEXT NOT NULL UNIQUE,
            video_file TEXT NOT NULL,
            image_file TEXT,
            audio_file TEXT,
            poster_file TEXT,
            last_frame_file TEXT,
            prompt TEXT NOT NULL DEFAULT '',
            negative_prompt TEXT NOT NULL DEFAULT '',
            actual_prompt TEXT NOT NULL DEFAULT '',
            seed INTEGER,
            resolution TEXT NOT NULL DEFAULT '',
            width INTEGER NOT NULL DEFAULT 0,
            height INTEGER NOT NULL DEFAULT 0,
            duration_s REAL NOT NULL DEFAULT 0,
            has_audio INTEGER NOT NULL DEFAULT 0,
            video_sha256 TEXT NOT NULL DEFAULT '',
            source_sha256 TEXT,
            size_bytes INTEGER NOT NULL DEFAULT 0,
            request_id TEXT NOT NULL DEFAULT '',
            endpoint TEXT NOT NULL DEFAULT '',
            cost_usd REAL,
            parent_id TEXT,
            favourite INTEGER NOT NULL DEFAULT 0,
            tags TEXT NOT NULL DEFAULT '[]',
            notes TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            trashed_at TEXT,
            data TEXT NOT NULL DEFAULT '{}'
        )
        """,
        "CREATE INDEX entries_live_created ON entries (created_ms, id) WHERE trashed_at IS NULL",
        "CREATE INDEX entries_live_duration ON entries (duration_s, created_ms) "
        "WHERE trashed_at IS NULL",
        "CREATE INDEX entries_trashed ON entries (trashed_at) WHERE trashed_at IS NOT NULL",
        "CREATE INDEX entries_sha ON entries (video_sha256)",
        "CREATE INDEX entries_source_sha ON entries (source_sha256) "
        "WHERE source_sha256 IS NOT NULL",
        "CREATE INDEX entries_parent ON entries (parent_id) WHERE parent_id IS NOT NULL",
        """
        CREATE TABLE entry_tags (
            entry_id TEXT NOT NULL REFERENCES entries (id) ON DELETE CASCADE ON UPDATE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (entry_id, tag)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX entry_tags_tag ON entry_tags (tag)",
        # External-content FTS: the text lives once, in entries; triggers keep the index in step.
        """
        CREATE VIRTUAL TABLE entries_fts USING fts5 (
            prompt, negative_prompt, actual_prompt, tags, notes, title,
            content='entries', content_rowid='seq',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3'
        )
        """,
        """
        CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
            INSERT INTO entries_fts (rowid, prompt, negative_prompt, actual_prompt, tags, notes,
                                     title)
            VALUES (new.seq, new.prompt, new.negative_prompt, new.actual_prompt, new.tags,
                    new.notes, new.title);
        END
        """,
        """
        CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
            INSERT INTO entries_fts (entries_fts, rowid, prompt, negative_prompt, actual_prompt,
                                     tags, notes, title)
            VALUES ('delete', old.seq, old.prompt, old.negative_prompt, old.actual_prompt,
                    old.tags, old.notes, old.title);
        END
        """,
        """
        CREATE TRIGGER entries_fts_update AFTER UPDATE OF prompt, negative_prompt, actual_prompt,
                tags, notes, title ON entries BEGIN
            INSERT INTO entries_fts (entries_fts, rowid, prompt, negative_prompt, actual_prompt,
                                     tags, notes, title)
            VALUES ('delete', old.seq, old.prompt, old.negative_prompt, old.actual_prompt,
                    old.tags, old.notes, old.title);
            INSERT INTO entries_fts (rowid, prompt, negative_prompt, actual_prompt, tags, notes,
                                     title)
            VALUES (new.seq, new.prompt, new.negative_prompt, new.actual_prompt, new.tags,
                    new.notes, new.title);
        END
        """,
    ],
    # v2: the job queue (wan_desktop.jobs.store), in the same database so a job and the
    # entry it files live and move together. Indexed columns plus the record as JSON.
    [
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            position REAL NOT NULL,
            state TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            data TEXT NOT NULL
        )
        """,
        "CREATE INDEX jobs_state ON jobs (state)",
    ],
    # v3: takes (issue 17) and sequences (issue 18). The take fields are columns so the
    # contact sheet's group, the rating sort and the pick/reject filters are index lookups;
    # rows from before have no group, no rating and no flag, which the defaults say.
    # A sequence is its JSON (the file under sequences/ is the source of truth, as the
    # sidecar is for an entry) with the columns a list needs.
    [
        "ALTER TABLE entries ADD COLUMN group_id TEXT",
        "ALTER TABLE entries ADD COLUMN variant TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE entries ADD COLUMN rating INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE entries ADD COLUMN flag TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX entries_group ON entries (group_id, created_ms) WHERE group_id IS NOT NULL",
        "CREATE INDEX entries_live_rating ON entries (rating, created_ms) WHERE trashed_at IS NULL",
        """
        CREATE TABLE sequences (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            data TEXT NOT NULL
        )
        """,
        "CREATE INDEX sequences_updated ON sequences (updated_at)",
    ],
    # v4: a take's place in its group (issue 17). The takes of one click are filed as each
    # finishes, so with two jobs at once the filing time (created_ms) is not the queue
    # order; ``take`` is the 1-based position it was queued at (0: not known, a clip made
    # alone or filed before v4, which then sort by filing time as before).
    [
        "ALTER TABLE entries ADD COLUMN take INTEGER NOT NULL DEFAULT 0",
        "DROP INDEX entries_group",
        "CREATE INDEX entries_group ON entries (group_id, take, created_ms) "
        "WHERE group_id IS NOT NULL",
    ],
]

CURRENT_VERSION = len(MIGRATIONS)


class SchemaTooNewError(LibraryError, RuntimeError):
    """The index was written by a newer wan-desktop (its schema version is unknown here)."""


def schema_version(conn: sqlite3.Connection) -> int:
    """The database's ``PRAGMA user_version``."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = CURRENT_VERSION) -> int:
    """Apply the missing migrations up to ``target``, each in its own transaction.

    Returns the version before migrating. Raises :class:`SchemaTooNewError` when the database
    is newer than this code. ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    before = schema_version(conn)
    if before > CURRENT_VERSION:
        raise SchemaTooNewError(
            f"the library index has schema version {before}; this wan-desktop knows up to "
            f"{CURRENT_VERSION}. Update wan-desktop to open it."
        )
    for version in range(before + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if schema_version(conn) >= version:
                conn.execute("COMMIT")
                continue
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return before
