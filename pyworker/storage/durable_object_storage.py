"""``ctx.storage``: the Durable Object storage API with Cloudflare's names, return shapes and errors.

Every call does its work synchronously and returns an already-resolved awaitable, so ``put`` without
``await`` still takes effect and awaiting storage never lets another event in. Writes go straight
into the object's SQLite file inside one implicit transaction (see ``SqliteStore``) that the
``OutputGate`` commits once per loop iteration: the writes of many events, key-value and SQL alike,
become one atomic, durable batch. Reads are served from an in-memory cache of decoded values
(read-your-writes, as the cache always mirrors the database).

Options (``allowConcurrency``, ``allowUnconfirmed``, ``noCache``) are accepted everywhere, as an
options dict or as keyword arguments. They change nothing here: storage calls never yield, so reads
cannot let other events in (``allowConcurrency``), every write is committed before the event's
output leaves anyway (``allowUnconfirmed``), and the cache is only a cache (``noCache``).
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime
import inspect
import math
import sqlite3
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping
from typing import Any

from pyworker.runtime.clock import Clock
from pyworker.runtime.gates import OutputGate
from pyworker.storage import codec
from pyworker.storage.errors import (
    DELETE_ALL_IN_TRANSACTION,
    SQL_NOT_ENABLED,
    SYNC_KV_NOT_ENABLED,
    StorageError,
    sqlite_error_text,
)
from pyworker.storage.limits import StorageLimits, check_bindable, check_record
from pyworker.storage.sql import SqlStorage
from pyworker.storage.sqlite_store import KeyRange, SqliteStore
from pyworker.storage.sync_kv import SyncKvStorage
from pyworker.storage.transaction import (
    COMMITTED,
    ROLLED_BACK,
    DurableObjectTransaction,
)

__all__ = ["DurableObjectStorage", "Resolved"]

_ABSENT = object()  # cached: the key does not exist
_MISSING = object()  # not cached
_UNKNOWN = object()  # alarm not loaded yet
_LIST_OPTIONS = {"start", "startAfter", "end", "prefix", "reverse", "limit", "allowConcurrency", "noCache"}
_PUT_SHAPE = (
    "put() may only be called with a single key-value pair and optional options as put(key, value, options) "
    "or with multiple key-value pairs and optional options as put(entries, options)"
)
_ALARM_NOT_POSITIVE = "setAlarm() cannot be called with an alarm time <= 0"
_NS_PER_MS = 1_000_000
_IMMUTABLE = frozenset({type(None), bool, int, float, str, datetime.datetime, memoryview})
_CURRENT_TRANSACTION: contextvars.ContextVar[DurableObjectTransaction | None] = contextvars.ContextVar(
    "pyworker_storage_transaction", default=None
)


class Resolved:
    """An awaitable that is already done: ``await`` returns its value without suspending."""

    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __await__(self) -> Generator[Any, None, Any]:
        return self.value
        yield  # pragma: no cover - makes this a generator

    def __repr__(self) -> str:
        return f"Resolved({self.value!r})"


_DONE = Resolved(None)


class DurableObjectStorage:
    """The storage of one Durable Object (``self.ctx.storage``).

    Args:
        store: the object's SQLite file.
        output_gate: commits the implicit transaction once per loop iteration.
        sqlite: the class is SQLite-backed (``new_sqlite_classes``): ``sql`` and ``kv`` are available.
        limits: ``"local"`` (wrangler dev's behaviour) or ``"strict"`` (production limits for
            KV-backed classes), see ``pyworker.storage.limits``.
        clock: where ``setAlarm`` reads "now" (times in the past are moved to now).
        on_alarm_change: called with the new alarm time (epoch ms) or None after every change,
            so a scheduler can (re)arm its timer.
    """

    def __init__(
        self,
        store: SqliteStore,
        output_gate: OutputGate,
        *,
        sqlite: bool = True,
        limits: str = "local",
        clock: Clock | None = None,
        on_alarm_change: Callable[[float | None], None] | None = None,
    ) -> None:
        self._store = store
        self._gate = output_gate
        self._sqlite = sqlite
        self._limits = StorageLimits(limits, sqlite=sqlite)
        self._strict = self._limits.strict
        self._clock = clock if clock is not None else Clock()
        self._on_alarm_change = on_alarm_change
        self._cache: dict[str, Any] = {}
        self._dirty = False
        self._alarm: Any = _UNKNOWN
        self._alarm_running = False  # an alarm handler runs: getAlarm() hides its alarm
        self._transaction_lock: asyncio.Lock | None = None
        self._sql: SqlStorage | None = None
        self._kv: SyncKvStorage | None = None
        self.failure: BaseException | None = None
        # Set by the runtime: runs a top-level transaction with no other event delivered meanwhile
        # (``blockConcurrencyWhile`` without resetting the object on error).
        self.run_exclusive: Callable[[Awaitable[Any]], Awaitable[Any]] | None = None

    # -- reads ---------------------------------------------------------------------------------

    def _read(self, key: str) -> Any:
        value = self._cache.get(key, _MISSING)
        if value is _MISSING:
            check_bindable(key)
            raw = self._store.get(key)
            value = _ABSENT if raw is None else codec.decode(raw)
            self._cache[key] = value
        return value

    def _decoded(self, key: str, raw: bytes) -> Any:
        """The value of a row read from SQLite (through the cache, which mirrors the database)."""
        value = self._cache.get(key, _MISSING)
        if value is _MISSING or value is _ABSENT:
            value = self._cache[key] = codec.decode(raw)
        return _copy(value)

    def get(self, keys: str | list[str], options: Mapping[str, Any] | None = None, **_: Any) -> Resolved:
        """``await get(key)`` → value or None; ``await get([keys])`` → dict of the keys found, sorted."""
        if self.failure is not None:
            raise self.failure
        if type(keys) is str:
            if self._strict:
                self._limits.check_key(keys)
            value = self._cache.get(keys, _MISSING)
            if value is _MISSING:
                value = self._read(keys)
            return Resolved(None if value is _ABSENT else _copy(value))
        wanted = _key_list(keys, "get")
        if self._strict:
            self._limits.check_count(len(wanted))
            for key in wanted:
                self._limits.check_key(key)
        missing = [k for k in dict.fromkeys(wanted) if k not in self._cache]
        for key in missing:
            check_bindable(key)
        for key, raw in self._store.get_many(missing).items():
            self._cache[key] = codec.decode(raw)
        for key in missing:
            self._cache.setdefault(key, _ABSENT)
        found = {}
        for key in sorted(set(wanted)):
            value = self._cache[key]
            if value is not _ABSENT:
                found[key] = _copy(value)
        return Resolved(found)

    def list(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> Resolved:
        """``await list(prefix=, start=, startAfter=, end=, reverse=, limit=)`` → ordered dict."""
        self._check_usable()
        opts = {**(options or {}), **kwargs}
        unknown = set(opts) - _LIST_OPTIONS - {"allowUnconfirmed"}
        if unknown:
            raise TypeError(f"list() got unknown options: {', '.join(sorted(unknown))}")
        return Resolved({key: self._decoded(key, raw) for key, raw in self._list_rows(opts)})

    def _list_rows(self, opts: Mapping[str, Any]) -> Iterator[tuple[str, bytes]]:
        key_range = _compile_list_options(opts)
        return iter(()) if key_range is None else self._store.list(key_range)

    def _get_one(self, key: str) -> Any:
        """``kv.get``: the value or None."""
        self._check_usable()
        value = self._read(key)
        return None if value is _ABSENT else _copy(value)

    # -- writes --------------------------------------------------------------------------------

    def _begin_write(self) -> None:
        """Call before writing: the output gate will commit the implicit transaction."""
        if not self._dirty:
            self._dirty = True
            self._gate.mark_dirty(self)

    def _encode(self, key: str, value: Any) -> tuple[Any, bytes]:
        value, encoded = codec.encode_clone(value, "storage.put()")
        if self._strict:
            self._limits.check_key(key)
            self._limits.check_value(encoded)
        check_record(key, encoded)
        return value, encoded

    def _put_one(self, key: str, value: Any) -> None:
        if self.failure is not None:
            raise self.failure
        if type(key) is not str:
            raise TypeError(f"storage.put(): keys must be str, got {type(key).__name__}")
        value, encoded = self._encode(key, value)
        if not self._dirty:
            self._begin_write()
        try:
            self._store.put(key, encoded)
        except sqlite3.Error as error:
            raise self._broken(error) from None
        self._cache[key] = value

    def put(self, key: str | Mapping[str, Any], value: Any = _ABSENT, options: Any = None, **_: Any) -> Resolved:
        """``put(key, value)`` or ``put({key: value, ...})``; the write happens at the call."""
        if type(key) is str:
            if value is _ABSENT:
                raise TypeError("put() called with undefined value.")
            self._put_one(key, value)
            return _DONE
        if not isinstance(key, Mapping) or (value is not _ABSENT and not isinstance(value, (Mapping, type(None)))):
            raise TypeError(_PUT_SHAPE)
        self._check_usable()
        for k in key:
            if not isinstance(k, str):
                raise TypeError(f"storage.put(): keys must be str, got {type(k).__name__}")
            if not k.isascii():
                k.encode()  # a lone surrogate fails here (UnicodeEncodeError), before any key is written
        if self._strict:
            self._limits.check_count(len(key))
        entries = {k: self._encode(k, v) for k, v in key.items()}  # all checked before any write
        if entries:
            self._begin_write()
            try:
                self._store.put_many((k, encoded) for k, (_, encoded) in entries.items())
            except sqlite3.Error as error:
                raise self._broken(error) from None
            for k, (v, _) in entries.items():
                self._cache[k] = v
        return _DONE

    def _delete_one(self, key: str) -> bool:
        if self.failure is not None:
            raise self.failure
        if self._strict:
            self._limits.check_key(key)
        if self._cache.get(key, _MISSING) is _ABSENT:
            return False
        check_bindable(key)
        self._begin_write()
        try:
            existed = self._store.delete(key)
        except sqlite3.Error as error:
            raise self._broken(error) from None
        self._cache[key] = _ABSENT
        return existed

    def delete(self, keys: str | list[str], options: Mapping[str, Any] | None = None, **_: Any) -> Resolved:
        """``await delete(key)`` → True if it existed; ``await delete([keys])`` → number deleted."""
        if type(keys) is str:
            return Resolved(self._delete_one(keys))
        wanted = _key_list(keys, "delete")
        self._check_usable()
        if self._strict:
            self._limits.check_count(len(wanted))
            for key in wanted:
                self._limits.check_key(key)
        return Resolved(sum(self._delete_one(key) for key in dict.fromkeys(wanted)))

    def deleteAll(self, options: Mapping[str, Any] | None = None, **_: Any) -> Resolved:  # noqa: N802
        """Delete the whole database: every key, and for SQLite the user's tables too. The alarm stays."""
        self._check_usable()
        if self._store.savepoint_depth:
            raise StorageError(DELETE_ALL_IN_TRANSACTION)
        alarm = self._alarm_value()
        self._store.reset()
        self._cache.clear()
        if self._kv is not None:
            self._kv.invalidate()
        self._alarm = None
        if alarm is not None:  # WR447: deleteAll() keeps the alarm (no delete_all_deletes_alarm flag yet)
            self._write_alarm(alarm)
        return _DONE

    def sync(self) -> Resolved:
        """Resolves once earlier writes are durable (commits them now)."""
        self.flush()
        return _DONE

    # -- alarms --------------------------------------------------------------------------------

    def _alarm_value(self) -> int | None:
        alarm = self._alarm
        if alarm is _UNKNOWN:
            ns = self._store.get_alarm_ns()
            alarm = self._alarm = None if ns is None else ns // _NS_PER_MS
        return alarm

    def alarm_time(self) -> int | None:
        """The stored alarm time in epoch ms, or None (for the scheduler; ignores a running handler)."""
        return self._alarm_value()

    def getAlarm(self, options: Mapping[str, Any] | None = None, **_: Any) -> Resolved:  # noqa: N802
        """``await getAlarm()`` → epoch ms or None (None while the alarm's own handler runs)."""
        self._check_usable()
        return Resolved(None if self._alarm_running else self._alarm_value())

    def setAlarm(  # noqa: N802
        self, scheduled_time: float | datetime.datetime, options: Mapping[str, Any] | None = None, **_: Any
    ) -> Resolved:
        """Set the alarm (epoch ms or datetime); a time in the past is moved to now."""
        self._check_usable()
        ms = _alarm_ms(scheduled_time)
        if ms <= 0:
            raise TypeError(_ALARM_NOT_POSITIVE)
        self._set_alarm(max(ms, int(self._clock.now_ms())))
        return _DONE

    def deleteAlarm(self, options: Mapping[str, Any] | None = None, **_: Any) -> Resolved:  # noqa: N802
        """Remove the pending alarm (a running handler is not interrupted)."""
        self._check_usable()
        self._set_alarm(None)
        return _DONE

    def _set_alarm(self, ms: int | None) -> None:
        self._alarm_running = False
        if self._alarm_value() != ms:
            self._write_alarm(ms)

    def _write_alarm(self, ms: int | None) -> None:
        self._begin_write()
        try:
            self._store.set_alarm_ns(None if ms is None else ms * _NS_PER_MS)
        except sqlite3.Error as error:
            raise self._broken(error) from None
        self._alarm = ms
        if self._on_alarm_change is not None:
            self._on_alarm_change(ms)

    def alarm_started(self, scheduled_ms: float) -> bool:
        """For the scheduler, before running ``alarm()``: False if the stored alarm is no longer
        ``scheduled_ms`` (skip this run). While the handler runs, ``getAlarm()`` returns None."""
        if self._alarm_value() != scheduled_ms:
            return False
        self._alarm_running = True
        return True

    def alarm_finished(self, *, delete: bool) -> None:
        """For the scheduler, after ``alarm()``: with ``delete`` (success, or retries exhausted) the
        alarm is removed unless the handler set a new one; without it the alarm stays for a retry."""
        if self._alarm_running and delete and self.failure is None:
            self._set_alarm(None)
        self._alarm_running = False

    # -- SQL and sync KV -----------------------------------------------------------------------

    @property
    def sql(self) -> SqlStorage:
        """``ctx.storage.sql`` (SQLite-backed classes only)."""
        if not self._sqlite:
            raise StorageError(SQL_NOT_ENABLED)
        if self._sql is None:
            self._sql = SqlStorage(self._store, self._begin_sql, self._break)
        return self._sql

    @property
    def kv(self) -> SyncKvStorage:
        """``ctx.storage.kv``, the synchronous key-value API (SQLite-backed classes only)."""
        if not self._sqlite:
            raise StorageError(SYNC_KV_NOT_ENABLED)
        if self._kv is None:
            self._kv = SyncKvStorage(self)
        return self._kv

    def _begin_sql(self) -> None:
        self._check_usable()
        self._store.begin()
        self._begin_write()

    # -- transactions --------------------------------------------------------------------------

    async def transaction(
        self, closure: Callable[[DurableObjectTransaction], Awaitable[Any] | Any], options: Any = None
    ) -> Any:
        """Run ``closure(txn)`` atomically: if it raises, its writes are rolled back and the error re-raised.

        Nested calls (from inside a closure) become nested transactions. Other events' top-level
        transactions wait for this one; the whole transaction runs through ``run_exclusive`` when
        the runtime set it (workerd runs it inside ``blockConcurrencyWhile``).
        """
        self._check_usable()
        current = _CURRENT_TRANSACTION.get()
        if current is not None and current.owned_by(self):
            return await self._run_transaction(closure)
        if self.run_exclusive is not None:
            return await self.run_exclusive(self._top_level_transaction(closure))
        return await self._top_level_transaction(closure)

    async def _top_level_transaction(self, closure: Callable[[DurableObjectTransaction], Any]) -> Any:
        if self._transaction_lock is None:
            self._transaction_lock = asyncio.Lock()
        async with self._transaction_lock:
            self.flush()  # as workerd: writes made before the transaction are committed first
            return await self._run_transaction(closure)

    async def _run_transaction(self, closure: Callable[[DurableObjectTransaction], Any]) -> Any:
        txn = DurableObjectTransaction(self, self._store.savepoint("_cf_savepoint_"), self._alarm_running)
        self._begin_write()
        token = _CURRENT_TRANSACTION.set(txn)
        try:
            result = closure(txn)
            if inspect.isawaitable(result):
                result = await result
        except BaseException:
            if txn.state != ROLLED_BACK:
                self._rollback_transaction(txn)
            raise
        finally:
            _CURRENT_TRANSACTION.reset(token)
        if txn.state != ROLLED_BACK:
            self._store.release(txn.savepoint)
            txn.state = COMMITTED
        self._dirty = False
        self._begin_write()  # the implicit transaction around it still needs its commit
        return result

    def _rollback_transaction(self, txn: DurableObjectTransaction) -> None:
        if self._store.innermost_savepoint != txn.savepoint:
            raise StorageError("Cannot roll back an outer transaction while a nested transaction is still running.")
        self._rollback_to(txn.savepoint, txn.alarm_running)
        txn.state = ROLLED_BACK

    def transactionSync(self, closure: Callable[[], Any]) -> Any:  # noqa: N802
        """Run ``closure()`` in a savepoint: if it raises, its writes are rolled back and the error re-raised."""
        self._check_usable()
        alarm_running = self._alarm_running
        savepoint = self._store.savepoint("_cf_sync_savepoint_")
        self._begin_write()
        try:
            result = closure()
            if inspect.isawaitable(result):
                if inspect.iscoroutine(result):
                    result.close()
                raise TypeError(
                    "transactionSync() needs a synchronous function; "
                    "use `await ctx.storage.transaction(fn)` for async code"
                )
        except BaseException:
            self._rollback_to(savepoint, alarm_running)
            raise
        self._store.release(savepoint)
        return result

    def _rollback_to(self, savepoint: str, alarm_running: bool) -> None:
        before = self._alarm_value()
        try:
            self._store.rollback_to(savepoint)
        except sqlite3.Error as error:
            raise self._broken(error) from None
        self._cache.clear()
        self._alarm = _UNKNOWN
        self._alarm_running = alarm_running
        after = self._alarm_value()
        if after != before and self._on_alarm_change is not None:
            self._on_alarm_change(after)

    # -- commit --------------------------------------------------------------------------------

    def flush(self) -> None:
        """Commit the implicit transaction now (called by the ``OutputGate``; waits while a
        ``transaction()`` is open, which marks the storage dirty again when it ends)."""
        self._dirty = False
        if self.failure is not None:
            return
        try:
            self._store.commit()
        except BaseException as error:
            self._break(error)
            raise

    def _broken(self, error: sqlite3.Error) -> BaseException:
        failure = StorageError(sqlite_error_text(error))
        self._break(failure)
        return failure

    def _break(self, error: BaseException) -> None:
        """A write or commit failed: uncommitted work is discarded and every later call raises ``error``."""
        self.failure = error
        self._cache.clear()
        self._alarm = _UNKNOWN
        try:
            self._store.rollback()
        except sqlite3.Error:
            self._store.close()

    def _check_usable(self) -> None:
        if self.failure is not None:
            raise self.failure

    def recover(self) -> None:
        """Forget a failure so the next instance of the object can use its storage again
        (as workerd gives the next stub a fresh instance). The failed batch stays discarded."""
        self.failure = None
        self._dirty = False

    def close(self) -> None:
        """Commit what is pending and close the file."""
        self.flush()
        self._store.close()


def _copy(value: Any) -> Any:
    """A copy the caller may mutate (stored values are already valid; memoryviews are read-only)."""
    kind = type(value)
    if kind is dict:
        copy = value.copy()
        for key, item in value.items():
            if type(item) not in _IMMUTABLE:
                copy[key] = _copy(item)
        return copy
    if kind is list:
        return [item if type(item) in _IMMUTABLE else _copy(item) for item in value]
    if kind is set:
        return set(value)
    return value


def _key_list(keys: Any, op: str) -> list[str]:
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise TypeError(f"{op}() takes a str key or a list of str keys")
    return keys


def _alarm_ms(scheduled_time: Any) -> int:
    if isinstance(scheduled_time, datetime.datetime):
        return codec.epoch_ms(scheduled_time)
    if isinstance(scheduled_time, (int, float)) and not isinstance(scheduled_time, bool):
        if math.isnan(scheduled_time):
            raise TypeError(_ALARM_NOT_POSITIVE)
        return int(scheduled_time)
    raise TypeError(f"setAlarm() expects epoch milliseconds or a datetime, got {type(scheduled_time).__name__}")


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
