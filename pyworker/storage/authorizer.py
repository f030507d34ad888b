"""What user SQL (``ctx.storage.sql``) may do: workerd's SQLite authorizer rules, ported.

workerd (``util/sqlite.c++`` ``isAuthorized``) denies access to internal ``_cf_*`` tables, temp
tables, ATTACH, virtual tables other than FTS5, SQL transactions and savepoints (the storage API
owns those), every pragma outside a short allowlist, and functions outside an allowlist
(``sqlite_version()`` and friends). A denied statement fails with SQLite's own text
(``not authorized``, ``access to _cf_KV.key is prohibited``, ``not authorized to use function: ...``)
plus workerd's ``: SQLITE_AUTH`` suffix, except ``BEGIN``/``SAVEPOINT``, which get workerd's message.

Names starting with ``_cf_`` are matched case-insensitively, as in current workerd (WD1109 compared
case-sensitively).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from pyworker.storage.errors import USE_TRANSACTION_API, StorageError

__all__ = ["ALLOWED_FUNCTIONS", "ALLOWED_PRAGMAS", "UserAuthorizer"]

_OK, _DENY = sqlite3.SQLITE_OK, sqlite3.SQLITE_DENY

# workerd util/sqlite.c++ ALLOWED_SQLITE_FUNCTIONS
ALLOWED_FUNCTIONS = frozenset(
    """
    abs changes char coalesce concat concat_ws format glob hex ifnull iif instr last_insert_rowid length
    like likelihood likely load_extension lower ltrim max_scalar min_scalar nullif octet_length printf
    quote random randomblob replace round rtrim sign soundex substr substring total_changes trim typeof
    unhex unicode unlikely upper zeroblob
    date time datetime julianday unixepoch strftime timediff current_date current_time current_timestamp
    avg count group_concat max min string_agg sum total
    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
    acos acosh asin asinh atan atan2 atanh ceil cos cosh degrees exp floor ln log log2 mod pi pow radians
    sin sinh sqrt tan tanh trunc
    json jsonb json_array jsonb_array json_array_length json_extract jsonb_extract -> ->> json_insert
    jsonb_insert json_object jsonb_object json_patch jsonb_patch json_remove jsonb_remove json_replace
    jsonb_replace json_set jsonb_set json_type json_valid json_quote json_group_array jsonb_group_array
    json_group_object jsonb_group_object json_each json_tree
    match highlight bm25 snippet
    sqlite_rename_column sqlite_rename_table sqlite_rename_test sqlite_drop_column sqlite_rename_quotefix
    """.split()
)

_NO_ARG, _BOOLEAN, _OBJECT, _OPTIONAL_OBJECT, _NUMBER, _NUMBER_OR_OBJECT = range(6)
# workerd util/sqlite.c++ ALLOWED_PRAGMAS (plus table_list / table_info / table_xinfo, special-cased)
ALLOWED_PRAGMAS = {
    "data_version": _NO_ARG,
    "case_sensitive_like": _BOOLEAN,
    "foreign_keys": _BOOLEAN,
    "defer_foreign_keys": _BOOLEAN,
    "ignore_check_constraints": _BOOLEAN,
    "legacy_alter_table": _BOOLEAN,
    "recursive_triggers": _BOOLEAN,
    "reverse_unordered_selects": _BOOLEAN,
    "foreign_key_check": _OPTIONAL_OBJECT,
    "foreign_key_list": _OBJECT,
    "index_info": _OBJECT,
    "index_list": _OBJECT,
    "index_xinfo": _OBJECT,
    "quick_check": _NUMBER_OR_OBJECT,
    "optimize": _NUMBER,
}
_BOOLEANS = ("true", "false", "yes", "no", "on", "off", "1", "0")

_NAME_ONLY = {
    sqlite3.SQLITE_CREATE_TABLE, sqlite3.SQLITE_DELETE, sqlite3.SQLITE_DROP_TABLE, sqlite3.SQLITE_INSERT,
    sqlite3.SQLITE_CREATE_VIEW, sqlite3.SQLITE_DROP_VIEW, sqlite3.SQLITE_REINDEX, sqlite3.SQLITE_ALTER_TABLE,
    sqlite3.SQLITE_READ, sqlite3.SQLITE_UPDATE,
}
_TWO_NAMES = {
    sqlite3.SQLITE_CREATE_INDEX, sqlite3.SQLITE_DROP_INDEX, sqlite3.SQLITE_CREATE_TRIGGER,
    sqlite3.SQLITE_DROP_TRIGGER,
}
_ALWAYS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_ANALYZE, sqlite3.SQLITE_RECURSIVE}


def allowed_name(name: str | None) -> bool:
    """False for workerd's internal names (``_cf_`` prefix, any case)."""
    return name is None or name[:4].lower() != "_cf_"


class UserAuthorizer:
    """The authorizer callback for user SQL; a refused transaction leaves its error in ``on_error``."""

    __slots__ = ("_on_error",)

    def __init__(self, on_error: Callable[[BaseException], None]) -> None:
        self._on_error = on_error

    def __call__(self, action: int, arg1: str | None, arg2: str | None, db_name: str | None, source: str | None) -> int:
        if action == sqlite3.SQLITE_ALTER_TABLE or action == sqlite3.SQLITE_DETACH:
            arg1, arg2, db_name = arg2, None, arg1  # SQLite passes the database name first here
        if db_name == "temp":
            return _OK if action in (sqlite3.SQLITE_READ, sqlite3.SQLITE_UPDATE) and allowed_name(arg1) else _DENY
        if db_name is not None and db_name != "main":
            return _DENY
        return _OK if self._allowed(action, arg1, arg2) else _DENY

    def _allowed(self, action: int, arg1: str | None, arg2: str | None) -> bool:  # noqa: PLR0911
        if action in _NAME_ONLY:
            return allowed_name(arg1)
        if action in _ALWAYS:
            return True
        if action in _TWO_NAMES:
            return allowed_name(arg1) and allowed_name(arg2)
        if action == sqlite3.SQLITE_FUNCTION:
            return arg2 is not None and arg2.lower() in ALLOWED_FUNCTIONS
        if action == sqlite3.SQLITE_PRAGMA:
            return _pragma_allowed(arg1 or "", arg2)
        if action in (sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT):
            self._on_error(StorageError(USE_TRANSACTION_API))
            return False
        if action in (sqlite3.SQLITE_CREATE_VTABLE, sqlite3.SQLITE_DROP_VTABLE):
            return (arg2 or "").lower() in ("fts5", "fts5vocab")
        return False  # ATTACH, DETACH, temp objects, anything unknown


def _pragma_allowed(pragma: str, arg: str | None) -> bool:  # noqa: PLR0911
    pragma = pragma.lower()
    if pragma == "table_list":
        return True
    if pragma in ("table_info", "table_xinfo"):
        return arg is not None and allowed_name(arg)
    signature = ALLOWED_PRAGMAS.get(pragma)
    if signature is None:
        return False
    if signature == _NO_ARG:
        return arg is None
    if arg is None:
        return signature != _OBJECT
    if signature == _BOOLEAN:
        value = arg[1:-1] if len(arg) >= 2 and arg[0] in "'\"" and arg[-1] == arg[0] else arg
        return value.lower().startswith(_BOOLEANS)
    if signature in (_OBJECT, _OPTIONAL_OBJECT):
        return allowed_name(arg)
    if signature == _NUMBER:
        return _parses_as_int(arg)
    return _parses_as_int(arg, unsigned=True) or allowed_name(arg)  # _NUMBER_OR_OBJECT


def _parses_as_int(text: str, *, unsigned: bool = False) -> bool:
    """kj's ``tryParseAs<int32_t>`` / ``<uint>``: decimal, hex (0x) or octal (0) integers in range."""
    body = text.strip()
    negative = body.startswith("-")
    if negative or body.startswith("+"):
        if unsigned and negative:
            return False
        body = body[1:]
    try:
        if body.lower().startswith("0x"):
            value = int(body, 16)
        elif len(body) > 1 and body.startswith("0"):
            value = int("0o" + body[1:], 8)
        else:
            value = int(body, 10)
    except ValueError:
        return False
    value = -value if negative else value
    return 0 <= value <= 2**32 - 1 if unsigned else -(2**31) <= value <= 2**31 - 1
