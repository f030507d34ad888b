"""JavaScript values as Python Workers code sees them, for ``pyodide.ffi`` and the runtime.

On Cloudflare, Python code reaches JavaScript objects through Pyodide: a raw object (a WebSocket,
an attachment, the array ``ctx.getWebSockets()`` returns) is a ``JsProxy`` with ``.to_py()``, and
Python values are handed to JavaScript with ``to_js``. In CPython there is no boundary, so these
types are thin subclasses of ``dict``, ``list`` and ``bytes``: code written for Pyodide
(``ws.deserializeAttachment().to_py()``, ``ctx.acceptWebSocket(ws, to_js(["a"]))``) runs unchanged,
and plain Python values are accepted wherever a converted one is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pyworker.runtime.http import RangeError

__all__ = [
    "JsProxy",
    "JsObject",
    "JsArray",
    "JsBuffer",
    "JsException",
    "JsTypeError",
    "JsRangeError",
    "to_js",
    "create_proxy",
]


class JsProxy:
    """A value that stands for a JavaScript object (Pyodide's ``JsProxy``).

    ``to_py()`` returns the Python value; for objects with no Python equivalent (a WebSocket), the
    object itself.
    """

    __slots__ = ()

    def to_py(self, *, depth: int = -1, default_converter: Callable[..., Any] | None = None) -> Any:
        """The Python value of this JavaScript value."""
        return self


class JsObject(dict, JsProxy):  # type: ignore[type-arg]
    """A JavaScript object: a ``dict`` whose keys can also be read as attributes (``obj.name``)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_py(self, *, depth: int = -1, default_converter: Callable[..., Any] | None = None) -> dict[str, Any]:
        """A plain ``dict``, converted all the way down."""
        return {key: _to_py(value) for key, value in self.items()}

    def object_keys(self) -> JsArray:
        """``Object.keys(obj)``."""
        return JsArray(self.keys())

    def object_values(self) -> JsArray:
        """``Object.values(obj)``."""
        return JsArray(self.values())

    def object_entries(self) -> JsArray:
        """``Object.entries(obj)``."""
        return JsArray(JsArray(item) for item in self.items())


class JsArray(list, JsProxy):  # type: ignore[type-arg]
    """A JavaScript array: a ``list``."""

    __slots__ = ()

    def to_py(self, *, depth: int = -1, default_converter: Callable[..., Any] | None = None) -> list[Any]:
        """A plain ``list``, converted all the way down."""
        return [_to_py(value) for value in self]


class JsBuffer(bytes, JsProxy):
    """A JavaScript ``ArrayBuffer`` (a binary WebSocket message): ``bytes`` with Pyodide's methods."""

    __slots__ = ()

    @property
    def byteLength(self) -> int:  # noqa: N802 - JavaScript name
        """The size in bytes."""
        return len(self)

    def to_bytes(self) -> bytes:
        """The contents as ``bytes``."""
        return bytes(self)

    def to_memoryview(self) -> memoryview:
        """The contents as a ``memoryview``."""
        return memoryview(bytes(self))

    def to_py(self, *, depth: int = -1, default_converter: Callable[..., Any] | None = None) -> memoryview:
        """The contents as a ``memoryview``, as Pyodide converts an ``ArrayBuffer``."""
        return self.to_memoryview()


def _to_py(value: Any) -> Any:
    return value.to_py() if isinstance(value, (JsObject, JsArray, JsBuffer)) else value


def to_js(
    obj: Any,
    *,
    depth: int = -1,
    dict_converter: Callable[[Iterator[tuple[Any, Any]]], Any] | None = None,
    default_converter: Callable[..., Any] | None = None,
    create_pyproxies: bool = True,
) -> Any:
    """The JavaScript value of ``obj``: dicts become objects, lists and tuples arrays, bytes buffers.

    Other values are returned as they are. ``dict_converter`` (``Object.fromEntries``) is accepted
    for compatibility; a dict always becomes an object here.
    """
    if isinstance(obj, dict) and not isinstance(obj, JsObject):
        return JsObject((key, to_js(value)) for key, value in obj.items())
    if isinstance(obj, (list, tuple)) and not isinstance(obj, JsArray):
        return JsArray(to_js(value) for value in obj)
    if isinstance(obj, (bytes, bytearray, memoryview)) and not isinstance(obj, JsBuffer):
        return JsBuffer(obj)
    return obj


class _PyProxy:
    """What ``create_proxy`` returns: calls go to the wrapped function; ``destroy()`` is accepted."""

    __slots__ = ("_target",)

    def __init__(self, target: Callable[..., Any]) -> None:
        self._target = target

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target(*args, **kwargs)

    def destroy(self) -> None:
        """Release the proxy (nothing to release in CPython)."""


def create_proxy(obj: Callable[..., Any], *, capture_this: bool = False, roundtrip: bool = True) -> _PyProxy:
    """A long-lived handle on ``obj`` for JavaScript to call (event listeners)."""
    return _PyProxy(obj)


class JsException(Exception):
    """An error thrown by JavaScript (Pyodide's ``JsException``); ``name`` is the JS error's name."""

    name = "Error"

    @property
    def message(self) -> str:
        """The error's message, without its name."""
        return str(self)


class JsTypeError(JsException, TypeError):
    """A JavaScript ``TypeError`` from the runtime."""

    name = "TypeError"


class JsRangeError(JsException, RangeError):
    """A JavaScript ``RangeError`` from the runtime."""

    name = "RangeError"
