"""Storage limits: the local profile (SQLite's length limit only) and the strict one (production KV)."""

from __future__ import annotations

import sqlite3

import pytest

from pyworker.runtime.http import RangeError as HttpRangeError
from pyworker.storage import codec, limits
from pyworker.storage.errors import StorageError
from pyworker.storage.limits import RangeError, StorageLimits, check_record

TOO_BIG = "^string or blob too big: SQLITE_TOOBIG$"


def test_limits_constants_have_cloudflare_values() -> None:
    assert limits.MAX_KEY_SIZE == 2048
    assert limits.ADVERTISED_MAX_VALUE_SIZE == 131072
    assert limits.ENFORCED_MAX_VALUE_SIZE == 131106
    assert limits.MAX_KEYS_PER_BATCH == 128
    assert limits.SQLITE_MAX_LENGTH == 2_200_000


def test_limits_range_error_is_the_runtime_one() -> None:
    assert RangeError is HttpRangeError
    assert issubclass(RangeError, ValueError)


def test_limits_unknown_profile_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown limits profile 'loose'"):
        StorageLimits("loose")


def test_limits_strict_applies_only_to_kv_backed_classes() -> None:
    assert StorageLimits("strict", sqlite=False).strict
    assert not StorageLimits("strict", sqlite=True).strict
    assert not StorageLimits("local", sqlite=False).strict


def _largest(fits) -> int:  # type: ignore[no-untyped-def]
    low, high = 0, limits.SQLITE_MAX_LENGTH
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


@pytest.mark.parametrize("key_length", [1, 300, 5000])
def test_limits_record_size_matches_sqlite(key_length: int) -> None:
    """check_record refuses exactly the _cf_KV rows SQLite itself refuses."""
    key = "k" * key_length
    db = sqlite3.connect(":memory:")
    db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.SQLITE_MAX_LENGTH)
    db.execute("CREATE TABLE _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID")

    def sqlite_fits(size: int) -> bool:
        try:
            db.execute("INSERT OR REPLACE INTO _cf_KV VALUES (?, ?)", (key, b"v" * size))
        except sqlite3.DataError:
            return False
        return True

    def ours_fits(size: int) -> bool:
        try:
            check_record(key, b"v" * size)
        except StorageError:
            return False
        return True

    assert _largest(ours_fits) == _largest(sqlite_fits) > limits.SQLITE_MAX_LENGTH - key_length - 10


# -- local profile --------------------------------------------------------------------------------


async def test_limits_local_allows_large_keys_values_and_batches(sqlite_storage) -> None:
    big_key = "k" * 5000
    await sqlite_storage.put(big_key, "v" * 200_000)
    await sqlite_storage.put({f"k{i}": i for i in range(200)})
    assert len(await sqlite_storage.get([f"k{i}" for i in range(200)])) == 200
    assert await sqlite_storage.delete([f"k{i}" for i in range(200)]) == 200
    assert len(await sqlite_storage.get(big_key)) == 200_000


async def test_limits_local_value_over_sqlite_length_fails(sqlite_storage) -> None:
    with pytest.raises(StorageError, match=TOO_BIG):
        sqlite_storage.put("k", "v" * 2_200_000)
    assert await sqlite_storage.get("k") is None


async def test_limits_local_key_over_sqlite_length_fails(sqlite_storage) -> None:
    with pytest.raises(StorageError, match=TOO_BIG):
        sqlite_storage.put("k" * 2_200_001, 1)


async def test_limits_local_multi_put_is_atomic(sqlite_storage) -> None:
    with pytest.raises(StorageError, match=TOO_BIG):
        sqlite_storage.put({"a": 1, "b": "v" * 2_200_000, "c": 3})
    assert await sqlite_storage.list() == {}


async def test_limits_local_apply_to_kv_backed_classes_too(kv_storage) -> None:
    await kv_storage.put("k" * 3000, "v" * 200_000)
    with pytest.raises(StorageError, match=TOO_BIG):
        kv_storage.put("k", b"\x00" * 2_200_000)


async def test_limits_sync_kv_value_over_sqlite_length_fails(sqlite_storage) -> None:
    with pytest.raises(StorageError, match=TOO_BIG):
        sqlite_storage.kv.put("k", "v" * 2_200_000)


# -- strict profile -------------------------------------------------------------------------------


@pytest.fixture
def strict(open_storage):  # type: ignore[no-untyped-def]
    return open_storage(sqlite=False, limits="strict")


async def test_limits_strict_key_at_limit_is_fine(strict) -> None:
    await strict.put("k" * 2048, 1)
    assert await strict.get("k" * 2048) == 1


@pytest.mark.parametrize("op", ["get", "put", "delete"])
async def test_limits_strict_key_over_limit_fails(strict, op: str) -> None:
    key = "é" * 1025  # 2050 UTF-8 bytes
    args = (key, 1) if op == "put" else (key,)
    with pytest.raises(RangeError) as info:
        getattr(strict, op)(*args)
    assert str(info.value) == "Keys cannot be larger than 2048 bytes. A key of size 2050 was provided."


async def test_limits_strict_key_in_batch_fails_before_any_write(strict) -> None:
    with pytest.raises(RangeError, match="Keys cannot be larger than 2048 bytes"):
        strict.put({"a": 1, "k" * 2049: 2})
    assert await strict.list() == {}


async def test_limits_strict_value_size_is_measured_serialized(strict) -> None:
    fits = "v" * (131106 - 6)  # header (2) + tag (1) + length varint (3)
    assert len(codec.encode(fits)) == 131106
    await strict.put("fits", fits)
    too_big = fits + "v"
    with pytest.raises(RangeError) as info:
        strict.put("big", too_big)
    assert str(info.value) == "Values cannot be larger than 131072 bytes. A value of size 131107 was provided."


async def test_limits_strict_value_over_limit_in_batch_is_atomic(strict) -> None:
    with pytest.raises(RangeError, match="Values cannot be larger than 131072 bytes"):
        strict.put({"a": 1, "b": b"\x00" * 131_100})
    assert await strict.list() == {}


@pytest.mark.parametrize("op", ["get", "delete"])
async def test_limits_strict_key_count_over_128_fails(strict, op: str) -> None:
    getattr(strict, op)([f"k{i}" for i in range(128)])
    with pytest.raises(RangeError) as info:
        getattr(strict, op)([f"k{i}" for i in range(129)])
    assert str(info.value) == "Maximum number of key value pairs is 128. 129 pairs were provided."


async def test_limits_strict_put_pair_count_over_128_fails(strict) -> None:
    await strict.put({f"k{i}": i for i in range(128)})
    with pytest.raises(RangeError, match=r"^Maximum number of key value pairs is 128\. 130 pairs were provided\.$"):
        strict.put({f"x{i}": i for i in range(130)})
    assert await strict.get("x0") is None


async def test_limits_strict_list_is_unlimited(strict) -> None:
    await strict.put({f"a{i}": i for i in range(100)})
    await strict.put({f"b{i}": i for i in range(100)})
    assert len(await strict.list()) == 200


async def test_limits_strict_does_not_apply_to_sqlite_classes(open_storage) -> None:
    storage = open_storage(sqlite=True, limits="strict")
    await storage.put("k" * 5000, "v" * 200_000)
    await storage.put({f"k{i}": i for i in range(200)})
