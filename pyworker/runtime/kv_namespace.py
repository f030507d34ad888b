"""``KVNamespace``: a Workers KV binding (``env.CACHE``) as Python Workers code sees it.

Methods have JavaScript's names and take options either as keyword arguments or as a dict (what
Pyodide turns keyword arguments into): ``await kv.put("k", "v", expirationTtl=60)`` and
``await kv.put("k", "v", {"expirationTtl": 60})`` are the same call. Results are Python values, as
the SDK converts them: ``str``, ``dict`` (JSON), ``memoryview`` (``"arrayBuffer"``), a
``ReadableStream`` (``"stream"``) or ``None``.

Limits and messages are Cloudflare's (workerd ``api/kv.c++`` and miniflare's KV validator):
invalid key names raise ``TypeError`` before anything is sent; everything the KV service refuses
raises ``JsException`` ``KV <METHOD> failed: <status> <reason>``. Expiration is judged by the
runtime clock, so a test's ``ManualClock`` can move time past it.

Every call does its work at once and returns an already-resolved awaitable, so a ``put`` that is
not awaited still takes effect (as the JavaScript call would).
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Mapping
from typing import Any, NoReturn

from pyworker.runtime.clock import Clock
from pyworker.runtime.ffi import JsException, JsObject, JsTypeError
from pyworker.runtime.streams import ReadableStream
from pyworker.storage.durable_object_storage import Resolved
from pyworker.storage.kv_store import KeyValueEntry, KeyValueStore

__all__ = [
    "MAX_BULK_GET_KEYS",
    "MAX_BULK_SIZE",
    "MAX_KEY_SIZE",
    "MAX_LIST_KEYS",
    "MAX_METADATA_SIZE",
    "MAX_VALUE_SIZE",
    "MIN_CACHE_TTL",
    "MIN_EXPIRATION_TTL",
    "KVNamespace",
]

MAX_KEY_SIZE = 512
"""Bytes of a key name, UTF-8 encoded."""
MAX_VALUE_SIZE = 25 * 1024 * 1024
"""Bytes of a value (25 MiB)."""
MAX_METADATA_SIZE = 1024
"""Bytes of a key's metadata, JSON encoded."""
MIN_EXPIRATION_TTL = 60
"""Seconds: the shortest ``expirationTtl``, and how far in the future ``expiration`` must be."""
MIN_CACHE_TTL = 30
"""Seconds: the shortest ``cacheTtl`` of a read (accepted, and ignored locally)."""
MAX_LIST_KEYS = 1000
"""Keys per ``list()`` page (also the default)."""
MAX_BULK_GET_KEYS = 100
"""Keys per ``get([...])``."""
MAX_BULK_SIZE = 25 * 1024 * 1024
"""Bytes of all values a ``get([...])`` returns together."""

_UNKNOWN_TYPE = 'Unknown response type. Possible types are "text", "arrayBuffer", "json", and "stream".'
_PUT_TYPES = "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values."


class KVNamespace:
    """A KV namespace binding. Built by ``pyworker.bindings.kv``; not constructed by users."""

    def __init__(self, binding: str, store: KeyValueStore, clock: Clock) -> None:
        self._binding = binding
        self._store = store
        self._clock = clock

    # -- reads ----------------------------------------------------------------------------------

    def get(self, key: str | list[str], options: str | Mapping[str, Any] | None = None, **kwargs: Any) -> Resolved:
        """The value of ``key`` (``None`` if absent), read as ``type``: ``"text"`` (default),
        ``"json"``, ``"arrayBuffer"`` or ``"stream"``; for a list of keys, a dict of their values."""
        value_type, cache_ttl = _get_options(options, kwargs)
        if isinstance(key, list):
            return Resolved(self._get_bulk(key, value_type, cache_ttl, with_metadata=False))
        entry = self._get_single(key, cache_ttl)
        return Resolved(None if entry is None else _decode(entry, value_type))

    def getWithMetadata(  # noqa: N802 - JavaScript API name
        self, key: str | list[str], options: str | Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Resolved:
        """``{"value", "metadata", "cacheStatus"}`` of ``key`` (value and metadata ``None`` if
        absent); for a list of keys, a dict of ``{"value", "metadata"}`` (``None`` if absent)."""
        value_type, cache_ttl = _get_options(options, kwargs)
        if isinstance(key, list):
            return Resolved(self._get_bulk(key, value_type, cache_ttl, with_metadata=True))
        entry = self._get_single(key, cache_ttl)
        if entry is None:
            return Resolved(JsObject(value=None, metadata=None, cacheStatus=None))
        return Resolved(JsObject(value=_decode(entry, value_type), metadata=_metadata(entry), cacheStatus=None))

    def _get_single(self, key: str, cache_ttl: Any) -> KeyValueEntry | None:
        _check_key_name("GET", key)
        _check_cache_ttl("GET", cache_ttl)
        return self._store.get(key, self._clock.now_ms())

    def _get_bulk(self, keys: list[str], value_type: str, cache_ttl: Any, *, with_metadata: bool) -> dict[str, Any]:
        if value_type not in ("text", "json"):
            _fail("GET_BULK", 400, f'"{value_type}" is not a valid type. Use "json" or "text"')
        if len(keys) > MAX_BULK_GET_KEYS:
            _fail("GET_BULK", 400, f"You can request a maximum of {MAX_BULK_GET_KEYS} keys")
        if not keys:
            _fail("GET_BULK", 400, "You must request a minimum of 1 key")
        values: dict[str, Any] = {}
        total = 0
        for key in keys:
            _check_bulk_key(key)
            _check_cache_ttl("GET_BULK", cache_ttl)
            entry = self._store.get(key, self._clock.now_ms())
            if entry is None:
                values[key] = None
                continue
            assert entry.value is not None
            total += len(entry.value)
            try:
                value = _decode(entry, value_type)
            except ValueError:
                _fail("GET_BULK", 400, f"At least one of the requested keys corresponds to a non-{value_type} value")
            values[key] = JsObject(value=value, metadata=_metadata(entry)) if with_metadata else value
        if total > MAX_BULK_SIZE:
            _fail("GET_BULK", 413, f"Total size of request exceeds the limit of {MAX_BULK_SIZE // 1024 // 1024}MB")
        return values

    def list(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> Resolved:
        """A page of keys: ``{"keys": [{"name", "expiration"?, "metadata"?}], "list_complete",
        "cursor"? (only when incomplete), "cacheStatus"}``; options ``prefix``, ``limit``, ``cursor``."""
        opts = {**(options or {}), **kwargs}
        limit = opts.get("limit")
        limit = MAX_LIST_KEYS if limit is None or limit <= 0 else limit  # workerd sends only a limit > 0
        if limit > MAX_LIST_KEYS:
            _fail(
                "GET", 400, f"Invalid key_count_limit of {limit}. Please specify an integer less than {MAX_LIST_KEYS}."
            )
        prefix = opts.get("prefix") or ""
        _check_key_length("GET", prefix)
        entries, cursor = self._store.list(prefix, opts.get("cursor"), int(limit), self._clock.now_ms())
        keys = [_listed(entry) for entry in entries]
        if cursor is None:
            return Resolved(JsObject(keys=keys, list_complete=True, cacheStatus=None))
        return Resolved(JsObject(keys=keys, list_complete=False, cursor=cursor, cacheStatus=None))

    # -- writes ---------------------------------------------------------------------------------

    def put(self, key: str, value: Any, options: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        """Store ``value`` (``str``, bytes-like or ``ReadableStream``) under ``key``; options
        ``expiration`` (seconds since the epoch), ``expirationTtl`` (seconds) and ``metadata``."""
        _check_key_name("PUT", key)
        opts = {**(options or {}), **kwargs}
        expiration_ms = self._expiration_ms(opts.get("expiration"), opts.get("expirationTtl"))
        metadata_json = _metadata_json(opts.get("metadata"))
        if isinstance(value, ReadableStream):
            return asyncio.ensure_future(self._put_stream(key, value, expiration_ms, metadata_json))
        if isinstance(value, str):
            data = value.encode()
        elif isinstance(value, (bytes, bytearray, memoryview)):
            data = bytes(value)
        else:
            raise JsTypeError(_PUT_TYPES)
        self._write(key, data, expiration_ms, metadata_json)
        return Resolved(None)

    async def _put_stream(
        self, key: str, stream: ReadableStream, expiration_ms: int | None, metadata: str | None
    ) -> None:
        data = b"".join([bytes(chunk) async for chunk in stream.chunks()])
        self._write(key, data, expiration_ms, metadata)

    def _write(self, key: str, data: bytes, expiration_ms: int | None, metadata_json: str | None) -> None:
        if len(data) > MAX_VALUE_SIZE:
            _fail("PUT", 413, f"Value length of {len(data)} exceeds limit of {MAX_VALUE_SIZE}.")
        self._store.put(key, data, expiration_ms, metadata_json)

    def _expiration_ms(self, expiration: Any, expiration_ttl: Any) -> int | None:
        """The expiration time in ms from the put options, checked as the KV service does."""
        now = math.floor(self._clock.now_ms() / 1000)
        if expiration_ttl is not None:
            ttl = _integer(expiration_ttl)
            if ttl <= 0:
                _fail("PUT", 400, f"Invalid expiration_ttl of {ttl}. Please specify integer greater than 0.")
            if ttl < MIN_EXPIRATION_TTL:
                _fail(
                    "PUT", 400,
                    f"Invalid expiration_ttl of {ttl}. Expiration TTL must be at least {MIN_EXPIRATION_TTL}.",
                )
            return (now + ttl) * 1000
        if expiration is not None:
            at = _integer(expiration)
            if at <= now:
                _fail(
                    "PUT", 400,
                    f"Invalid expiration of {at}. Please specify integer greater than the current number of "
                    "seconds since the UNIX epoch.",
                )
            if at < now + MIN_EXPIRATION_TTL:
                _fail(
                    "PUT", 400,
                    f"Invalid expiration of {at}. Expiration times must be at least {MIN_EXPIRATION_TTL} "
                    "seconds in the future.",
                )
            return at * 1000
        return None

    def delete(self, key: str) -> Resolved:
        """Remove ``key``; nothing happens if it does not exist."""
        _check_key_name("DELETE", key)
        self._store.delete(key)
        return Resolved(None)

    # -- Python protocol ------------------------------------------------------------------------

    def __len__(self) -> int:
        raise TypeError("object of type 'KvNamespace' has no len()")

    def __iter__(self) -> NoReturn:
        raise TypeError("'KvNamespace' object is not iterable")

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<KVNamespace {self._binding}>"


# -- checks ----------------------------------------------------------------------------------------


def _fail(method: str, status: int, reason: str) -> NoReturn:
    """Raise the error workerd raises when the KV service answers ``status reason``."""
    raise JsException(f"KV {method} failed: {status} {reason}")


def _check_key_name(method: str, key: Any) -> None:
    """workerd's ``validateKeyName``."""
    if not isinstance(key, str):
        raise JsTypeError(f"KV {method.lower()}(): the key must be a str, got {type(key).__name__}")
    if key == "":
        raise JsTypeError("Key name cannot be empty.")
    if key in (".", ".."):
        raise JsTypeError(f'"{key}" is not allowed as a key name.')
    _check_key_length(method, key)


def _check_key_length(method: str, key: str) -> None:
    size = len(key.encode())
    if size > MAX_KEY_SIZE:
        _fail(method, 414, f"UTF-8 encoded length of {size} exceeds key length limit of {MAX_KEY_SIZE}.")


def _check_bulk_key(key: Any) -> None:
    """The KV service's own key check, which is what a ``get([...])`` meets."""
    if not isinstance(key, str):
        raise JsTypeError(f"KV get(): every key must be a str, got {type(key).__name__}")
    if key == "":
        _fail("GET_BULK", 400, "Key names must not be empty")
    if key in (".", ".."):
        _fail("GET_BULK", 400, f'Illegal key name "{key}". Please use a different name.')
    _check_key_length("GET_BULK", key)


def _check_cache_ttl(method: str, cache_ttl: Any) -> None:
    if cache_ttl is not None and (_integer(cache_ttl) < MIN_CACHE_TTL):
        _fail(method, 400, f"Invalid cache_ttl of {_integer(cache_ttl)}. Cache TTL must be at least {MIN_CACHE_TTL}.")


def _integer(value: Any) -> int:
    """A JavaScript number option as the integer workerd sends (0 for what is not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0
    return int(value)


def _get_options(options: str | Mapping[str, Any] | None, kwargs: Mapping[str, Any]) -> tuple[str, Any]:
    """``(type, cacheTtl)`` from ``get(key, "json")``, ``get(key, {"type": ...})`` or keywords."""
    opts: dict[str, Any] = {"type": options} if isinstance(options, str) else dict(options or {})
    opts.update(kwargs)
    return opts.get("type") or "text", opts.get("cacheTtl")


def _metadata_json(metadata: Any) -> str | None:
    if metadata is None:
        return None
    text = json.dumps(metadata, separators=(",", ":"), ensure_ascii=False)
    size = len(text.encode())
    if size > MAX_METADATA_SIZE:
        _fail("PUT", 413, f"Metadata length of {size} exceeds limit of {MAX_METADATA_SIZE}.")
    return text


# -- results ---------------------------------------------------------------------------------------


def _decode(entry: KeyValueEntry, value_type: str) -> Any:
    """The stored bytes as ``value_type`` asks."""
    data = entry.value
    assert data is not None
    if value_type == "text":
        return data.decode(errors="replace")
    if value_type == "json":
        return json.loads(data.decode(errors="replace"))
    if value_type == "arrayBuffer":
        return memoryview(data)
    if value_type == "stream":
        return ReadableStream.from_chunks([data])
    raise JsTypeError(_UNKNOWN_TYPE)


def _metadata(entry: KeyValueEntry) -> Any:
    return None if entry.metadata_json is None else json.loads(entry.metadata_json)


def _listed(entry: KeyValueEntry) -> JsObject:
    """A ``list()`` key: ``name``, and ``expiration`` (seconds) and ``metadata`` when set."""
    listed = JsObject(name=entry.key)
    if entry.expiration_ms is not None:
        listed["expiration"] = entry.expiration_ms // 1000
    if entry.metadata_json is not None:
        listed["metadata"] = json.loads(entry.metadata_json)
    return listed

