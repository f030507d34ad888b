"""The V8 value codec: the bytes V8 writes, and the Python values the SDK hands back."""

from __future__ import annotations

import datetime
import math
import time

import pytest
import v8serialize
from v8serialize.jstypes import JSArray, JSBigInt, JSObject

from pyworker.storage import codec

UTC = datetime.UTC


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, 1, -1, 2**30 - 1, -(2**30), 2**30, 2**31, 2**53 - 1, -(2**53) + 1, 2**53, 2**64 + 5,
     -(2**70), 1.5, -2.25, math.inf, "", "abc", "héllo", "中文", "😀", "a\x00b", [], [1, [2, "x"]], {},
     {"a": {"b": [1, None]}}, {1, 2, "x"}, datetime.datetime(2024, 1, 1, tzinfo=UTC)],
)
def test_codec_round_trip(value) -> None:
    assert codec.decode(codec.encode(value)) == value


@pytest.mark.parametrize(
    "value",
    [0, 7, -(2**30), 2**30, -1.5, "abc", "héllo", "中文", "x😀", "", [1, "a", None, True],
     {"k": [1.5, {"z": False}]},
     {"b": 1, "a": 2}, 12345678901234567890, -(2**80)],
)
def test_codec_bytes_are_readable_by_v8serialize(value) -> None:
    """An independent V8-format reader agrees with what we wrote."""
    assert plain(v8serialize.loads(codec.encode(value))) == value


def plain(value):  # type: ignore[no-untyped-def]
    if isinstance(value, JSArray):
        return [plain(v) for v in value.array]
    if isinstance(value, JSObject):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, JSBigInt):
        return int(value)
    return value


def test_codec_smi_range_is_31_bits() -> None:
    assert codec.encode(2**30 - 1)[2:3] == b"I"
    assert codec.encode(2**30)[2:3] == b"N"
    assert codec.encode(-(2**30))[2:3] == b"I"
    assert codec.encode(-(2**30) - 1)[2:3] == b"N"


def test_codec_integral_float_is_written_as_smi() -> None:
    assert codec.encode(2.0) == codec.encode(2)


def test_codec_negative_zero_is_a_double() -> None:
    assert codec.encode(-0.0).hex() == "ff0f4e0000000000000080"


def test_codec_big_integers_become_bigint() -> None:
    assert codec.encode(12345678901234567890).hex() == "ff0f5a10d20a1feb8ca954ab"


def test_codec_two_byte_strings_are_aligned() -> None:
    # header (2) + tag + 1-byte length = 4: even, no padding
    assert codec.encode("中").hex() == "ff0f63022d4e"
    # inside an array: 2 + A + len + c + len = 6: even again
    assert codec.encode(["中"]).hex() == "ff0f410163022d4e240001"
    # one byte more before it (2 + A + len + T = 5): a padding tag keeps the data even
    assert codec.encode([True, "中"]).hex() == "ff0f41025400630 22d4e240002".replace(" ", "")


def test_codec_integer_like_keys_come_first_like_javascript() -> None:
    encoded = codec.encode({"a": 2, "7": 1, "10": 3, "01": 4})
    assert list(codec.decode(encoded)) == ["7", "10", "a", "01"]


def test_codec_bytes_are_written_as_uint8array() -> None:
    assert codec.encode(b"\x00\xff").hex() == "ff0f420200ff5642000200"
    value = codec.decode(codec.encode(memoryview(b"ab")))
    assert isinstance(value, memoryview) and bytes(value) == b"ab"


def test_codec_naive_datetime_is_local_time_like_the_sdk(monkeypatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        naive = datetime.datetime(2024, 5, 6, 7, 8, 9)
        assert codec.decode(codec.encode(naive)) == datetime.datetime(2024, 5, 6, 11, 8, 9, tzinfo=UTC)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_codec_date_truncates_to_milliseconds() -> None:
    when = datetime.datetime(2024, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC)
    assert codec.decode(codec.encode(when)) == when.replace(microsecond=999_000)


def test_codec_decodes_v8serialize_output_for_other_tags() -> None:
    # v8serialize writes UTF-8 strings and uint32 tags, which V8 itself does not: still readable.
    assert codec.decode(v8serialize.dumps({"s": "héllo", "n": [1, 2**31]})) == {"s": "héllo", "n": [1, 2**31]}


def test_codec_unsupported_type_fails() -> None:
    with pytest.raises(TypeError, match="cannot encode object"):
        codec.encode(object())
