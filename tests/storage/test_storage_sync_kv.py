"""ctx.storage.kv: the synchronous key-value API, sharing _cf_KV and the cache with the async API."""

from __future__ import annotations

import pytest

from pyworker.storage.errors import SYNC_KV_NOT_ENABLED, StorageError
from pyworker.storage.sync_kv import LIST_INVALIDATED


@pytest.fixture
async def kv(sqlite_storage):  # type: ignore[no-untyped-def]
    kv = sqlite_storage.kv
    kv.put("foo", 123)
    kv.put("bar", "abc")
    return kv


async def test_sync_kv_get_missing_is_none(sqlite_storage) -> None:
    assert sqlite_storage.kv.get("nope") is None


async def test_sync_kv_put_then_get(kv) -> None:
    assert kv.get("foo") == 123
    assert kv.get("bar") == "abc"


async def test_sync_kv_put_none_stores_null(kv) -> None:
    kv.put("n", None)
    assert [k for k, _ in kv.list()] == ["bar", "foo", "n"]


async def test_sync_kv_delete_reports_existence(kv) -> None:
    assert kv.delete("qux") is False
    assert kv.delete("bar") is True
    assert list(kv.list()) == [["foo", 123]]


async def test_sync_kv_list_in_key_order(kv) -> None:
    assert list(kv.list()) == [["bar", "abc"], ["foo", 123]]
    assert list(kv.list(reverse=True)) == [["foo", 123], ["bar", "abc"]]


@pytest.mark.parametrize(
    ("options", "keys"),
    [
        ({"prefix": "ba"}, ["bar", "baz"]),
        ({"limit": 1}, ["bar"]),
        ({"limit": 1, "reverse": True}, ["foo"]),
        ({"start": "b", "end": "c"}, ["bar", "baz"]),
        ({"start": "b", "end": "baz"}, ["bar"]),
        ({"start": "bar", "end": "c"}, ["bar", "baz"]),
        ({"startAfter": "bar", "end": "c"}, ["baz"]),
    ],
)
async def test_sync_kv_list_options(kv, options, keys) -> None:
    kv.put("baz", False)
    assert [key for key, _ in kv.list(options)] == keys


async def test_sync_kv_new_list_invalidates_previous_iterator(kv) -> None:
    first = kv.list()
    second = kv.list()
    with pytest.raises(StorageError) as info:
        list(first)
    assert str(info.value) == LIST_INVALIDATED
    assert list(second) == [["bar", "abc"], ["foo", 123]]


async def test_sync_kv_list_invalidated_midway(kv) -> None:
    first = kv.list()
    assert next(first) == ["bar", "abc"]
    kv.list()
    with pytest.raises(StorageError, match="was invalidated"):
        next(first)


async def test_sync_kv_finished_iterator_stays_finished(kv) -> None:
    first = kv.list()
    assert len(list(first)) == 2
    kv.list()
    assert list(first) == []


async def test_sync_kv_list_unknown_option_fails(kv) -> None:
    with pytest.raises(TypeError, match="unknown options: bogus"):
        kv.list(bogus=1)


async def test_sync_kv_shares_data_with_async_api(sqlite_storage) -> None:
    await sqlite_storage.put("a", {"x": 1})
    assert sqlite_storage.kv.get("a") == {"x": 1}
    sqlite_storage.kv.put("b", [1, 2])
    assert await sqlite_storage.get("b") == [1, 2]
    assert await sqlite_storage.list() == {"a": {"x": 1}, "b": [1, 2]}


async def test_sync_kv_values_are_copies(kv) -> None:
    kv.put("d", {"items": [1]})
    kv.get("d")["items"].append(2)
    assert kv.get("d") == {"items": [1]}


async def test_sync_kv_writes_persist(sqlite_storage, reopen) -> None:
    sqlite_storage.kv.put("k", "v")
    storage = reopen(sqlite_storage)
    assert storage.kv.get("k") == "v"


async def test_sync_kv_delete_all_invalidates_iterator(kv, sqlite_storage) -> None:
    iterator = kv.list()
    await sqlite_storage.deleteAll()
    with pytest.raises(StorageError, match="was invalidated"):
        next(iterator)
    assert list(kv.list()) == []


async def test_sync_kv_on_kv_backed_class_fails_with_local_message(kv_storage) -> None:
    with pytest.raises(StorageError) as info:
        kv_storage.kv  # noqa: B018
    assert str(info.value) == SYNC_KV_NOT_ENABLED
