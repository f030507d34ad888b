"""ctx.storage semantics, on a real SQLite file."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pyworker.runtime.gates import OutputGate
from pyworker.runtime.values import DataCloneError
from pyworker.storage.durable_object_storage import DurableObjectStorage
from pyworker.storage.sqlite_store import SqliteStore


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "do" / "object.sqlite"


@pytest.fixture
def storage(path: Path):  # type: ignore[no-untyped-def]
    store = DurableObjectStorage(SqliteStore(path), OutputGate())
    yield store
    store.close()


def reopen(storage: DurableObjectStorage, path: Path) -> DurableObjectStorage:
    storage.close()
    return DurableObjectStorage(SqliteStore(path), OutputGate())


async def test_storage_get_missing_key_is_none(storage) -> None:
    assert await storage.get("nope") is None


async def test_storage_put_then_get_returns_value(storage) -> None:
    await storage.put("n", 41)
    assert await storage.get("n") == 41


async def test_storage_put_without_await_still_writes(storage) -> None:
    storage.put("n", 1)
    assert await storage.get("n") == 1


@pytest.mark.parametrize(
    "value",
    [None, True, 0, -7, 2**40, 1.5, "héllo 中文 😀", "", [1, [2, "x"]], {"a": {"b": [1, None]}},
     {1, 2}, datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)],
)
async def test_storage_values_survive_reopen(storage, path: Path, value) -> None:
    await storage.put("k", value)
    storage = reopen(storage, path)
    assert await storage.get("k") == value
    storage.close()


async def test_storage_bytes_come_back_as_memoryview(storage, path: Path) -> None:
    await storage.put("b", b"\x00\x01")
    storage = reopen(storage, path)
    value = await storage.get("b")
    assert isinstance(value, memoryview) and bytes(value) == b"\x00\x01"
    storage.close()


async def test_storage_get_returns_a_copy(storage) -> None:
    await storage.put("d", {"items": [1]})
    first = await storage.get("d")
    first["items"].append(2)
    assert await storage.get("d") == {"items": [1]}


async def test_storage_get_many_returns_found_keys_sorted(storage) -> None:
    await storage.put({"b": 2, "a": 1, "c": 3})
    result = await storage.get(["c", "missing", "a"])
    assert list(result.items()) == [("a", 1), ("c", 3)]


async def test_storage_delete_reports_existence(storage) -> None:
    await storage.put("k", 1)
    assert await storage.delete("k") is True
    assert await storage.delete("k") is False
    assert await storage.get("k") is None


async def test_storage_delete_many_counts_deleted(storage) -> None:
    await storage.put({"a": 1, "b": 2})
    assert await storage.delete(["a", "b", "zz"]) == 2


async def test_storage_delete_all_removes_everything(storage, path: Path) -> None:
    await storage.put({"a": 1, "b": 2})
    await storage.deleteAll()
    assert await storage.list() == {}
    storage = reopen(storage, path)
    assert await storage.get("a") is None
    storage.close()


async def test_storage_put_undefined_value_is_type_error(storage) -> None:
    with pytest.raises(TypeError, match=r"put\(\) called with undefined value."):
        storage.put("k")


async def test_storage_put_unsupported_value_fails_at_call(storage) -> None:
    with pytest.raises(DataCloneError, match="could not be cloned"):
        storage.put("k", object())
    assert await storage.get("k") is None


async def test_storage_put_tuple_is_type_error(storage) -> None:
    with pytest.raises(TypeError, match="convert it to list"):
        storage.put("k", (1, 2))


@pytest.fixture
async def letters(storage):  # type: ignore[no-untyped-def]
    await storage.put({k: k.upper() for k in ["a", "ab", "abc", "b", "ba", "c"]})
    return storage


@pytest.mark.parametrize(
    ("options", "keys"),
    [
        ({}, ["a", "ab", "abc", "b", "ba", "c"]),
        ({"prefix": "a"}, ["a", "ab", "abc"]),
        ({"start": "ab"}, ["ab", "abc", "b", "ba", "c"]),
        ({"startAfter": "ab"}, ["abc", "b", "ba", "c"]),
        ({"end": "b"}, ["a", "ab", "abc"]),
        ({"start": "ab", "end": "ba"}, ["ab", "abc", "b"]),
        ({"reverse": True, "limit": 2}, ["c", "ba"]),
        ({"prefix": "b", "reverse": True}, ["ba", "b"]),
        ({"limit": 1}, ["a"]),
        ({"start": "c", "end": "a"}, []),
        ({"prefix": "a", "start": "b"}, []),
        ({"prefix": "a", "end": "ab"}, ["a"]),
    ],
)
async def test_storage_list_options(letters, options, keys) -> None:
    assert list(await letters.list(options)) == keys


async def test_storage_list_accepts_keyword_options(letters) -> None:
    assert list(await letters.list(prefix="b")) == ["b", "ba"]


async def test_storage_list_sees_unflushed_writes(letters) -> None:
    letters.put("aa", 1)
    letters.delete("b")
    assert list(await letters.list(end="b")) == ["a", "aa", "ab", "abc"]
    assert "b" not in await letters.list()


async def test_storage_list_start_and_start_after_conflict(letters) -> None:
    with pytest.raises(TypeError, match="list\\(\\) cannot be called with both start and startAfter values."):
        letters.list(start="a", startAfter="b")


async def test_storage_list_limit_must_be_positive(letters) -> None:
    with pytest.raises(TypeError, match="List limit must be positive."):
        letters.list(limit=0)


async def test_storage_keys_sort_by_utf8_bytes(storage) -> None:
    await storage.put({"é": 1, "z": 2, "中": 3, "A": 4})
    assert list(await storage.list()) == ["A", "z", "é", "中"]


async def test_storage_writes_are_committed_by_the_output_gate(path: Path) -> None:
    gate = OutputGate()
    storage = DurableObjectStorage(SqliteStore(path), gate)
    storage.put("k", "v")
    assert gate.pending
    await gate.wait_flushed()
    assert not gate.pending
    other = SqliteStore(path)
    assert other.get("k") is not None
    other.close()
    storage.close()


# -- shapes and options ---------------------------------------------------------------------------


async def test_storage_put_none_stores_null(storage, path: Path) -> None:
    await storage.put("k", None)
    assert await storage.list() == {"k": None}
    storage = reopen(storage, path)
    assert await storage.list() == {"k": None}
    storage.close()


@pytest.mark.parametrize("args", [({"a": 1}, 5), ({"a": 1}, "x"), (5, 1), (["a"], 1)])
async def test_storage_put_wrong_shape_is_type_error(storage, args) -> None:
    with pytest.raises(TypeError) as info:
        storage.put(*args)
    assert str(info.value) == (
        "put() may only be called with a single key-value pair and optional options as put(key, value, options) "
        "or with multiple key-value pairs and optional options as put(entries, options)"
    )


async def test_storage_put_entries_with_options_dict(storage) -> None:
    await storage.put({"a": 1, "b": 2}, {"allowUnconfirmed": True})
    assert await storage.get(["a", "b"]) == {"a": 1, "b": 2}


@pytest.mark.parametrize("options", [{"allowConcurrency": True}, {"allowUnconfirmed": True}, {"noCache": True}])
async def test_storage_options_accepted_as_dict_and_keywords(storage, options) -> None:
    await storage.put("k", 1, options)
    await storage.put("k", 2, **options)
    assert await storage.get("k", options) == 2
    assert await storage.get("k", **options) == 2
    assert await storage.get(["k"], options) == {"k": 2}
    assert await storage.list(options) == {"k": 2}
    assert await storage.list(**options) == {"k": 2}
    await storage.setAlarm(1_900_000_000_000, options)
    assert await storage.getAlarm(options) == 1_900_000_000_000
    await storage.deleteAlarm(**options)
    assert await storage.delete("k", options) is True
    assert await storage.delete(["k"], **options) == 0
    await storage.deleteAll(options)


async def test_storage_list_unknown_option_is_type_error(storage) -> None:
    with pytest.raises(TypeError, match="unknown options: prefx"):
        storage.list(prefx="a")


async def test_storage_get_many_with_duplicates(storage) -> None:
    await storage.put({"a": 1})
    assert await storage.get(["a", "a", "b"]) == {"a": 1}


async def test_storage_delete_many_with_duplicates_counts_once(storage) -> None:
    await storage.put({"a": 1})
    assert await storage.delete(["a", "a"]) == 1


async def test_storage_sync_commits_now(storage, path: Path) -> None:
    storage.put("k", 1)
    await storage.sync()
    other = SqliteStore(path)
    assert other.get("k") is not None
    other.close()


async def test_storage_writes_coalesce_into_one_batch(storage, path: Path) -> None:
    storage.put("foo", "value")
    storage.delete("foo")
    storage.put("bar", 1)
    await storage._gate.wait_flushed()
    other = SqliteStore(path)
    assert other.get("foo") is None and other.get("bar") is not None
    other.close()


async def test_storage_uncommitted_writes_are_lost_on_crash(tmp_path: Path) -> None:
    """A write survives the process dying once committed (WAL), and only then."""
    import asyncio
    import sys

    db = tmp_path / "crash.sqlite"
    script = (
        "import asyncio, os, sys\n"
        "from pathlib import Path\n"
        "from pyworker.runtime.gates import OutputGate\n"
        "from pyworker.storage.durable_object_storage import DurableObjectStorage\n"
        "from pyworker.storage.sqlite_store import SqliteStore\n"
        "async def main():\n"
        "    storage = DurableObjectStorage(SqliteStore(Path(sys.argv[1])), OutputGate())\n"
        "    storage.put('acked', 1)\n"
        "    storage.sql.exec('CREATE TABLE t(a)')\n"
        "    await storage._gate.wait_flushed()\n"
        "    storage.put('pending', 2)\n"
        "    os._exit(0)\n"
        "asyncio.run(main())\n"
    )
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", script, str(db))
    assert await child.wait() == 0
    storage = DurableObjectStorage(SqliteStore(db), OutputGate())
    assert await storage.list() == {"acked": 1}
    assert storage.sql.exec("SELECT count(*) AS n FROM t").one() == {"n": 0}
    storage.close()


async def test_storage_failed_commit_breaks_the_object(storage) -> None:
    import sqlite3

    def fail() -> bool:
        raise sqlite3.OperationalError("disk I/O error")

    storage.put("k", 1)
    storage._store.commit = fail
    with pytest.raises(sqlite3.OperationalError):
        storage.flush()
    assert storage.failure is not None
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        storage.get("k")
    with pytest.raises(sqlite3.OperationalError):
        storage.put("k", 2)
    del storage._store.commit


async def test_storage_resolved_does_not_suspend() -> None:
    from pyworker.storage.durable_object_storage import Resolved

    assert await Resolved(5) == 5
    assert repr(Resolved(5)) == "Resolved(5)"


async def test_storage_recover_after_failure_uses_committed_state(storage) -> None:
    import sqlite3

    await storage.put("kept", 1)
    storage.flush()

    def fail() -> bool:
        raise sqlite3.OperationalError("disk I/O error")

    storage.put("lost", 2)
    storage._store.commit = fail
    with pytest.raises(sqlite3.OperationalError):
        storage.flush()
    del storage._store.commit
    storage.recover()
    assert await storage.list() == {"kept": 1}
