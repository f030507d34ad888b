"""Streamed bodies: produced chunk by chunk, read by the worker, cancelled back to the producer."""

from __future__ import annotations

import asyncio

import pytest

from pyworker.runtime.streams import ReadableStream, TextDecoder, TextEncoder

ENTRY = """
import asyncio
from urllib.parse import urlsplit
from workers import DurableObject, WorkerEntrypoint, Response
from pyworker.runtime.streams import ReadableStream, TextEncoder

EVENTS = []


class Producer(DurableObject):
    async def fetch(self, request):
        encoder = TextEncoder.new()
        state = {"cancelled": False}

        async def produce(controller):
            n = 0
            while not state["cancelled"]:
                controller.enqueue(encoder.encode(f"{n}\\n"))
                n += 1
                await asyncio.sleep(0.01)
            EVENTS.append("loop stopped")

        def start(controller):
            asyncio.ensure_future(produce(controller))

        def cancel(reason):
            state["cancelled"] = True
            EVENTS.append("cancelled")

        stream = ReadableStream.new({"start": start, "cancel": cancel})
        return Response(stream, headers={"content-type": "text/plain"})


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        response = await self.env.PRODUCER.getByName("p").fetch(request)
        if urlsplit(request.url).path == "/raw":
            return response
        reader = response.body.getReader()
        values = []
        while len(values) < 3:
            result = await reader.read()
            values.append(bytes(result.value).decode().strip())
        await reader.cancel()
        return Response.json(values)
"""

BINDINGS = """
[[durable_objects.bindings]]
name = "PRODUCER"
class_name = "Producer"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Producer"]
"""


@pytest.fixture
async def client(project, worker_client):  # type: ignore[no-untyped-def]
    return await worker_client(project({"src/entry.py": ENTRY}, BINDINGS))


async def test_stream_worker_reads_chunks_and_cancels_producer(client) -> None:
    from entry import EVENTS

    response = await client.get("/")
    assert await response.json() == ["0", "1", "2"]
    await asyncio.sleep(0.05)
    assert EVENTS == ["cancelled", "loop stopped"]


async def test_stream_reaches_client_chunk_by_chunk(client) -> None:
    from entry import EVENTS

    response = await client.get("/raw")
    assert response.headers["Content-Type"] == "text/plain"
    first = await response.content.readuntil(b"\n")
    second = await response.content.readuntil(b"\n")
    assert (first, second) == (b"0\n", b"1\n")
    response.close()
    for _ in range(100):
        if "loop stopped" in EVENTS:
            break
        await asyncio.sleep(0.01)
    assert "cancelled" in EVENTS


async def test_stream_body_can_be_read_whole() -> None:
    stream = ReadableStream.new({"start": lambda c: (c.enqueue(b"a"), c.enqueue(b"b"), c.close())})
    assert b"".join([chunk async for chunk in stream.chunks()]) == b"ab"


async def test_stream_enqueue_after_close_fails() -> None:
    controllers = []
    ReadableStream.new({"start": controllers.append})
    await asyncio.sleep(0)
    controllers[0].close()
    with pytest.raises(TypeError, match="Controller is already closed"):
        controllers[0].enqueue(b"x")


async def test_stream_pull_source_is_asked_on_demand() -> None:
    produced = []

    def pull(controller):  # type: ignore[no-untyped-def]
        produced.append(len(produced))
        controller.enqueue(bytes([len(produced)]))
        if len(produced) == 3:
            controller.close()

    stream = ReadableStream.new({"pull": pull})
    assert [chunk async for chunk in stream.chunks()] == [b"\x01", b"\x02", b"\x03"]


async def test_stream_errors_reach_the_reader() -> None:
    stream = ReadableStream.new({"start": lambda c: c.error(ValueError("bad"))})
    with pytest.raises(ValueError, match="bad"):
        await stream.getReader().read()


async def test_stream_is_locked_to_one_reader() -> None:
    stream = ReadableStream.from_chunks([b"x"])
    stream.getReader()
    with pytest.raises(TypeError, match="locked"):
        stream.getReader()


def test_text_decoder_keeps_split_characters() -> None:
    data = TextEncoder.new().encode("é")
    decoder = TextDecoder.new()
    assert decoder.decode(data[:1], {"stream": True}) + decoder.decode(data[1:]) == "é"
