"""A worker with every kind of binding the explorer shows, served in-process."""

from __future__ import annotations

import pytest

ENTRY = """
import datetime
from urllib.parse import urlsplit

from workers import DurableObject, Response, WebSocketPair, WorkerEntrypoint


class Store(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, label TEXT)")

    async def fill(self):
        await self.ctx.storage.put("count", 3)
        await self.ctx.storage.put("profile", {"name": "Ada", "tags": ["a", "b"]})
        await self.ctx.storage.put("when", datetime.datetime(2025, 1, 2, tzinfo=datetime.timezone.utc))
        await self.ctx.storage.put("raw", b"\\x00\\x01")
        self.ctx.storage.sql.exec("INSERT INTO items (label) VALUES ('one'), ('two')")
        await self.ctx.storage.setAlarm(4_102_444_800_000)

    async def read(self, key):
        return await self.ctx.storage.get(key)

    async def fetch(self, request):
        client, server = WebSocketPair.new().object_values()
        self.ctx.acceptWebSocket(server, ["room"])
        server.serializeAttachment({"user": "ada"})
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):
        ws.send(message)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = urlsplit(request.url).path
        if path == "/fill":
            await self.env.STORE.getByName("alpha").fill()
            await self.env.CACHE.put("greeting", "hello")
            await self.env.CACHE.put("blob", b"\\xff\\xfe")
            await self.env.DB.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
            await self.env.DB.exec("INSERT INTO users (name) VALUES ('ada')")
            return Response("filled")
        if path == "/ws":
            return await self.env.STORE.getByName("alpha").fetch(request)
        return Response("ok")
"""

BINDINGS = """
[[durable_objects.bindings]]
name = "STORE"
class_name = "Store"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Store"]

[[kv_namespaces]]
binding = "CACHE"
id = "cache-id"

[[d1_databases]]
binding = "DB"
database_name = "main-db"
database_id = "00000000-0000-0000-0000-000000000001"
"""


@pytest.fixture
async def client(project, worker_client):  # type: ignore[no-untyped-def]
    """A client on the worker, its storage filled: object "alpha" of STORE, KV CACHE, D1 DB."""
    client = await worker_client(project({"src/entry.py": ENTRY}, BINDINGS))
    assert (await client.get("/fill")).status == 200
    return client
