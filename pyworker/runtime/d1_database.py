"""``D1Database``: a D1 binding (``env.DB``) as Python Workers code sees it.

``env.DB.prepare(sql).bind(*values)`` makes a ``D1PreparedStatement``; ``await stmt.first(col?)``,
``all()``, ``run()`` and ``raw(columnNames=?)`` run it; ``await env.DB.batch([...])`` runs several
in one transaction; ``await env.DB.exec(sql)`` runs one statement per line; ``withSession()`` gives a
``D1DatabaseSession`` with ``getBookmark()``. Results have Cloudflare's shapes
(``{"success", "meta", "results"}``, ``meta`` with ``served_by``, ``duration``, ``changes``,
``last_row_id``, ``changed_db``, ``size_after``, ``rows_read``, ``rows_written``) and errors its
texts (``D1_ERROR: no such table: x: SQLITE_ERROR``, ``D1_TYPE_ERROR: ...``, ``D1_EXEC_ERROR: ...``,
``D1_COLUMN_NOTFOUND: ...``), raised as ``JsException`` as in Pyodide.

Locally, as in ``wrangler dev``, a database is a SQLite file in the layout of a SQLite-backed
Durable Object (``pyworker.storage``), and every call runs inside one transaction, committed before
it returns. Values cross as they do on Cloudflare: numbers are JavaScript numbers, ``bool`` binds as
``1``/``0``, bytes bind as a BLOB and BLOBs come back as lists of byte values; rows are dicts that
also allow ``row.column``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from pyworker.runtime.ffi import JsException, JsObject
from pyworker.storage.durable_object_storage import Resolved
from pyworker.storage.errors import StorageError
from pyworker.storage.sql import SqlStorage
from pyworker.storage.sqlite_store import SqliteStore

__all__ = ["SERVED_BY", "D1Database", "D1DatabaseSession", "D1Engine", "D1PreparedStatement", "D1QueryError"]

SERVED_BY = "miniflare.db"
"""``meta.served_by`` of every local result, as in ``wrangler dev``."""

_SAFE_INTEGER = 2**53 - 1
_FIRST_PRIMARY = "first-primary"
_FIRST_UNCONSTRAINED = "first-unconstrained"
_NO_STATEMENTS = "No SQL statements detected."


class D1QueryError(Exception):
    """A query of a ``D1Engine.run`` call failed: ``index`` is its position in the call, the message
    what D1 reports after ``D1_ERROR: `` (SQLite's text, as workerd words it)."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


class D1Engine:
    """Runs the queries of one database: each call in its own transaction, committed at once."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self._sql = SqlStorage(store, store.begin, lambda error: None)
        self.version = 0

    def run(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[dict[str, Any]]:
        """Run ``queries`` (``(sql, params)``) in one transaction; one result per query.

        Raises:
            D1QueryError: a query failed; nothing of the call was kept.
        """
        queries = [(sql, params) for sql, params in queries if _has_sql(sql)]
        if not queries:
            raise D1QueryError(_NO_STATEMENTS, 0)
        store = self.store
        results = []
        try:
            for index, (sql, params) in enumerate(queries):
                try:
                    results.append(self._query(sql, params))
                except (StorageError, TypeError) as error:
                    raise D1QueryError(str(error), index) from None
        except BaseException:
            store.rollback()
            raise
        store.commit()
        self.version += 1
        return results

    def _query(self, sql: str, params: Sequence[Any]) -> dict[str, Any]:
        store = self.store
        started = time.perf_counter()
        size_before = store.database_size()
        changes_before, row_before = store.db.total_changes, _last_row_id(store)
        cursor = self._sql.exec(sql, *params)
        columns = cursor.columnNames
        rows = [[_from_sqlite(value) for value in row] for row in cursor.raw()]
        size_after = store.database_size()
        changes = store.db.total_changes - changes_before
        last_row_id = _last_row_id(store)
        return {
            "columns": columns,
            "rows": rows,
            "meta": {
                "served_by": SERVED_BY,
                "duration": (time.perf_counter() - started) * 1000,
                "changes": changes,
                "last_row_id": last_row_id,
                "changed_db": changes != 0 or last_row_id != row_before or size_after != size_before,
                "size_after": size_after,
                "rows_read": cursor.rowsRead,
                "rows_written": cursor.rowsWritten,
            },
        }

    def bookmark(self) -> str:
        """Where the database is now, as a session bookmark (later ones sort after earlier ones)."""
        return f"{self.version:08x}-00000000-00000000-00000000000000000000000000000000"

    def close(self) -> None:
        """Close the database file."""
        self.store.close()


class D1DatabaseSession:
    """``env.DB.withSession(...)``: queries that track the latest bookmark they have seen."""

    def __init__(self, engine: D1Engine, bookmark_or_constraint: str) -> None:
        self._engine = engine
        self._bookmark = bookmark_or_constraint

    def prepare(self, query: str) -> D1PreparedStatement:
        """A statement of ``query`` run in this session."""
        return D1PreparedStatement(self, query)

    def batch(self, statements: Sequence[D1PreparedStatement]) -> Resolved:
        """Run ``statements`` in one transaction: a ``{"success", "meta", "results"}`` each."""
        results = self._send([(s.statement, s.params) for s in statements])
        return Resolved([_with_objects(result) for result in results])

    def getBookmark(self) -> str | None:  # noqa: N802 - JavaScript API name
        """The latest bookmark this session has seen (None before its first query)."""
        return None if self._bookmark in (_FIRST_PRIMARY, _FIRST_UNCONSTRAINED) else self._bookmark

    def _send(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[dict[str, Any]]:
        try:
            results = self._engine.run(queries)
        except D1QueryError as failure:
            raise JsException(f"D1_ERROR: {failure}") from None
        self._seen(self._engine.bookmark())
        return results

    def _seen(self, bookmark: str) -> None:
        current = self.getBookmark()
        if current is None or current < bookmark:
            self._bookmark = bookmark


class _PrimarySession(D1DatabaseSession):
    """The session of ``env.DB`` itself: always the primary, never a bookmark."""

    def __init__(self, engine: D1Engine) -> None:
        super().__init__(engine, _FIRST_PRIMARY)

    def getBookmark(self) -> None:  # noqa: N802
        return None

    def _seen(self, bookmark: str) -> None:
        pass


class D1Database:
    """A D1 binding. Built by ``pyworker.bindings.d1``; not constructed by users."""

    def __init__(self, binding: str, engine: D1Engine) -> None:
        self._binding = binding
        self._engine = engine
        self._primary = _PrimarySession(engine)

    def prepare(self, query: str) -> D1PreparedStatement:
        """A statement of ``query``; bind values with ``.bind(...)``, run it with ``all()`` etc."""
        return self._primary.prepare(query)

    def batch(self, statements: Sequence[D1PreparedStatement]) -> Resolved:
        """Run ``statements`` in one transaction (all or nothing): a result per statement."""
        return self._primary.batch(statements)

    def exec(self, query: str) -> Resolved:
        """Run ``query`` one line at a time (one statement per line, no bindings), in one
        transaction: ``{"count", "duration"}``."""
        lines = query.strip().split("\n")
        numbered = [(number, line) for number, line in enumerate(lines, 1) if _has_sql(line)]
        try:
            results = self._engine.run([(line, ()) for _, line in numbered])
        except D1QueryError as failure:
            number, line = numbered[failure.index] if numbered else (1, lines[0])
            raise JsException(f"D1_EXEC_ERROR: Error in line {number}: {line}: {failure}") from None
        return Resolved(JsObject(count=len(results), duration=sum(r["meta"]["duration"] for r in results)))

    def withSession(self, constraint_or_bookmark: str | None = None) -> D1DatabaseSession:  # noqa: N802
        """A session starting at ``constraint_or_bookmark`` (``"first-unconstrained"`` by default,
        ``"first-primary"``, or a bookmark from ``getBookmark()``)."""
        start = (constraint_or_bookmark or "").strip() or _FIRST_UNCONSTRAINED
        return D1DatabaseSession(self._engine, start)

    def __repr__(self) -> str:
        return f"<D1Database {self._binding}>"


class D1PreparedStatement:
    """A query with its bound values; immutable (``bind`` returns a new statement)."""

    def __init__(self, session: D1DatabaseSession, statement: str, params: Sequence[Any] = ()) -> None:
        self._session = session
        self.statement = statement
        self.params = list(params)

    def bind(self, *values: Any) -> D1PreparedStatement:
        """The statement with ``values`` for its ``?`` placeholders (checked here, as D1 does)."""
        return D1PreparedStatement(self._session, self.statement, [_binding(value) for value in values])

    def _run(self) -> dict[str, Any]:
        return self._session._send([(self.statement, self.params)])[0]

    def first(self, column: str | None = None) -> Resolved:
        """The first row (a dict), or that row's ``column``; None when there are no rows."""
        rows = _with_objects(self._run())["results"]
        if not rows:
            return Resolved(None)
        if column is None:
            return Resolved(rows[0])
        if column not in rows[0]:
            raise JsException(f"D1_COLUMN_NOTFOUND: Column not found ({column})")
        return Resolved(rows[0][column])

    def all(self) -> Resolved:
        """``{"success": True, "meta": {...}, "results": [rows]}``."""
        return Resolved(_with_objects(self._run()))

    def run(self) -> Resolved:
        """Like ``all()``: ``{"success": True, "meta": {...}, "results": [rows]}``."""
        return Resolved(_with_objects(self._run()))

    def raw(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> Resolved:
        """The rows as lists of values; with ``columnNames=True`` the column names come first."""
        result = self._run()
        column_names = {**(options or {}), **kwargs}.get("columnNames")
        return Resolved(([result["columns"]] if column_names else []) + result["rows"])

    def __repr__(self) -> str:
        return f"<D1PreparedStatement {self.statement!r}>"


# -- values ----------------------------------------------------------------------------------------


def _binding(value: Any) -> Any:
    """A bound value as D1's ``bind()`` accepts it, or ``D1_TYPE_ERROR``."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int):
        if abs(value) > _SAFE_INTEGER:
            _type_error("bigint", str(value))
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, list) and all(
        isinstance(b, int) and not isinstance(b, bool) and 0 <= b < 256 for b in value
    ):
        return bytes(value)
    if isinstance(value, list):
        _type_error("object", ",".join("" if v is None else str(v) for v in value))
    _type_error("object", "[object Object]")


def _type_error(js_type: str, shown: str) -> NoReturn:
    raise JsException(f"D1_TYPE_ERROR: Type '{js_type}' not supported for value '{shown}'")


def _from_sqlite(value: Any) -> Any:
    """A result value as D1 returns it: BLOBs as lists of byte values."""
    return list(value.tobytes()) if isinstance(value, memoryview) else value


def _with_objects(result: dict[str, Any]) -> dict[str, Any]:
    """``{"success", "meta", "results"}`` with each row as a dict of its columns."""
    columns = result["columns"]
    rows = [JsObject(zip(columns, row, strict=True)) for row in result["rows"]]
    return JsObject(success=True, meta=JsObject(result["meta"]), results=rows)


def _has_sql(text: str) -> bool:
    """Does ``text`` hold more than whitespace and ``--`` comments?"""
    return any(line.strip() and not line.strip().startswith("--") for line in text.split("\n"))


def _last_row_id(store: SqliteStore) -> int:
    return int(store.db.execute("SELECT last_insert_rowid()").fetchone()[0])

