"""Input and output gates: the only place where Durable Object concurrency is decided.

Storage calls are synchronous SQLite calls on the event loop, so awaiting one never lets another
event in: read-modify-write made of storage awaits is atomic without any lock (the input gate).
What remains explicit here:

* ``EventGate`` — ``blockConcurrencyWhile``: while a blocking callback runs, no new event is
  delivered to the object. Event delivery must ``await gate.wait_open()`` first.
* ``OutputGate`` — writes are buffered and committed, across all objects, in one batch at the end
  of the loop iteration. Before a response, RPC result or message of an event leaves the object,
  the caller must ``await output_gate.wait_flushed()`` so the event's writes are durable first
  (or, without a coroutine, ``call_when_flushed(callback)``: how WebSocket frames wait).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

__all__ = ["EventGate", "OutputGate", "Flushable"]

log = logging.getLogger("pyworker")


class EventGate:
    """Holds new events back while ``blockConcurrencyWhile`` callbacks run."""

    __slots__ = ("_blockers", "_opened")

    def __init__(self) -> None:
        self._blockers = 0
        self._opened: asyncio.Future[None] | None = None

    @property
    def is_open(self) -> bool:
        """True when no blocking callback is running."""
        return self._blockers == 0

    async def wait_open(self) -> None:
        """Call before delivering an event: returns once no blocking callback runs."""
        while self._blockers:
            if self._opened is None:
                self._opened = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._opened)

    def block_while(
        self, work: Awaitable[Any], on_error: Callable[[BaseException], None]
    ) -> asyncio.Task[Any]:
        """Run ``work`` now with the gate closed; ``on_error`` runs if it raises (the object resets)."""
        self._blockers += 1

        async def run() -> Any:
            try:
                return await work
            except BaseException as error:
                on_error(error)
                raise
            finally:
                self._blockers -= 1
                if not self._blockers and self._opened is not None:
                    if not self._opened.done():
                        self._opened.set_result(None)
                    self._opened = None

        return asyncio.get_running_loop().create_task(run())


class Flushable(Protocol):
    """Something with buffered writes (an object's storage)."""

    def flush(self) -> None: ...


class OutputGate:
    """Commits every dirty store once per loop iteration and lets events wait for that commit."""

    def __init__(self) -> None:
        self._dirty: dict[int, Flushable] = {}
        self._waiters: list[asyncio.Future[None]] = []
        self._callbacks: list[Callable[[], None]] = []

    def mark_dirty(self, store: Flushable) -> None:
        """Call when ``store`` buffered a write; schedules the shared commit."""
        if not self._dirty:
            asyncio.get_running_loop().call_soon(self._flush_scheduled)
        self._dirty[id(store)] = store

    @property
    def pending(self) -> bool:
        """True while writes wait for the next commit."""
        return bool(self._dirty)

    async def wait_flushed(self) -> None:
        """Call before a response or result leaves an object: returns once buffered writes are committed.

        A failed commit is reported by the store it belongs to (see ``DurableObjectStorage``).
        """
        if self._dirty:
            # One future per waiter: a cancelled event must not cancel the others' wait.
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            await waiter

    def call_when_flushed(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` right after the next commit (now if nothing is pending): the cheap
        form of ``wait_flushed`` for code that is not a coroutine. Its errors are logged."""
        if self._dirty:
            self._callbacks.append(callback)
        else:
            _call_logged(callback)

    def _flush_scheduled(self) -> None:
        waiters, self._waiters = self._waiters, []
        callbacks, self._callbacks = self._callbacks, []
        self.flush_now()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
        for callback in callbacks:
            _call_logged(callback)

    def flush_now(self) -> None:
        """Commit every dirty store immediately (also used at shutdown)."""
        dirty, self._dirty = self._dirty, {}
        for store in dirty.values():
            try:
                store.flush()
            except Exception:  # the store keeps the error and fails its own event
                log.exception("storage commit failed")


def _call_logged(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:
        log.exception("error in a callback waiting for a storage commit")
