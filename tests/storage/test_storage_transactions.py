"""transaction() and transactionSync(): commit, rollback, nesting, errors; deleteAll() around them."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from pyworker.storage.errors import StorageError


class Boom(Exception):
    pass


# -- transaction() --------------------------------------------------------------------------------


async def test_transaction_returns_closure_value_and_commits(sqlite_storage, reopen) -> None:
    async def closure(txn):  # type: ignore[no-untyped-def]
        await txn.put("a", 1)
        return "done"

    assert await sqlite_storage.transaction(closure) == "done"
    storage = reopen(sqlite_storage)
    assert await storage.get("a") == 1


async def test_transaction_accepts_sync_closure(sqlite_storage) -> None:
    assert await sqlite_storage.transaction(lambda txn: txn.put("a", 1) and 7) == 7
    assert await sqlite_storage.get("a") == 1


async def test_transaction_exception_rolls_back_and_reraises_same_error(sqlite_storage) -> None:
    await sqlite_storage.put("keep", 1)
    error = Boom("no")

    async def closure(txn):  # type: ignore[no-untyped-def]
        await txn.put("a", 1)
        await txn.delete("keep")
        sqlite_storage.sql.exec("CREATE TABLE t(a)")
        raise error

    with pytest.raises(Boom) as info:
        await sqlite_storage.transaction(closure)
    assert info.value is error
    assert await sqlite_storage.get("a") is None
    assert await sqlite_storage.get("keep") == 1
    with pytest.raises(StorageError, match="no such table: t"):
        sqlite_storage.sql.exec("SELECT * FROM t")


async def test_transaction_storage_writes_inside_closure_are_part_of_it(sqlite_storage) -> None:
    async def closure(txn):  # type: ignore[no-untyped-def]
        await sqlite_storage.put("direct", 1)
        raise Boom

    with pytest.raises(Boom):
        await sqlite_storage.transaction(closure)
    assert await sqlite_storage.get("direct") is None


async def test_transaction_txn_sees_its_own_writes(sqlite_storage) -> None:
    async def closure(txn):  # type: ignore[no-untyped-def]
        await txn.put({"a": 1, "b": 2})
        return await txn.get(["a", "b"]), await txn.list()

    assert await sqlite_storage.transaction(closure) == ({"a": 1, "b": 2}, {"a": 1, "b": 2})


async def test_transaction_rollback_discards_changes_and_returns_value(sqlite_storage) -> None:
    async def closure(txn):  # type: ignore[no-untyped-def]
        await txn.put("a", 1)
        txn.rollback()
        txn.rollback()  # idempotent
        return "value"

    assert await sqlite_storage.transaction(closure) == "value"
    assert await sqlite_storage.get("a") is None


@pytest.mark.parametrize("op", ["get", "list", "put", "delete", "getAlarm", "setAlarm", "deleteAlarm"])
async def test_transaction_ops_after_rollback_fail(sqlite_storage, op: str) -> None:
    args = {"get": ("a",), "put": ("a", 1), "delete": ("a",), "setAlarm": (1_800_000_000_000,)}.get(op, ())

    async def closure(txn):  # type: ignore[no-untyped-def]
        txn.rollback()
        getattr(txn, op)(*args)

    with pytest.raises(StorageError, match=rf"^Cannot {op}\(\) on rolled back transaction$"):
        await sqlite_storage.transaction(closure)


async def test_transaction_ops_after_failed_closure_fail(sqlite_storage) -> None:
    kept = []

    async def closure(txn):  # type: ignore[no-untyped-def]
        kept.append(txn)
        raise Boom

    with pytest.raises(Boom):
        await sqlite_storage.transaction(closure)
    with pytest.raises(StorageError, match=r"^Cannot get\(\) on rolled back transaction$"):
        kept[0].get("a")


@pytest.mark.parametrize("op", ["get", "put", "rollback"])
async def test_transaction_txn_used_after_commit_fails(sqlite_storage, op: str) -> None:
    kept = []
    await sqlite_storage.transaction(kept.append)
    args = {"get": ("a",), "put": ("a", 1)}.get(op, ())
    with pytest.raises(StorageError) as info:
        getattr(kept[0], op)(*args)
    assert str(info.value) == (
        f"Cannot call {op}() on transaction that has already committed: did you move `txn` outside of the closure?"
    )


async def test_transaction_nested_inner_commit_visible_to_outer(sqlite_storage) -> None:
    async def outer(txn):  # type: ignore[no-untyped-def]
        await sqlite_storage.transaction(lambda inner: inner.put("inner", 1))
        return await txn.get("inner")

    assert await sqlite_storage.transaction(outer) == 1
    assert await sqlite_storage.get("inner") == 1


async def test_transaction_nested_outer_rollback_discards_both(sqlite_storage) -> None:
    async def outer(txn):  # type: ignore[no-untyped-def]
        await txn.put("outer", 1)
        await sqlite_storage.transaction(lambda inner: inner.put("inner", 1))
        raise Boom

    with pytest.raises(Boom):
        await sqlite_storage.transaction(outer)
    assert await sqlite_storage.get(["outer", "inner"]) == {}


async def test_transaction_nested_inner_failure_keeps_outer(sqlite_storage) -> None:
    async def inner(txn):  # type: ignore[no-untyped-def]
        await txn.put("inner", 1)
        raise Boom

    async def outer(txn):  # type: ignore[no-untyped-def]
        await txn.put("outer", 1)
        with pytest.raises(Boom):
            await sqlite_storage.transaction(inner)

    await sqlite_storage.transaction(outer)
    assert await sqlite_storage.get(["outer", "inner"]) == {"outer": 1}


async def test_transaction_outer_rollback_while_inner_runs_fails(sqlite_storage) -> None:
    async def outer(txn):  # type: ignore[no-untyped-def]
        def inner(_):  # type: ignore[no-untyped-def]
            txn.rollback()

        await sqlite_storage.transaction(inner)

    with pytest.raises(StorageError, match="Cannot roll back an outer transaction while a nested transaction"):
        await sqlite_storage.transaction(outer)


async def test_transaction_commit_waits_for_gate_across_awaits(sqlite_storage, db_path) -> None:
    async def closure(txn):  # type: ignore[no-untyped-def]
        await txn.put("a", 1)
        await asyncio.sleep(0.01)  # the output gate runs meanwhile and must not commit
        other = sqlite3.connect(db_path)
        seen = other.execute("SELECT name FROM sqlite_master WHERE name = '_cf_KV'").fetchall()
        other.close()
        return seen

    assert await sqlite_storage.transaction(closure) == []
    await sqlite_storage._gate.wait_flushed()
    other = sqlite3.connect(db_path)
    assert other.execute("SELECT count(*) FROM _cf_KV").fetchone() == (1,)
    other.close()


async def test_transaction_concurrent_top_level_transactions_are_serialized(sqlite_storage) -> None:
    order = []

    def closure(name):  # type: ignore[no-untyped-def]
        async def run(txn):  # type: ignore[no-untyped-def]
            order.append(f"{name} start")
            await asyncio.sleep(0.01)
            await txn.put(name, 1)
            order.append(f"{name} end")
            if name == "b":
                raise Boom

        return run

    results = await asyncio.gather(
        sqlite_storage.transaction(closure("a")), sqlite_storage.transaction(closure("b")), return_exceptions=True
    )
    assert order == ["a start", "a end", "b start", "b end"]
    assert isinstance(results[1], Boom)
    assert await sqlite_storage.get(["a", "b"]) == {"a": 1}


async def test_transaction_delete_all_inside_fails(sqlite_storage) -> None:
    async def via_txn(txn):  # type: ignore[no-untyped-def]
        txn.deleteAll()

    async def via_storage(txn):  # type: ignore[no-untyped-def]
        sqlite_storage.deleteAll()

    for closure in (via_txn, via_storage):
        with pytest.raises(StorageError, match=r"^Cannot call deleteAll\(\) within a transaction$"):
            await sqlite_storage.transaction(closure)


async def test_transaction_rollback_restores_alarm(sqlite_storage) -> None:
    await sqlite_storage.setAlarm(1_800_000_000_000)

    async def closure(txn):  # type: ignore[no-untyped-def]
        await txn.setAlarm(1_900_000_000_000)
        assert await txn.getAlarm() == 1_900_000_000_000
        raise Boom

    with pytest.raises(Boom):
        await sqlite_storage.transaction(closure)
    assert await sqlite_storage.getAlarm() == 1_800_000_000_000


# -- transactionSync() ----------------------------------------------------------------------------


async def test_transaction_sync_returns_value_and_commits(sqlite_storage, reopen) -> None:
    def closure():  # type: ignore[no-untyped-def]
        sqlite_storage.kv.put("a", 1)
        sqlite_storage.sql.exec("CREATE TABLE t(a)")
        return "ok"

    assert sqlite_storage.transactionSync(closure) == "ok"
    storage = reopen(sqlite_storage)
    assert storage.kv.get("a") == 1
    assert storage.sql.exec("SELECT count(*) AS n FROM t").one() == {"n": 0}


async def test_transaction_sync_exception_rolls_back_and_reraises(sqlite_storage) -> None:
    sqlite_storage.sql.exec("CREATE TABLE t(a)")
    sqlite_storage.kv.put("keep", 1)

    def closure():  # type: ignore[no-untyped-def]
        sqlite_storage.kv.put("a", 1)
        sqlite_storage.kv.delete("keep")
        sqlite_storage.sql.exec("INSERT INTO t VALUES (1)")
        raise Boom

    with pytest.raises(Boom):
        sqlite_storage.transactionSync(closure)
    assert sqlite_storage.kv.get("a") is None
    assert sqlite_storage.kv.get("keep") == 1
    assert sqlite_storage.sql.exec("SELECT count(*) AS n FROM t").one() == {"n": 0}


async def test_transaction_sync_nests(sqlite_storage) -> None:
    kv = sqlite_storage.kv

    def inner():  # type: ignore[no-untyped-def]
        kv.put("inner", 1)
        raise Boom

    def outer():  # type: ignore[no-untyped-def]
        kv.put("outer", 1)
        with pytest.raises(Boom):
            sqlite_storage.transactionSync(inner)
        sqlite_storage.transactionSync(lambda: kv.put("second", 1))

    sqlite_storage.transactionSync(outer)
    assert [k for k, _ in kv.list()] == ["outer", "second"]


async def test_transaction_sync_outer_failure_discards_inner(sqlite_storage) -> None:
    kv = sqlite_storage.kv

    def outer():  # type: ignore[no-untyped-def]
        sqlite_storage.transactionSync(lambda: kv.put("inner", 1))
        raise Boom

    with pytest.raises(Boom):
        sqlite_storage.transactionSync(outer)
    assert kv.get("inner") is None


async def test_transaction_sync_inside_async_transaction(sqlite_storage) -> None:
    async def closure(txn):  # type: ignore[no-untyped-def]
        sqlite_storage.transactionSync(lambda: sqlite_storage.kv.put("a", 1))
        raise Boom

    with pytest.raises(Boom):
        await sqlite_storage.transaction(closure)
    assert sqlite_storage.kv.get("a") is None


async def test_transaction_sync_rejects_async_function(sqlite_storage) -> None:
    async def closure():  # type: ignore[no-untyped-def]
        sqlite_storage.kv.put("a", 1)

    with pytest.raises(TypeError, match="needs a synchronous function"):
        sqlite_storage.transactionSync(closure)


async def test_transaction_sync_delete_all_inside_fails(sqlite_storage) -> None:
    with pytest.raises(StorageError, match=r"^Cannot call deleteAll\(\) within a transaction$"):
        sqlite_storage.transactionSync(sqlite_storage.deleteAll)


async def test_transaction_sync_works_for_kv_backed_class_locally(kv_storage) -> None:
    def closure():  # type: ignore[no-untyped-def]
        kv_storage.put("a", 1)
        raise Boom

    with pytest.raises(Boom):
        kv_storage.transactionSync(closure)
    assert await kv_storage.get("a") is None


# -- deleteAll() ----------------------------------------------------------------------------------


async def test_delete_all_resets_user_tables_too(sqlite_storage, reopen) -> None:
    sqlite_storage.sql.exec("CREATE TABLE t(a)")
    await sqlite_storage.put("k", 1)
    await sqlite_storage.deleteAll()
    with pytest.raises(StorageError, match="no such table: t"):
        sqlite_storage.sql.exec("SELECT * FROM t")
    assert sqlite_storage.sql.databaseSize == 4096
    storage = reopen(sqlite_storage)
    assert await storage.get("k") is None


async def test_delete_all_discards_uncommitted_writes(sqlite_storage, reopen) -> None:
    await sqlite_storage.put("a", 1)
    sqlite_storage.flush()
    await sqlite_storage.put("b", 2)
    await sqlite_storage.deleteAll()
    await sqlite_storage.put("c", 3)
    storage = reopen(sqlite_storage)
    assert await storage.list() == {"c": 3}


async def test_delete_all_keeps_the_alarm(sqlite_storage, reopen) -> None:
    await sqlite_storage.setAlarm(1_800_000_000_000)
    await sqlite_storage.put("k", 1)
    await sqlite_storage.deleteAll()
    assert await sqlite_storage.getAlarm() == 1_800_000_000_000
    storage = reopen(sqlite_storage)
    assert await storage.getAlarm() == 1_800_000_000_000
    assert await storage.list() == {}


async def test_transaction_runs_through_run_exclusive_hook(sqlite_storage) -> None:
    calls = []

    async def exclusive(work):  # type: ignore[no-untyped-def]
        calls.append("enter")
        try:
            return await work
        finally:
            calls.append("exit")

    sqlite_storage.run_exclusive = exclusive

    async def outer(txn):  # type: ignore[no-untyped-def]
        await sqlite_storage.transaction(lambda inner: inner.put("a", 1))  # nested: not exclusive again
        return "ok"

    assert await sqlite_storage.transaction(outer) == "ok"
    assert calls == ["enter", "exit"]
    with pytest.raises(Boom):
        await sqlite_storage.transaction(lambda txn: (_ for _ in ()).throw(Boom()))
    assert calls == ["enter", "exit", "enter", "exit"]
