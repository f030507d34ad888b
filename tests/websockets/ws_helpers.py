"""Helpers for WebSocket tests: waiting for a condition, reading what an object recorded, and a
client that vanishes without a Close frame."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable
from typing import Any


async def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Wait until ``check()`` returns something truthy and return it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := check()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
    return result


async def events_of(app: Any, path: str, count: int) -> list[Any]:
    """The events the object behind ``path`` recorded, once there are ``count`` of them."""
    deadline = asyncio.get_running_loop().time() + 5.0
    while True:
        events = await (await app.get(path)).json()
        if len(events) >= count or asyncio.get_running_loop().time() > deadline:
            return events
        await asyncio.sleep(0.02)


async def connect_and_vanish(app: Any, path: str) -> None:
    """Open a WebSocket with a raw handshake, then drop the TCP connection without a Close frame."""
    reader, writer = await asyncio.open_connection(app.server.host, app.server.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {app.server.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    writer.transport.abort()
