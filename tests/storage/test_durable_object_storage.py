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
     {1, 2}, datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)],
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
