"""/events: EventAggregator — events are buffered and flushed at 100, or 5 s after the first of a batch."""

from __future__ import annotations

import json

import pytest
from js import Date


async def post(send, events: object, stream: str = "s"):  # type: ignore[no-untyped-def]
    return await send("POST", f"/events?stream={stream}", data=json.dumps(events))


async def test_events_are_accepted_and_buffered(send) -> None:
    reply = await post(send, {"type": "click", "x": 1})
    assert (reply.status, reply.content_type, reply.text) == (202, "application/json", '{"accepted":1,"pending":1,"flushed":false}')
    assert (await post(send, [{"type": "view"}, {"type": "click"}])).json() == {"accepted": 2, "pending": 3, "flushed": False}
    assert (await send("GET", "/events/summary?stream=s")).text == (
        '{"pending":3,"flushed":0,"flushes":0,"totals":{},"last_flush_at":null}'
    )


async def test_events_flush_5_s_after_the_first_of_a_batch(send, clock, capsys) -> None:
    await post(send, {"type": "click"})
    await clock.advance(4_000)
    await post(send, [{"type": "view"}, {"type": "click"}])
    await clock.advance(999)
    assert capsys.readouterr().out == ""
    await clock.advance(1)
    assert capsys.readouterr().out.splitlines() == ['Flushed 3 events: {"click":2,"view":1}']
    assert (await send("GET", "/events/summary?stream=s")).json() == {
        "pending": 0, "flushed": 3, "flushes": 1, "totals": {"click": 2, "view": 1},
        "last_flush_at": Date.new(clock.now_ms()).toISOString(),
    }


async def test_events_flush_at_once_when_100_are_buffered(send, clock, capsys) -> None:
    await post(send, [{"type": "a"}] * 60)
    reply = await post(send, [{"type": "b"}] * 40)
    assert reply.json() == {"accepted": 40, "pending": 0, "flushed": True}
    assert capsys.readouterr().out.splitlines() == ['Flushed 100 events: {"a":60,"b":40}']
    await clock.advance(5_000)  # the pending alarm was cancelled with the flush
    assert capsys.readouterr().out == ""


async def test_events_totals_add_up_over_flushes(send, clock) -> None:
    await post(send, [{"type": "click"}, {"type": "7"}])
    await clock.advance(5_000)
    await post(send, {"type": "click"})
    await clock.advance(5_000)
    summary = await send("GET", "/events/summary?stream=s")
    assert '"totals":{"7":1,"click":2}' in summary.text and summary.json()["flushes"] == 2


async def test_events_streams_are_separate(send) -> None:
    await post(send, {"type": "click"}, stream="one")
    assert (await send("GET", "/events/summary?stream=two")).json()["pending"] == 0


@pytest.mark.parametrize(
    "body", ["not json", "", "null", "[]", '"click"', '{"kind": "click"}', '{"type": ""}', '{"type": 5}', '[{"type": "a"}, 1]'],
)
async def test_events_bad_bodies_are_400(send, body: str) -> None:
    reply = await send("POST", "/events", data=body)
    assert (reply.status, reply.json()) == (
        400, {"error": "Expected a JSON event with a string 'type', or a non-empty array of them"},
    )


@pytest.mark.parametrize(("method", "path"), [("GET", "/events"), ("POST", "/events/summary"), ("GET", "/events/nope")])
async def test_events_other_routes_are_404(send, method: str, path: str) -> None:
    assert (await send(method, path)).status == 404
