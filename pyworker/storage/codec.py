"""Stored values in V8's serialization format, the format of ``wrangler dev``'s ``_cf_KV`` table.

Python values map to JavaScript ones as the Python Workers SDK converts them (``to_js`` with
``Object.fromEntries``): ``dict`` ↔ plain Object (integer-like keys first, as JavaScript orders
them), ``list`` ↔ Array, ``set`` ↔ Set, ``bytes``/``memoryview`` → Uint8Array → ``memoryview``,
``datetime`` ↔ Date, integers ↔ numbers (BigInt beyond 2**53); integral numbers come back as ``int``.

``encode`` writes exactly the bytes V8 writes for the same JavaScript value (small integers as
``I`` Smis within ±2**30, other numbers as doubles, Latin-1 strings one-byte, others UTF-16), so
files written by pyworker and by ``wrangler dev`` are interchangeable. It is hand-written because the
general-purpose ``v8serialize`` encoder is ~10x slower and writes tags V8 itself never writes
(``U`` integers, ``S`` UTF-8 strings). ``decode`` reads the common tags directly and hands anything
else (RegExp, Error, object back-references, ...) to ``v8serialize``.
"""

from __future__ import annotations

import datetime
import math
import struct
from collections.abc import Mapping
from typing import Any


__all__ = ["decode", "encode", "epoch_ms"]

_HEADER = b"\xff\x0f"  # kVersion tag, format version 15 (what workerd writes)
_SMI_MIN, _SMI_MAX = -(2**30), 2**30 - 1  # V8 Smi range with pointer compression
_SAFE_INTEGER = 2**53 - 1
_MAX_ARRAY_INDEX = 2**32 - 2
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_DOUBLE = struct.Struct("<d")
_pack_double = _DOUBLE.pack
_unpack_double = _DOUBLE.unpack_from
_VIEW_FORMATS = {
    ord("b"): "b", ord("B"): "B", ord("C"): "B", ord("w"): "h", ord("W"): "H", ord("d"): "i",
    ord("D"): "I", ord("f"): "f", ord("F"): "d", ord("q"): "q", ord("Q"): "Q", ord("?"): "B",
}


# -- encoding --------------------------------------------------------------------------------------


def encode(value: Any) -> bytes:
    """Serialize a value that ``values.clone`` accepted, byte for byte as V8 would."""
    if type(value) is int and _SMI_MIN <= value <= _SMI_MAX:
        out = bytearray(b"\xff\x0fI")
        _varint(out, (value << 1) if value >= 0 else ((-value) << 1) - 1)
        return bytes(out)
    out = bytearray(_HEADER)
    _write(out, value)
    return bytes(out)


def _varint(out: bytearray, n: int) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _write(out: bytearray, value: Any) -> None:
    kind = type(value)
    if kind is str:
        _write_str(out, value)
    elif kind is int:
        _write_int(out, value)
    elif kind is float:
        _write_float(out, value)
    elif kind is bool:
        out.append(0x54 if value else 0x46)  # T / F
    elif value is None:
        out.append(0x30)  # 0: null
    elif isinstance(value, dict):
        _write_object(out, value)
    elif isinstance(value, list):
        out.append(0x41)  # A: dense array
        _varint(out, len(value))
        for item in value:
            _write(out, item)
        out.append(0x24)  # $
        out.append(0)
        _varint(out, len(value))
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        out.append(0x42)  # B: ArrayBuffer, then V: its Uint8Array view
        _varint(out, len(data))
        out += data
        out += b"VB\x00"
        _varint(out, len(data))
        out.append(0)
    elif isinstance(value, (set, frozenset)):
        out.append(0x27)  # '
        for item in value:
            _write(out, item)
        out.append(0x2C)  # ,
        _varint(out, len(value))
    elif isinstance(value, datetime.datetime):
        out.append(0x44)  # D
        out += _pack_double(float(epoch_ms(value)))
    elif isinstance(value, int):  # int subclasses (IntEnum, ...)
        _write_int(out, int(value))
    elif isinstance(value, float):
        _write_float(out, float(value))
    elif isinstance(value, str):
        _write_str(out, str(value))
    else:
        raise TypeError(f"cannot encode {type(value).__name__}")


def _write_str(out: bytearray, text: str) -> None:
    if text.isascii():
        data = text.encode("ascii")
    else:
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
    out.append(0x22)  # ": one-byte string
    _varint(out, len(data))
    out += data


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
    if value.is_integer() and _SMI_MIN <= value <= _SMI_MAX and (value or math.copysign(1.0, value) > 0):
        _write_int(out, int(value))
    else:
        out.append(0x4E)
        out += _pack_double(value)


def _write_object(out: bytearray, value: Mapping[Any, Any]) -> None:
    out.append(0x6F)  # o
    keys = [k if type(k) is str else str(k) for k in value]
    indices = [k for k in keys if _array_index(k) is not None]
    if indices:  # JavaScript enumerates array-index keys first, in numeric order
        indices.sort(key=int)
        index_set = set(indices)
        ordered = indices + [k for k in keys if k not in index_set]
    else:
        ordered = keys
    items = dict(zip(keys, value.values()))
    for key in ordered:
        index = _array_index(key) if indices else None
        if index is None:
            _write_str(out, key)
        elif index <= _SMI_MAX:
            _write_int(out, index)
        else:
            out.append(0x4E)
            out += _pack_double(float(index))
        _write(out, items[key])
    out.append(0x7B)  # {
    _varint(out, len(ordered))


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
        reader = _Reader(data)
        return reader.value()
    except _Unsupported:
        from pyworker.storage.codec_fallback import decode_rare  # v8serialize loads slowly: only when needed

        return decode_rare(data)


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        if data[:1] != b"\xff":
            raise _Unsupported
        self.pos = 1
        self.varint()  # format version

    def varint(self) -> int:
        data, pos = self.data, self.pos
        result = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.pos = pos
                return result
            shift += 7

    def raw(self, size: int) -> bytes:
        start = self.pos
        self.pos = start + size
        if self.pos > len(self.data):
            raise _Unsupported
        return self.data[start : self.pos]

    def tag(self) -> int:
        data = self.data
        tag = data[self.pos]
        while tag == 0:  # padding
            self.pos += 1
            tag = data[self.pos]
        self.pos += 1
        return tag

    def value(self) -> Any:  # noqa: C901 - one branch per V8 tag
        tag = self.tag()
        if tag == 0x49:  # I
            n = self.varint()
            return -(n >> 1) - 1 if n & 1 else n >> 1
        if tag == 0x22:  # "
            return self.raw(self.varint()).decode("latin-1")
        if tag == 0x4E:  # N
            return python_number(_unpack_double(self.raw(8))[0])
        if tag == 0x6F:  # o
            result: dict[Any, Any] = {}
            while self.data[self.pos] != 0x7B:
                key = self.value()
                result[key if type(key) is str else property_key(key)] = self.value()
            self.pos += 1
            self.varint()
            return result
        if tag == 0x30 or tag == 0x5F or tag == 0x2D:  # null, undefined, hole
            return None
        if tag == 0x54 or tag == 0x79:  # true, Boolean(true)
            return True
        if tag == 0x46 or tag == 0x78:  # false, Boolean(false)
            return False
        if tag == 0x63:  # c
            return self.raw(self.varint()).decode("utf-16-le", "surrogatepass")
        if tag == 0x53:  # S
            return self.raw(self.varint()).decode("utf-8")
        if tag == 0x41:  # A: dense array
            items = [self.value() for _ in range(self.varint())]
            if self.tag() != 0x24:  # extra (non-index) properties: let v8serialize sort it out
                raise _Unsupported
            self.varint()
            self.varint()
            return items
        if tag == 0x61:  # a: sparse array
            sparse: list[Any] = [None] * self.varint()
            while self.data[self.pos] != 0x40:
                key = self.value()
                item = self.value()
                if type(key) is int and 0 <= key < len(sparse):
                    sparse[key] = item
            self.pos += 1
            self.varint()
            self.varint()
            return sparse
        if tag == 0x55:  # U
            return self.varint()
        if tag == 0x44:  # D
            return _date(_unpack_double(self.raw(8))[0])
        if tag == 0x42:  # B: ArrayBuffer, maybe followed by a view on it
            buffer = self.raw(self.varint())
            if self.pos < len(self.data) and self.data[self.pos] == 0x56:
                self.pos += 1
                subtag = self.data[self.pos]
                self.pos += 1
                offset, length = self.varint(), self.varint()
                self.varint()  # flags
                view = memoryview(buffer[offset : offset + length])
                fmt = _VIEW_FORMATS.get(subtag)
                if fmt is None:
                    raise _Unsupported
                return view if fmt == "B" else view.cast(fmt)
            return memoryview(buffer)
        if tag == 0x3B:  # ; Map
            entries: dict[Any, Any] = {}
            while self.data[self.pos] != 0x3A:
                key = self.value()
                entries[_hashable(key)] = self.value()
            self.pos += 1
            self.varint()
            return entries
        if tag == 0x27:  # ' Set
            members = []
            while self.data[self.pos] != 0x2C:
                members.append(self.value())
            self.pos += 1
            self.varint()
            try:
                return set(members)
            except TypeError:
                return members
        if tag == 0x5A:  # Z
            return self.bigint()
        if tag == 0x6E:  # n: Number object
            return python_number(_unpack_double(self.raw(8))[0])
        if tag == 0x73:  # s: String object
            return self.value()
        if tag == 0x7A:  # z: BigInt object
            return self.bigint()
        raise _Unsupported

    def bigint(self) -> int:
        bitfield = self.varint()
        magnitude = int.from_bytes(self.raw(bitfield >> 1), "little")
        return -magnitude if bitfield & 1 else magnitude


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
