"""Stored values in V8's serialization format, the format of ``wrangler dev``'s ``_cf_KV`` table.

Python values map to JavaScript ones as the Python Workers SDK converts them (``to_js`` with
``Object.fromEntries``): ``dict`` ↔ plain Object (integer-like keys first, as JavaScript orders
them), ``list`` ↔ Array, ``set`` ↔ Set, ``bytes``/``memoryview`` → Uint8Array → ``memoryview``,
``datetime`` ↔ Date, integers ↔ numbers (BigInt beyond 2**53); integral numbers come back as ``int``.

``encode`` writes exactly the bytes V8 writes for the same JavaScript value (small integers as
``I`` Smis within ±2**30, other numbers as doubles, Latin-1 strings one-byte, others UTF-16), so
files written by pyworker and by ``wrangler dev`` are interchangeable. It is hand-written because the
general-purpose ``v8serialize`` encoder is ~10x slower and writes tags V8 itself never writes
(``U`` integers, ``S`` UTF-8 strings). ``encode_clone`` (for ``storage.put``) also checks and copies
the value as ``values.clone`` does, in the same pass. The encodings of short one-byte strings are
memoized, as stored values repeat their keys and strings from put to put. ``decode`` reads the
common tags directly and hands anything else (RegExp, Error, object back-references, ...) to
``v8serialize``.
"""

from __future__ import annotations

import datetime
import math
import struct
from typing import Any

from pyworker.runtime.values import clone, clone_key, not_cloneable, too_deep

__all__ = ["decode", "encode", "encode_clone", "epoch_ms"]

_HEADER = b"\xff\x0f"  # kVersion tag, format version 15 (what workerd writes)
_SMI_MIN, _SMI_MAX = -(2**30), 2**30 - 1  # V8 Smi range with pointer compression
_SAFE_INTEGER = 2**53 - 1
_MAX_ARRAY_INDEX = 2**32 - 2
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_DOUBLE = struct.Struct("<d")
_pack_double = _DOUBLE.pack
_pack_number = struct.Struct("<cd").pack  # tag and double
_unpack_double = _DOUBLE.unpack_from
_VIEW_FORMATS = {
    ord("b"): "b", ord("B"): "B", ord("C"): "B", ord("w"): "h", ord("W"): "H", ord("d"): "i",
    ord("D"): "I", ord("f"): "f", ord("F"): "d", ord("q"): "q", ord("Q"): "Q", ord("?"): "B",
}


# -- encoding --------------------------------------------------------------------------------------


def encode(value: Any) -> bytes:
    """Serialize a value that ``values.clone`` accepted, byte for byte as V8 would."""
    return _encode(value, None)[1]


def encode_clone(value: Any, where: str) -> tuple[Any, bytes]:
    """``clone(value, where)`` and the encoding of that copy, in one pass over ``value``.

    The copy, the errors and the bytes are those of ``values.clone`` followed by ``encode``.
    """
    return _encode(value, where)


def _encode(value: Any, where: str | None) -> tuple[Any, bytes]:
    if type(value) is int and _SMI_MIN <= value <= _SMI_MAX:
        out = bytearray(b"\xff\x0fI")
        _varint(out, (value << 1) if value >= 0 else ((-value) << 1) - 1)
        return value, bytes(out)
    out = bytearray(_HEADER)
    try:
        copy = _write(out, value, where)
    except RecursionError:
        raise too_deep(where or "encode()") from None
    return copy, bytes(out)


# ``_write`` and its helpers append a value to ``out`` and return its copy, checked as ``clone``
# checks it (``where`` None: the value is already a checked copy, or ``encode`` was given it).
# One-byte strings that are not array indices are memoized with their tag and length: their bytes
# do not depend on where they are written (two-byte strings do: they are aligned on an even offset).
_MEMO: dict[str, bytes] = {}
_MEMO_SIZE = 4096  # entries; the memo is emptied when full
_MEMO_LENGTH = 256  # longest string memoized
_STRING_HEADERS = [bytes((0x22, size)) for size in range(0x80)]  # ": one-byte string, its length


def _write(out: bytearray, value: Any, where: str | None) -> Any:
    kind = type(value)
    if kind is str:
        encoded = _MEMO.get(value)
        if encoded is None:
            _write_str(out, value)
        else:
            out += encoded
    elif kind is dict:
        return _write_object(out, value, where)
    elif kind is list:
        return _write_array(out, value, where)
    elif kind is int:
        _write_int(out, value)
    elif kind is float:
        _write_float(out, value)
    elif kind is bool:
        out.append(0x54 if value else 0x46)  # T / F
    elif value is None:
        out.append(0x30)  # 0: null
    else:
        return _write_other(out, value, where)
    return value


def _write_other(out: bytearray, value: Any, where: str | None) -> Any:
    """Subclasses of the plain types, binary data, sets and dates; anything else raises."""
    if isinstance(value, int):  # IntEnum, ...
        _write_int(out, int(value))
    elif isinstance(value, float):
        _write_float(out, float(value))
    elif isinstance(value, str):
        _write_str(out, str(value))
    elif isinstance(value, datetime.datetime):
        out.append(0x44)  # D
        out += _pack_double(float(epoch_ms(value)))
    elif isinstance(value, dict):
        return _write_object(out, value, where)
    elif isinstance(value, list):
        return _write_array(out, value, where)
    elif isinstance(value, (bytes, memoryview)):
        data = bytes(value)
        out.append(0x42)  # B: ArrayBuffer, then V: its Uint8Array view
        _varint(out, len(data))
        out += data
        out += b"VB\x00"
        _varint(out, len(data))
        out.append(0)
        return memoryview(data)
    elif isinstance(value, (set, frozenset)):
        # Written in the copy's order (a new set may iterate in another order than ``value``).
        copy = set(value) if where is None else clone(value, where)
        out.append(0x27)  # '
        for item in copy:
            _write(out, item, None)
        out.append(0x2C)  # ,
        _varint(out, len(copy))
        return copy
    elif where is None:
        raise TypeError(f"cannot encode {type(value).__name__}")
    else:
        raise not_cloneable(value, where)
    return value


def _write_array(out: bytearray, value: list[Any], where: str | None) -> list[Any]:
    out.append(0x41)  # A: dense array
    _varint(out, len(value))
    copy = []
    append = copy.append
    for item in value:  # a loop, not a comprehension: no extra frame per level of nesting
        append(_write(out, item, where))
    out.append(0x24)  # $
    out.append(0)
    _varint(out, len(copy))
    return copy


def _write_object(out: bytearray, value: dict[Any, Any], where: str | None) -> dict[str, Any]:
    start = len(out)
    out.append(0x6F)  # o
    memo = _MEMO
    copy = {}
    for key, item in value.items():
        if type(key) is not str:
            break
        encoded = memo.get(key)
        if encoded is not None:  # memoized: not an array index
            out += encoded
        elif _array_index(key) is None:
            _write_str(out, key)
        else:
            break
        kind = type(item)  # the common values inline
        if kind is str:
            encoded = memo.get(item)
            if encoded is None:
                _write_str(out, item)
            else:
                out += encoded
        elif kind is float and not _SMI_MIN <= item <= _SMI_MAX:  # a double (other floats may be Smis)
            out += _pack_number(b"N", item)
        else:
            item = _write(out, item, where)
        copy[key] = item
    else:
        out.append(0x7B)  # {
        _varint(out, len(copy))
        return copy
    # An array-index or non-str key: start again. JavaScript enumerates array-index keys first, in
    # numeric order. ``clone`` checks and copies the value first, so that the first error is the
    # one ``clone`` meets in the dict's own order. (Not a separate function: one frame per level.)
    del out[start:]
    if where is not None:
        value = clone(value, where)
    items = {clone_key(key, where or "encode()"): item for key, item in value.items()}
    texts = {name: name if type(name) is str else str(name) for name in items}
    indices = sorted((index, name) for name, text in texts.items() if (index := _array_index(text)) is not None)
    out.append(0x6F)  # o
    copy = dict.fromkeys(items)  # the copy keeps the dict's order
    for index, name in indices:
        if index <= _SMI_MAX:
            _write_int(out, index)
        else:
            out.append(0x4E)
            out += _pack_double(float(index))
        copy[name] = _write(out, items.pop(name), None)
    for name, item in items.items():
        _write_str(out, texts[name])
        copy[name] = _write(out, item, None)
    out.append(0x7B)  # {
    _varint(out, len(copy))
    return copy


def _varint(out: bytearray, n: int) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _write_str(out: bytearray, text: str) -> None:
    try:
        data = text.encode("latin-1")
    except UnicodeEncodeError:
        data = text.encode("utf-16-le", "surrogatepass")
        # V8 aligns two-byte string data on an even offset with a padding tag.
        if (len(out) + 1 + _varint_size(len(data))) & 1:
            out.append(0)
        out.append(0x63)  # c: two-byte string
        _varint(out, len(data))
        out += data
        return
    size = len(data)
    if size < 0x80:
        encoded = _STRING_HEADERS[size] + data
    else:
        header = bytearray(b'"')
        _varint(header, size)
        encoded = bytes(header) + data
    if size <= _MEMO_LENGTH and type(text) is str and _array_index(text) is None:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()
        _MEMO[text] = encoded
    out += encoded


def _varint_size(n: int) -> int:
    size = 1
    while n >= 0x80:
        n >>= 7
        size += 1
    return size


def _write_int(out: bytearray, value: int) -> None:
    if _SMI_MIN <= value <= _SMI_MAX:
        out.append(0x49)  # I: zigzag int32
        _varint(out, (value << 1) if value >= 0 else ((-value) << 1) - 1)
    elif -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
        out.append(0x4E)  # N
        out += _pack_double(float(value))
    else:  # Pyodide converts integers beyond 2**53 to BigInt
        magnitude = -value if value < 0 else value
        size = (magnitude.bit_length() + 63) // 64 * 8
        out.append(0x5A)  # Z
        _varint(out, (size << 1) | (value < 0))
        out += magnitude.to_bytes(size, "little")


def _write_float(out: bytearray, value: float) -> None:
    if _SMI_MIN <= value <= _SMI_MAX and value.is_integer() and (value or math.copysign(1.0, value) > 0):
        _write_int(out, int(value))
    else:
        out.append(0x4E)  # N
        out += _pack_double(value)


def _array_index(key: str) -> int | None:
    if key.isdigit() and key.isascii() and (key == "0" or key[0] != "0"):
        index = int(key)
        if index <= _MAX_ARRAY_INDEX:
            return index
    return None


def epoch_ms(value: datetime.datetime) -> int:
    """JavaScript's ``Date`` value for ``value``: whole milliseconds since the epoch.

    A naive datetime is local time, as the SDK converts it (``Date.new(dt.timestamp() * 1000)``;
    Workers run in UTC, so there naive means UTC).
    """
    if value.tzinfo is None:
        value = value.astimezone()
    delta = value - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return micros // 1000 if micros >= 0 else -((-micros) // 1000)  # JavaScript's TimeClip truncates


# -- decoding --------------------------------------------------------------------------------------


class _Unsupported(Exception):
    """A tag the fast reader does not handle: decode with v8serialize instead."""


def decode(data: bytes) -> Any:
    """Deserialize bytes written by ``encode`` or by ``wrangler dev``."""
    try:
        if data[:1] != b"\xff":
            raise _Unsupported
        return _read(data, _read_varint(data, 1)[1])[0]  # after the format version
    except _Unsupported:
        from pyworker.storage.codec_fallback import decode_rare  # v8serialize loads slowly: only when needed

        return decode_rare(data)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def _read_raw(data: bytes, pos: int, size: int) -> bytes:
    if pos + size > len(data):
        raise _Unsupported
    return data[pos : pos + size]


def _read(data: bytes, pos: int) -> tuple[Any, int]:  # noqa: C901 - one branch per V8 tag
    """The value that starts at ``pos``, and the position after it."""
    tag = data[pos]
    pos += 1
    while tag == 0:  # padding
        tag = data[pos]
        pos += 1
    if tag == 0x22:  # "
        size = data[pos]
        if size < 0x80:
            pos += 1
        else:
            size, pos = _read_varint(data, pos)
        end = pos + size
        if end > len(data):
            raise _Unsupported
        return data[pos:end].decode("latin-1"), end
    if tag == 0x49:  # I
        n, pos = _read_varint(data, pos)
        return (-(n >> 1) - 1 if n & 1 else n >> 1), pos
    if tag == 0x4E or tag == 0x6E:  # N, n: Number object
        return python_number(_unpack_double(_read_raw(data, pos, 8))[0]), pos + 8
    if tag == 0x6F:  # o
        result: dict[Any, Any] = {}
        while (tag := data[pos]) != 0x7B:
            if tag == 0x22 and (size := data[pos + 1]) < 0x80 and (end := pos + 2 + size) <= len(data):
                key = data[pos + 2 : end].decode("latin-1")  # a short one-byte key, the usual
                pos = end
            else:
                key, pos = _read(data, pos)
                if type(key) is not str:
                    key = property_key(key)
            result[key], pos = _read(data, pos)
        return result, _read_varint(data, pos + 1)[1]
    if tag == 0x30 or tag == 0x5F or tag == 0x2D:  # null, undefined, hole
        return None, pos
    if tag == 0x54 or tag == 0x79:  # true, Boolean(true)
        return True, pos
    if tag == 0x46 or tag == 0x78:  # false, Boolean(false)
        return False, pos
    if tag == 0x41:  # A: dense array
        size, pos = _read_varint(data, pos)
        items = []
        for _ in range(size):
            item, pos = _read(data, pos)
            items.append(item)
        while data[pos] == 0:  # padding
            pos += 1
        if data[pos] != 0x24:  # extra (non-index) properties: let v8serialize sort it out
            raise _Unsupported
        return items, _read_varint(data, _read_varint(data, pos + 1)[1])[1]
    if tag == 0x63 or tag == 0x53:  # c: two-byte string, S: UTF-8 string
        size, pos = _read_varint(data, pos)
        raw = _read_raw(data, pos, size)
        return (raw.decode("utf-16-le", "surrogatepass") if tag == 0x63 else raw.decode("utf-8")), pos + size
    if tag == 0x61:  # a: sparse array
        size, pos = _read_varint(data, pos)
        sparse: list[Any] = [None] * size
        while data[pos] != 0x40:
            key, pos = _read(data, pos)
            item, pos = _read(data, pos)
            if type(key) is int and 0 <= key < size:
                sparse[key] = item
        return sparse, _read_varint(data, _read_varint(data, pos + 1)[1])[1]
    if tag == 0x55:  # U
        return _read_varint(data, pos)
    if tag == 0x44:  # D
        return _date(_unpack_double(_read_raw(data, pos, 8))[0]), pos + 8
    if tag == 0x42:  # B: ArrayBuffer, maybe followed by a view on it
        size, pos = _read_varint(data, pos)
        buffer = _read_raw(data, pos, size)
        pos += size
        if pos < len(data) and data[pos] == 0x56:
            subtag = data[pos + 1]
            offset, pos = _read_varint(data, pos + 2)
            length, pos = _read_varint(data, pos)
            pos = _read_varint(data, pos)[1]  # flags
            view = memoryview(buffer[offset : offset + length])
            fmt = _VIEW_FORMATS.get(subtag)
            if fmt is None:
                raise _Unsupported
            return (view if fmt == "B" else view.cast(fmt)), pos
        return memoryview(buffer), pos
    if tag == 0x3B:  # ; Map
        entries: dict[Any, Any] = {}
        while data[pos] != 0x3A:
            key, pos = _read(data, pos)
            value, pos = _read(data, pos)
            entries[_hashable(key)] = value
        return entries, _read_varint(data, pos + 1)[1]
    if tag == 0x27:  # ' Set
        members = []
        while data[pos] != 0x2C:
            member, pos = _read(data, pos)
            members.append(member)
        pos = _read_varint(data, pos + 1)[1]
        try:
            return set(members), pos
        except TypeError:
            return members, pos
    if tag == 0x5A or tag == 0x7A:  # Z, z: BigInt object
        bitfield, pos = _read_varint(data, pos)
        size = bitfield >> 1
        magnitude = int.from_bytes(_read_raw(data, pos, size), "little")
        return (-magnitude if bitfield & 1 else magnitude), pos + size
    if tag == 0x73:  # s: String object
        return _read(data, pos)
    raise _Unsupported


def python_number(value: float) -> int | float:
    """A JavaScript number as the SDK gives it to Python: safe integers become ``int``."""
    if value.is_integer() and -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
        return int(value)
    return value


def property_key(key: Any) -> str:
    """An object key read as a number (integer-like keys are stored as numbers) back as text."""
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        raise _Unsupported from None
    return key


def _date(ms: float) -> datetime.datetime | float:
    try:
        return _EPOCH + datetime.timedelta(milliseconds=ms)
    except (OverflowError, ValueError):  # NaN (Invalid Date) or outside Python's range
        return ms
