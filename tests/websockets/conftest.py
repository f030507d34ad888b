"""A worker with WebSocket objects of both kinds, served in-process, and helpers to drive sockets."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable
from typing import Any

import pytest

ENTRY = """
from urllib.parse import urlsplit

from js import WebSocketPair
from pyodide.ffi import to_js
from workers import DurableObject, Response, WorkerEntrypoint


def answer(ws, data):
    # "close <code> <reason>" closes from the server; "size" frames report their length.
    if isinstance(data, str) and data.startswith("close "):
        _, code, reason = data.split(" ", 2)
        ws.close(int(code), reason)
    elif isinstance(data, str):
        ws.send("echo:" + data)
    else:
        ws.send(data.to_bytes()[::-1])


class Standard(DurableObject):
    async def fetch(self, request):
        if urlsplit(request.url).path.endswith("/events"):
            return Response.json(await self.ctx.storage.get("events") or [])
        client, server = WebSocketPair.new().object_values()
        server.accept()
        server.addEventListener("message", lambda event: answer(server, event.data))
        server.addEventListener("close", lambda e: self.record(["close", e.code, e.reason, e.wasClean]))
        server.addEventListener("error", lambda e: self.record(["error", e.message]))
        return Response(None, status=101, web_socket=client)

    async def record(self, event):
        events = await self.ctx.storage.get("events") or []
        await self.ctx.storage.put("events", events + [event])


class Hibernating(DurableObject):
    async def fetch(self, request):
        if urlsplit(request.url).path.endswith("/events"):
            return Response.json(await self.ctx.storage.get("events") or [])
        client, server = WebSocketPair.new().object_values()
        self.ctx.acceptWebSocket(server, to_js(["hibernating"]))
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):
        answer(ws, message)

    async def webSocketClose(self, ws, code, reason, wasClean):
        await self.record(["close", code, reason, wasClean])

    async def webSocketError(self, ws, error):
        await self.record(["error", str(error)])

    async def record(self, event):
        events = await self.ctx.storage.get("events") or []
        await self.ctx.storage.put("events", events + [event])


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = urlsplit(request.url).path
        if path.startswith("/standard"):
            return await self.env.STANDARD.getByName("a").fetch(request)
        if path.startswith("/hibernating"):
            return await self.env.HIBERNATING.getByName("a").fetch(request)
        if path == "/worker":
            client, server = WebSocketPair.new().object_values()
            server.accept()
            server.addEventListener("message", lambda event: answer(server, event.data))
            return Response(None, status=101, web_socket=client)
        if path == "/accepted":
            client, server = WebSocketPair.new().object_values()
            client.accept()
            return Response(None, status=101, web_socket=client)
        return Response("not found", status=404)
"""

WRANGLER = """
[[durable_objects.bindings]]
name = "STANDARD"
class_name = "Standard"

[[durable_objects.bindings]]
name = "HIBERNATING"
class_name = "Hibernating"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Standard", "Hibernating"]
"""


@pytest.fixture
async def app(project, worker_client):  # type: ignore[no-untyped-def]
    """The test worker above, served in-process."""
    return await worker_client(project({"src/entry.py": ENTRY}, WRANGLER))


async def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Wait until ``check()`` returns something truthy and return it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
    return result


async def events_of(app: Any, path: str, count: int) -> list[Any]:
    """The events the object behind ``path`` recorded, once there are ``count`` of them."""
    deadline = asyncio.get_running_loop().time() + 5.0
    while True:
        events = await (await app.get(path)).json()
        if len(events) >= count or asyncio.get_running_loop().time() > deadline:
            return events
        await asyncio.sleep(0.02)


async def connect_and_vanish(app: Any, path: str) -> None:
    """Open a WebSocket with a raw handshake, then drop the TCP connection without a Close frame."""
    reader, writer = await asyncio.open_connection(app.server.host, app.server.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {app.server.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    writer.transport.abort()
