"""Streamer: a response body produced bit by bit, until the reader cancels it.

Demonstrates streaming out of a Durable Object: ``/streamer/stream`` answers at once with a
``ReadableStream`` whose source writes ``0\\n``, ``1\\n``, ... one line per second. The worker reads
five lines and cancels; the cancellation reaches the source here, which stops its loop.
"""

import asyncio
from urllib.parse import urlsplit

from js import Object, ReadableStream, TextEncoder
from pyodide.ffi import create_proxy, to_js
from workers import DurableObject, Response

from responses import compact_json

INTERVAL_SECONDS = 1.0
INFO = {
    "message": "Streamer Durable Object",
    "endpoints": {"stream": "GET /streamer/stream"},
    "info": "Streams incrementing counter values every second. The worker cancels after 5 messages.",
}


class Streamer(DurableObject):
    async def fetch(self, request):
        if urlsplit(request.url).path != "/streamer/stream":
            return compact_json(INFO)
        return Response(
            CounterSource().stream(),
            headers={"content-type": "text/plain", "x-content-type-options": "nosniff"},
        )


class CounterSource:
    """The stream's underlying source: a loop that emits the next number every second until cancelled."""

    def __init__(self):
        self.cancelled = False
        self.loop = None

    def stream(self):
        """A ``ReadableStream`` fed by this source."""
        source = {"start": create_proxy(self.start), "cancel": create_proxy(self.cancel)}
        return ReadableStream.new(to_js(source, dict_converter=Object.fromEntries))

    def start(self, controller):
        # The loop runs as its own task (the reader waits for start() to return); keep a reference to it.
        self.loop = asyncio.create_task(self.count(controller))

    async def count(self, controller):
        encoder = TextEncoder.new()
        value = 0
        while not self.cancelled:
            controller.enqueue(encoder.encode(f"{value}\n"))
            value += 1
            await asyncio.sleep(INTERVAL_SECONDS)
        print("Data source cancelled")

    def cancel(self, reason=None):
        print("Stream cancelled by client")
        self.cancelled = True
