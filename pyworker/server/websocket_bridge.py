"""A WebSocket upgrade: the worker answered ``Response(None, status=101, web_socket=client)``; this
completes the handshake and couples ``client`` to the real connection (an aiohttp
``WebSocketResponse``) until it closes.

Messages from the network are sent to the worker's server end as if the client end sent them, and
what the server end sends goes out on the network. Close codes and reasons pass both ways; a client
that vanishes without a Close frame is reported as 1006 (not clean); a message over 32 MiB closes
the connection with 1009 and reaches the worker as an error.
"""

from __future__ import annotations

import asyncio
import re
import struct
import time
from weakref import WeakKeyDictionary

from aiohttp import WebSocketError, WSMsgType, web

from pyworker.runtime.ffi import JsException, JsTypeError
from pyworker.runtime.http import Response
from pyworker.runtime.websockets import (
    MAX_MESSAGE_SIZE,
    NO_STATUS,
    Close,
    Coupling,
    Frame,
    Message,
    WebSocket,
)
from pyworker.server.log import log_request

__all__ = ["serve_websocket", "close_websockets"]

CLOSE_TIMEOUT_S = 10.0
"""How long a closing handshake may wait for the other side."""

_NO_UPGRADE = (
    'Worker tried to return a WebSocket in a response to a request which did not contain the header '
    '"Upgrade: websocket".'
)
_BAD_HANDSHAKE = "ERROR: The requested WebSocket version is not supported."
_HANDSHAKE_HEADERS = frozenset(
    {"upgrade", "connection", "content-length", "content-type", "transfer-encoding"}
)
_GOING_AWAY = 1001
_TEXT, _BINARY = 0x81, 0x82  # FIN + opcode
_LENGTH_16, _LENGTH_64 = struct.Struct("!BBH"), struct.Struct("!BBQ")
_REMEMBERED_FRAME_MAX = 4096

_open: WeakKeyDictionary[web.Application, set[_NetworkLink]] = WeakKeyDictionary()
"""The connections each app is serving, closed when it shuts down."""


async def serve_websocket(incoming: web.Request, response: Response, started: float) -> web.StreamResponse:
    """Answer ``incoming`` with the worker's 101 ``response`` and serve the connection until it closes.

    An error before the handshake (the socket was accepted, the request is no upgrade) is raised, so
    the caller answers 500; the server end then sees its client vanish. ``started``
    (``time.perf_counter()``) times the request log line.
    """
    client = response.web_socket
    if not isinstance(client, WebSocket):
        raise JsTypeError(f"web_socket must be the client end of a WebSocketPair, not {type(client).__name__}")
    offered = response.headers.get("Sec-WebSocket-Protocol", "")
    network = web.WebSocketResponse(
        autoclose=False,
        max_msg_size=MAX_MESSAGE_SIZE + 1,  # aiohttp refuses a message of exactly max_msg_size bytes
        protocols=[p.strip() for p in offered.split(",") if p.strip()],
        timeout=CLOSE_TIMEOUT_S,
    )
    link = _NetworkLink(network)
    link.coupling = client.couple(link)
    if incoming.headers.get("Upgrade", "").lower() != "websocket":
        link.refuse()
        raise JsTypeError(_NO_UPGRADE)
    if not network.can_prepare(incoming).ok:
        link.refuse()
        return web.Response(status=400, text=_BAD_HANDSHAKE)
    for name, value in response.headers.items():
        if name.lower() not in _HANDSHAKE_HEADERS and not name.lower().startswith("sec-websocket-"):
            network.headers.add(name, value)
    try:
        await network.prepare(incoming)
    except BaseException:
        link.refuse()
        raise
    link.transport = incoming.transport
    link.opened.set()
    status_text = response.status_text or "Switching Protocols"
    log_request(incoming.method, incoming.raw_path.partition("?")[0], 101, status_text, started, time.perf_counter())
    connections = _open.setdefault(incoming.app, set())
    connections.add(link)
    try:
        await link.run()
    finally:
        connections.discard(link)
    return network


async def close_websockets(app: web.Application) -> None:
    """``on_shutdown`` hook: close every open connection with 1001, so the server stops at once
    (aiohttp would otherwise wait for these handlers). The worker is not told, as when workerd exits."""
    await asyncio.gather(*(link.shut_down() for link in list(_open.get(app, ()))))


class _NetworkLink:
    """Receiver of the coupled client end: frames the server end sends go out on the network."""

    coupling: Coupling

    def __init__(self, network: web.WebSocketResponse) -> None:
        self.network = network
        self.transport: asyncio.Transport | None = None
        """The connection's socket, once the handshake is done."""
        self.opened = asyncio.Event()
        """Set once the handshake is done (or refused): frames wait for it."""
        self._closed = asyncio.Event()
        self._client_closed = False

    def refuse(self) -> None:
        """The handshake failed: the server end sees its client vanish; what it sends is dropped."""
        self._closed.set()
        self.opened.set()
        self.coupling.disconnect()

    def receive_now(self, ws: WebSocket, messages: list[Message]) -> bool:
        """Write messages at once (in one write), unless the connection is not open, compresses (its
        frames need aiohttp's compressor) or has a full send buffer (``receive`` then waits for it)."""
        transport, network = self.transport, self.network
        if (
            transport is None
            or self._closed.is_set()
            or network.closed
            or network.compress
            or transport.is_closing()
            or transport.get_write_buffer_size() >= transport.get_write_buffer_limits()[1]
        ):
            return False
        try:
            wire = b"".join([_wire_frame(message.data) for message in messages])
        except UnicodeEncodeError:  # a lone surrogate: aiohttp's send_str reports it, as before
            return False
        transport.write(wire)
        return True

    async def receive(self, ws: WebSocket, frame: Frame) -> None:
        """Write what the server end sent; its Close starts (or answers) the closing handshake."""
        await self.opened.wait()
        network = self.network
        if self._closed.is_set():
            return
        if isinstance(frame, Message):
            if not network.closed:
                try:
                    if isinstance(frame.data, str):
                        await network.send_str(frame.data)
                    else:
                        await network.send_bytes(frame.data)
                except ConnectionError:
                    pass  # the client is gone: the read loop reports it
        elif isinstance(frame, Close):
            code = 1000 if frame.code == NO_STATUS else frame.code  # a Close frame always has a code here
            await network.close(code=code, message=frame.reason.encode())
            if not self._client_closed:
                answer = network.close_code
                if answer is None or answer == 1006:
                    self.coupling.disconnect()
                else:
                    self.coupling.close(answer, "")
            self._closed.set()

    async def shut_down(self) -> None:
        """Close the connection with 1001 (Going Away) without telling the server end."""
        await self.network.close(code=_GOING_AWAY, message=b"server shutting down")
        self._closed.set()

    async def run(self) -> None:
        """Read the network until the connection ends, passing everything to the server end."""
        try:
            await self._read()
        except asyncio.CancelledError:  # server shutdown
            if not self._closed.is_set():
                self.coupling.disconnect()
            raise

    async def _read(self) -> None:
        network, coupling = self.network, self.coupling
        while True:
            msg = await network.receive()
            if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                coupling.message(msg.data)
            elif msg.type is WSMsgType.CLOSE:
                self._client_closed = True
                coupling.close(msg.data or NO_STATUS, msg.extra or "")
                try:
                    await asyncio.wait_for(self._closed.wait(), CLOSE_TIMEOUT_S)
                except TimeoutError:  # the server end never answered (it was never accepted)
                    await network.close(code=msg.data or 1000)
                return
            elif msg.type is WSMsgType.CLOSING:  # our Close is out; receive() waits for the answer
                await self._closed.wait()
                return
            elif msg.type is WSMsgType.ERROR and isinstance(msg.data, WebSocketError):
                coupling.fail(JsException(_describe(msg.data)))
                return
            else:  # CLOSED or a transport error: the client vanished without a Close frame
                if not self._closed.is_set():
                    coupling.disconnect()
                return


_recent_frames: dict[int, tuple[str | bytes, bytes]] = {}
"""Wire frames of recent small messages by ``id`` of their data (the entry keeps the data alive, so
the id stays its own): a broadcast sends the same ``str`` to every socket and is framed once."""
_RECENT_FRAMES_MAX = 256


def _wire_frame(data: str | bytes) -> bytes:
    """The unmasked frame of one message (RFC 6455 §5.2)."""
    recent = _recent_frames.get(id(data))
    if recent is not None:
        return recent[1]
    if isinstance(data, str):
        first, payload = _TEXT, data.encode()
    else:
        first, payload = _BINARY, bytes(data)
    size = len(payload)
    if size < 126:
        frame = bytes((first, size)) + payload
    elif size < 65536:
        frame = _LENGTH_16.pack(first, 126, size) + payload
    else:
        frame = _LENGTH_64.pack(first, 127, size) + payload
    if size <= _REMEMBERED_FRAME_MAX:
        if len(_recent_frames) >= _RECENT_FRAMES_MAX:
            _recent_frames.clear()
        _recent_frames[id(data)] = (data, frame)
    return frame


def _describe(error: WebSocketError) -> str:
    """The error the worker sees; an oversized message is described as workerd does."""
    if error.code == 1009:
        size = re.search(r"\d+", str(error))
        return f"Message is too large: {size.group() if size else '?'} > {MAX_MESSAGE_SIZE}"
    return str(error)
