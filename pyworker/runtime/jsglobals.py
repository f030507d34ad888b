"""The JavaScript globals Python Workers code imports from ``js``: ``Date``, ``Object``, ``console``
and the ``Response`` constructor (``WebSocketPair`` lives with the WebSockets).

Constructors are called as Pyodide calls them, ``Date.new(ms)``; only what Worker code commonly
uses is here.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from pyworker.runtime import current, http
from pyworker.runtime.ffi import JsArray, JsObject, JsProxy

__all__ = ["Date", "Object", "Response", "console"]


def _number(value: float) -> int | float:
    """A JavaScript number as Pyodide hands it to Python: ``int`` when it is integral."""
    return int(value) if float(value).is_integer() else value


class Date(JsProxy):
    """A JavaScript ``Date``: ``Date.now()`` (ms since the epoch) or ``Date.new(ms)``."""

    __slots__ = ("_ms",)

    def __init__(self, ms: float | None = None) -> None:
        self._ms = float(Date.now() if ms is None else ms)

    @staticmethod
    def now() -> int:
        """Milliseconds since the Unix epoch, on the runtime's clock (a test's ``ManualClock`` moves it)."""
        return int(current.now_ms())

    @classmethod
    def new(cls, ms: float | None = None) -> Date:
        """``new Date(ms)``; the current time without an argument."""
        return cls(ms)

    def getTime(self) -> int | float:  # noqa: N802 - JavaScript name
        """Milliseconds since the Unix epoch."""
        return _number(self._ms)

    valueOf = getTime

    def toISOString(self) -> str:  # noqa: N802
        """``2026-11-23T08:10:56.494Z``."""
        return self.to_py().strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def to_py(self, **_: Any) -> datetime.datetime:
        """The time as an aware UTC ``datetime``."""
        return datetime.datetime.fromtimestamp(self._ms / 1000, tz=datetime.timezone.utc)

    def __repr__(self) -> str:
        return f"<Date {self.toISOString()}>"


class Object:
    """JavaScript's ``Object`` functions; ``Object.fromEntries`` is the usual ``dict_converter``."""

    @staticmethod
    def fromEntries(entries: Iterable[tuple[Any, Any]]) -> JsObject:  # noqa: N802
        """An object with the given ``(key, value)`` pairs."""
        return JsObject((str(key), value) for key, value in entries)

    @staticmethod
    def keys(obj: Mapping[str, Any]) -> JsArray:
        """The object's keys."""
        return JsArray(obj.keys())

    @staticmethod
    def values(obj: Any) -> JsArray:
        """The object's values (``Object.values(new WebSocketPair())`` gives client and server)."""
        if isinstance(obj, Mapping):
            return JsArray(obj.values())
        return JsArray(obj.object_values())

    @staticmethod
    def entries(obj: Mapping[str, Any]) -> JsArray:
        """The object's ``[key, value]`` pairs."""
        return JsArray(JsArray(item) for item in obj.items())


class Response:
    """The JavaScript ``Response`` constructor: ``Response.new(body, {"status": 101, "webSocket": ws})``.

    Builds the same ``workers.Response`` as the SDK's ``Response(body, status=..., web_socket=...)``.
    """

    @staticmethod
    def new(body: http.BodyInit = None, init: Mapping[str, Any] | None = None, **options: Any) -> http.Response:
        """``new Response(body, init)``; ``init`` may also be given as keyword arguments."""
        settings = {**(init or {}), **options}
        return http.Response(
            body,
            status=settings.get("status"),
            status_text=settings.get("statusText", ""),
            headers=settings.get("headers"),
            web_socket=settings.get("webSocket"),
        )


class _Console:
    """``console.log(...)`` and friends: arguments joined by spaces, errors and warnings to stderr."""

    def _print(self, args: tuple[Any, ...], stream: Any) -> None:
        print(" ".join(str(arg) for arg in args), file=stream, flush=True)

    def log(self, *args: Any) -> None:
        """Print to stdout."""
        self._print(args, sys.stdout)

    info = debug = log

    def error(self, *args: Any) -> None:
        """Print to stderr."""
        self._print(args, sys.stderr)

    warn = error


console = _Console()
