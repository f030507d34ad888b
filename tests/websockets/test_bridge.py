"""WebSockets over the network: a real client (aiohttp's ``ws_connect``) against the dev server."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
import pytest

from pyworker.runtime.websockets import MAX_MESSAGE_SIZE
from ws_helpers import connect_and_vanish, events_of

KINDS = ["/worker", "/standard/ws", "/hibernating/ws"]


@pytest.mark.parametrize("path", KINDS)
async def test_bridge_echoes_text_and_binary(app, path: str) -> None:
    ws = await app.ws_connect(path)
    await ws.send_str("hello")
    assert await ws.receive_str() == "echo:hello"
    await ws.send_bytes(b"\x00\x01\x02")
    assert await ws.receive_bytes() == b"\x02\x01\x00"
    await ws.close()


@pytest.mark.parametrize("size", [125, 126, 65535, 65536])  # each length encoding of RFC 6455 §5.2
async def test_bridge_frames_of_every_length_arrive_whole(app, size: int) -> None:
    ws = await app.ws_connect("/hibernating/ws")
    await ws.send_str("x" * (size - len("echo:")))
    assert await ws.receive_str() == "echo:" + "x" * (size - len("echo:"))
    await ws.send_bytes(bytes(range(256)) * (size // 256) + b"y" * (size % 256))
    assert await ws.receive_bytes() == (bytes(range(256)) * (size // 256) + b"y" * (size % 256))[::-1]
    await ws.close()


@pytest.mark.parametrize("path", KINDS)
async def test_bridge_messages_of_one_event_arrive_in_order(app, path: str) -> None:
    ws = await app.ws_connect(path)
    await ws.send_str("burst 50")
    assert [await ws.receive_str() for _ in range(50)] == [f"burst {i}" for i in range(50)]
    await ws.send_str("after")
    assert await ws.receive_str() == "echo:after"
    await ws.close()


async def test_bridge_compressed_connection_gets_every_message(app) -> None:
    ws = await app.ws_connect("/hibernating/ws", compress=15)
    assert ws.compress == 15  # permessage-deflate was negotiated: frames go through aiohttp's compressor
    await ws.send_str("burst 20")
    assert [await ws.receive_str() for _ in range(20)] == [f"burst {i}" for i in range(20)]
    await ws.close()


async def test_bridge_upgrade_passes_through_stub_fetch(app, caplog) -> None:
    caplog.set_level(logging.INFO, logger="pyworker")
    ws = await app.ws_connect("/hibernating/ws")
    assert ws.closed is False
    assert "GET /hibernating/ws 101 Switching Protocols" in caplog.text
    await ws.close()


@pytest.mark.parametrize("kind", ["standard", "hibernating"])
async def test_bridge_client_close_code_and_reason_reach_the_object(app, kind: str) -> None:
    ws = await app.ws_connect(f"/{kind}/ws")
    await ws.close(code=4001, message=b"client leaves")
    assert ws.close_code == 4001  # answered with the same code
    assert await events_of(app, f"/{kind}/events", 1) == [["close", 4001, "client leaves", True]]


@pytest.mark.parametrize("kind", ["standard", "hibernating"])
async def test_bridge_server_close_code_and_reason_reach_the_client(app, kind: str) -> None:
    ws = await app.ws_connect(f"/{kind}/ws")
    await ws.send_str("close 4002 server leaves")
    message = await ws.receive()
    assert (message.type, message.data, message.extra) == (aiohttp.WSMsgType.CLOSE, 4002, "server leaves")
    await ws.close()
    # The object's close event carries the client's answer: aiohttp answers a Close with 1000.
    assert await events_of(app, f"/{kind}/events", 1) == [["close", 1000, "", True]]


@pytest.mark.parametrize("kind", ["standard", "hibernating"])
async def test_bridge_vanished_client_is_reported_as_1006(app, kind: str) -> None:
    await connect_and_vanish(app, f"/{kind}/ws")
    assert await events_of(app, f"/{kind}/events", 1) == [
        ["close", 1006, "WebSocket disconnected without sending Close frame.", False]
    ]


@pytest.mark.parametrize("kind", ["standard", "hibernating"])
async def test_bridge_oversized_message_closes_with_1009(app, kind: str) -> None:
    ws = await app.ws_connect(f"/{kind}/ws", max_msg_size=0)
    with contextlib.suppress(ConnectionError):  # the server closes before the upload ends
        await ws.send_bytes(b"x" * (MAX_MESSAGE_SIZE + 1))
    message = await ws.receive()
    assert (message.type, message.data) == (aiohttp.WSMsgType.CLOSE, 1009)
    assert await events_of(app, f"/{kind}/events", 1) == [
        ["error", f"Message is too large: {MAX_MESSAGE_SIZE + 1} > {MAX_MESSAGE_SIZE}"]
    ]


async def test_bridge_message_of_exactly_32_mib_is_received(app) -> None:
    ws = await app.ws_connect("/hibernating/ws", max_msg_size=0)
    await ws.send_bytes(b"x" * MAX_MESSAGE_SIZE)
    assert len(await ws.receive_bytes()) == MAX_MESSAGE_SIZE
    await ws.close()


async def test_bridge_returning_an_accepted_socket_fails(app) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
        await app.ws_connect("/accepted")
    assert raised.value.status == 500


async def test_bridge_websocket_response_to_plain_request_fails(app) -> None:
    response = await app.get("/worker", headers={"Accept": "text/plain"})
    assert response.status == 500
    assert (await response.text()).startswith(
        'TypeError: Worker tried to return a WebSocket in a response to a request which did not contain '
        'the header "Upgrade: websocket".'
    )


async def test_bridge_refused_upgrade_looks_like_a_vanished_client_to_the_object(app) -> None:
    response = await app.get("/hibernating/ws", headers={"Accept": "text/plain"})
    assert response.status == 500
    assert await events_of(app, "/hibernating/events", 1) == [
        ["close", 1006, "WebSocket disconnected without sending Close frame.", False]
    ]


async def test_bridge_incomplete_handshake_is_refused(app) -> None:
    response = await app.get("/worker", headers={"Upgrade": "WebSocket", "Connection": "Upgrade"})
    assert response.status == 400
    assert await response.text() == "ERROR: The requested WebSocket version is not supported."


async def test_bridge_server_shutdown_closes_open_sockets_with_1001(app) -> None:
    ws = await app.ws_connect("/hibernating/ws")
    closing = asyncio.create_task(app.server.close())
    message = await ws.receive()
    assert (message.type, message.data, message.extra) == (aiohttp.WSMsgType.CLOSE, 1001, "server shutting down")
    await asyncio.wait_for(closing, 5)
