"""Errors of the storage APIs, with workerd's message texts.

On Cloudflare these reach Python as JavaScript errors; pyworker raises ``StorageError`` for a JS
``Error``, ``TypeError`` for a JS ``TypeError`` and ``limits.RangeError`` for a JS ``RangeError``, each
with the exact message, so ``str(error)`` matches what the platform reports.
"""

from __future__ import annotations

import sqlite3

__all__ = [
    "DELETE_ALL_IN_TRANSACTION",
    "SQL_NOT_ENABLED",
    "SYNC_KV_NOT_ENABLED",
    "USE_TRANSACTION_API",
    "StorageError",
    "sqlite_error_text",
]


class StorageError(Exception):
    """A storage or SQL call failed (JavaScript ``Error``); the message is workerd's."""

    name = "Error"


# workerd util/sqlite.c++ namedErrorCode(): primary result codes by number.
_CODE_NAMES = {
    getattr(sqlite3, name): name
    for name in (
        "SQLITE_ERROR SQLITE_INTERNAL SQLITE_PERM SQLITE_ABORT SQLITE_BUSY SQLITE_LOCKED SQLITE_NOMEM "
        "SQLITE_READONLY SQLITE_INTERRUPT SQLITE_IOERR SQLITE_CORRUPT SQLITE_NOTFOUND SQLITE_FULL "
        "SQLITE_CANTOPEN SQLITE_PROTOCOL SQLITE_EMPTY SQLITE_SCHEMA SQLITE_TOOBIG SQLITE_CONSTRAINT "
        "SQLITE_MISMATCH SQLITE_MISUSE SQLITE_NOLFS SQLITE_AUTH SQLITE_FORMAT SQLITE_RANGE SQLITE_NOTADB "
        "SQLITE_NOTICE SQLITE_WARNING"
    ).split()
}


def sqlite_error_text(error: sqlite3.Error, offset: int = -1) -> str:
    """workerd's ``dbErrorMessage()`` (WD1109): SQLite's message, `` at offset <n>`` when SQLite
    reported a position, then ``: SQLITE_<PRIMARY CODE>``."""
    message = str(error)
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return message
    if offset >= 0:
        message += f" at offset {offset}"
    primary = code & 0xFF
    return f"{message}: {_CODE_NAMES.get(primary, f'SQLITE_UNKNOWN_ERROR_CODE({primary})')}"


# workerd api/actor-state.c++ (WD1109): ctx.storage.sql / ctx.storage.kv on a class without SQLite.
SQL_NOT_ENABLED = (
    "SQL is not enabled for this Durable Object class. To enable it, change `new_classes` to "
    "`new_sqlite_classes` within the 'migrations' field in your wrangler.jsonc or wrangler.toml file. "
    "If using workerd directly,set `enableSql = true` in your workerd config for the class. Note that "
    "this change cannot be made after the class is already deployed to production."
)
SYNC_KV_NOT_ENABLED = (
    "The storage.kv (synchronous KV) API is only available for SQLite-backed Durable Objects, but this "
    "object's namespace is not declared to use SQLite. You can use the older, asyncronous interface via "
    "methods of `storage` itself (e.g. `storage.get()`). Alternatively, to enable SQLite, change "
    "`new_classes` to `new_sqlite_classes` within the 'migrations' field in your wrangler.jsonc or "
    "wrangler.toml file. If using workerd directly, set `enableSql = true` in your workerd config for "
    "the class. Note that this change cannot be made after the class is already deployed to production."
)
DELETE_ALL_IN_TRANSACTION = "Cannot call deleteAll() within a transaction"
# workerd api/sql.c++ SqlStorage::allowTransactions()
USE_TRANSACTION_API = (
    "To execute a transaction, please use the state.storage.transaction() or "
    "state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT "
    "statements. The JavaScript API is safer because it will automatically roll back on "
    "exceptions, and because it interacts correctly with Durable Objects' automatic atomic "
    "write coalescing."
)
