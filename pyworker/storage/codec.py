"""Stored values in V8's serialization format, the format of ``wrangler dev``'s ``_cf_KV`` table.

Python values map to JavaScript ones as the Python Workers SDK converts them: ``dict`` ↔ plain
Object, ``list`` ↔ Array, ``set`` ↔ Set, ``bytes`` → ArrayBuffer → ``memoryview``, ``datetime`` ↔
Date, integers ↔ numbers (BigInt beyond 2**53), and integral numbers come back as ``int``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import v8serialize
from v8serialize.jstypes import JSArray, JSArrayBuffer, JSObject, JSSet, JSUndefined

__all__ = ["encode", "decode"]

_INT32 = range(-(2**31), 2**31)
_SAFE_INTEGER = 2**53 - 1


def encode(value: Any) -> bytes:
    """Serialize a value that ``values.clone`` accepted."""
    return v8serialize.dumps(_to_js(value))


def decode(data: bytes) -> Any:
    """Deserialize bytes written by ``encode`` or by ``wrangler dev``."""
    return _from_js(v8serialize.loads(data))


def _to_js(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int):
        if value in _INT32 or abs(value) > _SAFE_INTEGER:
            return value
        return float(value)
    if isinstance(value, dict):
        return JSObject({k: _to_js(v) for k, v in value.items()})
    if isinstance(value, list):
        return JSArray([_to_js(v) for v in value])
    if isinstance(value, (set, frozenset)):
        return JSSet(_to_js(v) for v in value)
    if isinstance(value, (bytes, memoryview)):
        return JSArrayBuffer(bytes(value))
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    raise TypeError(f"cannot encode {type(value).__name__}")


def _from_js(value: Any) -> Any:
    if value is None or value is JSUndefined or isinstance(value, (bool, str)):
        return None if value is JSUndefined else value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) <= _SAFE_INTEGER else value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, JSArray):
        return [_from_js(v) for v in value.array]
    if isinstance(value, JSSet):
        return {_from_js(v) for v in value}
    if isinstance(value, JSArrayBuffer):
        return memoryview(bytes(value.data))
    if isinstance(value, Mapping):
        return {str(k): _from_js(v) for k, v in value.items()}
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=datetime.timezone.utc) if value.tzinfo is None else value
    return value
