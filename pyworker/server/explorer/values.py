"""Stored values as the explorer shows them: JSON for the page, with the JavaScript type they have.

Values come back from storage as the Python Workers SDK gives them (``dict``, ``list``, ``set``,
``datetime``, ``memoryview``, ...). Each is rendered as ``{"type", "value", "editable"}``: ``value``
is JSON (dates as ISO 8601 text, bytes as hex, sets as arrays, non-finite numbers as text) and
``editable`` says whether the JSON is the value itself, so that saving it back changes nothing else.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["describe", "to_json"]

_MAX_BYTES_SHOWN = 4096


def _type_name(value: Any) -> str:
    """The JavaScript type ``value`` stands for: ``number``, ``object``, ``Date``, ``Uint8Array``, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (set, frozenset)):
        return "Set"
    if isinstance(value, datetime.datetime):
        return "Date"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "Uint8Array"
    if isinstance(value, BaseException):
        return "Error"
    return type(value).__name__


def to_json(value: Any) -> Any:
    """``value`` as JSON-serializable data (see the module docstring for the mapping)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return [to_json(item) for item in sorted(value, key=repr)]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        shown = data[:_MAX_BYTES_SHOWN].hex(" ")
        return shown if len(data) <= _MAX_BYTES_SHOWN else f"{shown} … ({len(data)} bytes)"
    if hasattr(value, "to_py"):  # a JsProxy (WebSocket attachments)
        return to_json(value.to_py())
    return str(value)


def _is_json(value: Any) -> bool:
    """True when ``value`` is plain JSON data (so ``to_json`` returns it unchanged)."""
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_json(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_json(item) for key, item in value.items())
    return False


def describe(value: Any) -> dict[str, Any]:
    """``{"type", "value", "editable"}`` of a stored value."""
    return {"type": _type_name(value), "value": to_json(value), "editable": _is_json(value)}
