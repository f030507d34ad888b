"""One Durable Object's SQLite file, in workerd's layout.

``_cf_KV(key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID`` holds the key-value API's data (values
in V8 format), ``_cf_METADATA`` holds the alarm time and the like, user tables sit beside them.
The file is opened in WAL mode: a committed batch survives the process being killed.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

__all__ = ["SqliteStore", "KeyRange"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS _cf_METADATA (key INTEGER PRIMARY KEY, value BLOB);
"""


class KeyRange:
    """A compiled ``list()`` range: keys ``start <= key < end`` (either bound may be open)."""

    __slots__ = ("start", "end", "reverse", "limit")

    def __init__(self, start: str | None, end: str | None, reverse: bool, limit: int | None) -> None:
        self.start = start
        self.end = end
        self.reverse = reverse
        self.limit = limit


class SqliteStore:
    """Synchronous access to one object's SQLite file; opened on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection (the file and its folder are created on first use, readable by the user only)."""
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def get(self, key: str) -> bytes | None:
        """The encoded value of ``key``, or None."""
        row = self.db.execute("SELECT value FROM _cf_KV WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        """The encoded values of the keys that exist."""
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(f"SELECT key, value FROM _cf_KV WHERE key IN ({marks})", keys)
        return dict(rows.fetchall())

    def list(self, key_range: KeyRange) -> list[tuple[str, bytes]]:
        """Rows in ``key_range``, in key order (UTF-8 byte order, SQLite's BINARY collation)."""
        where, args = [], []
        if key_range.start is not None:
            where.append("key >= ?")
            args.append(key_range.start)
        if key_range.end is not None:
            where.append("key < ?")
            args.append(key_range.end)
        sql = "SELECT key, value FROM _cf_KV"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY key DESC" if key_range.reverse else " ORDER BY key"
        if key_range.limit is not None:
            sql += " LIMIT ?"
            args.append(key_range.limit)
        return self.db.execute(sql, args).fetchall()

    def commit(self, writes: Iterable[tuple[str, bytes | None]]) -> None:
        """Apply a batch of writes (value None = delete) in one transaction."""
        db = self.db
        puts, deletes = [], []
        for key, value in writes:
            if value is None:
                deletes.append((key,))
            else:
                puts.append((key, value))
        db.execute("BEGIN")
        try:
            if deletes:
                db.executemany("DELETE FROM _cf_KV WHERE key = ?", deletes)
            if puts:
                db.executemany("INSERT OR REPLACE INTO _cf_KV (key, value) VALUES (?, ?)", puts)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def delete_all(self) -> None:
        """Remove every key (the file stays, as workerd resets the database in place)."""
        self.db.execute("DELETE FROM _cf_KV")

    def close(self) -> None:
        """Close the connection; the next access reopens it."""
        if self._db is not None:
            self._db.close()
            self._db = None
