"""The Hibernation API on a manual clock: eviction with open sockets, tags, attachments,
auto-responses, limits, and delivery through the object's gates."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pyworker.runtime.clock import ManualClock
from pyworker.runtime.durable_object import DurableObject
from pyworker.runtime.ffi import JsArray
from pyworker.runtime.gates import OutputGate
from pyworker.runtime.http import Response
from pyworker.runtime.namespace import DurableObjectNamespace, ObjectClass
from pyworker.runtime.websockets import WebSocket, WebSocketPair, WebSocketRequestResponsePair
from ws_helpers import eventually


class Room(DurableObject):
    constructed = 0
    closes: list[tuple[int, str, bool]] = []
    release: asyncio.Event

    def __init__(self, ctx, env):  # type: ignore[no-untyped-def]
        super().__init__(ctx, env)
        Room.constructed += 1

    async def fetch(self, request):  # type: ignore[no-untyped-def]
        client, server = WebSocketPair.new().object_values()
        if urlsplit(request.url).path == "/standard":
            server.accept()
            server.addEventListener("message", lambda event: server.send("standard:" + event.data))
        else:
            self.ctx.acceptWebSocket(server, ["chat", "ann"])
            server.serializeAttachment({"name": "ann"})
            self.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair.new("ping", "pong"))
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):  # type: ignore[no-untyped-def]
        if message == "store":
            await self.ctx.storage.put("stored", True)
        if message == "slow":
            await asyncio.sleep(1)
        name = ws.deserializeAttachment().to_py()["name"]
        ws.send(f"{message}|{name}|{','.join(self.ctx.getTags(ws))}|{Room.constructed}")

    async def webSocketClose(self, ws, code, reason, wasClean):  # type: ignore[no-untyped-def]
        Room.closes.append((code, reason, wasClean))

    async def sockets(self, tag=None):  # type: ignore[no-untyped-def]
        return len(self.ctx.getWebSockets(tag))

    async def hold(self) -> None:
        self.ctx.blockConcurrencyWhile(Room.release.wait)

    async def auto_response_time(self) -> float | None:
        stamp = self.ctx.getWebSocketAutoResponseTimestamp(self.ctx.getWebSockets()[0])
        return None if stamp is None else stamp.getTime()

    async def attempt(self, action: str) -> str:
        """Run one misuse of the API and return the error text."""
        client, server = WebSocketPair()
        try:
            if action == "accept after accept()":
                server.accept()
                self.ctx.acceptWebSocket(server)
            elif action == "pair used":
                client.accept()
                self.ctx.acceptWebSocket(server)
            elif action == "11 tags":
                self.ctx.acceptWebSocket(server, [str(n) for n in range(11)])
            elif action == "duplicate 11th tag":
                self.ctx.acceptWebSocket(server, [str(n) for n in range(10)] + ["0"])
            elif action == "long tag":
                self.ctx.acceptWebSocket(server, ["t" * 257])
            elif action == "tags of a standard socket":
                server.accept()
                self.ctx.getTags(server)
            elif action == "tags of a pending socket":
                self.ctx.getTags(server)
            elif action == "big request":
                self.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair("r" * 2049, "ok"))
            elif action == "big response":
                self.ctx.setWebSocketAutoResponse(WebSocketRequestResponsePair("ok", "r" * 2049))
            elif action == "long timeout":
                self.ctx.setHibernatableWebSocketEventTimeout(604_800_001)
        except Exception as error:  # noqa: BLE001 - the test reads the message
            return f"{type(error).__name__}: {error}"
        return "no error"

    async def tags_of_new_socket(self, tags):  # type: ignore[no-untyped-def]
        _, server = WebSocketPair()
        self.ctx.acceptWebSocket(server, tags)
        return list(self.ctx.getTags(server))

    async def timeouts(self) -> list[int | None]:
        self.ctx.setHibernatableWebSocketEventTimeout(5)
        first = self.ctx.getHibernatableWebSocketEventTimeout()
        self.ctx.setHibernatableWebSocketEventTimeout(0)
        return [first, self.ctx.getHibernatableWebSocketEventTimeout()]


class RoomV2(Room):
    async def webSocketMessage(self, ws, message):  # type: ignore[no-untyped-def]
        ws.send("v2:" + message)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def gate() -> OutputGate:
    return OutputGate()


@pytest.fixture
def objects(tmp_path: Path, clock: ManualClock, gate: OutputGate):  # type: ignore[no-untyped-def]
    Room.constructed = 0
    Room.closes = []
    objects = ObjectClass("Room", "w", tmp_path, gate, Room, None, clock=clock, evict_after_ms=10_000)
    yield objects
    objects.close()


@pytest.fixture
def stub(objects):  # type: ignore[no-untyped-def]
    return DurableObjectNamespace("ROOM", objects).getByName("lobby")


async def connect(stub, path: str = "/hibernating") -> tuple[WebSocket, list[str]]:  # type: ignore[no-untyped-def]
    """Open a socket to the room and accept its client end here; messages land in the list."""
    response = await stub.fetch(f"http://room{path}", headers={"Upgrade": "websocket"})
    client = response.web_socket
    received: list[str] = []
    client.addEventListener("message", lambda event: received.append(event.data))
    client.accept()
    return client, received


async def test_hibernation_idle_object_is_evicted_while_its_socket_stays_open(stub, objects, clock) -> None:
    client, received = await connect(stub)
    await clock.advance(10_001)
    assert objects.host(stub.id).instance is None
    client.send("hello")
    await eventually(lambda: received)
    assert received == ["hello|ann|chat,ann|2"]  # a fresh instance; attachment and tags survived
    assert await stub.sockets("chat") == 1 and await stub.sockets("other") == 0


async def test_hibernation_auto_response_does_not_wake_the_object(stub, objects, clock) -> None:
    client, received = await connect(stub)
    await clock.advance(10_001)
    client.send("ping")
    await eventually(lambda: received)
    assert received == ["pong"]
    assert objects.host(stub.id).instance is None and Room.constructed == 1
    assert await stub.auto_response_time() == clock.now_ms()


async def test_hibernation_auto_response_can_be_read_and_cleared(stub, objects) -> None:
    await connect(stub)
    ctx = objects.host(stub.id).instance.ctx
    assert ctx.getWebSocketAutoResponse().request == "ping"
    ctx.setWebSocketAutoResponse()
    assert ctx.getWebSocketAutoResponse() is None


async def test_hibernation_standard_socket_keeps_the_object_in_memory(stub, objects, clock) -> None:
    client, received = await connect(stub, "/standard")
    await clock.advance(60_000)
    assert objects.host(stub.id).instance is not None
    client.send("x")
    await eventually(lambda: received)
    assert received == ["standard:x"]
    client.close(1000)
    await eventually(lambda: client.readyState == WebSocket.CLOSED)
    await clock.advance(10_001)
    assert objects.host(stub.id).instance is None


async def test_hibernation_code_reload_keeps_the_socket(stub, objects) -> None:
    client, received = await connect(stub)
    objects.serve_code(RoomV2, None)
    client.send("after reload")
    await eventually(lambda: received)
    assert received == ["v2:after reload"]


async def test_hibernation_close_reaches_the_handler_and_drops_the_socket(stub) -> None:
    client, _ = await connect(stub)
    client.close(4000, "gone")
    await eventually(lambda: Room.closes)
    assert Room.closes == [(4000, "gone", True)]
    assert await stub.sockets() == 0


async def test_hibernation_messages_wait_for_block_concurrency_while(stub) -> None:
    client, received = await connect(stub)
    Room.release = asyncio.Event()
    await stub.hold()
    client.send("queued")
    await asyncio.sleep(0.05)
    assert received == []
    Room.release.set()
    await eventually(lambda: received)
    assert received == ["queued|ann|chat,ann|1"]


async def test_hibernation_writes_are_committed_before_the_reply_leaves(stub, gate) -> None:
    client, _ = await connect(stub)
    pending_on_arrival: list[bool] = []
    client.addEventListener("message", lambda event: pending_on_arrival.append(gate.pending))
    client.send("store")
    await eventually(lambda: pending_on_arrival)
    assert pending_on_arrival == [False]


async def test_hibernation_event_timeout_cancels_a_slow_handler(stub, objects) -> None:
    client, received = await connect(stub)
    assert await stub.timeouts() == [5, None]
    objects.host(stub.id).instance.ctx.setHibernatableWebSocketEventTimeout(20)
    client.send("slow")
    client.send("fast")
    await eventually(lambda: received)
    assert received == ["fast|ann|chat,ann|1"]


@pytest.mark.parametrize(
    ("action", "error"),
    [
        ("accept after accept()",
         "JsException: Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`"),
        ("pair used",
         "JsException: Cannot call `acceptWebSocket()` on this WebSocket because its pair has already been "
         "accepted or used in a Response."),
        ("11 tags", "JsException: a Hibernatable WebSocket cannot have more than 10 tags"),
        ("duplicate 11th tag", "JsException: a Hibernatable WebSocket cannot have more than 10 tags"),
        ("long tag", f'JsException: "{"t" * 257}" is longer than the max tag length (256 characters).'),
        ("tags of a standard socket", "JsException: only hibernatable websockets can have tags."),
        ("tags of a pending socket",
         "JsException: you must call 'acceptWebSocket()' before attempting to access the tags of a WebSocket."),
        ("big request",
         "JsRangeError: Request cannot be larger than 2048 bytes. A request of size 2049 was provided."),
        ("big response",
         "JsRangeError: Response cannot be larger than 2048 bytes. A response of size 2049 was provided."),
        ("long timeout", "JsException: Event timeout should not exceed 604800000 ms."),
    ],
)
async def test_hibernation_misuse_raises_workerd_errors(stub, action: str, error: str) -> None:
    assert await stub.attempt(action) == error


async def test_hibernation_duplicate_tags_are_ignored(stub) -> None:
    assert await stub.tags_of_new_socket(["a", "b", "a"] + [str(n) for n in range(8)]) == [
        "a", "b", "0", "1", "2", "3", "4", "5", "6", "7"
    ]  # fmt: skip
    assert await stub.tags_of_new_socket(JsArray(["x"])) == ["x"]
