"""The SQLite index: one connection, one lock, transactions, and what to do when the file is
damaged.

Threads: one :class:`Index` may be used from any thread; its lock serializes every statement
on the one connection. The index is disposable (every entry folder carries its sidecar), so a
damaged ``library.db`` is moved aside as ``library.db.corrupt-<time>`` (with its ``-wal`` and
``-shm``) and a fresh one is made; the caller rebuilds it and says where the old one went.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import clock, migrations
from .errors import LibraryClosedError
from .paths import LibraryPaths

__all__ = ["Connect", "Index", "connect", "move_corrupt"]

#: Opens the database of a library: ``(connection, schema version found before migrating)``.
Connect = Callable[[LibraryPaths], tuple[sqlite3.Connection, int]]


def connect(paths: LibraryPaths) -> tuple[sqlite3.Connection, int]:
    """Open (creating and migrating) ``paths.db``; returns the connection and the schema
    version it had before. Raises ``sqlite3.DatabaseError`` for a damaged file."""
    conn = sqlite3.connect(paths.db, isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # WAL + NORMAL: every commit is atomic and consistent; only the last commits may
        # be lost on power failure, and the sidecars bring those back on rebuild.
        conn.execute("PRAGMA synchronous = NORMAL")
        before = migrations.migrate(conn)
    except BaseException:
        conn.close()
        raise
    with contextlib.suppress(OSError):
        os.chmod(paths.db, 0o644)
    return conn, before


def move_corrupt(paths: LibraryPaths) -> Path:
    """Move a damaged ``library.db`` (and its ``-wal``/``-shm``) aside; returns its new path,
    ``library.db.corrupt-<UTC time>[-N]``."""
    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    target = paths.db.with_name(f"{paths.db.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = paths.db.with_name(f"{paths.db.name}.corrupt-{stamp}-{n}")
    os.replace(paths.db, target)
    for extra in ("-wal", "-shm"):
        side = paths.db.with_name(paths.db.name + extra)
        if side.exists():
            os.replace(side, target.with_name(target.name + extra))
    return target


class Index:
    """The open index of one library. ``fresh`` is True when it holds no rows from before
    (new, emptied, or made again after damage); ``corrupt_moved_to`` says where a damaged
    file went (``None`` when none was found)."""

    def __init__(self, paths: LibraryPaths, open_db: Connect):
        self.paths = paths
        self._open_db = open_db
        self.lock = threading.RLock()
        self.closed = False
        self.corrupt_moved_to: Path | None = None
        existed = paths.db.exists()
        try:
            self.conn, before = open_db(paths)
        except sqlite3.DatabaseError:
            self.corrupt_moved_to = move_corrupt(paths)
            self.conn, before = open_db(paths)
            existed = False
        self.fresh = not existed or before == 0

    def close(self) -> None:
        """Close the connection (idempotent). Any thread."""
        with self.lock:
            if not self.closed:
                self.closed = True
                self.conn.close()

    def _check_open(self) -> None:
        if self.closed:
            raise LibraryClosedError("the library is closed")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``), rolled back if the block raises."""
        with self.lock:
            self._check_open()
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple]:
        """All rows of one statement."""
        with self.lock:
            self._check_open()
            return self.conn.execute(sql, params).fetchall()

    def replace_if_damaged(self) -> Path | None:
        """Run SQLite's quick check; when it fails, move the file aside and open a fresh one.
        Returns where the damaged file went (``None`` when it was sound)."""
        with self.lock:
            self._check_open()
            try:
                ok = self.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                ok = False
            if ok:
                return None
            self.conn.close()
            moved = move_corrupt(self.paths)
            self.conn, _ = self._open_db(self.paths)
            self.corrupt_moved_to = moved
            return moved
