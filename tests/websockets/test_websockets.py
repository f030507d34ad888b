"""The standard WebSocket API in-process: pairs, accept, send, close, events, attachments."""

from __future__ import annotations

import pytest

from pyworker.runtime.ffi import JsBuffer, JsException, JsObject, JsTypeError
from pyworker.runtime.values import DataCloneError
from pyworker.runtime.websockets import WebSocket, WebSocketPair, WebSocketRequestResponsePair
from ws_helpers import eventually


def accepted_pair() -> tuple[WebSocket, WebSocket, list[object], list[object]]:
    """Both ends accepted, each recording the events it gets."""
    client, server = WebSocketPair.new().object_values()
    client_events: list[object] = []
    server_events: list[object] = []
    for ws, events in ((client, client_events), (server, server_events)):
        ws.accept()
        for kind in ("message", "close", "error"):
            ws.addEventListener(kind, events.append)
    return client, server, client_events, server_events


def test_pair_gives_two_connected_ends() -> None:
    pair = WebSocketPair()
    client, server = pair
    assert list(pair.object_values()) == [client, server] == [pair[0], pair["1"]]
    assert client is not server and client.readyState == WebSocket.OPEN


async def test_websocket_send_text_and_binary_reaches_the_other_end() -> None:
    client, server, client_events, server_events = accepted_pair()
    client.send("hi")
    server.send(b"\x01\x02")
    await eventually(lambda: client_events and server_events)
    assert server_events[0].type == "message" and server_events[0].data == "hi"
    data = client_events[0].data
    assert isinstance(data, JsBuffer) and data.to_bytes() == b"\x01\x02" and data.byteLength == 2


async def test_websocket_messages_wait_for_accept() -> None:
    client, server = WebSocketPair()
    client.accept()
    client.send("early")
    received: list[str] = []
    server.addEventListener("message", lambda event: received.append(event.data))
    server.accept()
    await eventually(lambda: received)
    assert received == ["early"]


async def test_websocket_close_code_and_reason_pass_both_ways() -> None:
    client, server, client_events, server_events = accepted_pair()
    client.close(4000, "bye")
    await eventually(lambda: server_events and client_events)
    close = server_events[0]
    assert (close.type, close.code, close.reason, close.wasClean) == ("close", 4000, "bye", True)
    answer = client_events[0]
    assert (answer.code, answer.reason) == (4000, "bye")  # the Close was answered in kind
    assert client.readyState == server.readyState == WebSocket.CLOSED


async def test_websocket_async_listener_is_awaited() -> None:
    client, server = WebSocketPair()
    client.accept()
    server.accept()
    seen: list[str] = []

    async def listener(event) -> None:  # type: ignore[no-untyped-def]
        seen.append(event.data)

    server.addEventListener("message", listener)
    client.send("x")
    await eventually(lambda: seen)
    server.removeEventListener("message", listener)
    client.send("y")
    await eventually(lambda: True)
    assert seen == ["x"]


def test_websocket_send_before_accept_raises_workerd_error() -> None:
    _, server = WebSocketPair()
    with pytest.raises(JsTypeError) as raised:
        server.send("x")
    assert str(raised.value) == (
        "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages."
    )


async def test_websocket_send_after_close_raises() -> None:
    _, server, _, _ = accepted_pair()
    server.close(1000)
    with pytest.raises(JsTypeError, match=r"^Can't call WebSocket send\(\) after close\(\)\.$"):
        server.send("x")
    server.close(1000)  # a second close does nothing


@pytest.mark.parametrize("code", [999, 1004, 1005, 1006, 1015, 5000])
def test_websocket_close_rejects_invalid_codes(code: int) -> None:
    _, server = WebSocketPair()
    server.accept()
    with pytest.raises(JsTypeError) as raised:
        server.close(code)
    assert str(raised.value) == f"Invalid WebSocket close code: {code}."


def test_websocket_close_reason_needs_a_code() -> None:
    _, server = WebSocketPair()
    server.accept()
    with pytest.raises(JsTypeError) as raised:
        server.close(None, "why")
    assert str(raised.value) == "If you specify a WebSocket close reason, you must also specify a code."


def test_websocket_send_rejects_other_types() -> None:
    _, server = WebSocketPair()
    server.accept()
    with pytest.raises(TypeError, match="str or bytes-like"):
        server.send(42)  # type: ignore[arg-type]


async def test_websocket_accept_after_returning_in_response_raises() -> None:
    client, _ = WebSocketPair()
    client.couple(_Discard())
    with pytest.raises(JsTypeError, match=r"^Can't accept\(\) WebSocket that was already used in a response\.$"):
        client.accept()


async def test_websocket_attachment_is_a_copy_with_to_py() -> None:
    _, server = WebSocketPair()
    assert server.deserializeAttachment() is None
    value = {"user": "ann", "seen": [1, 2]}
    server.serializeAttachment(value)
    value["user"] = "changed"
    attachment = server.deserializeAttachment()
    assert isinstance(attachment, JsObject) and attachment.user == "ann"
    assert attachment.to_py() == {"user": "ann", "seen": [1, 2]} and type(attachment.to_py()) is dict


def test_websocket_attachment_limit_is_2048_serialized_bytes() -> None:
    _, server = WebSocketPair()
    server.serializeAttachment("x" * 2043)  # V8 header, tag and 2-byte length: exactly 2048
    with pytest.raises(JsException) as raised:
        server.serializeAttachment("x" * 2044)
    assert str(raised.value) == (
        "A WebSocket 'attachment' cannot be larger than 2048 bytes.'attachment' was 2049 bytes."
    )
    assert server.deserializeAttachment() == "x" * 2043


def test_websocket_attachment_must_be_cloneable() -> None:
    _, server = WebSocketPair()
    with pytest.raises(DataCloneError):
        server.serializeAttachment(object())


def test_request_response_pair_keeps_both_strings() -> None:
    pair = WebSocketRequestResponsePair.new("ping", "pong")
    assert (pair.request, pair.response) == ("ping", "pong")


class _Discard:
    async def receive(self, ws: WebSocket, frame: object) -> None:
        pass
