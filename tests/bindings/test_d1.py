"""D1 (``env.DB``): statements, results, batches, exec, sessions, errors and the local file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pyworker.runtime.ffi import JsException
from pyworker.runtime.ids import IdFactory

DATABASE_ID = "00000000-1111-2222-3333-444444444444"
META_KEYS = ["served_by", "duration", "changes", "last_row_id", "changed_db", "size_after", "rows_read", "rows_written"]


@pytest.fixture
async def db(env):  # type: ignore[no-untyped-def]
    await env.DB.exec("CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, score REAL, data BLOB)")
    return env.DB


async def test_d1_run_returns_success_meta_and_results(db) -> None:
    result = await db.prepare("INSERT INTO users (name) VALUES (?)").bind("ada").run()
    assert result["success"] is True
    assert list(result["meta"]) == META_KEYS
    meta = result["meta"]
    assert (meta["served_by"], meta["changes"], meta["last_row_id"], meta["changed_db"], meta["rows_written"]) == (
        "miniflare.db", 1, 1, True, 1,
    )
    assert meta["size_after"] > 0 and meta["duration"] >= 0
    assert result["results"] == []


async def test_d1_run_on_select_returns_rows(db) -> None:
    await db.prepare("INSERT INTO users (name) VALUES (?)").bind("ada").run()
    result = await db.prepare("SELECT id, name FROM users WHERE id = ?").bind(1).run()
    assert result["results"] == [{"id": 1, "name": "ada"}]
    assert (result["meta"]["changed_db"], result["meta"]["rows_read"]) == (False, 1)


async def test_d1_all_returns_rows_as_dicts_with_attribute_access(db) -> None:
    await db.batch([db.prepare("INSERT INTO users (name) VALUES (?)").bind(n) for n in ("ada", "bob")])
    result = await db.prepare("SELECT name FROM users ORDER BY id").all()
    assert result["results"] == [{"name": "ada"}, {"name": "bob"}]
    assert result.results[1].name == "bob"


async def test_d1_first_returns_first_row_column_or_none(db) -> None:
    await db.prepare("INSERT INTO users (name, score) VALUES (?, ?)").bind("ada", 9.5).run()
    statement = db.prepare("SELECT name, score FROM users WHERE name = ?")
    assert await statement.bind("ada").first() == {"name": "ada", "score": 9.5}
    assert await statement.bind("ada").first("score") == 9.5
    assert await statement.bind("nobody").first() is None


async def test_d1_first_with_unknown_column_fails(db) -> None:
    await db.prepare("INSERT INTO users (name) VALUES ('ada')").run()
    with pytest.raises(JsException, match=r"^D1_COLUMN_NOTFOUND: Column not found \(nope\)$"):
        await db.prepare("SELECT name FROM users").first("nope")


async def test_d1_raw_returns_lists_with_optional_column_names(db) -> None:
    await db.prepare("INSERT INTO users (name, score) VALUES ('ada', 1)").run()
    statement = db.prepare("SELECT name, score FROM users")
    assert await statement.raw() == [["ada", 1]]
    assert await statement.raw(columnNames=True) == [["name", "score"], ["ada", 1]]
    assert await statement.raw({"columnNames": True}) == [["name", "score"], ["ada", 1]]
    assert await statement.raw(None) == [["ada", 1]]


async def test_d1_raw_column_names_without_rows(db) -> None:
    assert await db.prepare("SELECT name FROM users").raw(columnNames=True) == [["name"]]


async def test_d1_bind_converts_values_as_cloudflare(db) -> None:
    insert = db.prepare("INSERT INTO users (id, name, score, data) VALUES (?, ?, ?, ?)")
    await insert.bind(1, None, True, b"\x00\xff").run()
    await insert.bind(2, "x", False, [1, 2, 3]).run()
    rows = await db.prepare("SELECT id, name, score, data FROM users ORDER BY id").raw()
    assert rows == [[1, None, 1, [0, 255]], [2, "x", 0, [1, 2, 3]]]


async def test_d1_bind_rejects_unsupported_values(db) -> None:
    with pytest.raises(JsException, match=r"^D1_TYPE_ERROR: Type 'object' not supported for value '\[object Object\]'$"):
        db.prepare("SELECT ?").bind({"a": 1})
    with pytest.raises(JsException, match=r"^D1_TYPE_ERROR: Type 'bigint' not supported for value '9007199254740993'$"):
        db.prepare("SELECT ?").bind(2**53 + 1)


async def test_d1_statement_is_reusable_with_new_bindings(db) -> None:
    insert = db.prepare("INSERT INTO users (name) VALUES (?)")
    await insert.bind("a").run()
    await insert.bind("b").run()
    assert await db.prepare("SELECT count(*) AS n FROM users").first("n") == 2


async def test_d1_sql_error_is_d1_error_with_sqlite_text(db) -> None:
    with pytest.raises(JsException, match=r'^D1_ERROR: near "INVALID": syntax error at offset 0: SQLITE_ERROR$'):
        await db.prepare("INVALID SQL GIBBERISH").run()
    with pytest.raises(JsException, match=r"^D1_ERROR: no such table: missing: SQLITE_ERROR$"):
        await db.prepare("SELECT * FROM missing").all()


async def test_d1_constraint_error(db) -> None:
    await db.exec("CREATE TABLE u (email TEXT UNIQUE)")
    await db.prepare("INSERT INTO u VALUES ('a')").run()
    with pytest.raises(JsException, match="^D1_ERROR: UNIQUE constraint failed: u.email: SQLITE_CONSTRAINT$"):
        await db.prepare("INSERT INTO u VALUES ('a')").run()


async def test_d1_empty_statement_fails(db) -> None:
    with pytest.raises(JsException, match="^D1_ERROR: No SQL statements detected.$"):
        await db.prepare("  -- only a comment").run()


async def test_d1_batch_returns_one_result_per_statement(db) -> None:
    results = await db.batch([
        db.prepare("INSERT INTO users (name) VALUES (?)").bind("ada"),
        db.prepare("SELECT name FROM users"),
    ])
    assert [r["success"] for r in results] == [True, True]
    assert results[0]["meta"]["last_row_id"] == 1
    assert results[1]["results"] == [{"name": "ada"}]


async def test_d1_batch_is_all_or_nothing(db) -> None:
    with pytest.raises(JsException, match="^D1_ERROR: no such table: missing"):
        await db.batch([
            db.prepare("INSERT INTO users (name) VALUES ('kept?')"),
            db.prepare("INSERT INTO missing VALUES (1)"),
        ])
    assert await db.prepare("SELECT count(*) AS n FROM users").first("n") == 0


async def test_d1_exec_runs_one_statement_per_line(db) -> None:
    result = await db.exec("INSERT INTO users (name) VALUES ('a');\n\n-- a comment\nINSERT INTO users (name) VALUES ('b');")
    assert result["count"] == 2 and result["duration"] >= 0
    assert await db.prepare("SELECT name FROM users ORDER BY id").raw() == [["a"], ["b"]]


async def test_d1_exec_error_names_the_line_and_keeps_nothing(db) -> None:
    with pytest.raises(JsException) as raised:
        await db.exec("INSERT INTO users (name) VALUES ('a')\nINSERT INTO nowhere VALUES (1)")
    assert str(raised.value) == (
        "D1_EXEC_ERROR: Error in line 2: INSERT INTO nowhere VALUES (1): no such table: nowhere: SQLITE_ERROR"
    )
    assert await db.prepare("SELECT count(*) AS n FROM users").first("n") == 0


async def test_d1_refuses_sql_transactions(db) -> None:
    with pytest.raises(JsException, match="^D1_ERROR: To execute a transaction, please use"):
        await db.prepare("BEGIN TRANSACTION").run()


async def test_d1_session_tracks_bookmarks(db) -> None:
    session = db.withSession()
    assert session.getBookmark() is None
    await session.prepare("SELECT 1").all()
    first = session.getBookmark()
    assert isinstance(first, str) and first
    await session.batch([session.prepare("INSERT INTO users (name) VALUES ('s')")])
    assert session.getBookmark() > first
    assert db.withSession(first).getBookmark() == first
    assert db.withSession("first-primary").getBookmark() is None


async def test_d1_is_stored_in_wranglers_layout(db, tmp_path: Path) -> None:
    await db.prepare("INSERT INTO users (name) VALUES ('ada')").run()
    object_id = IdFactory("miniflare-D1DatabaseObject").from_name(DATABASE_ID).toString()
    path = tmp_path / "state" / "v3" / "d1" / "miniflare-D1DatabaseObject" / f"{object_id}.sqlite"
    with sqlite3.connect(path) as file:
        assert file.execute("SELECT name FROM users").fetchall() == [("ada",)]


async def test_d1_data_survives_a_new_worker(bound_worker) -> None:
    first = await bound_worker()
    await first.worker.env.DB.exec("CREATE TABLE t (v TEXT)\nINSERT INTO t VALUES ('kept')")
    first.worker.close()
    second = await bound_worker()
    assert await second.worker.env.DB.prepare("SELECT v FROM t").first("v") == "kept"


async def test_d1_bindings_table_lists_database(bound_worker) -> None:
    client = await bound_worker()
    assert ("env.DB (app-db)", "D1 Database", "local") in [tuple(r) for r in client.worker.describe_bindings()]


async def test_d1_works_from_a_worker_request(bound_worker) -> None:
    entry = """
        from workers import Response, WorkerEntrypoint

        class Default(WorkerEntrypoint):
            async def fetch(self, request):
                await self.env.DB.exec("CREATE TABLE IF NOT EXISTS hits (n INTEGER)")
                await self.env.DB.prepare("INSERT INTO hits VALUES (?)").bind(1).run()
                row = await self.env.DB.prepare("SELECT count(*) AS c FROM hits").first()
                return Response.json(row)
    """
    client = await bound_worker(entry=entry)
    assert await (await client.get("/")).json() == {"c": 1}
    assert await (await client.get("/")).json() == {"c": 2}
