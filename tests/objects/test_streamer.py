"""PLAYGROUND §5.7: /streamer — the object streams a counter, the worker reads five values and cancels.

The stream's interval is ``streamer.INTERVAL_SECONDS`` (1 s); the tests shorten it.
"""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

INTERVAL = 0.02
INFO = (
    '{"message":"Streamer Durable Object","endpoints":{"stream":"GET /streamer/stream"},'
    '"info":"Streams incrementing counter values every second. The worker cancels after 5 messages."}'
)


@pytest.fixture
def fast_stream(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys.modules["streamer"], "INTERVAL_SECONDS", INTERVAL)


async def test_streamer_stream_answers_the_first_five_values(send, fast_stream) -> None:
    started = time.monotonic()
    reply = await send("GET", "/streamer/stream")
    assert time.monotonic() - started >= 4 * INTERVAL  # value 0 at once, value 4 after four intervals
    assert (reply.status, reply.content_type) == (200, "application/json")
    assert reply.text == '{"message":"Stream cancelled after 5 messages","values":["0","1","2","3","4"]}'


async def test_streamer_logs_values_then_cancellation_in_order(send, fast_stream, capsys) -> None:
    await send("POST", "/streamer/stream")
    await asyncio.sleep(3 * INTERVAL)  # the loop notices the cancellation after its current sleep
    assert capsys.readouterr().out.splitlines() == [
        "Got value: 0", "Got value: 1", "Got value: 2", "Got value: 3", "Got value: 4",
        "Stream cancelled by client", "Data source cancelled",
    ]


async def test_streamer_every_call_starts_at_zero(send, fast_stream) -> None:
    first, second = await asyncio.gather(send("GET", "/streamer/stream"), send("GET", "/streamer/stream"))
    assert first.json()["values"] == second.json()["values"] == ["0", "1", "2", "3", "4"]


@pytest.mark.parametrize("path", ["/streamer", "/streamer/other", "/streamer/stream/", "/streamerX"])
async def test_streamer_other_paths_answer_the_info(send, path: str) -> None:
    reply = await send("GET", path)
    assert (reply.status, reply.content_type, reply.text) == (200, "application/json", INFO)


async def test_streamer_object_streams_one_text_line_per_value(app, fast_stream) -> None:
    response = await app.worker.env.STREAMER.getByName("default").fetch("http://localhost/streamer/stream")
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    reader = response.body.getReader()
    assert [bytes((await reader.read()).value) for _ in range(3)] == [b"0\n", b"1\n", b"2\n"]
    await reader.cancel()
