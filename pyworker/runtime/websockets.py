"""WebSockets as the Workers runtime has them: ``WebSocketPair``, the ``WebSocket`` and its events.

A pair is two connected ends: what one end sends, the other receives. The worker keeps the server
end and accepts it — ``server.accept()`` with ``addEventListener``, or ``ctx.acceptWebSocket(server)``
for hibernation (``pyworker.runtime.hibernation``) — and returns the client end in
``Response(None, status=101, web_socket=client)``; the dev server couples that end to the network
(``pyworker.server.websocket_bridge``).

Each end takes the frames it receives in order, one at a time, from its inbox. Frames wait there
until the end is accepted or coupled, and a frame sent from a Durable Object is taken only once the
writes its object made before sending are committed (the output gate). A clean Close is answered
with the same code and reason unless the receiving side closed first (as workerd does from
compatibility date 2026-04-07), so a client never waits for a Close that does not come.
Error texts are workerd's.
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from pyworker.runtime import current
from pyworker.runtime.ffi import JsArray, JsBuffer, JsException, JsProxy, JsTypeError, to_js
from pyworker.runtime.gates import OutputGate
from pyworker.runtime.values import clone
from pyworker.storage import codec

__all__ = [
    "WebSocket",
    "WebSocketPair",
    "WebSocketRequestResponsePair",
    "MessageEvent",
    "CloseEvent",
    "ErrorEvent",
    "EndState",
    "Message",
    "Close",
    "Failure",
    "Frame",
    "Receiver",
    "SocketOwner",
    "Coupling",
    "received",
    "MAX_MESSAGE_SIZE",
    "MAX_ATTACHMENT_SIZE",
    "NO_STATUS",
    "ABNORMAL_CLOSURE",
]

log = logging.getLogger("pyworker")

MAX_MESSAGE_SIZE = 32 * 1024 * 1024
"""Largest message a Worker receives; a bigger one closes the connection with 1009 (DO_SPEC §3.9)."""

MAX_ATTACHMENT_SIZE = 2048
"""Largest serialized attachment, as in workerd 1.20251109 (wrangler dev 4.47)."""

NO_STATUS = 1005
"""The code of a Close frame that carried none (never sent on the wire)."""

ABNORMAL_CLOSURE = 1006
"""The code reported when the peer vanished without a Close frame (never sent on the wire)."""

DISCONNECTED = "WebSocket disconnected without sending Close frame."

_NOT_ACCEPTED = (
    "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages."
)
_SEND_AFTER_CLOSE = "Can't call WebSocket send() after close()."
_REASON_WITHOUT_CODE = "If you specify a WebSocket close reason, you must also specify a code."
_ACCEPT_RELEASED = "Can't accept() WebSocket that was already used in a response."
_ACCEPT_HIBERNATABLE = "Can't accept() WebSocket after enabling hibernation."
_RETURN_RELEASED = "Can't return WebSocket that was already used in a response."
_RETURN_ACCEPTED = "Can't return WebSocket in a Response after calling accept()."
_RETURN_HIBERNATABLE = "Can't return WebSocket in a Response after calling acceptWebSocket()."
_HIBERNATE_INCOMPATIBLE = "Tried to make an api::WebSocket hibernatable when it was in an incompatible state."
_RESERVED_CLOSE_CODES = (1004, NO_STATUS, ABNORMAL_CLOSURE, 1015)


# -- frames: what travels from one end to the other ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Message:
    """A text (``str``) or binary (``bytes``) message."""

    data: str | bytes


@dataclass(frozen=True, slots=True)
class Close:
    """The peer closed (``was_clean``) or vanished (code 1006)."""

    code: int
    reason: str
    was_clean: bool


@dataclass(frozen=True, slots=True)
class Failure:
    """The connection failed (a protocol error, an oversized message)."""

    error: BaseException


Frame = Message | Close | Failure


# -- events: what listeners get -------------------------------------------------------------------


class MessageEvent:
    """``event.data``: a ``str``, or a ``JsBuffer`` (an ``ArrayBuffer``) for a binary message."""

    __slots__ = ("data",)
    type = "message"

    def __init__(self, data: str | JsBuffer) -> None:
        self.data = data


class CloseEvent:
    """``event.code``, ``event.reason``, ``event.wasClean``."""

    __slots__ = ("code", "reason", "wasClean")
    type = "close"

    def __init__(self, code: int, reason: str, was_clean: bool) -> None:
        self.code = code
        self.reason = reason
        self.wasClean = was_clean


class ErrorEvent:
    """``event.error`` and its ``event.message``."""

    __slots__ = ("error", "message")
    type = "error"

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.message = str(error)


def received(data: str | bytes) -> str | JsBuffer:
    """A message as Worker code receives it: text as ``str``, binary as an ``ArrayBuffer``."""
    return data if isinstance(data, str) else JsBuffer(data)


def _event(frame: Frame) -> MessageEvent | CloseEvent | ErrorEvent:
    if isinstance(frame, Message):
        return MessageEvent(received(frame.data))
    if isinstance(frame, Close):
        return CloseEvent(frame.code, frame.reason, frame.was_clean)
    return ErrorEvent(frame.error)


# -- who takes an end's frames -----------------------------------------------------------------


class Receiver(Protocol):
    """Takes the frames an end receives, once it is accepted or coupled; one frame at a time."""

    async def receive(self, ws: WebSocket, frame: Frame) -> None: ...

    def receive_now(self, ws: WebSocket, messages: list[Message]) -> bool:
        """Take ``messages`` synchronously if nothing stands in the way; False: they go to ``receive``."""
        ...


class SocketOwner(ABC):
    """The Durable Object a socket was accepted in (its host's ``websockets``).

    Frames the socket sends wait for the object's writes (``output_gate``), its listeners run as the
    object's events (``run_event``), and a socket accepted with ``accept()`` keeps the object in
    memory until it closes (``hold``).
    """

    output_gate: OutputGate

    @abstractmethod
    def run_event(self, call: Callable[[], Any]) -> Awaitable[Any]:
        """Run ``call`` as an event of the object: through its gates, after its constructor."""

    @abstractmethod
    def hold(self, until: Awaitable[None]) -> None:
        """Keep the object in memory until ``until`` is done."""


def _accepting_object() -> SocketOwner | None:
    """The Durable Object whose event called ``accept()`` (or started the task that did), or None
    outside of one."""
    host = current.object_host.get()
    return None if host is None else host.websockets


class EndState(enum.Enum):
    """Where an end of a pair is in its life."""

    PENDING = "pending"
    """Not accepted and not returned in a response yet."""
    ACCEPTED = "accepted"
    """``accept()``ed: events go to listeners."""
    HIBERNATABLE = "hibernatable"
    """``ctx.acceptWebSocket()``ed: events go to the object's ``webSocket*`` handlers."""
    COUPLED = "coupled"
    """Returned in a 101 response and taken by whoever received it (the dev server)."""


class WebSocket(JsProxy):
    """One end of a ``WebSocketPair``.

    ``accept()``, then ``addEventListener("message", handler)`` (``event.data``), ``send(data)``
    and ``close(code, reason)``; or hand it to ``ctx.acceptWebSocket()`` for hibernation.
    """

    READY_STATE_CONNECTING = CONNECTING = 0
    READY_STATE_OPEN = OPEN = 1
    READY_STATE_CLOSING = CLOSING = 2
    READY_STATE_CLOSED = CLOSED = 3

    url = None

    def __init__(self) -> None:
        self._peer: WebSocket | None = None
        self._state = EndState.PENDING
        self._receiver: Receiver | None = None
        self._owner: SocketOwner | None = None
        self._inbox: deque[tuple[Frame, OutputGate | None]] = deque()
        self._drain_task: asyncio.Task[None] | None = None
        self._release_pending = False  # _release waits for a commit (OutputGate.call_when_flushed)
        self._closed_outgoing = False
        self._closed_incoming = False
        self._outgoing_aborted = False
        self._error: BaseException | None = None
        self._done = False
        self._finished: asyncio.Future[None] | None = None
        self._listeners: dict[str, list[Callable[[Any], Any]]] = {}
        self._attachment: Any = None

    # -- the Workers API -------------------------------------------------------------------------

    @property
    def readyState(self) -> int:  # noqa: N802 - JavaScript name
        """``OPEN``, ``CLOSING`` once a Close was sent or received, ``CLOSED`` once both (or an error)."""
        if (self._closed_incoming and self._closed_outgoing) or self._error is not None:
            return self.CLOSED
        if self._closed_incoming or self._closed_outgoing:
            return self.CLOSING
        return self.OPEN

    def accept(self) -> None:
        """Start receiving: events go to the listeners added with ``addEventListener``.

        Accepted inside a Durable Object, the socket keeps the object in memory until it closes.
        """
        if self._state is EndState.COUPLED:
            raise JsTypeError(_ACCEPT_RELEASED)
        if self._state is EndState.HIBERNATABLE:
            raise JsTypeError(_ACCEPT_HIBERNATABLE)
        if self._state is EndState.ACCEPTED:
            return
        self._state = EndState.ACCEPTED
        self._owner = _accepting_object()
        if self._owner is not None:
            self._owner.hold(self.finished())
        self._attach(_LISTENERS)

    def addEventListener(self, type: str, listener: Callable[[Any], Any], options: Any = None) -> None:  # noqa: A002, N802
        """Call ``listener(event)`` for each ``"message"``, ``"close"`` or ``"error"`` event."""
        listeners = self._listeners.setdefault(type, [])
        if listener not in listeners:
            listeners.append(listener)

    def removeEventListener(self, type: str, listener: Callable[[Any], Any], options: Any = None) -> None:  # noqa: A002, N802
        """Stop calling ``listener``."""
        listeners = self._listeners.get(type, [])
        if listener in listeners:
            listeners.remove(listener)

    def send(self, message: str | bytes | bytearray | memoryview) -> None:
        """Send a text (``str``) or binary (bytes-like) message; ignored once the peer is gone."""
        if self._closed_outgoing:
            raise JsTypeError(_SEND_AFTER_CLOSE)
        if self._outgoing_aborted or self._state is EndState.COUPLED:
            return
        if self._state is EndState.PENDING:
            raise JsTypeError(_NOT_ACCEPTED)
        if isinstance(message, str):
            self._transmit(Message(message))
        elif isinstance(message, (bytes, bytearray, memoryview)):
            self._transmit(Message(bytes(message)))
        else:
            raise JsTypeError(f"send() takes a str or bytes-like message, not {type(message).__name__}")

    def close(self, code: int | None = None, reason: str | None = None) -> None:
        """Send a Close frame; a second call does nothing."""
        if self._closed_outgoing or self._outgoing_aborted or self._state is EndState.COUPLED:
            return
        if self._state is EndState.PENDING:
            raise JsTypeError(_NOT_ACCEPTED)
        if self._error is not None:
            raise self._error
        if code is not None:
            code = int(code)
            if not 1000 <= code < 5000 or code in _RESERVED_CLOSE_CODES:
                raise JsTypeError(f"Invalid WebSocket close code: {code}.")
        elif reason is not None:
            raise JsTypeError(_REASON_WITHOUT_CODE)
        self._closed_outgoing = True
        self._transmit(Close(NO_STATUS if code is None else code, reason or "", True))

    def serializeAttachment(self, value: Any) -> None:  # noqa: N802
        """Keep a copy of ``value`` with the socket; it survives hibernation."""
        copy = clone(value, "serializeAttachment()")
        size = len(codec.encode(copy))
        if size > MAX_ATTACHMENT_SIZE:
            raise JsException(
                f"A WebSocket 'attachment' cannot be larger than {MAX_ATTACHMENT_SIZE} bytes."
                f"'attachment' was {size} bytes."
            )
        self._attachment = copy

    def deserializeAttachment(self) -> Any:  # noqa: N802
        """A copy of the attachment (objects and arrays have ``.to_py()``), or None if none was set."""
        if self._attachment is None:
            return None
        return to_js(clone(self._attachment, "deserializeAttachment()"))

    # -- the runtime's side ----------------------------------------------------------------------

    @property
    def state(self) -> EndState:
        """Where this end is in its life."""
        return self._state

    @property
    def peer_state(self) -> EndState | None:
        """The state of the other end of the pair."""
        return None if self._peer is None else self._peer._state

    def make_hibernatable(self, owner: SocketOwner, receiver: Receiver) -> None:
        """Accept for hibernation: frames go to ``receiver`` (the object's hibernation manager)."""
        if self._state is not EndState.PENDING:
            raise JsTypeError(_HIBERNATE_INCOMPATIBLE)
        self._state = EndState.HIBERNATABLE
        self._owner = owner
        self._attach(receiver)

    def couple(self, receiver: Receiver) -> Coupling:
        """Take this end from a 101 response: frames it receives go to ``receiver`` (the network),
        and the returned ``Coupling`` speaks for the far side."""
        if self._state is EndState.COUPLED:
            raise JsTypeError(_RETURN_RELEASED)
        if self._state is EndState.ACCEPTED:
            raise JsTypeError(_RETURN_ACCEPTED)
        if self._state is EndState.HIBERNATABLE:
            raise JsTypeError(_RETURN_HIBERNATABLE)
        self._state = EndState.COUPLED
        self._attach(receiver)
        return Coupling(self)

    def finished(self) -> asyncio.Future[None]:
        """Done once this end has taken a Close (and answered it) or failed."""
        if self._finished is None:
            self._finished = asyncio.get_running_loop().create_future()
            if self._done:
                self._finished.set_result(None)
        return self._finished

    def auto_respond(self, response: str) -> bool:
        """Answer from the runtime, bypassing the object (auto-response); False if closed."""
        if self._closed_outgoing or self._outgoing_aborted or self._peer is None:
            return False
        self._peer._enqueue(Message(response), None)
        return True

    async def dispatch(self, event: MessageEvent | CloseEvent | ErrorEvent) -> None:
        """Call the listeners of ``event.type`` in order; a listener's error is logged, not raised."""
        for listener in list(self._listeners.get(event.type, ())):
            try:
                result = listener(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("Uncaught error in a WebSocket %r listener", event.type)

    # -- moving frames ---------------------------------------------------------------------------

    def _attach(self, receiver: Receiver) -> None:
        self._receiver = receiver
        if self._inbox:
            self._release()

    def _transmit(self, frame: Frame) -> None:
        peer = self._peer
        if peer is None or self._outgoing_aborted:
            return
        owner = self._owner
        gate = owner.output_gate if owner is not None and owner.output_gate.pending else None
        peer._enqueue(frame, gate)

    def _enqueue(self, frame: Frame, gate: OutputGate | None) -> None:
        self._inbox.append((frame, gate))
        if self._receiver is not None and self._drain_task is None and not self._release_pending:
            self._release()

    def _release(self) -> None:
        """Hand the messages at the head of the inbox over synchronously if the receiver takes them so
        (the network does: a broadcast then costs no task per socket, and the messages of several
        events one write); frames behind uncommitted writes wait for the commit (``call_when_flushed``),
        and whatever the receiver cannot take at once goes to ``_drain``."""
        self._release_pending = False
        inbox, receiver = self._inbox, self._receiver
        assert receiver is not None
        ready: list[Message] = []
        blocked_by: OutputGate | None = None
        for frame, gate in inbox:
            if gate is not None and gate.pending:
                blocked_by = gate
                break
            if type(frame) is not Message:
                break
            ready.append(frame)  # type: ignore[arg-type]
        if ready and not self._done and receiver.receive_now(self, ready):
            for _ in ready:
                inbox.popleft()
        elif ready:
            blocked_by = None  # the receiver waits for the gates itself, in _drain
        if blocked_by is not None:
            self._release_pending = True
            blocked_by.call_when_flushed(self._release)
        elif inbox:
            self._drain_task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._inbox:
                frame, gate = self._inbox.popleft()
                if gate is not None:
                    await gate.wait_flushed()
                await self._take(frame)
        finally:
            self._drain_task = None

    async def _take(self, frame: Frame) -> None:
        if self._done:
            return
        if isinstance(frame, Close):
            self._closed_incoming = True
            self._outgoing_aborted = self._outgoing_aborted or not frame.was_clean
        elif isinstance(frame, Failure):
            self._error = frame.error
            self._outgoing_aborted = True
        assert self._receiver is not None
        try:
            await self._receiver.receive(self, frame)
        except Exception:
            log.exception("Uncaught error while delivering a WebSocket %s", type(frame).__name__.lower())
        if isinstance(frame, Message):
            return
        if isinstance(frame, Close) and not self._closed_outgoing and not self._outgoing_aborted:
            self._closed_outgoing = True
            self._transmit(Close(frame.code, frame.reason, True))
        self._done = True
        if self._finished is not None and not self._finished.done():
            self._finished.set_result(None)

    def __repr__(self) -> str:
        return f"<WebSocket {self._state.value} readyState={self.readyState}>"


class _Listeners:
    """The receiver of ``accept()``ed ends: events go to listeners, as events of the owning object."""

    def receive_now(self, ws: WebSocket, messages: list[Message]) -> bool:
        """Never: a listener runs as an event of the object."""
        return False

    async def receive(self, ws: WebSocket, frame: Frame) -> None:
        event = _event(frame)
        owner = ws._owner
        if owner is None:
            await ws.dispatch(event)
        else:
            await owner.run_event(lambda: ws.dispatch(event))


_LISTENERS = _Listeners()


class Coupling:
    """The dev server's handle on a client end it took from a 101 response: it speaks for the far
    side (the network client), so what it says reaches the server end."""

    __slots__ = ("_end",)

    def __init__(self, end: WebSocket) -> None:
        self._end = end

    def message(self, data: str | bytes) -> None:
        """The client sent a message."""
        self._end._transmit(Message(data))

    def close(self, code: int, reason: str) -> None:
        """The client sent a Close frame (or answered ours)."""
        self._end._closed_outgoing = True
        self._end._transmit(Close(code, reason, True))

    def disconnect(self) -> None:
        """The client vanished without a Close frame: the server end sees 1006, not clean."""
        self._end._transmit(Close(ABNORMAL_CLOSURE, DISCONNECTED, False))
        self._end._outgoing_aborted = True

    def fail(self, error: BaseException) -> None:
        """The connection failed (``error`` is given to the server end's error handler)."""
        self._end._transmit(Failure(error))
        self._end._outgoing_aborted = True


class WebSocketPair(JsProxy):
    """Two connected WebSockets: ``client, server = WebSocketPair.new().object_values()``.

    The pair also unpacks directly (``client, server = WebSocketPair()``) and indexes as ``pair[0]``.
    """

    __slots__ = ("_ends",)

    def __init__(self) -> None:
        client, server = WebSocket(), WebSocket()
        client._peer, server._peer = server, client
        self._ends = (client, server)

    @classmethod
    def new(cls) -> WebSocketPair:
        """``new WebSocketPair()``."""
        return cls()

    def object_values(self) -> JsArray:
        """``Object.values(pair)``: ``[client, server]``."""
        return JsArray(self._ends)

    def __getitem__(self, index: int | str) -> WebSocket:
        return self._ends[int(index)]

    def __iter__(self) -> Iterator[WebSocket]:
        return iter(self._ends)

    def __len__(self) -> int:
        return 2


class WebSocketRequestResponsePair(JsProxy):
    """An automatic reply: ``WebSocketRequestResponsePair.new("ping", "pong")``
    (see ``ctx.setWebSocketAutoResponse``)."""

    __slots__ = ("request", "response")

    def __init__(self, request: str, response: str) -> None:
        if not isinstance(request, str) or not isinstance(response, str):
            raise JsTypeError("WebSocketRequestResponsePair() takes a request and a response string")
        self.request = request
        self.response = response

    @classmethod
    def new(cls, request: str, response: str) -> WebSocketRequestResponsePair:
        """``new WebSocketRequestResponsePair(request, response)``."""
        return cls(request, response)

    def __repr__(self) -> str:
        return f"WebSocketRequestResponsePair({self.request!r}, {self.response!r})"
