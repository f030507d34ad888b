"""The codec's fast paths: memoized strings, the fused clone-and-encode of ``storage.put``, the reader."""

from __future__ import annotations

from typing import Any

import pytest

from pyworker.runtime.values import DataCloneError, clone
from pyworker.storage import codec


@pytest.fixture
def empty_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec, "_MEMO", {})


def _self_containing() -> list[Any]:
    value: list[Any] = []
    value.append(value)
    return value


@pytest.mark.parametrize(
    "value",
    [
        ["a", "中", "a", "中"],  # "a" memoized, then written where the next two-byte string needs padding
        [True, "id", "中文", "id", "é", "中"],
        {"id": "中", "é": "x", "中": "id", "text": ["中", "id", "中"]},
        [{"id": "a", "t": "中"}, {"id": "ab", "t": "中"}, {"id": "abc", "t": "中"}],
    ],
)
def test_codec_memoized_strings_next_to_two_byte_strings_give_the_same_bytes(value: Any, empty_memo: None) -> None:
    cold = codec.encode(value)
    assert codec.encode(value) == cold  # now from the memo
    assert codec.decode(cold) == value


def test_codec_memoized_string_before_a_two_byte_string_at_an_odd_offset(empty_memo: None) -> None:
    expected = "ff0f4102220161" + "0063022d4e" + "240002"  # "a" ends at an odd offset: a padding byte
    assert codec.encode(["a", "中"]).hex() == expected
    assert codec.encode(["a", "中"]).hex() == expected


def test_codec_index_like_keys_come_first_after_being_written_as_values(empty_memo: None) -> None:
    codec.encode(["7", "10", "a"])  # the same strings as values first
    encoded = codec.encode({"a": 1, "10": 2, "7": 3, "07": 4})
    assert list(codec.decode(encoded)) == ["7", "10", "a", "07"]
    assert codec.encode_clone({"a": 1, "10": 2}, "storage.put()")[1] == codec.encode({"10": 2, "a": 1})


def test_codec_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch, empty_memo: None) -> None:
    monkeypatch.setattr(codec, "_MEMO_SIZE", 3)
    values = [f"s{i}" for i in range(10)]
    assert codec.decode(codec.encode(values)) == values
    assert codec.decode(codec.encode(values)) == values
    assert len(codec._MEMO) <= 3


@pytest.mark.parametrize(
    "value",
    [
        {"a": [1, 2.5, None, True], "b": {"c": b"\x00\x01"}, 3: "int key", 1.5: "float key"},
        {"z": 1, "0": {"1": "x", "y": 2}, "4294967295": 3},
        [{1, 2, "x"}, frozenset({3}), memoryview(b"ab"), -0.0, 2**31, 2**60],
    ],
)
def test_codec_encode_clone_gives_the_copy_and_bytes_of_clone_then_encode(value: Any) -> None:
    copy, encoded = codec.encode_clone(value, "storage.put()")
    expected = clone(value, "storage.put()")
    assert copy == expected and list(_keys(copy)) == list(_keys(expected))
    assert encoded == codec.encode(expected)


def _keys(value: Any) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)


@pytest.mark.parametrize(
    "value",
    [
        object(),
        (1, 2),
        bytearray(b"x"),
        {True: 1},
        {None: 1},
        [1, {"a": 1j}],
        {"1": object(), "a": (1,)},  # the first error in the dict's order, though "1" is written first
        {"a": (1,), "1": object()},
        {"a": (1,), 2: object()},
        {"b": 1, None: 2},
        _self_containing(),
    ],
)
def test_codec_encode_clone_raises_what_clone_raises(value: Any) -> None:
    with pytest.raises((TypeError, DataCloneError)) as expected:
        clone(value, "storage.put()")
    with pytest.raises(type(expected.value)) as raised:
        codec.encode_clone(value, "storage.put()")
    assert str(raised.value) == str(expected.value)


async def test_storage_put_copies_the_value_and_get_returns_a_copy(sqlite_storage) -> None:
    messages = [{"id": "m1", "text": "hi", "tags": ["a"], "at": 1764166000123.0}]
    await sqlite_storage.put("messages", messages)
    messages[0]["text"] = "changed"
    messages[0]["tags"].append("b")
    messages.append({"id": "m2"})
    got = await sqlite_storage.get("messages")
    assert got == [{"id": "m1", "text": "hi", "tags": ["a"], "at": 1764166000123.0}]
    got[0]["tags"].append("c")
    got[0]["id"] = "x"
    assert await sqlite_storage.get("messages") == [{"id": "m1", "text": "hi", "tags": ["a"], "at": 1764166000123.0}]


@pytest.mark.parametrize(
    "value",
    [
        {"k" * 200: "v" * 300, "中": 1, "a中": [2], "é": "ü"},  # long keys and values, two-byte keys after padding
        {"a": {"b": {"c": [None, True, False, -5, 2**40, 1.25]}}},
    ],
)
def test_codec_decode_reads_keys_of_every_length_and_width(value: Any) -> None:
    assert codec.decode(codec.encode(value)) == value


def test_codec_decode_of_a_truncated_key_is_left_to_v8serialize() -> None:
    encoded = codec.encode({"key": "value"})
    with pytest.raises(ValueError, match="truncated"):
        codec.decode(encoded[:6])
