"""The WebSocket Hibernation API of one Durable Object: ``ctx.acceptWebSocket`` and its companions.

A ``HibernationManager`` belongs to the object's host, not to its instance, so the sockets it holds
stay open when the instance is evicted or dropped by a code reload: the next message constructs a
fresh instance and is delivered to its ``webSocketMessage``. Tags and attachments live with the
sockets and survive that. Every handler call goes through the host's ``deliver`` (gates, commit).

Hibernatable sockets do not keep the object in memory; ``accept()``ed ones do (``hold``).
Texts of errors and limits are workerd's (DO_SPEC §3.9).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from pyworker.runtime._calls import call_relaxed
from pyworker.runtime.clock import Clock
from pyworker.runtime.ffi import JsArray, JsException, JsRangeError, JsTypeError
from pyworker.runtime.gates import OutputGate
from pyworker.runtime.jsglobals import Date
from pyworker.runtime.websockets import (
    Close,
    EndState,
    Frame,
    Message,
    SocketOwner,
    WebSocket,
    WebSocketRequestResponsePair,
    received,
)

if TYPE_CHECKING:
    from pyworker.runtime.durable_object import DurableObject, ObjectHost

__all__ = [
    "HibernationManager",
    "MAX_SOCKETS",
    "MAX_TAGS",
    "MAX_TAG_LENGTH",
    "MAX_AUTO_RESPONSE_SIZE",
    "MAX_EVENT_TIMEOUT_MS",
]

log = logging.getLogger("pyworker")

MAX_SOCKETS = 32_768
"""Hibernatable WebSockets one object may hold."""

MAX_TAGS = 10
"""Distinct tags per socket."""

MAX_TAG_LENGTH = 256
"""Longest tag, in bytes of UTF-8 (workerd measures bytes)."""

MAX_AUTO_RESPONSE_SIZE = 2048
"""Longest auto-response request and response, in bytes of UTF-8."""

MAX_EVENT_TIMEOUT_MS = 604_800_000
"""Longest ``setHibernatableWebSocketEventTimeout`` (7 days)."""

_HANDLERS = {Message: "webSocketMessage", Close: "webSocketClose"}


class HibernationManager(SocketOwner):
    """The hibernatable WebSockets of one Durable Object, and the sockets its events accepted."""

    def __init__(self, host: ObjectHost, output_gate: OutputGate, clock: Clock) -> None:
        self._host = host
        self.output_gate = output_gate
        self._clock = clock
        self._sockets: dict[WebSocket, None] = {}
        self._tags: WeakKeyDictionary[WebSocket, tuple[str, ...]] = WeakKeyDictionary()
        self._auto_responded_at: WeakKeyDictionary[WebSocket, float] = WeakKeyDictionary()
        self._auto_response: WebSocketRequestResponsePair | None = None
        self._event_timeout_ms: int | None = None

    # -- SocketOwner -------------------------------------------------------------------------------

    def run_event(self, call: Callable[[], Any]) -> Awaitable[Any]:
        """Run ``call`` as an event of the object (listeners of ``accept()``ed sockets)."""
        return self._host.invoker(call)

    def hold(self, until: Awaitable[None]) -> None:
        """Keep the object in memory until ``until`` is done (an ``accept()``ed socket closes)."""
        self._host.background(until)

    # -- ctx.* ---------------------------------------------------------------------------------

    def accept(self, ws: WebSocket, tags: Iterable[str] | None = None) -> None:
        """``ctx.acceptWebSocket(ws, tags)``."""
        if not isinstance(ws, WebSocket):
            raise JsTypeError(
                "Failed to execute 'acceptWebSocket' on 'DurableObjectState': parameter 1 is not of type 'WebSocket'."
            )
        if ws.state in (EndState.ACCEPTED, EndState.HIBERNATABLE):
            raise JsException("Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`")
        if ws.peer_state is not EndState.PENDING:
            raise JsException(
                "Cannot call `acceptWebSocket()` on this WebSocket because its pair has already been "
                "accepted or used in a Response."
            )
        distinct = _distinct_tags(tags)
        if len(self._sockets) >= MAX_SOCKETS:
            raise JsException(f"only {MAX_SOCKETS} websockets can be accepted on a single Durable Object instance")
        ws.make_hibernatable(self, self)
        self._sockets[ws] = None
        self._tags[ws] = distinct

    def get_websockets(self, tag: str | None = None) -> JsArray:
        """``ctx.getWebSockets(tag)``: accepted sockets not yet disconnected, optionally by tag."""
        if tag is None:
            return JsArray(self._sockets)
        return JsArray(ws for ws in self._sockets if tag in self._tags.get(ws, ()))

    def get_tags(self, ws: WebSocket) -> JsArray:
        """``ctx.getTags(ws)``."""
        if ws.state is EndState.ACCEPTED:
            raise JsException("only hibernatable websockets can have tags.")
        if ws.state is not EndState.HIBERNATABLE:
            raise JsException(
                "you must call 'acceptWebSocket()' before attempting to access the tags of a WebSocket."
            )
        return JsArray(self._tags.get(ws, ()))

    def set_auto_response(self, pair: WebSocketRequestResponsePair | None) -> None:
        """``ctx.setWebSocketAutoResponse(pair)``; no argument clears it."""
        if pair is not None:
            for kind, text in (("Request", pair.request), ("Response", pair.response)):
                size = len(text.encode())
                if size > MAX_AUTO_RESPONSE_SIZE:
                    raise JsRangeError(
                        f"{kind} cannot be larger than {MAX_AUTO_RESPONSE_SIZE} bytes. "
                        f"A {kind.lower()} of size {size} was provided."
                    )
        self._auto_response = pair

    @property
    def auto_response(self) -> WebSocketRequestResponsePair | None:
        """``ctx.getWebSocketAutoResponse()``."""
        return self._auto_response

    def auto_response_timestamp(self, ws: WebSocket) -> Date | None:
        """``ctx.getWebSocketAutoResponseTimestamp(ws)``: when ``ws`` was last auto-answered."""
        at = self._auto_responded_at.get(ws)
        return None if at is None else Date(at)

    def set_event_timeout(self, timeout_ms: int | None) -> None:
        """``ctx.setHibernatableWebSocketEventTimeout(ms)``; None or 0 clears it."""
        if timeout_ms and timeout_ms > MAX_EVENT_TIMEOUT_MS:
            raise JsException(f"Event timeout should not exceed {MAX_EVENT_TIMEOUT_MS} ms.")
        self._event_timeout_ms = int(timeout_ms) if timeout_ms else None

    @property
    def event_timeout(self) -> int | None:
        """``ctx.getHibernatableWebSocketEventTimeout()``."""
        return self._event_timeout_ms

    # -- Receiver: frames of hibernatable sockets ----------------------------------------------

    def receive_now(self, ws: WebSocket, messages: list[Message]) -> bool:
        """Never: a handler runs as an event of the object."""
        return False

    async def receive(self, ws: WebSocket, frame: Frame) -> None:
        """Deliver ``frame`` to the object's handler; an auto-response request never wakes it."""
        pair = self._auto_response
        if isinstance(frame, Message) and pair is not None and frame.data == pair.request:
            if ws.auto_respond(pair.response):
                self._auto_responded_at[ws] = self._clock.now_ms()
            return
        name = _HANDLERS.get(type(frame), "webSocketError")
        if isinstance(frame, Message):
            args: tuple[Any, ...] = (ws, received(frame.data))
        elif isinstance(frame, Close):
            args = (ws, frame.code, frame.reason, frame.was_clean)
        else:
            args = (ws, frame.error)
        try:
            await self._host.deliver(lambda instance: self._call(instance, name, args))
        except Exception:
            log.exception("Uncaught error in %s()", name)
        finally:
            if not isinstance(frame, Message):
                self._sockets.pop(ws, None)

    async def _call(self, instance: DurableObject, name: str, args: tuple[Any, ...]) -> None:
        handler = getattr(instance, name, None)
        if handler is None:
            if name == "webSocketMessage":
                log.error(
                    "%s received a WebSocket message but does not define webSocketMessage(self, ws, message)",
                    type(instance).__name__,
                )
            return
        call = call_relaxed(handler, *args)
        if self._event_timeout_ms is None:
            await call
        else:
            await asyncio.wait_for(call, self._event_timeout_ms / 1000)


def _distinct_tags(tags: Iterable[str] | None) -> tuple[str, ...]:
    """The distinct tags, checked as workerd checks them (the count before each tag)."""
    if tags is None:
        return ()
    if isinstance(tags, (str, bytes)):
        raise JsTypeError(
            "Failed to execute 'acceptWebSocket' on 'DurableObjectState': parameter 2 is not of type 'Array'."
        )
    seen: dict[str, None] = {}
    for tag in tags:
        if len(seen) >= MAX_TAGS:
            raise JsException(f"a Hibernatable WebSocket cannot have more than {MAX_TAGS} tags")
        if not isinstance(tag, str):
            raise JsTypeError(f"acceptWebSocket(): tags must be strings, got {type(tag).__name__}")
        if len(tag.encode()) > MAX_TAG_LENGTH:
            raise JsException(f'"{tag}" is longer than the max tag length ({MAX_TAG_LENGTH} characters).')
        seen[tag] = None
    return tuple(seen)
