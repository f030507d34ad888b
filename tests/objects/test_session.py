"""PLAYGROUND §5.6: /session — key-value data that expires after 30 s of inactivity."""

from __future__ import annotations

import json

import pytest
from js import Date

from conftest import CURL, iso

EXPIRED = "Session TTL expired - cleaning up all data"
INFO = (
    '{"message":"Session Durable Object","endpoints":{"set":"POST /session/set with JSON body {key, value}",'
    '"get":"GET /session/get?key=<key>","all":"GET /session/all"},'
    '"info":"Session auto-deletes after 30 seconds of inactivity"}'
)


def ttl_fields() -> str:
    """The TTL fields every answer ends with: the alarm 30 s from now."""
    return f'"ttl_seconds":30,"alarm_scheduled_at":"{iso(Date.now() + 30_000)}"'


async def put(send, key: object, value: object, session: str = "u") -> str:  # type: ignore[no-untyped-def]
    reply = await send("POST", f"/session/set?id={session}", data=json.dumps({"key": key, "value": value}))
    assert reply.status == 200
    return reply.json()["message"]


async def test_session_set_answers_with_the_alarm_time(send) -> None:
    reply = await send("POST", "/session/set?id=u", data='{"key": "theme", "value": "dark"}')
    assert (reply.status, reply.content_type) == (200, "application/json")
    assert reply.text == f'{{"success":true,"message":"Stored theme",{ttl_fields()}}}'


async def test_session_get_hit_and_miss(send) -> None:
    await put(send, "theme", "dark")
    assert (await send("GET", "/session/get?id=u&key=theme")).text == (
        f'{{"key":"theme","value":"dark","exists":true,{ttl_fields()}}}'
    )
    assert (await send("GET", "/session/get?id=u&key=nope")).text == (
        f'{{"key":"nope","value":null,"exists":false,{ttl_fields()}}}'
    )


@pytest.mark.parametrize("value", ["", 0, False, None])
async def test_session_get_falsy_values_read_as_null_but_exist(send, value: object) -> None:
    await put(send, "k", value)
    assert (await send("GET", "/session/get?id=u&key=k")).json() | {"alarm_scheduled_at": None} == {
        "key": "k", "value": None, "exists": True, "ttl_seconds": 30, "alarm_scheduled_at": None,
    }


@pytest.mark.parametrize("path", ["/session/get?id=u", "/session/get?id=u&key="])
async def test_session_get_without_key_is_400(send, path: str) -> None:
    reply = await send("GET", path)
    assert (reply.status, reply.text) == (400, '{"error":"Missing \'key\' parameter"}')


async def test_session_all_orders_keys_as_javascript_does(send) -> None:
    for key, value in [("a", 5), ("7", "num"), ("", "emptykey"), ("obj", {"x": [1.0, None]})]:
        await put(send, key, value)
    assert (await send("GET", "/session/all?id=u")).text == (
        f'{{"data":{{"7":"num","":"emptykey","a":5,"obj":{{"x":[1,null]}}}},"count":4,{ttl_fields()}}}'
    )


@pytest.mark.parametrize(
    ("key", "stored_as"),
    [(7, "7"), (1.0, "1"), (None, "null"), (["p", "q"], "p,q"), (True, "true"), ("", "")],
)
async def test_session_keys_are_converted_with_string(send, key: object, stored_as: str) -> None:
    assert await put(send, key, "v") == f"Stored {stored_as}"
    assert (await send("GET", "/session/all?id=u")).json()["data"] == {stored_as: "v"}


async def test_session_missing_key_is_stored_as_undefined(send) -> None:
    reply = await send("POST", "/session/set?id=u", data='{"value": 1}')
    assert reply.json()["message"] == "Stored undefined"


@pytest.mark.parametrize(
    ("body", "error"),
    [("notjson", "SyntaxError: Unexpected token 'o', \"notjson\" is not valid JSON"),
     ("", "SyntaxError: Unexpected end of JSON input"),
     ("null", "TypeError: Cannot read properties of null (reading 'key')"),
     ('{"key": "a"}', "TypeError: put() called with undefined value."),
     ('[1, 2]', "TypeError: put() called with undefined value."),
     ('{"key": {"a": 1}, "value": 1}', "TypeError: put() may only be called with a single key-value pair and optional options")],
)
async def test_session_set_bad_bodies_are_uncaught_errors(send, body: str, error: str) -> None:
    reply = await send("POST", "/session/set?id=bad", data=body, headers=CURL)
    assert (reply.status, reply.content_type, reply.first_line) == (500, "text/plain;charset=UTF-8", error)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/session/set"), ("GET", "/session"), ("POST", "/session/nope"), ("GET", "/sessionX")],
)
async def test_session_other_paths_answer_the_info(send, method: str, path: str) -> None:
    reply = await send(method, path)
    assert (reply.status, reply.content_type, reply.text) == (200, "application/json", INFO)


async def test_session_expires_30_s_after_the_last_request(send, clock, capsys) -> None:
    await put(send, "theme", "dark")
    await clock.advance(20_000)
    await send("GET", "/session/get?id=u&key=theme")  # activity pushes the expiry back
    await clock.advance(29_999)
    assert EXPIRED not in capsys.readouterr().out
    await clock.advance(1)
    assert capsys.readouterr().out.splitlines() == [EXPIRED]
    assert (await send("GET", "/session/all?id=u")).json()["data"] == {}
    assert (await send("GET", "/session/get?id=u&key=theme")).json()["exists"] is False


async def test_session_failed_request_still_schedules_expiry(send, clock, capsys) -> None:
    await send("POST", "/session/set?id=bad", data="notjson")
    await send("GET", "/session/nope?id=info")
    capsys.readouterr()
    await clock.advance(30_000)
    assert capsys.readouterr().out.splitlines() == [EXPIRED, EXPIRED]


async def test_session_ids_are_separate(send) -> None:
    await put(send, "k", "v", session="one")
    assert (await send("GET", "/session/all?id=two")).json()["count"] == 0
