"""``ctx.storage.sql``: the SQLite API of SQLite-backed Durable Objects, with workerd's behaviour.

``exec(query, *bindings)`` runs the statements of ``query`` (separated by ``;``; only the last may
have ``?`` bindings) and returns a ``SqlCursor`` over the last one. User SQL runs on the object's
own connection, inside the implicit transaction that also holds its key-value writes, so the output
gate commits both together; ``transaction()`` / ``transactionSync()`` cover both as well.

Values cross as they do through the Python Workers SDK on Cloudflare: bindings are JavaScript
values (numbers are doubles, so ``int`` binds as REAL and integers beyond 2**53 are refused;
``bool`` becomes the text ``'true'``/``'false'``; ``bytes`` a BLOB), and results come back as
JavaScript numbers do (safe integers as ``int``), BLOBs as ``memoryview``, NULL as ``None``.

Errors are ``StorageError`` with workerd's texts: SQLite's message, `` at offset <n>`` when SQLite
reports a position, and the primary result code (``: SQLITE_ERROR``, ``: SQLITE_MISMATCH``, ...).

Deviation: ``rowsRead`` counts rows the cursor has fetched (workerd counts rows SQLite's b-tree
read, which is larger for aggregates and scans); ``rowsWritten`` counts SQLite's row changes.
"""

from __future__ import annotations

import ctypes
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pyworker.runtime.ffi import JsObject
from pyworker.storage.authorizer import UserAuthorizer
from pyworker.storage.errors import StorageError, sqlite_error_text

if TYPE_CHECKING:
    from pyworker.storage.sqlite_store import SqliteStore

__all__ = ["SqlCursor", "SqlRow", "SqlStatement", "SqlStorage"]

_SAFE_INTEGER = 2**53 - 1
NO_STATEMENT = "SQL code did not contain a statement."
WRONG_BINDINGS = "Wrong number of parameter bindings for SQL query."
MULTI_BINDINGS = (
    "When executing multiple SQL statements in a single call, only the last statement can have parameters."
)
ONE_RESULT_NONE = "Expected exactly one result from SQL query, but got no results."
ONE_RESULT_MANY = "Expected exactly one result from SQL query, but got multiple results."
# SQLite result codes that leave the database unusable: workerd breaks the object on these.
_CRITICAL = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOMEM,
             sqlite3.SQLITE_NOTADB}


SqlRow = JsObject
"""A result row: ``row["col"]`` and ``row.col``, a JavaScript object as the SDK hands it over."""


class SqlCursor:
    """The result of ``sql.exec()``: iterate it for ``SqlRow``s, or use ``toArray()``, ``one()``, ``raw()``.

    Rows are fetched as they are consumed, one row ahead (as workerd does), and ``rowsRead`` /
    ``rowsWritten`` grow accordingly. ``raw()`` shares the cursor's position.
    """

    __slots__ = ("_ahead", "_cursor", "_db", "_fail", "_names", "_rows_read", "_rows_written")

    def __init__(
        self,
        cursor: sqlite3.Cursor | None,
        db: sqlite3.Connection,
        changes_before: int,
        fail: Callable[[sqlite3.Error], BaseException],
    ) -> None:
        self._cursor = cursor
        self._db = db
        self._fail = fail
        description = cursor.description if cursor is not None else None
        self._names = [column[0] for column in description] if description else []
        self._rows_read = 0
        self._ahead: tuple[Any, ...] | None = None
        self._rows_written = db.total_changes - changes_before
        if cursor is not None and not description:
            self._close()  # nothing to read: finish the statement now
        else:
            self._fetch()

    def _fetch(self) -> None:
        cursor = self._cursor
        if cursor is None:
            self._ahead = None
            return
        before = self._db.total_changes
        try:
            row = cursor.fetchone()
        except sqlite3.Error as error:
            self._close()
            raise self._fail(error) from None
        self._rows_written += self._db.total_changes - before
        if row is None:
            self._close()
        else:
            self._rows_read += 1
        self._ahead = row

    def _close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None
        self._ahead = None

    def _next_values(self) -> list[Any] | None:
        row = self._ahead
        if row is None:
            return None
        self._fetch()
        return [_from_sql(v) for v in row]

    @property
    def columnNames(self) -> list[str]:  # noqa: N802
        """Column names of the result (``[]`` for statements without result columns)."""
        return list(self._names)

    @property
    def rowsRead(self) -> int:  # noqa: N802
        """Rows fetched from SQLite so far."""
        return self._rows_read

    @property
    def rowsWritten(self) -> int:  # noqa: N802
        """Rows changed by the statement so far."""
        return self._rows_written

    def __iter__(self) -> SqlCursor:
        return self

    def __next__(self) -> SqlRow:
        values = self._next_values()
        if values is None:
            raise StopIteration
        return SqlRow(zip(self._names, values))

    def next(self) -> dict[str, Any]:
        """JavaScript's iterator protocol: ``{"done": False, "value": row}``, then ``{"done": True}``."""
        values = self._next_values()
        if values is None:
            return {"done": True}
        return {"done": False, "value": SqlRow(zip(self._names, values))}

    def toArray(self) -> list[SqlRow]:  # noqa: N802
        """Every remaining row."""
        return list(self)

    def one(self) -> SqlRow:
        """The only row; ``StorageError`` if there is none or more than one."""
        values = self._next_values()
        if values is None:
            raise StorageError(ONE_RESULT_NONE)
        if self._ahead is not None:
            self._close()
            raise StorageError(ONE_RESULT_MANY)
        return SqlRow(zip(self._names, values))

    def raw(self) -> Iterator[list[Any]]:
        """The remaining rows as lists of values (shares this cursor's position)."""
        while True:
            values = self._next_values()
            if values is None:
                return
            yield values

    def __repr__(self) -> str:
        return f"SqlCursor(columnNames={self._names!r}, rowsRead={self._rows_read}, rowsWritten={self._rows_written})"


class SqlStatement:
    """``sql.prepare(query)``: call it with bindings to run the query (deprecated on Cloudflare)."""

    __slots__ = ("_query", "_sql")

    def __init__(self, sql: SqlStorage, query: str) -> None:
        self._sql = sql
        self._query = query

    def __call__(self, *bindings: Any) -> SqlCursor:
        return self._sql.exec(self._query, *bindings)

    run = __call__


class SqlStorage:
    """``ctx.storage.sql`` of one object. Built by ``DurableObjectStorage``; not constructed by users."""

    def __init__(
        self,
        store: SqliteStore,
        before_write: Callable[[], None],
        on_critical: Callable[[BaseException], None],
    ) -> None:
        self._store = store
        self._before_write = before_write
        self._on_critical = on_critical
        self._authorizer = UserAuthorizer(self._remember_auth_error)

    def _remember_auth_error(self, error: BaseException) -> None:
        self._store.auth_error = error

    def exec(self, query: str, *bindings: Any) -> SqlCursor:
        """Run ``query`` (one or more ``;``-separated statements) and return a cursor over the last."""
        if not isinstance(query, str):
            raise TypeError(f"sql.exec() expects the query as str, got {type(query).__name__}")
        params = [_to_sql(value) for value in bindings]
        statements = split_statements(query)
        store = self._store
        self._before_write()
        failure: sqlite3.Error | None = None
        with store.untrusted(self._authorizer) as db:
            try:
                for statement in statements[:-1]:
                    try:
                        db.execute(statement).close()
                    except sqlite3.ProgrammingError as error:
                        if str(error).startswith("Incorrect number of bindings"):
                            raise StorageError(MULTI_BINDINGS) from None
                        raise
                before = db.total_changes
                cursor = db.execute(statements[-1], params)
            except sqlite3.Error as error:
                failure = error  # reported once the connection is trusted again (it may roll back)
        if failure is not None:
            raise self._fail(failure) from None
        return SqlCursor(cursor, db, before, self._fail)

    def prepare(self, query: str) -> SqlStatement:
        """A reusable statement: ``stmt = sql.prepare(q); stmt(*bindings)``."""
        return SqlStatement(self, query)

    def ingest(self, query: str) -> dict[str, Any]:
        """Run every complete statement of ``query``; returns the incomplete rest and counts."""
        rows_read = rows_written = count = 0
        rest = query
        for end in _complete_ends(query):
            statement = query[len(query) - len(rest) : end]
            rest = query[end:]
            if not _has_statement(statement):
                continue
            cursor = self.exec(statement)
            for _ in cursor.raw():
                pass
            rows_read += cursor.rowsRead
            rows_written += cursor.rowsWritten
            count += 1
        return {"remainder": rest, "rowsRead": rows_read, "rowsWritten": rows_written, "statementCount": count}

    @property
    def databaseSize(self) -> int:  # noqa: N802
        """Bytes the database uses (pages in use times the page size)."""
        return self._store.database_size()

    def _fail(self, error: sqlite3.Error) -> BaseException:
        """The error a user sees for ``error`` (workerd's text); critical errors break the object."""
        store = self._store
        if store.auth_error is not None:
            auth_error, store.auth_error = store.auth_error, None
            return auth_error
        message = str(error)
        if isinstance(error, sqlite3.ProgrammingError) and message.startswith("Incorrect number of bindings"):
            return StorageError(WRONG_BINDINGS)
        code = getattr(error, "sqlite_errorcode", None)
        if code is None:
            return StorageError(message)
        result = StorageError(sqlite_error_text(error, _error_offset(store)))
        if code & 0xFF in _CRITICAL:
            self._on_critical(result)
        return result


# -- values ------------------------------------------------------------------------------------------


def _to_sql(value: Any) -> Any:
    """A binding as the JavaScript value the SDK would pass (``BindingValue``: bytes, str, double or null)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return float(value)
        raise TypeError(
            f"sql.exec(): the integer {value} is beyond 2**53 and becomes a JavaScript BigInt, "
            "which cannot be bound; pass it as str or float"
        )
    if isinstance(value, float):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(
        f"sql.exec(): a binding of type {type(value).__name__!r} is not supported; "
        "use None, bool, int, float, str or bytes"
    )


def _from_sql(value: Any) -> Any:
    kind = type(value)
    if kind is int:
        return value if -_SAFE_INTEGER <= value <= _SAFE_INTEGER else float(value)
    if kind is float:
        return int(value) if value.is_integer() and -_SAFE_INTEGER <= value <= _SAFE_INTEGER else value
    if kind is bytes:
        return memoryview(value)
    return value


# -- statements ----------------------------------------------------------------------------------

_TOKEN = re.compile(  # quoted names and strings, comments, (;), (whitespace), words, any other character
    r"""'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?"""
    r"""|--[^\n]*|/\*.*?(?:\*/|\Z)|(;)|(\s+)|[^'"`\[;\s/-]+|.""",
    re.DOTALL,
)
_split_cache: dict[str, list[str]] = {}


def split_statements(query: str) -> list[str]:
    """The statements of ``query`` as workerd prepares them; ``StorageError`` if one is missing.

    A statement ends at a ``;`` that completes it (``sqlite3.complete_statement``, so semicolons in
    strings, comments and trigger bodies do not count). Whitespace after the last ``;`` is fine;
    anything else without a statement (``''``, ``';'``, a trailing comment) is an error, as in workerd.
    """
    cached = _split_cache.get(query)
    if cached is not None:
        return cached
    statements = []
    start = 0
    for end in _complete_ends(query):
        statements.append(query[start:end])
        start = end
    rest = query[start:]
    if rest.strip() or not statements:
        statements.append(rest)
    for statement in statements:
        if not _has_statement(statement):
            raise StorageError(NO_STATEMENT)
    if len(_split_cache) > 512:
        _split_cache.clear()
    _split_cache[query] = statements
    return statements


def _complete_ends(query: str) -> Iterator[int]:
    """End offsets (after the ``;``) of each complete statement in ``query``."""
    if ";" not in query:
        return
    start = 0
    for match in _TOKEN.finditer(query):
        if match.group(1) is not None:
            end = match.end()
            if sqlite3.complete_statement(query[start:end]):
                yield end
                start = end


def _has_statement(text: str) -> bool:
    """True if ``text`` holds more than whitespace, comments and semicolons."""
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if match.group(1) is None and match.group(2) is None and not token.startswith(("--", "/*")):
            return True
    return False


# -- error positions -----------------------------------------------------------------------------


def _load_error_offset() -> Callable[[sqlite3.Connection], int] | None:
    """``sqlite3_error_offset`` for a Python connection (CPython 3.11+: its handle follows the object header)."""
    if sys.implementation.name != "cpython" or not (3, 11) <= sys.version_info[:2] <= (3, 14):
        return None
    try:
        import _sqlite3

        library = ctypes.CDLL(_sqlite3.__file__)
        offset = library.sqlite3_error_offset
        errmsg = library.sqlite3_errmsg
    except (ImportError, OSError, AttributeError):
        return None
    offset.argtypes, offset.restype = [ctypes.c_void_p], ctypes.c_int
    errmsg.argtypes, errmsg.restype = [ctypes.c_void_p], ctypes.c_char_p
    header = object.__basicsize__

    def error_offset(db: sqlite3.Connection) -> int:
        handle = ctypes.c_void_p.from_address(id(db) + header).value
        if not handle:
            return -1
        return int(offset(handle))

    # Check the layout once on a scratch connection before trusting it.
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("SELEC 1")
    except sqlite3.Error:
        handle = ctypes.c_void_p.from_address(id(probe) + header).value
        ok = bool(handle) and errmsg(handle) == b'near "SELEC": syntax error' and offset(handle) == 0
    else:
        ok = False
    finally:
        probe.close()
    return error_offset if ok else None


_error_offset_of = _load_error_offset()


def _error_offset(store: SqliteStore) -> int:
    if _error_offset_of is None:
        return -1
    return _error_offset_of(store.db)
