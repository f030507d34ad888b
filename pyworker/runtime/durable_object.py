"""Durable Objects: the user's base class, its ``ctx``, and the host that runs one live instance.

``ObjectHost`` owns everything about one object id: the instance (constructed on first use,
``Class(ctx, env)``), its storage, its event gate. Every event — a fetch, an RPC call — goes through
``ObjectHost.deliver`` so gates and commits apply to all of them in one place.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, NoReturn, Protocol

from pyworker.runtime import current
from pyworker.runtime.alarms import ObjectAlarm
from pyworker.runtime.clock import Clock, Timer
from pyworker.runtime.gates import EventGate, OutputGate
from pyworker.runtime.ffi import JsArray
from pyworker.runtime.hibernation import HibernationManager
from pyworker.runtime.ids import DurableObjectId
from pyworker.runtime.jsglobals import Date
from pyworker.runtime.websockets import WebSocket, WebSocketRequestResponsePair
from pyworker.storage.durable_object_storage import DurableObjectStorage

__all__ = ["DurableObject", "DurableObjectAbort", "DurableObjectState", "ObjectHost"]

log = logging.getLogger("pyworker")


class DurableObject:
    """Base class of Durable Objects: ``class Counter(DurableObject)``.

    ``self.ctx`` is the object's ``DurableObjectState`` (``ctx.storage``, ``ctx.id``, ...), ``self.env``
    the worker's bindings. Define ``async def fetch(self, request)`` for HTTP and any other public
    method for RPC.
    """

    ctx: DurableObjectState
    env: Any

    def __init__(self, ctx: DurableObjectState, env: Any) -> None:
        self.ctx = ctx
        self.env = env


class DurableObjectAbort(BaseException):
    """Raised by ``ctx.abort()``: not an ``Exception``, so user code cannot swallow it by accident."""


class DurableObjectState:
    """``self.ctx`` of a Durable Object."""

    def __init__(self, host: ObjectHost, storage: DurableObjectStorage) -> None:
        self._host = host
        self.id = DurableObjectId(host.id.toString())  # inside the object ``ctx.id.name`` is None
        self.storage = storage

    def blockConcurrencyWhile(self, callback: Callable[[], Awaitable[Any]] | Awaitable[Any]) -> asyncio.Task[Any]:  # noqa: N802
        """Run ``callback`` with no other event delivered until it finishes; await it for its result.

        Starts at once, so calling it in ``__init__`` without ``await`` works. If it raises, the object
        is reset: the next event constructs a new instance.
        """
        work = callback() if callable(callback) else callback
        if not inspect.isawaitable(work):
            work = _resolved(work)
        return self._host.gate.block_while(work, self._host.reset_after_error)

    def waitUntil(self, awaitable: Awaitable[Any]) -> None:  # noqa: N802
        """Keep working on ``awaitable`` after the current event has answered."""
        self._host.background(awaitable)

    def abort(self, reason: str | None = None) -> NoReturn:
        """Reset the object now: the current call fails, the next event constructs a new instance."""
        self._host.instance = None
        raise DurableObjectAbort(reason or "Durable Object was aborted")

    def acceptWebSocket(self, ws: WebSocket, tags: Iterable[str] | None = None) -> None:  # noqa: N802
        """Accept ``ws`` for hibernation: its events go to ``webSocketMessage``/``Close``/``Error``,
        and it stays open while the object is evicted. At most 10 tags of 256 bytes each."""
        self._host.websockets.accept(ws, tags)

    def getWebSockets(self, tag: str | None = None) -> JsArray:  # noqa: N802
        """The hibernatable sockets not yet disconnected, optionally only those tagged ``tag``."""
        return self._host.websockets.get_websockets(tag)

    def getTags(self, ws: WebSocket) -> JsArray:  # noqa: N802
        """The tags ``ws`` was accepted with."""
        return self._host.websockets.get_tags(ws)

    def setWebSocketAutoResponse(self, pair: WebSocketRequestResponsePair | None = None) -> None:  # noqa: N802
        """Answer a message equal to ``pair.request`` with ``pair.response`` without waking the
        object; no argument clears it."""
        self._host.websockets.set_auto_response(pair)

    def getWebSocketAutoResponse(self) -> WebSocketRequestResponsePair | None:  # noqa: N802
        """The pair set with ``setWebSocketAutoResponse``, or None."""
        return self._host.websockets.auto_response

    def getWebSocketAutoResponseTimestamp(self, ws: WebSocket) -> Date | None:  # noqa: N802
        """When ``ws`` last got an automatic response, or None."""
        return self._host.websockets.auto_response_timestamp(ws)

    def setHibernatableWebSocketEventTimeout(self, timeoutMs: int | None = None) -> None:  # noqa: N802, N803
        """Cancel a ``webSocket*`` handler after ``timeoutMs``; None or 0 clears the timeout."""
        self._host.websockets.set_event_timeout(timeoutMs)

    def getHibernatableWebSocketEventTimeout(self) -> int | None:  # noqa: N802
        """The timeout set with ``setHibernatableWebSocketEventTimeout``, or None."""
        return self._host.websockets.event_timeout


async def _resolved(value: Any) -> Any:
    return value


class ObjectCode(Protocol):
    """What a host gets from its class: the code to construct instances with, and the lifecycle policy."""

    cls: type[DurableObject]
    env: Any
    clock: Clock
    evict_after_ms: float | None


class ObjectHost:
    """Runs the single live instance of one Durable Object id."""

    def __init__(
        self,
        object_id: DurableObjectId,
        code: ObjectCode,
        storage: DurableObjectStorage,
        output_gate: OutputGate,
    ) -> None:
        self.id = object_id
        self._code = code
        self._output_gate = output_gate
        self.storage = storage
        self.gate = EventGate()
        self.instance: DurableObject | None = None
        self._reset_error: BaseException | None = None
        self._tasks: set[asyncio.Future[Any]] = set()
        self._in_flight = 0
        self._eviction: Timer | None = None
        self._idle_since = 0.0
        self.alarm = ObjectAlarm(self, code.clock)
        """The object's alarm timer; it outlives the instance (eviction, reloads)."""
        self.websockets = HibernationManager(self, output_gate, code.clock)
        """The object's WebSockets; they outlive the instance (hibernation, reloads)."""

    def _construct(self) -> DurableObject:
        cls, env = self._code.cls, self._code.env
        ctx = DurableObjectState(self, self.storage)
        instance = cls.__new__(cls)
        instance.ctx, instance.env = ctx, env
        instance.__init__(ctx, instance.env)  # type: ignore[misc]
        self.instance = instance
        return instance

    async def deliver(self, invoke: Callable[[DurableObject], Any]) -> Any:
        """Deliver one event: wait for the gate, construct if needed, run ``invoke(instance)``,
        then hold the result until the event's writes are committed (output gate)."""
        self._in_flight += 1
        try:
            await self.gate.wait_open()
            instance = self.instance if self.instance is not None else self._construct()
            if not self.gate.is_open:
                await self.gate.wait_open()
            if self._reset_error is not None:
                error, self._reset_error = self._reset_error, None
                raise error
            token = current.object_host.set(self)
            try:
                result = invoke(instance)
                if inspect.isawaitable(result):
                    result = await result
            finally:
                current.object_host.reset(token)
        except BaseException:
            await self._settle()
            raise
        finally:
            self._in_flight -= 1
            self._schedule_eviction()
        await self._settle()
        return result

    @property
    def idle(self) -> bool:
        """True when nothing runs in or for this object."""
        return not self._in_flight and self.gate.is_open and not self._tasks

    def _schedule_eviction(self) -> None:
        """Note that the object went idle; one lazy timer per object, not one per event."""
        if self._code.evict_after_ms is None or self.instance is None or not self.idle:
            return
        clock = self._code.clock
        self._idle_since = clock.now_ms()
        if self._eviction is None:
            self._eviction = clock.call_at(self._idle_since + self._code.evict_after_ms, self._evict_if_idle)

    def _evict_if_idle(self) -> None:
        """Drop the instance after it stayed idle (as workerd does ~10 s after the last event).

        In-memory fields are lost and the constructor runs again on the next event; storage stays.
        """
        self._eviction = None
        delay = self._code.evict_after_ms
        if delay is None or not self.idle or self.instance is None:
            return  # busy now: the end of the current event arms the timer again
        due = self._idle_since + delay
        clock = self._code.clock
        if clock.now_ms() < due:  # there was activity since the timer was set
            self._eviction = clock.call_at(due, self._evict_if_idle)
            return
        log.debug("Evicting idle Durable Object %s", self.id)
        self.instance = None
        self.storage.close()

    def invoker(self, call: Callable[[], Any]) -> Awaitable[Any]:
        """Run ``call`` as an event of this object (for RPC stubs of targets the object returned)."""
        return self.deliver(lambda _instance: call())

    async def _settle(self) -> None:
        await self._output_gate.wait_flushed()
        failure = self.storage.failure
        if failure is not None:
            self.instance = None
            self.storage.recover()
            raise failure

    def reset_after_error(self, error: BaseException) -> None:
        """Drop the instance after a failed ``blockConcurrencyWhile``; waiting events get ``error``."""
        log.error("Durable Object %s reset after an error in blockConcurrencyWhile(): %r", self.id, error)
        self.instance = None
        self._reset_error = error

    def background(self, awaitable: Awaitable[Any]) -> None:
        """Run ``awaitable`` as a task owned by this object (``ctx.waitUntil``)."""
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(_log_background_failure)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        self._schedule_eviction()

    def close(self) -> None:
        """Commit and close storage (server shutdown)."""
        if self._eviction is not None:
            self._eviction.cancel()
        self.alarm.cancel()
        self.storage.close()


def _log_background_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("Uncaught error in waitUntil()", exc_info=task.exception())
