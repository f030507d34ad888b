"""``ctx.storage``: the Durable Object key-value API with Cloudflare's names and return shapes.

Every call does its work synchronously (reads from the in-memory cache or SQLite, writes into a
buffer) and returns an already-resolved awaitable, so ``put`` without ``await`` still takes effect
and awaiting storage never lets another event in. Buffered writes are committed by the
``OutputGate`` at the end of the loop iteration, many events' writes in one transaction.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from pyworker.runtime.gates import OutputGate
from pyworker.runtime.values import clone
from pyworker.storage import codec
from pyworker.storage.sqlite_store import KeyRange, SqliteStore

__all__ = ["DurableObjectStorage", "Resolved"]

_ABSENT = object()
_LIST_OPTIONS = {"start", "startAfter", "end", "prefix", "reverse", "limit", "allowConcurrency", "noCache"}
_PUT_SHAPE = (
    "put() may only be called with a single key-value pair and optional options as put(key, value, options) "
    "or with multiple key-value pairs and optional options as put(entries, options)"
)


class Resolved:
    """An awaitable that is already done: ``await`` returns its value without suspending."""

    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, None, Any]:
        return self.value
        yield  # pragma: no cover - makes this a generator


class DurableObjectStorage:
    """The storage of one Durable Object (``self.ctx.storage``)."""

    def __init__(self, store: SqliteStore, output_gate: OutputGate) -> None:
        self._store = store
        self._gate = output_gate
        self._cache: dict[str, Any] = {}
        self._pending: dict[str, Any] = {}
        self.failure: BaseException | None = None

    # -- reads ---------------------------------------------------------------------------------

    def _read(self, key: str) -> Any:
        value = self._cache.get(key, None)
        if value is None and key not in self._cache:
            raw = self._store.get(key)
            value = _ABSENT if raw is None else codec.decode(raw)
            self._cache[key] = value
        return value

    def get(self, keys: str | list[str], options: Mapping[str, Any] | None = None, **_: Any) -> Resolved:
        """``await get(key)`` → value or None; ``await get([keys])`` → dict of the keys found, sorted."""
        self._check_usable()
        if isinstance(keys, str):
            value = self._read(keys)
            return Resolved(None if value is _ABSENT else clone(value, "storage.get()"))
        wanted = _key_list(keys, "get")
        missing = [k for k in wanted if k not in self._cache]
        for key, raw in self._store.get_many(missing).items():
            self._cache[key] = codec.decode(raw)
        for key in missing:
            self._cache.setdefault(key, _ABSENT)
        found = {k: self._cache[k] for k in sorted(set(wanted)) if self._cache[k] is not _ABSENT}
        return Resolved(clone(found, "storage.get()"))

    def list(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> Resolved:
        """``await list(prefix=, start=, startAfter=, end=, reverse=, limit=)`` → ordered dict."""
        self._check_usable()
        opts = {**(options or {}), **kwargs}
        unknown = set(opts) - _LIST_OPTIONS
        if unknown:
            raise TypeError(f"list() got unknown options: {', '.join(sorted(unknown))}")
        key_range = _compile_list_options(opts)
        if key_range is None:
            return Resolved({})
        self.flush()
        result = {}
        for key, raw in self._store.list(key_range):
            value = codec.decode(raw)
            self._cache[key] = value
            result[key] = value
        return Resolved(clone(result, "storage.list()"))

    # -- writes --------------------------------------------------------------------------------

    def _write(self, key: str, value: Any) -> None:
        self._cache[key] = value
        self._pending[key] = value
        self._gate.mark_dirty(self)

    def put(self, key: str | Mapping[str, Any], value: Any = _ABSENT, options: Any = None, **_: Any) -> Resolved:
        """``put(key, value)`` or ``put({key: value, ...})``; the write happens at the call."""
        self._check_usable()
        if isinstance(key, str):
            if value is _ABSENT:
                raise TypeError("put() called with undefined value.")
            self._write(key, clone(value, "storage.put()"))
            return Resolved()
        if not isinstance(key, Mapping) or (value is not _ABSENT and not isinstance(value, (Mapping, type(None)))):
            raise TypeError(_PUT_SHAPE)
        entries = {k: clone(v, "storage.put()") for k, v in key.items()}
        for k in entries:
            if not isinstance(k, str):
                raise TypeError(f"storage.put(): keys must be str, got {type(k).__name__}")
        for k, v in entries.items():
            self._write(k, v)
        return Resolved()

    def delete(self, keys: str | list[str], options: Mapping[str, Any] | None = None, **_: Any) -> Resolved:
        """``await delete(key)`` → True if it existed; ``await delete([keys])`` → number deleted."""
        self._check_usable()
        if isinstance(keys, str):
            existed = self._read(keys) is not _ABSENT
            self._write(keys, _ABSENT)
            return Resolved(existed)
        count = 0
        for key in dict.fromkeys(_key_list(keys, "delete")):
            count += self._read(key) is not _ABSENT
            self._write(key, _ABSENT)
        return Resolved(count)

    def deleteAll(self, options: Mapping[str, Any] | None = None) -> Resolved:  # noqa: N802
        """Remove every key of this object."""
        self._check_usable()
        self._pending.clear()
        self._store.delete_all()
        self._cache.clear()
        return Resolved()

    def sync(self) -> Resolved:
        """Resolves once earlier writes are durable."""
        self.flush()
        return Resolved()

    # -- commit --------------------------------------------------------------------------------

    def flush(self) -> None:
        """Commit buffered writes now, in one SQLite transaction (called by the ``OutputGate``)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            self._store.commit((k, None if v is _ABSENT else codec.encode(v)) for k, v in pending.items())
        except BaseException as error:
            self.failure = error
            self._cache.clear()
            raise

    def _check_usable(self) -> None:
        if self.failure is not None:
            raise self.failure

    def close(self) -> None:
        """Commit what is buffered and close the file."""
        self.flush()
        self._store.close()


def _key_list(keys: Any, op: str) -> list[str]:
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise TypeError(f"{op}() takes a str key or a list of str keys")
    return keys


def _compile_list_options(opts: Mapping[str, Any]) -> KeyRange | None:
    """workerd's ``compileListOptions``: None means the result is empty."""
    start, end = opts.get("start"), opts.get("end")
    if opts.get("startAfter") is not None:
        if start is not None:
            raise TypeError("list() cannot be called with both start and startAfter values.")
        start = opts["startAfter"] + "\x00"
    limit = opts.get("limit")
    if limit is not None and limit <= 0:
        raise TypeError("List limit must be positive.")
    prefix = opts.get("prefix") or ""
    if prefix:
        if start is None or start < prefix:
            start = prefix
        elif not start.startswith(prefix):
            return None
        prefix_end = _prefix_end(prefix)
        if end is None:
            end = prefix_end
        elif end <= prefix:
            return None
        elif prefix_end is not None and end > prefix_end:
            end = prefix_end
    if start is not None and end is not None and end <= start:
        return None
    return KeyRange(start, end, bool(opts.get("reverse")), limit)


def _prefix_end(prefix: str) -> str | None:
    """The first string after every string that starts with ``prefix`` (None: no upper bound)."""
    chars = list(prefix)
    while chars:
        last = ord(chars.pop())
        if last < 0x10FFFF:
            return "".join(chars) + chr(last + 1)
    return None
