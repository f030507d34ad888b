"""Read-only SQL on a state file (a Durable Object's or a D1 database's), for the explorer.

Queries run on a connection of their own, opened read-only (``mode=ro``) with ``PRAGMA query_only``
and an authorizer that allows reading and nothing else, so no query typed into the explorer can
change data or interfere with the worker's own connection and its open transaction. A query may
run for at most ``TIMEOUT_SECONDS`` and returns at most ``MAX_ROWS`` rows.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pyworker.server.explorer.values import to_json

__all__ = ["MAX_ROWS", "TIMEOUT_SECONDS", "QueryError", "query", "read_rows", "user_tables"]

MAX_ROWS = 1000
"""Rows a query returns at most (the result says when there were more)."""

TIMEOUT_SECONDS = 2.0
"""How long a query may run before it is interrupted."""

_READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE})
_INTERNAL_TABLES = "name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name != '__miniflare_do_name'"


class QueryError(Exception):
    """A query was refused or failed; the message says why."""


def _authorize(action: int, *_: str | None) -> int:
    return sqlite3.SQLITE_OK if action in _READ_ACTIONS else sqlite3.SQLITE_DENY


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to ``path``, or QueryError if there is no such file."""
    if not path.is_file():
        raise QueryError(f"{path.name} does not exist yet: nothing has been stored")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        db.execute("PRAGMA query_only = ON")
        db.set_authorizer(_authorize)
        deadline = time.monotonic() + TIMEOUT_SECONDS
        db.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
        yield db
    finally:
        db.close()


def query(path: Path, sql: str, params: Sequence[Any] = ()) -> dict[str, Any]:
    """Run one read-only statement: ``{"columns", "rows", "truncated"}`` (cells as JSON)."""
    with _connect(path) as db:
        try:
            cursor = db.execute(sql, params)
            rows = cursor.fetchmany(MAX_ROWS + 1)
        except (sqlite3.Error, sqlite3.Warning) as error:  # refused, failed, or more than one statement
            raise QueryError(_explain(error)) from None
        columns = [column[0] for column in cursor.description or ()]
    return {
        "columns": columns,
        "rows": [[to_json(value) for value in row] for row in rows[:MAX_ROWS]],
        "truncated": len(rows) > MAX_ROWS,
    }


def read_rows(path: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """All rows of a trusted internal query (no limits), or [] when the file does not exist."""
    if not path.is_file():
        return []
    with _connect(path) as db:
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # the table was never created
            return []


def user_tables(path: Path) -> list[dict[str, Any]]:
    """The tables the user created (``_cf_*`` and SQLite's own are left out), with their row counts."""
    tables = []
    for (name,) in read_rows(path, f"SELECT name FROM sqlite_master WHERE type = 'table' AND {_INTERNAL_TABLES} ORDER BY name"):
        quoted = '"' + name.replace('"', '""') + '"'
        tables.append({"name": name, "rows": read_rows(path, f"SELECT count(*) FROM {quoted}")[0][0]})
    return tables


def _explain(error: sqlite3.Error | sqlite3.Warning) -> str:
    text = str(error)
    if text == "not authorized" or "readonly" in text:
        return f"{text}: the explorer runs read-only queries (SELECT) only"
    if text == "interrupted":
        return f"interrupted: the query ran longer than {TIMEOUT_SECONDS:g} s"
    return text
