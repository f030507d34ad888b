"""PLAYGROUND §5.3: /batcher — batching and debouncing with one alarm, on a manual clock."""

from __future__ import annotations

import re

import pytest

BATCH_LINE = "Processing batch of"


def batch_lines(capsys) -> list[str]:  # type: ignore[no-untyped-def]
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith(BATCH_LINE)]


async def test_batcher_queues_plain_bodies(send) -> None:
    for number in (1, 2, 3):
        reply = await send("POST", "/batcher?name=foo", data=f"Request {number}")
        assert (reply.status, reply.content_type) == (200, "application/json;charset=UTF-8")
        assert reply.text == f'{{"queued":{number},"debounce":false}}'


@pytest.mark.parametrize(
    ("body", "debounce"),
    [('{"debounce": true, "data": "Message 1"}', True), ('{"debounce":true} ', True),
     ('{"debounce": "yes"}', False), ('{"debounce": 1}', False), ("null", False), ("true", False),
     ("[true]", False), ("not json", False), ("", False)],
)
async def test_batcher_debounces_only_for_debounce_exactly_true(send, body: str, debounce: bool) -> None:
    reply = await send("POST", "/batcher?name=bar", data=body)
    assert reply.json() == {"queued": 1, "debounce": debounce}


async def test_batcher_any_method_and_sub_path_queue(send) -> None:
    await send("POST", "/batcher?name=foo", data="a")
    assert (await send("GET", "/batcher?name=foo")).json()["queued"] == 2
    assert (await send("PUT", "/batcher/anything?name=foo", data="sub")).json()["queued"] == 3
    assert (await send("DELETE", "/batcherZ?name=foo")).json()["queued"] == 4


async def test_batcher_names_are_separate_and_default_to_default(send) -> None:
    await send("POST", "/batcher?name=foo", data="a")
    assert (await send("POST", "/batcher?name=other", data="b")).json()["queued"] == 1
    assert (await send("POST", "/batcher", data="c")).json()["queued"] == 1
    assert (await send("POST", "/batcher?name=", data="d")).json()["queued"] == 2  # empty name → default


async def test_batcher_batch_runs_10_s_after_the_first_request(send, clock, capsys) -> None:
    await send("POST", "/batcher?name=foo", data="Request 1")
    await clock.advance(5_000)
    await send("POST", "/batcher?name=foo", data="Request 2")
    await clock.advance(4_999)
    assert batch_lines(capsys) == []
    await clock.advance(1)
    assert batch_lines(capsys) == ["Processing batch of 2 items: [ 'Request 1', 'Request 2' ]"]
    assert (await send("POST", "/batcher?name=foo", data="next")).json() == {"queued": 1, "debounce": False}


async def test_batcher_debounce_runs_10_s_after_the_last_request(send, clock, capsys) -> None:
    await send("POST", "/batcher?name=bar", data='{"debounce": true}')
    await clock.advance(5_000)
    await send("POST", "/batcher?name=bar", data='{"debounce": true}')
    await clock.advance(9_999)
    assert batch_lines(capsys) == []
    await clock.advance(1)
    assert batch_lines(capsys) == ["Processing batch of 2 items: [ '{\"debounce\": true}', '{\"debounce\": true}' ]"]


async def test_batcher_plain_request_leaves_a_pending_debounce_alarm(send, clock, capsys) -> None:
    await send("POST", "/batcher?name=mix", data='{"debounce": true}')
    await clock.advance(8_000)
    await send("POST", "/batcher?name=mix", data="plain")
    await clock.advance(2_000)
    assert batch_lines(capsys) == ["Processing batch of 2 items: [ '{\"debounce\": true}', 'plain' ]"]


async def test_batcher_one_item_says_1_items(send, clock, capsys) -> None:
    await send("POST", "/batcher?name=one", data="Request 4")
    await clock.advance(10_000)
    assert batch_lines(capsys) == ["Processing batch of 1 items: [ 'Request 4' ]"]


async def test_batcher_processes_items_in_string_order_of_their_keys(send, clock, capsys) -> None:
    for number in range(1, 13):
        await send("POST", "/batcher?name=many", data=f"r{number}")
    await clock.advance(10_000)
    printed = capsys.readouterr().out
    assert "Processing batch of 12 items: [\n" in printed  # Node prints many items in columns
    assert re.findall(r"'(r\d+)'", printed) == ["r1", "r10", "r11", "r12"] + [f"r{n}" for n in range(2, 10)]


async def test_batcher_new_instance_continues_after_the_greatest_key_in_string_order(app, send) -> None:
    for _ in range(3):
        await send("POST", "/batcher?name=foo", data="x")
    app.worker.reload()  # a fresh instance: the constructor re-derives the count from storage
    assert (await send("POST", "/batcher?name=foo", data="x")).json()["queued"] == 4
    for _ in range(8):
        await send("POST", "/batcher?name=foo", data="x")
    app.worker.reload()  # keys 1…12: the greatest string is "9", so numbering continues at 10
    assert (await send("POST", "/batcher?name=foo", data="x")).json()["queued"] == 10
