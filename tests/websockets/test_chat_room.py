"""The playground's ChatRoom (PLAYGROUND §5.2): every route, frame and bad input, with real clients."""

from __future__ import annotations

import json
import re

import aiohttp
import pytest

from helpers import REPO

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
HELP = "Chat Room endpoint. Try /chat/ws for WebSocket or /chat/messages"
PLAIN = "text/plain;charset=UTF-8"
ERROR_FRAME = {"type": "error", "message": "Invalid message format"}


@pytest.fixture
async def app(worker_client):  # type: ignore[no-untyped-def]
    return await worker_client(REPO)


async def join(app, room: str = "default") -> aiohttp.ClientWebSocketResponse:  # type: ignore[no-untyped-def]
    return await app.ws_connect(f"/chat/ws?room={room}")


async def send(app, body: object, room: str = "default", **kwargs) -> aiohttp.ClientResponse:  # type: ignore[no-untyped-def]
    data = body if isinstance(body, str) else json.dumps(body)
    return await app.post(f"/chat/send?room={room}", data=data, **kwargs)


def assert_message(message: dict, text: object, username: object) -> None:
    expected_keys = ["id", "text", "username", "timestamp"] if text is not ... else ["id", "username", "timestamp"]
    assert list(message) == expected_keys
    assert UUID4.match(message["id"]) and isinstance(message["timestamp"], int)
    assert message.get("text", ...) == text and message["username"] == username


# -- HTTP -------------------------------------------------------------------------------------


async def test_chat_room_history_starts_empty(app) -> None:
    response = await app.get("/chat/messages")
    assert response.status == 200 and response.headers["Content-Type"] == "application/json"
    assert await response.text() == '{"messages":[]}'


async def test_chat_room_send_answers_and_stores_the_message(app) -> None:
    response = await send(app, {"text": "hello", "username": "Alice", "extra": 1})
    assert response.status == 200 and response.headers["Content-Type"] == "application/json"
    body = await response.text()
    assert body.startswith('{"success":true,"message":{"id":"')
    message = json.loads(body)["message"]
    assert_message(message, "hello", "Alice")
    history = await (await app.get("/chat/messages")).json()
    assert history == {"messages": [message]}


@pytest.mark.parametrize(
    "body",
    [{"text": "hi"}, {"username": "A"}, {"text": "", "username": "A"}, {"text": "hi", "username": 0},
     {"text": False, "username": "A"}, {"text": None, "username": "A"}, [1, 2], '"string"', 5, True],
)
async def test_chat_room_send_rejects_falsy_or_missing_fields(app, body: object) -> None:
    response = await send(app, body)
    assert response.status == 400 and response.headers["Content-Type"] == "application/json"
    assert await response.text() == '{"error":"text and username required"}'


async def test_chat_room_send_accepts_truthy_values_of_any_type(app) -> None:
    response = await send(app, {"text": [], "username": {}})
    message = (await response.json())["message"]
    assert message["text"] == [] and message["username"] == {}


async def test_chat_room_echoes_values_with_javascript_rules(app) -> None:
    response = await send(app, '{"text":{"b":1.0,"7":2,"a":12345678901234567890},"username":"é"}')
    assert '"text":{"7":2,"b":1,"a":12345678901234567000},"username":"é"' in await response.text()


@pytest.mark.parametrize(
    ("body", "first_line"),
    [
        ("{bad json", "SyntaxError: Expected property name or '}' in JSON at position 1 (line 1 column 2)"),
        ("", "SyntaxError: Unexpected end of JSON input"),
        ("null", "TypeError: Cannot destructure property 'text' of '(intermediate value)' as it is null."),
    ],
)
async def test_chat_room_send_with_bad_json_is_an_uncaught_error(app, body: str, first_line: str) -> None:
    response = await send(app, body, headers={"Accept": "application/json"})
    assert response.status == 500 and response.headers["Content-Type"] == PLAIN
    assert (await response.text()).splitlines()[0] == first_line
    page = await send(app, body)  # aiohttp's Accept: */* gets the HTML page
    assert page.status == 500 and page.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/chat/send"), ("POST", "/chat/messages"), ("GET", "/chat"), ("GET", "/chat/nope"),
     ("GET", "/chatty")],
)
async def test_chat_room_other_routes_answer_help(app, method: str, path: str) -> None:
    response = await app.request(method, path)
    assert response.status == 404 and response.headers["Content-Type"] == PLAIN
    assert await response.text() == HELP


@pytest.mark.parametrize(("method", "headers"), [("GET", {}), ("POST", {}), ("GET", {"Upgrade": "foo"})])
async def test_chat_room_ws_without_upgrade_answers_426(app, method: str, headers: dict) -> None:
    response = await app.request(method, "/chat/ws", headers=headers)
    assert response.status == 426 and response.headers["Content-Type"] == PLAIN
    assert await response.text() == "Expected WebSocket upgrade"


async def test_chat_room_history_keeps_the_last_100(app) -> None:
    for n in range(103):
        await send(app, {"text": f"m{n}", "username": "A"})
    history = (await (await app.get("/chat/messages")).json())["messages"]
    assert [m["text"] for m in history] == [f"m{n}" for n in range(3, 103)]


async def test_chat_room_rooms_are_separate_and_default_to_default(app) -> None:
    await send(app, {"text": "in r1", "username": "A"}, room="r1")
    await send(app, {"text": "in default", "username": "A"}, room="")
    assert [m["text"] for m in (await (await app.get("/chat/messages?room=r1")).json())["messages"]] == ["in r1"]
    default = (await (await app.get("/chat/messages")).json())["messages"]
    assert [m["text"] for m in default] == ["in default"]


# -- WebSocket --------------------------------------------------------------------------------


async def test_chat_room_join_sends_connected_and_user_joined(app) -> None:
    a = await join(app)
    assert await a.receive_str() == '{"type":"connected","message":"Connected to chat room","sessionCount":1}'
    b = await join(app)
    assert await b.receive_json() == {"type": "connected", "message": "Connected to chat room", "sessionCount": 2}
    assert await a.receive_str() == '{"type":"user-joined","sessionCount":2}'
    for ws in (a, b):
        await ws.close()


async def test_chat_room_message_is_broadcast_to_everyone_and_stored(app) -> None:
    a, b = await join(app), await join(app)
    await a.receive_json(), await b.receive_json(), await a.receive_json()
    await a.send_str(json.dumps({"type": "message", "text": "hi", "username": "Ann"}))
    frames = [await a.receive_json(), await b.receive_json()]
    assert frames[0] == frames[1] and frames[0]["type"] == "message" and list(frames[0]) == ["type", "message"]
    assert_message(frames[0]["message"], "hi", "Ann")
    history = (await (await app.get("/chat/messages")).json())["messages"]
    assert history == [frames[0]["message"]]
    for ws in (a, b):
        await ws.close()


@pytest.mark.parametrize(
    ("frame", "text", "username"),
    [({"type": "message", "text": "anon"}, "anon", "Anonymous"),
     ({"type": "message", "text": "x", "username": ""}, "x", "Anonymous"),
     ({"type": "message", "text": "x", "username": None}, "x", "Anonymous"),
     ({"type": "message", "username": "Bo"}, ..., "Bo")],
)
async def test_chat_room_ws_message_fills_in_username_and_omits_missing_text(app, frame, text, username) -> None:
    ws = await join(app)
    await ws.receive_json()
    await ws.send_str(json.dumps(frame))
    assert_message((await ws.receive_json())["message"], text, username)
    await ws.close()


@pytest.mark.parametrize("bad", ["this is not json", "null", b"\x00binary"])
async def test_chat_room_unreadable_frame_gets_an_error_frame_for_the_sender_only(app, bad) -> None:
    a, b = await join(app), await join(app)
    await a.receive_json(), await b.receive_json(), await a.receive_json()
    await (a.send_bytes(bad) if isinstance(bad, bytes) else a.send_str(bad))
    assert await a.receive_json() == ERROR_FRAME
    await a.send_str(json.dumps({"type": "message", "text": "after", "username": "A"}))
    assert (await b.receive_json())["message"]["text"] == "after"  # b got nothing before this
    for ws in (a, b):
        await ws.close()


@pytest.mark.parametrize("ignored", ['{"type":"typing"}', '{"type":"Message","text":"x"}', "42", '"str"', "[1]", "{}"])
async def test_chat_room_other_frames_are_ignored(app, ignored: str) -> None:
    ws = await join(app)
    await ws.receive_json()
    await ws.send_str(ignored)
    await ws.send_str(json.dumps({"type": "message", "text": "next", "username": "A"}))
    assert (await ws.receive_json())["message"]["text"] == "next"
    await ws.close()


async def test_chat_room_http_send_is_broadcast_to_sockets(app) -> None:
    a, b = await join(app, "r"), await join(app, "r")
    await a.receive_json(), await b.receive_json(), await a.receive_json()
    message = (await (await send(app, {"text": "from http", "username": "H"}, room="r")).json())["message"]
    assert await a.receive_json() == await b.receive_json() == {"type": "message", "message": message}
    for ws in (a, b):
        await ws.close()


async def test_chat_room_leaving_tells_nobody_and_frees_the_seat(app) -> None:
    a, b = await join(app), await join(app)
    await a.receive_json(), await b.receive_json(), await a.receive_json()
    await b.close(code=1000)
    c = await join(app)
    assert (await c.receive_json())["sessionCount"] == 2
    assert await a.receive_json() == {"type": "user-joined", "sessionCount": 2}  # nothing about b leaving
    for ws in (a, c):
        await ws.close()
