"""A KV namespace's local data, in the layout ``wrangler dev`` (miniflare's ``KeyValueStorage``) uses.

Files, under the persist root (DO_SPEC §4.1)::

    v3/kv/miniflare-KVNamespaceObject/<object id>.sqlite   one row per key in _mf_entries
    v3/kv/<namespace id>/blobs/<blob id>                    the value of each key, one file each

``<object id>`` is ``idFromName("miniflare-KVNamespaceObject", <namespace id>)``, as for the Durable
Object miniflare keeps each namespace in. The table is miniflare's, byte for byte::

    CREATE TABLE _mf_entries (key TEXT PRIMARY KEY, blob_id TEXT NOT NULL,
                              expiration INTEGER,  -- ms since the epoch, or NULL
                              metadata TEXT)       -- JSON, or NULL

so ``wrangler dev`` and pyworker read each other's data. A put writes the blob file first, then
the row (committed at once, WAL mode), then deletes the blob the key had before; a crash in between
leaves at most an unreferenced file. Expired keys are dropped when read or listed.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from pyworker.errors import ConfigError
from pyworker.runtime.ids import IdFactory
from pyworker.storage.files import create_private_file, private_dir, write_private

__all__ = ["KV_OBJECT_KEY", "KeyValueEntry", "KeyValueStore", "kv_paths"]

KV_OBJECT_KEY = "miniflare-KVNamespaceObject"
"""The unique key of the Durable Object namespace miniflare stores KV namespaces in."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS _mf_entries (
  key TEXT PRIMARY KEY,
  blob_id TEXT NOT NULL,
  expiration INTEGER,
  metadata TEXT
);
CREATE INDEX IF NOT EXISTS _mf_entries_expiration_idx ON _mf_entries(expiration);
"""
_GET = "SELECT blob_id, expiration, metadata FROM _mf_entries WHERE key = ?"
_PUT = "INSERT OR REPLACE INTO _mf_entries (key, blob_id, expiration, metadata) VALUES (?, ?, ?, ?)"
_DELETE = "DELETE FROM _mf_entries WHERE key = ? RETURNING blob_id"
_DELETE_EXPIRED = "DELETE FROM _mf_entries WHERE expiration <= ? RETURNING blob_id"
_LIST = (
    "SELECT key, expiration, metadata FROM _mf_entries"
    " WHERE key > ? AND substr(key, 1, ?) = ? AND (expiration IS NULL OR expiration > ?)"
    " ORDER BY key LIMIT ?"
)


def kv_paths(persist_root: Path, namespace_id: str) -> tuple[Path, Path]:
    """The SQLite file and the blob folder of the namespace ``namespace_id``."""
    if namespace_id in ("", ".", "..") or any(char in namespace_id for char in "/\\\0"):
        raise ConfigError(
            f'[[kv_namespaces]] id "{namespace_id}" cannot name a folder: it must not contain "/", "\\" '
            'or NUL, nor be "." or "..", since the namespace\'s data lives in a folder of that name under '
            'the persist root. Fix: use the namespace\'s 32-character id, or a plain name such as "cache".'
        )
    object_id = IdFactory(KV_OBJECT_KEY).from_name(namespace_id).toString()
    kv_root = persist_root / "v3" / "kv"
    return kv_root / KV_OBJECT_KEY / f"{object_id}.sqlite", kv_root / namespace_id / "blobs"


@dataclass(frozen=True)
class KeyValueEntry:
    """A stored key: its value (None when only listed), expiration (ms) and metadata (JSON text)."""

    key: str
    value: bytes | None
    expiration_ms: int | None
    metadata_json: str | None


class KeyValueStore:
    """Synchronous access to one namespace's rows and blobs; the database opens on first use."""

    def __init__(self, persist_root: Path, namespace_id: str) -> None:
        self.path, self.blobs = kv_paths(persist_root, namespace_id)
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection (file, folders and table created on first use)."""
        if self._db is None:
            private_dir(self.path.parent)
            create_private_file(self.path)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def get(self, key: str, now_ms: float) -> KeyValueEntry | None:
        """The entry of ``key`` with its value, or None if it does not exist or has expired."""
        row = self.db.execute(_GET, (key,)).fetchone()
        if row is None:
            return None
        blob_id, expiration, metadata = row
        if expiration is not None and expiration <= now_ms:
            self.delete(key)
            return None
        try:
            value = (self.blobs / blob_id).read_bytes()
        except FileNotFoundError:
            return None
        return KeyValueEntry(key, value, expiration, metadata)

    def put(self, key: str, value: bytes, expiration_ms: int | None, metadata_json: str | None) -> None:
        """Store ``value`` under ``key`` (replacing it), committed when this returns."""
        blob_id = _new_blob_id()
        private_dir(self.blobs)
        write_private(self.blobs / blob_id, value)
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            previous = db.execute(_GET, (key,)).fetchone()
            db.execute(_PUT, (key, blob_id, expiration_ms, metadata_json))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            self._remove_blob(blob_id)
            raise
        if previous is not None:
            self._remove_blob(previous[0])

    def delete(self, key: str) -> None:
        """Remove ``key`` and its blob (nothing happens if it does not exist)."""
        for (blob_id,) in self.db.execute(_DELETE, (key,)).fetchall():
            self._remove_blob(blob_id)

    def list(
        self, prefix: str, cursor: str | None, limit: int, now_ms: float
    ) -> tuple[list[KeyValueEntry], str | None]:
        """Up to ``limit`` live keys starting with ``prefix`` after the ``cursor`` of the previous
        page, in UTF-8 byte order; and the cursor of the next page (None on the last one).

        The cursor names the last key returned, so keys added behind it while paging are not
        returned and keys added ahead of it are (as on Cloudflare).
        """
        start_after = _decode_cursor(cursor) if cursor else ""
        rows = self.db.execute(_LIST, (start_after, len(prefix), prefix, now_ms, limit + 1)).fetchall()
        for (blob_id,) in self.db.execute(_DELETE_EXPIRED, (now_ms,)).fetchall():
            self._remove_blob(blob_id)
        more = len(rows) > limit
        entries = [KeyValueEntry(key, None, expiration, metadata) for key, expiration, metadata in rows[:limit]]
        return entries, _encode_cursor(entries[-1].key) if more else None

    def _remove_blob(self, blob_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.blobs / blob_id)

    def close(self) -> None:
        """Close the database; the next access reopens it."""
        if self._db is not None:
            self._db.close()
            self._db = None


def _new_blob_id() -> str:
    """An unguessable blob id as miniflare makes them: 32 random bytes and the time, in hex."""
    return secrets.token_hex(32) + int(time.time() * 1000).to_bytes(8, "big").hex()


def _encode_cursor(key: str) -> str:
    return base64.b64encode(key.encode()).decode()


def _decode_cursor(cursor: str) -> str:
    try:
        return base64.b64decode(cursor, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""
