"""PLAYGROUND §5.1: the /counter routes."""

from __future__ import annotations

import asyncio

import pytest

HELP = "Counter endpoint. Try /counter/value, /counter/increment, or /counter/decrement"


async def body(app, method: str, path: str) -> tuple[int, str, str]:
    response = await app.request(method, path)
    return response.status, response.headers["Content-Type"], await response.text()


async def test_counter_value_starts_at_zero(app) -> None:
    assert await body(app, "GET", "/counter/value") == (200, "application/json", '{"value":0}')


async def test_counter_increment_and_decrement(app) -> None:
    assert (await body(app, "GET", "/counter/increment"))[2] == '{"value":1,"action":"incremented"}'
    assert (await body(app, "POST", "/counter/increment"))[2] == '{"value":2,"action":"incremented"}'
    assert (await body(app, "GET", "/counter/decrement"))[2] == '{"value":1,"action":"decremented"}'
    assert (await body(app, "DELETE", "/counter/value"))[2] == '{"value":1}'


async def test_counter_decrement_may_go_negative(app) -> None:
    assert (await body(app, "GET", "/counter/decrement"))[2] == '{"value":-1,"action":"decremented"}'


async def test_counter_reset_with_post(app) -> None:
    await app.get("/counter/increment")
    assert await body(app, "POST", "/counter/reset") == (200, "application/json", '{"value":0,"action":"reset"}')
    assert (await body(app, "GET", "/counter/value"))[2] == '{"value":0}'


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/counter/reset"), ("GET", "/counter"), ("GET", "/counter/"), ("GET", "/counter/value/"),
     ("GET", "/counter/nope"), ("GET", "/counterfoo")],
)
async def test_counter_other_paths_are_404_help_text(app, method: str, path: str) -> None:
    assert await body(app, method, path) == (404, "text/plain;charset=UTF-8", HELP)


async def test_counter_ignores_query_string(app) -> None:
    assert (await body(app, "GET", "/counter/value?x=1"))[2] == '{"value":0}'


async def test_counter_is_case_sensitive(app) -> None:
    status, _, text = await body(app, "GET", "/Counter/value")
    assert status == 200 and text.startswith('{\n  "message"')


async def test_counter_concurrent_increments_are_atomic(app) -> None:
    responses = await asyncio.gather(*(app.get("/counter/increment") for _ in range(50)))
    values = sorted([(await r.json())["value"] for r in responses])
    assert values == list(range(1, 51))
    assert (await body(app, "GET", "/counter/value"))[2] == '{"value":50}'
