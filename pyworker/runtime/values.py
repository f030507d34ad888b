"""The values that may cross the JavaScript boundary on Cloudflare, and how they are copied.

Storage and RPC on Cloudflare structured-clone their values: the receiver gets a copy, and a value
of an unsupported type fails at the call. ``clone`` does the same for Python values.
``codec.encode_clone`` makes the same copy and raises the same errors (with ``clone_key``,
``not_cloneable`` and ``too_deep``) while it serializes the value for storage.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

__all__ = ["SUPPORTED_TYPES", "DataCloneError", "clone", "clone_key", "not_cloneable", "too_deep"]

SUPPORTED_TYPES = "None, bool, int, float, str, bytes, memoryview, list, dict, set and datetime"

_IMMUTABLE = (type(None), bool, int, float, str, datetime.datetime)


class DataCloneError(Exception):
    """A value cannot be structured-cloned (JavaScript's ``DataCloneError``)."""


def clone(value: Any, where: str, by_reference: Callable[[Any], Any] | None = None) -> Any:
    """Return a deep copy of ``value``, or raise if it could not cross the JS boundary.

    ``where`` names the call for the error message, e.g. ``"storage.put()"``. ``by_reference`` may
    map other values (RPC stubs and targets) to what is sent instead; it returns ``NotImplemented``
    for values it does not handle. Binary data comes back as ``memoryview``, as on Cloudflare.
    A value that contains itself, or is nested deeper than Python's recursion limit, raises
    ``DataCloneError`` too.
    """
    if isinstance(value, _IMMUTABLE):
        return value
    try:
        return _clone(value, where, by_reference)
    except RecursionError:
        raise too_deep(where) from None


def _clone(value: Any, where: str, by_reference: Callable[[Any], Any] | None) -> Any:
    if isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, dict):
        return {clone_key(k, where): _clone(v, where, by_reference) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v, where, by_reference) for v in value]
    if isinstance(value, (bytes, memoryview)):
        return memoryview(bytes(value))
    if isinstance(value, (set, frozenset)):
        return {_clone(v, where, by_reference) for v in value}
    if by_reference is not None:
        sent = by_reference(value)
        if sent is not NotImplemented:
            return sent
    raise not_cloneable(value, where)


def not_cloneable(value: Any, where: str) -> Exception:
    """The error for a value of a type that cannot be cloned (TypeError for tuple and bytearray)."""
    if isinstance(value, (tuple, bytearray)):
        kind = "list" if isinstance(value, tuple) else "bytes"
        return TypeError(
            f"{where}: a {type(value).__name__} cannot be sent to JavaScript; convert it to {kind} first"
        )
    return DataCloneError(
        f"{where}: a value of type {type(value).__name__!r} could not be cloned. "
        f"Supported types: {SUPPORTED_TYPES}."
    )


def too_deep(where: str) -> DataCloneError:
    """The error for a value that contains itself or is nested deeper than the recursion limit."""
    return DataCloneError(
        f"{where}: the value contains itself or is nested too deeply to be cloned; "
        "pass a tree of at most a few hundred levels"
    )


def clone_key(key: Any, where: str) -> str:
    """A dict key as the copy has it: int and float keys become str, other non-str keys raise."""
    if isinstance(key, str):
        return key
    if isinstance(key, (int, float)) and not isinstance(key, bool):
        return str(key)
    raise DataCloneError(f"{where}: dict keys must be str, got {type(key).__name__!r}")
