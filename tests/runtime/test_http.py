"""``pyworker.runtime.http``: an incoming request's body is a stream that can be forwarded."""

from __future__ import annotations

ENTRY = """
from workers import DurableObject, Request, Response, WorkerEntrypoint


class Echo(DurableObject):
    async def fetch(self, request):
        return Response(f"{request.method} {request.url} {await request.text()}")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        forwarded = Request("http://echo/moved", method=request.method, headers=request.headers, body=request.body)
        return await self.env.ECHO.getByName("e").fetch(forwarded)
"""

BINDINGS = """
[[durable_objects.bindings]]
name = "ECHO"
class_name = "Echo"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Echo"]
"""


async def test_http_incoming_body_forwards_as_a_stream(project, worker_client) -> None:
    client = await worker_client(project({"src/entry.py": ENTRY}, BINDINGS))
    assert await (await client.put("/", data="payload")).text() == "PUT http://echo/moved payload"
    assert await (await client.get("/")).text() == "GET http://echo/moved "
