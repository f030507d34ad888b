"""ctx.storage.sql: cursors, values, errors with workerd's texts, and its share of the commit discipline."""

from __future__ import annotations

import sqlite3

import pytest

from pyworker.storage.errors import SQL_NOT_ENABLED, USE_TRANSACTION_API, StorageError
from pyworker.storage.sql import SqlRow


@pytest.fixture
async def sql(sqlite_storage):  # type: ignore[no-untyped-def]
    sql = sqlite_storage.sql
    sql.exec("CREATE TABLE items(id INTEGER PRIMARY KEY, label TEXT, data BLOB)")
    for label in ["a", "b", "c"]:
        sql.exec("INSERT INTO items(label) VALUES (?)", label)
    return sql


# -- cursor ---------------------------------------------------------------------------------------


async def test_sql_cursor_iterates_dict_rows(sql) -> None:
    rows = list(sql.exec("SELECT id, label FROM items ORDER BY id"))
    assert rows == [{"id": 1, "label": "a"}, {"id": 2, "label": "b"}, {"id": 3, "label": "c"}]
    assert all(isinstance(row, SqlRow) for row in rows)


async def test_sql_row_supports_attribute_access(sql) -> None:
    row = sql.exec("SELECT label AS greeting FROM items WHERE id = 1").one()
    assert row.greeting == row["greeting"] == "a"
    with pytest.raises(AttributeError):
        row.missing  # noqa: B018


async def test_sql_cursor_next_follows_js_iterator_protocol(sql) -> None:
    cursor = sql.exec("SELECT label FROM items WHERE id <= 2 ORDER BY id")
    assert cursor.next() == {"done": False, "value": {"label": "a"}}
    assert cursor.next() == {"done": False, "value": {"label": "b"}}
    assert cursor.next() == {"done": True}
    assert cursor.next() == {"done": True}


async def test_sql_cursor_to_array_returns_remaining_rows(sql) -> None:
    cursor = sql.exec("SELECT id FROM items ORDER BY id")
    next(cursor)
    assert cursor.toArray() == [{"id": 2}, {"id": 3}]
    assert cursor.toArray() == []


async def test_sql_cursor_one_returns_the_row(sql) -> None:
    assert sql.exec("SELECT count(*) AS n FROM items").one() == {"n": 3}


async def test_sql_cursor_one_with_no_rows_fails(sql) -> None:
    with pytest.raises(StorageError, match="^Expected exactly one result from SQL query, but got no results.$"):
        sql.exec("SELECT * FROM items WHERE id = 99").one()


async def test_sql_cursor_one_with_several_rows_fails(sql) -> None:
    with pytest.raises(StorageError, match="^Expected exactly one result from SQL query, but got multiple results.$"):
        sql.exec("SELECT * FROM items").one()


async def test_sql_cursor_raw_yields_lists_and_shares_position(sql) -> None:
    cursor = sql.exec("SELECT id, label FROM items ORDER BY id")
    assert next(cursor) == {"id": 1, "label": "a"}
    raw = cursor.raw()
    assert next(raw) == [2, "b"]
    assert next(cursor) == {"id": 3, "label": "c"}
    assert list(raw) == []


async def test_sql_column_names_survive_consumption(sql) -> None:
    cursor = sql.exec("SELECT id, label FROM items")
    cursor.toArray()
    assert cursor.columnNames == ["id", "label"]


async def test_sql_column_names_empty_without_result_columns(sql) -> None:
    assert sql.exec("UPDATE items SET label = 'x' WHERE id = 1").columnNames == []
    assert sql.exec("CREATE TABLE other(a)").columnNames == []


async def test_sql_duplicate_column_names_keep_last_value(sql) -> None:
    cursor = sql.exec("SELECT 1 AS a, 2 AS a")
    assert cursor.columnNames == ["a", "a"]
    assert cursor.one() == {"a": 2}
    assert list(sql.exec("SELECT 1 AS a, 2 AS a").raw()) == [[1, 2]]


async def test_sql_rows_read_grows_one_row_ahead(sql) -> None:
    for i in range(4, 11):
        sql.exec("INSERT INTO items(label) VALUES (?)", str(i))
    cursor = sql.exec("SELECT * FROM items")
    assert cursor.rowsRead == 1
    seen = 0
    while not cursor.next()["done"]:
        seen += 1
        assert cursor.rowsRead == min(seen + 1, 10)
    assert cursor.rowsRead == 10


async def test_sql_rows_written_counts_changes(sql) -> None:
    assert sql.exec("INSERT INTO items(label) VALUES ('d')").rowsWritten == 1
    assert sql.exec("UPDATE items SET label = 'z'").rowsWritten == 4
    assert sql.exec("SELECT * FROM items WHERE id IN (1, 2, 3)").rowsWritten == 0


async def test_sql_rows_written_with_returning_grows_while_consumed(sql) -> None:
    cursor = sql.exec("DELETE FROM items RETURNING id")
    assert cursor.columnNames == ["id"]
    assert sorted(row["id"] for row in cursor) == [1, 2, 3]
    assert cursor.rowsWritten == 3


# -- statements -----------------------------------------------------------------------------------


async def test_sql_multiple_statements_cursor_is_for_the_last(sql) -> None:
    cursor = sql.exec("INSERT INTO items(label) VALUES ('d'); SELECT count(*) AS n FROM items WHERE label = ?", "d")
    assert cursor.one() == {"n": 1}


async def test_sql_trailing_whitespace_after_last_statement_is_allowed(sql) -> None:
    assert sql.exec("SELECT 1 AS one;\n\t ").one() == {"one": 1}


async def test_sql_semicolons_in_strings_and_triggers_do_not_split(sql) -> None:
    sql.exec(
        "CREATE TABLE log(msg TEXT); "
        "CREATE TRIGGER t AFTER INSERT ON items BEGIN INSERT INTO log VALUES ('a;b'); END;"
    )
    sql.exec("INSERT INTO items(label) VALUES (';')")
    assert sql.exec("SELECT msg FROM log").one() == {"msg": "a;b"}


@pytest.mark.parametrize("query", ["", "   ", ";", "-- just a comment", "SELECT 123; SELECT 456; -- trailing comment"])
async def test_sql_without_statement_fails(sql, query: str) -> None:
    with pytest.raises(StorageError, match="^SQL code did not contain a statement.$"):
        sql.exec(query)


@pytest.mark.parametrize(("query", "bindings"), [("SELECT ?", ()), ("SELECT ?", (1, 2)), ("SELECT 1", (1,))])
async def test_sql_wrong_number_of_bindings_fails(sql, query: str, bindings: tuple) -> None:
    with pytest.raises(StorageError, match=r"^Wrong number of parameter bindings for SQL query\.$"):
        sql.exec(query, *bindings)


async def test_sql_bindings_only_on_the_last_statement(sql) -> None:
    with pytest.raises(StorageError, match="only the last statement can have parameters"):
        sql.exec("SELECT ?; SELECT 1", 1)


@pytest.mark.parametrize("query", ["BEGIN TRANSACTION", "BEGIN", "SAVEPOINT foo", "COMMIT", "ROLLBACK"])
async def test_sql_transactions_are_refused_with_workerd_message(sql, query: str) -> None:
    with pytest.raises(StorageError) as info:
        sql.exec(query)
    assert str(info.value) == USE_TRANSACTION_API


@pytest.mark.parametrize(
    "query",
    ["CREATE TABLE _cf_invalid (name TEXT)", "CREATE TABLE _CF_Mixed (name TEXT)", "DROP TABLE _cf_KV",
     "INSERT INTO _cf_METADATA VALUES (9, 1)", "PRAGMA table_info(_cf_KV)", "ATTACH 'x.db' AS x",
     "CREATE TEMP TABLE t(a)", "PRAGMA hard_heap_limit = 1024"],
)
async def test_sql_internal_names_and_unsafe_statements_are_not_authorized(sqlite_storage, query: str) -> None:
    await sqlite_storage.put("blah", 123)  # creates _cf_KV
    await sqlite_storage.setAlarm(1_800_000_000_000)  # creates _cf_METADATA
    with pytest.raises(StorageError, match="not authorized"):
        sqlite_storage.sql.exec(query)


async def test_sql_reading_cf_kv_is_prohibited(sqlite_storage) -> None:
    await sqlite_storage.put("blah", 123)
    with pytest.raises(StorageError, match=r"^access to _cf_KV\.key is prohibited: SQLITE_AUTH$"):
        sqlite_storage.sql.exec("SELECT * FROM _cf_KV")


async def test_sql_page_size_pragma_is_not_authorized(sql) -> None:
    with pytest.raises(StorageError, match="^not authorized: SQLITE_AUTH$"):
        sql.exec("PRAGMA page_size = 8192")


async def test_sql_internal_functions_are_not_authorized(sql) -> None:
    with pytest.raises(StorageError, match="not authorized to use function: sqlite_version"):
        sql.exec("SELECT sqlite_version()")


@pytest.mark.parametrize(
    "query",
    ["PRAGMA table_info(items)", "PRAGMA table_list", "PRAGMA data_version", "PRAGMA foreign_keys = ON",
     "PRAGMA quick_check", "PRAGMA quick_check(items)", "PRAGMA optimize", "SELECT json_extract('{\"a\":1}', '$.a')",
     "SELECT abs(-1), upper('x'), unixepoch()",
     "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM c WHERE n < 3) SELECT n FROM c"],
)
async def test_sql_allowed_pragmas_and_functions_work(sql, query: str) -> None:
    sql.exec(query).toArray()


async def test_sql_syntax_error_reports_offset_and_code(sql) -> None:
    with pytest.raises(StorageError, match=r'^near ";": syntax error at offset 7: SQLITE_ERROR$'):
        sql.exec("SELECT ;")
    with pytest.raises(StorageError, match="syntax error at offset 8"):
        sql.exec("SELECT -;")


async def test_sql_missing_table_error_has_code(sql) -> None:
    with pytest.raises(StorageError, match="^no such table: nope: SQLITE_ERROR$"):
        sql.exec("SELECT * FROM nope")


async def test_sql_datatype_mismatch_error_has_code(sql) -> None:
    sql.exec("CREATE TABLE test_error_codes (name TEXT)")
    with pytest.raises(StorageError, match="^datatype mismatch: SQLITE_MISMATCH$"):
        sql.exec("INSERT INTO test_error_codes(rowid, name) values ('yeah','nah')")


async def test_sql_constraint_error_has_primary_code(sql) -> None:
    with pytest.raises(StorageError, match="^UNIQUE constraint failed: items.id: SQLITE_CONSTRAINT$"):
        sql.exec("INSERT INTO items(id, label) VALUES (1, 'again')")


async def test_sql_compound_select_limit_is_workerds(sql) -> None:
    five = " UNION ALL ".join(f"SELECT {i}" for i in range(5))
    assert len(sql.exec(five).toArray()) == 5
    with pytest.raises(StorageError, match="too many terms in compound SELECT"):
        sql.exec(five + " UNION ALL SELECT 6")


async def test_sql_value_too_big_fails_with_toobig(sql) -> None:
    with pytest.raises(StorageError, match="^string or blob too big: SQLITE_TOOBIG$"):
        sql.exec("INSERT INTO items(label) VALUES (?)", "x" * 2_200_001)


async def test_sql_foreign_keys_are_enforced_by_default(sql) -> None:
    sql.exec("CREATE TABLE child(item INTEGER REFERENCES items(id))")
    with pytest.raises(StorageError, match="FOREIGN KEY constraint failed: SQLITE_CONSTRAINT"):
        sql.exec("INSERT INTO child VALUES (42)")


# -- values ---------------------------------------------------------------------------------------


async def test_sql_bool_bindings_are_stored_as_text(sql) -> None:
    assert sql.exec("SELECT ? AS t, ? AS f, typeof(?) AS kind", True, False, True).one() == {
        "t": "true", "f": "false", "kind": "text",
    }


async def test_sql_int_bindings_are_javascript_numbers(sql) -> None:
    row = sql.exec("SELECT ? AS v, typeof(?) AS kind", 5, 5).one()
    assert row == {"v": 5, "kind": "real"}
    assert type(row["v"]) is int


async def test_sql_int_binding_beyond_2_53_fails(sql) -> None:
    with pytest.raises(TypeError, match="beyond 2\\*\\*53"):
        sql.exec("SELECT ?", 2**53 + 1)


async def test_sql_unsupported_binding_type_fails(sql) -> None:
    with pytest.raises(TypeError, match="not supported"):
        sql.exec("SELECT ?", {"a": 1})


async def test_sql_blobs_come_back_as_memoryview(sql) -> None:
    sql.exec("UPDATE items SET data = ? WHERE id = 1", b"\x00\x01\xff")
    value = sql.exec("SELECT data FROM items WHERE id = 1").one()["data"]
    assert isinstance(value, memoryview) and bytes(value) == b"\x00\x01\xff"


async def test_sql_null_comes_back_as_none(sql) -> None:
    assert sql.exec("SELECT data FROM items WHERE id = 1").one() == {"data": None}


async def test_sql_numbers_come_back_as_javascript_numbers(sql) -> None:
    row = sql.exec("SELECT 2.0 AS whole, 2.5 AS half, 9007199254740993 AS big").one()
    assert row == {"whole": 2, "half": 2.5, "big": 9007199254740992.0}
    assert type(row["whole"]) is int and type(row["big"]) is float


# -- database -------------------------------------------------------------------------------------


async def test_sql_database_size_of_new_object_is_one_page(sqlite_storage) -> None:
    assert sqlite_storage.sql.databaseSize == 4096


async def test_sql_database_size_grows_with_tables(sql) -> None:
    assert sql.databaseSize == 2 * 4096


async def test_sql_on_kv_backed_class_fails_with_local_message(kv_storage) -> None:
    with pytest.raises(StorageError) as info:
        kv_storage.sql  # noqa: B018
    assert str(info.value) == SQL_NOT_ENABLED
    assert "directly,set" in SQL_NOT_ENABLED


async def test_sql_prepare_runs_with_bindings(sql) -> None:
    statement = sql.prepare("SELECT label FROM items WHERE id = ?")
    assert statement(2).one() == {"label": "b"}
    assert statement(3).one() == {"label": "c"}


async def test_sql_ingest_runs_complete_statements(sql) -> None:
    result = sql.ingest("INSERT INTO items(label) VALUES ('d'); INSERT INTO items(label) VALUES ('e'); SELECT")
    assert result == {"remainder": " SELECT", "rowsRead": 0, "rowsWritten": 2, "statementCount": 2}


# -- commit discipline ----------------------------------------------------------------------------


async def test_sql_writes_wait_for_the_output_gate(sqlite_storage, db_path) -> None:
    sqlite_storage.sql.exec("CREATE TABLE t(a)")
    sqlite_storage.sql.exec("INSERT INTO t VALUES (1)")
    other = sqlite3.connect(db_path)
    assert other.execute("SELECT name FROM sqlite_master WHERE name = 't'").fetchall() == []
    await sqlite_storage._gate.wait_flushed()
    assert other.execute("SELECT a FROM t").fetchall() == [(1,)]
    other.close()


async def test_sql_and_kv_writes_commit_in_one_transaction(sqlite_storage, db_path) -> None:
    sqlite_storage.sql.exec("CREATE TABLE t(a)")
    await sqlite_storage.put("k", 1)
    sqlite_storage.sql.exec("INSERT INTO t VALUES (2)")
    assert sqlite_storage._store.in_transaction
    sqlite_storage.flush()
    other = sqlite3.connect(db_path)
    assert other.execute("SELECT a FROM t").fetchall() == [(2,)]
    assert other.execute("SELECT count(*) FROM _cf_KV").fetchone() == (1,)
    other.close()


async def test_sql_tables_persist_across_reopen(sql, sqlite_storage, reopen) -> None:
    storage = reopen(sqlite_storage)
    assert storage.sql.exec("SELECT count(*) AS n FROM items").one() == {"n": 3}


async def test_sql_unconsumed_cursor_survives_commit(sql, sqlite_storage) -> None:
    cursor = sql.exec("SELECT id FROM items ORDER BY id")
    assert next(cursor) == {"id": 1}
    sqlite_storage.flush()
    assert cursor.toArray() == [{"id": 2}, {"id": 3}]
