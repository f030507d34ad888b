"""A worker with WebSocket objects of both kinds (standard and hibernatable), served in-process."""

from __future__ import annotations

import pytest

ENTRY = """
from urllib.parse import urlsplit

from js import WebSocketPair
from pyodide.ffi import to_js
from workers import DurableObject, Response, WorkerEntrypoint


def answer(ws, data):
    # "close <code> <reason>" closes from the server; "burst <n>" sends n messages at once.
    if isinstance(data, str) and data.startswith("close "):
        _, code, reason = data.split(" ", 2)
        ws.close(int(code), reason)
    elif isinstance(data, str) and data.startswith("burst "):
        for i in range(int(data.split()[1])):
            ws.send(f"burst {i}")
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
        if isinstance(message, str) and message.startswith("burst "):
            await self.ctx.storage.put("burst", message)  # what it sends waits for this write
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

