"""One Durable Object's SQLite file, in workerd's layout, and its transaction state.

Layout (what workerd's ``ActorSqlite`` writes, checked against ``tests/fixtures/wrangler``):
``_cf_KV`` holds the key-value API's data (values in V8 format) and ``_cf_METADATA`` the alarm time
(row ``key = 1``, nanoseconds since the epoch). Both tables are created on first write with
workerd's exact DDL, so a fresh object is a one-page database (``sql.databaseSize`` = 4096), and the
user's ``ctx.storage.sql`` tables sit beside them in the same file.

Transactions. Every write (key-value, alarm or user SQL) goes straight into SQLite inside one
*implicit* transaction, opened by the first write (``begin()``) and committed by ``commit()``, which
the ``OutputGate`` triggers once per loop iteration through ``DurableObjectStorage.flush()``: all
writes made in between are one atomic batch, as in workerd. ``transaction()`` and
``transactionSync()`` nest savepoints inside it; ``commit()`` waits while one is open.

Connections run in WAL mode with ``synchronous=NORMAL`` (a committed batch survives ``kill -9``),
foreign keys on, and workerd's limits (``SQLITE_LIMIT_LENGTH`` = 2,200,000, ...). User SQL runs with
``trusted = False``, which turns on workerd's authorizer rules (see ``sql.authorize``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pyworker.storage import limits
from pyworker.storage.files import create_private_file, private_dir

__all__ = ["KeyRange", "SqliteStore"]

# A tag in every internal statement's text, so user SQL can never hit one of their cached (and
# already authorized) statements by typing the same text.
_TAG = f"/*{secrets.token_hex(6)}*/"

# workerd util/sqlite-kv.c++ and sqlite-metadata.c++, byte for byte (the text lands in sqlite_master).
_CREATE_KV = """
      CREATE TABLE IF NOT EXISTS _cf_KV (
        key TEXT PRIMARY KEY,
        value BLOB
      ) WITHOUT ROWID;
    """ + _TAG
_CREATE_METADATA = """
      CREATE TABLE IF NOT EXISTS _cf_METADATA (
        key INTEGER PRIMARY KEY,
        value BLOB
      );
    """ + _TAG
_BEGIN, _COMMIT, _ROLLBACK = f"BEGIN {_TAG}", f"COMMIT {_TAG}", f"ROLLBACK {_TAG}"
_NAME_TABLE = f"CREATE TABLE IF NOT EXISTS __miniflare_do_name (id INTEGER PRIMARY KEY, name TEXT) {_TAG}"
_NAME_PUT = f"INSERT OR REPLACE INTO __miniflare_do_name (id, name) VALUES (1, ?) {_TAG}"
_KV_GET = f"SELECT value FROM _cf_KV WHERE key = ? {_TAG}"
_KV_PUT = f"INSERT INTO _cf_KV VALUES(?, ?) ON CONFLICT DO UPDATE SET value = excluded.value {_TAG}"
_KV_DELETE = f"DELETE FROM _cf_KV WHERE key = ? {_TAG}"
_KV_COUNT = f"SELECT count(*) FROM _cf_KV {_TAG}"
_ALARM_GET = f"SELECT value FROM _cf_METADATA WHERE key = 1 {_TAG}"
_ALARM_SET = f"INSERT INTO _cf_METADATA VALUES(1, ?) ON CONFLICT DO UPDATE SET value = excluded.value {_TAG}"
_TABLES = f"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('_cf_KV', '_cf_METADATA') {_TAG}"
_DATABASE_SIZE = (
    f"SELECT (SELECT * FROM pragma_page_count) - (SELECT * FROM pragma_freelist_count), "
    f"(SELECT * FROM pragma_page_size) {_TAG}"
)
_LIMITS = (
    (sqlite3.SQLITE_LIMIT_LENGTH, limits.SQLITE_MAX_LENGTH),
    (sqlite3.SQLITE_LIMIT_SQL_LENGTH, limits.SQLITE_MAX_SQL_LENGTH),
    (sqlite3.SQLITE_LIMIT_COLUMN, limits.SQLITE_MAX_COLUMNS),
    (sqlite3.SQLITE_LIMIT_EXPR_DEPTH, limits.SQLITE_MAX_EXPR_DEPTH),
    (sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, limits.SQLITE_MAX_COMPOUND_SELECT),
    (sqlite3.SQLITE_LIMIT_VDBE_OP, limits.SQLITE_MAX_VDBE_OPS),
    (sqlite3.SQLITE_LIMIT_FUNCTION_ARG, limits.SQLITE_MAX_FUNCTION_ARGS),
    (sqlite3.SQLITE_LIMIT_ATTACHED, 0),
    (sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, limits.SQLITE_MAX_LIKE_PATTERN_LENGTH),
    (sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limits.SQLITE_MAX_VARIABLES),
    (sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH, limits.SQLITE_MAX_TRIGGER_DEPTH),
    (sqlite3.SQLITE_LIMIT_WORKER_THREADS, 0),
)
_BATCH = limits.SQLITE_MAX_VARIABLES  # keys per IN (...) query

Authorizer = Callable[[int, "str | None", "str | None", "str | None", "str | None"], int]


class KeyRange:
    """A compiled ``list()`` range: keys ``start <= key < end`` (either bound may be open)."""

    __slots__ = ("end", "limit", "reverse", "start")

    def __init__(self, start: str | None, end: str | None, reverse: bool, limit: int | None) -> None:
        self.start = start
        self.end = end
        self.reverse = reverse
        self.limit = limit


class SqliteStore:
    """Synchronous access to one object's SQLite file; opened on first use."""

    def __init__(self, path: Path, name: str | None = None) -> None:
        self.path = path
        self.name = name
        """The name the object's id was derived from, recorded with the first write (as wrangler 4.86
        does), so a renamed class's objects can be re-keyed and found again by name."""
        self._name_recorded = name is None
        self._db: sqlite3.Connection | None = None
        self._savepoints: list[str] = []
        self._kv_table = False
        self._metadata_table = False
        self.trusted = True
        self.user_authorizer: Authorizer | None = None
        self.auth_error: BaseException | None = None

    # -- connection ---------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection (the file and its folder are created on first use, readable by the user only)."""
        db = self._db
        if db is None:
            db = self._db = self._open()
        return db

    def _open(self) -> sqlite3.Connection:
        private_dir(self.path.parent)
        create_private_file(self.path)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, cached_statements=256)
        db.execute(f"PRAGMA journal_mode=WAL {_TAG}")
        db.execute(f"PRAGMA synchronous=NORMAL {_TAG}")
        db.execute(f"PRAGMA foreign_keys=ON {_TAG}")  # workerd builds SQLite with SQLITE_DEFAULT_FOREIGN_KEYS=1
        for limit, value in _LIMITS:
            db.setlimit(limit, value)
        db.set_authorizer(self._authorize)
        self._db = db
        self._refresh_tables()
        return db

    def _authorize(
        self, action: int, arg1: str | None, arg2: str | None, db_name: str | None, source: str | None
    ) -> int:
        if self.trusted or self.user_authorizer is None:
            return sqlite3.SQLITE_OK
        return self.user_authorizer(action, arg1, arg2, db_name, source)

    def _refresh_tables(self) -> None:
        names = {row[0] for row in self.db.execute(_TABLES)}
        self._kv_table = "_cf_KV" in names
        self._metadata_table = "_cf_METADATA" in names

    @contextlib.contextmanager
    def untrusted(self, authorizer: Authorizer) -> Iterator[sqlite3.Connection]:
        """Run user SQL: statements prepared inside are checked by ``authorizer``."""
        db = self.db
        self.user_authorizer = authorizer
        self.trusted = False
        self.auth_error = None
        try:
            yield db
        finally:
            self.trusted = True

    def close(self) -> None:
        """Close the connection (uncommitted work is rolled back); the next access reopens it."""
        if self._db is not None:
            self._db.close()
            self._db = None
            self._savepoints.clear()

    def reset(self) -> None:
        """Delete the whole database (workerd's ``SqliteDatabase::reset()``): a new, empty file."""
        if self._db is not None and self._db.in_transaction:
            self._db.execute(_ROLLBACK)
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")
        self._kv_table = self._metadata_table = False

    # -- transactions -------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """True while the implicit transaction holds uncommitted work."""
        return self._db is not None and self._db.in_transaction

    @property
    def savepoint_depth(self) -> int:
        """Number of open savepoints (``transaction()`` / ``transactionSync()`` nesting)."""
        return len(self._savepoints)

    @property
    def innermost_savepoint(self) -> str | None:
        """Name of the innermost open savepoint, if any."""
        return self._savepoints[-1] if self._savepoints else None

    def begin(self) -> None:
        """Open the implicit transaction if it is not open (call before any write)."""
        db = self.db
        if not db.in_transaction:
            db.execute(_BEGIN)
        if not self._name_recorded:
            db.execute(_NAME_TABLE)
            db.execute(_NAME_PUT, (self.name,))
            self._name_recorded = True

    def commit(self) -> bool:
        """Commit the implicit transaction; False (nothing done) while a savepoint is open."""
        if self._savepoints or self._db is None or not self._db.in_transaction:
            return not self._savepoints
        self._db.execute(_COMMIT)
        return True

    def rollback(self) -> None:
        """Discard the implicit transaction and every savepoint in it."""
        if self._db is not None and self._db.in_transaction:
            self._db.execute(_ROLLBACK)
        self._savepoints.clear()
        if self._db is not None:
            self._refresh_tables()

    def savepoint(self, prefix: str) -> str:
        """Open a nested savepoint named ``<prefix><depth>`` (as workerd names them); returns the name."""
        self.begin()
        name = f"{prefix}{len(self._savepoints)}"
        self.db.execute(f"SAVEPOINT {name} {_TAG}")
        self._savepoints.append(name)
        return name

    def release(self, name: str) -> None:
        """Keep the savepoint's changes in the enclosing transaction."""
        self._pop(name)
        self.db.execute(f"RELEASE {name} {_TAG}")

    def rollback_to(self, name: str) -> None:
        """Undo everything since the savepoint and close it."""
        self._pop(name)
        db = self.db
        db.execute(f"ROLLBACK TO {name} {_TAG}")
        db.execute(f"RELEASE {name} {_TAG}")
        self._refresh_tables()

    def _pop(self, name: str) -> None:
        if not self._savepoints or self._savepoints[-1] != name:
            raise RuntimeError(f"savepoint {name} is not the innermost one (open: {self._savepoints})")
        self._savepoints.pop()

    # -- key-value (_cf_KV) -------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """The encoded value of ``key``, or None."""
        db = self.db
        if not self._kv_table:
            return None
        row = db.execute(_KV_GET, (key,)).fetchone()
        return None if row is None else row[0]

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        """The encoded values of the keys that exist."""
        db = self.db
        if not keys or not self._kv_table:
            return {}
        found: dict[str, bytes] = {}
        for i in range(0, len(keys), _BATCH):
            chunk = keys[i : i + _BATCH]
            marks = ",".join("?" * len(chunk))
            found.update(db.execute(f"SELECT key, value FROM _cf_KV WHERE key IN ({marks}) {_TAG}", chunk))
        return found

    def list(self, key_range: KeyRange) -> Iterator[tuple[str, bytes]]:
        """Rows in ``key_range``, in key order (UTF-8 byte order, SQLite's BINARY collation), read lazily."""
        db = self.db
        if not self._kv_table:
            return iter(())
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
        return db.execute(f"{sql} {_TAG}", args)

    def put(self, key: str, value: bytes) -> None:
        """Write one row (inside the implicit transaction)."""
        db = self.db
        if not db.in_transaction:
            db.execute(_BEGIN)
        if not self._name_recorded:
            db.execute(_NAME_TABLE)
            db.execute(_NAME_PUT, (self.name,))
            self._name_recorded = True
        if not self._kv_table:
            self._create(_CREATE_KV)
            self._kv_table = True
        db.execute(_KV_PUT, (key, value))

    def put_many(self, pairs: Iterable[tuple[str, bytes]]) -> None:
        """Write several rows (inside the implicit transaction)."""
        self.begin()
        if not self._kv_table:
            self._create(_CREATE_KV)
            self._kv_table = True
        self.db.executemany(_KV_PUT, pairs)

    def delete(self, key: str) -> bool:
        """Delete one row; True if it existed."""
        db = self.db
        if not self._kv_table:
            return False
        if not db.in_transaction:
            db.execute(_BEGIN)
        return db.execute(_KV_DELETE, (key,)).rowcount > 0

    def count(self) -> int:
        """Number of keys."""
        db = self.db
        return db.execute(_KV_COUNT).fetchone()[0] if self._kv_table else 0

    def _create(self, ddl: str) -> None:
        self.db.execute(ddl)

    # -- metadata (_cf_METADATA) --------------------------------------------------------------

    def get_alarm_ns(self) -> int | None:
        """The stored alarm time in nanoseconds since the epoch, or None."""
        db = self.db
        if not self._metadata_table:
            return None
        row = db.execute(_ALARM_GET).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def set_alarm_ns(self, ns: int | None) -> None:
        """Store the alarm time (None: a NULL value, as workerd writes for a deleted alarm)."""
        self.begin()
        if not self._metadata_table:
            self._create(_CREATE_METADATA)
            self._metadata_table = True
        self.db.execute(_ALARM_SET, (ns,))

    # -- size ---------------------------------------------------------------------------------

    def database_size(self) -> int:
        """Bytes in use: (page_count - freelist_count) * page_size, as workerd's ``databaseSize``."""
        pages, page_size = self.db.execute(_DATABASE_SIZE).fetchone()
        return int(pages) * int(page_size)
