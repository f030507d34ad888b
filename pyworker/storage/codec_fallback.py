"""Decoding the stored values the fast reader in ``codec`` does not handle (RegExp, Error, object
back-references, typed arrays, ...), with the general-purpose ``v8serialize``.

Kept apart so that ``v8serialize``, slow to import, is loaded only when such a value is read.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import v8serialize
from v8serialize.jstypes import (
    JSArray,
    JSArrayBuffer,
    JSError,
    JSHole,
    JSMap,
    JSPrimitiveObject,
    JSSet,
    JSTypedArray,
    JSUndefined,
)

from pyworker.storage.codec import property_key, python_number

__all__ = ["decode_rare"]


def decode_rare(data: bytes) -> Any:
    """Deserialize V8 bytes of any kind, converted to the SDK's Python values."""
    return _from_js(v8serialize.loads(bytes(data)))


def _from_js(value: Any) -> Any:  # noqa: C901 - one branch per v8serialize type
    """Convert what ``v8serialize.loads`` returns (the rare tags) to the SDK's Python values."""
    if value is None or value is JSUndefined or value is JSHole:
        return None
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        return python_number(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, JSArray):
        return [_from_js(v) for v in value.array]
    if isinstance(value, JSSet):
        members = [_from_js(v) for v in value]
        try:
            return set(members)
        except TypeError:
            return members
    if isinstance(value, JSTypedArray):
        return memoryview(bytes(value.get_view()))
    if isinstance(value, JSArrayBuffer):
        return memoryview(bytes(value.data))
    if isinstance(value, JSPrimitiveObject):
        return _from_js(value.value)
    if isinstance(value, JSError):
        return Exception(f"{value.name}: {value.message}")  # the SDK's Exception(error.toString())
    if isinstance(value, JSMap):
        return {_from_js(k): _from_js(v) for k, v in value.items()}
    if isinstance(value, Mapping):
        return {property_key(k): _from_js(v) for k, v in value.items()}
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value
    return value
