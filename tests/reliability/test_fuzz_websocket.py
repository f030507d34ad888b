"""WebSocket input the server must survive, in-process on the soak worker's chat room: frames of
any shape after a real handshake (fuzzed), and a message over 32 MiB (1009). The bad socket is
closed; the room's other members and new connections keep working."""

from __future__ import annotations

import asyncio
import contextlib
import os
import struct
from pathlib import Path

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyworker.runtime.websockets import MAX_MESSAGE_SIZE
from reliability_helpers import FUZZ, examples, on_loop

HANDSHAKE = (
    b"GET /room?name=fuzz HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


@pytest.fixture
async def client(soak_project: Path, worker_client):  # type: ignore[no-untyped-def]
    return await worker_client(soak_project)


def _frame(fin: bool, rsv: int, opcode: int, masked: bool, length: int | None, payload: bytes) -> bytes:
    """A frame with every field chosen; ``length`` None means the payload's own, else a lie."""
    declared = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    mask_bit = 0x80 if masked else 0
    if declared < 126:
        head += bytes([mask_bit | declared])
    elif declared < 1 << 16:
        head += bytes([mask_bit | 126]) + struct.pack("!H", declared)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", declared)
    if masked:
        key = os.urandom(4)
        head += key
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return head + payload


_frames = st.one_of(
    st.builds(
        _frame,
        fin=st.booleans(),
        rsv=st.integers(0, 7),
        opcode=st.integers(0, 15),
        masked=st.booleans(),
        length=st.one_of(st.none(), st.integers(0, 130), st.sampled_from([65_535, 65_536, 2**63 - 1, 2**64 - 1])),
        payload=st.one_of(st.binary(max_size=140), st.text(max_size=40).map(str.encode), st.just(b"\xff\xfe\xc3")),
    ),
    st.binary(min_size=1, max_size=64),
)


async def _bad_client(client, frames: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    """Handshake on a raw socket, send ``frames``, read what comes back for a moment, hang up."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    try:
        writer.write(HANDSHAKE)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101 "), head
        writer.write(b"".join(frames))
        await writer.drain()
        with contextlib.suppress(TimeoutError, ConnectionError):
            await asyncio.wait_for(reader.read(65536), 0.2)
    except ConnectionError:
        pass  # the server closed first
    finally:
        writer.close()


async def _round_trip(member: aiohttp.ClientWebSocketResponse, marker: str) -> None:
    """``member`` sends ``marker`` to the room and reads until the room sends it back (passing over
    what the bad client got broadcast: aiohttp's server accepts unmasked client frames)."""
    await member.send_str(marker)
    while (message := await asyncio.wait_for(member.receive(), 5)).data != marker:
        assert message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY), message


async def test_websocket_bad_frames_close_only_their_socket(client, fuzz_cases) -> None:  # type: ignore[no-untyped-def]
    """Fuzz: reserved opcodes and bits, unmasked frames, lying lengths (up to 2^64-1), bad UTF-8,
    fragments, garbage. After each, a member of the same room still gets its own message back."""
    member = await client.ws_connect("/room?name=fuzz")
    loop = asyncio.get_running_loop()

    @settings(FUZZ, max_examples=examples(120))
    @given(frames=st.lists(_frames, min_size=1, max_size=4))
    def check(frames: list[bytes]) -> None:
        fuzz_cases()
        on_loop(loop, _bad_client(client, frames))
        on_loop(loop, _round_trip(member, f"marker-{fuzz_cases.count}"))

    await asyncio.to_thread(check)
    await member.close()
    fresh = await client.ws_connect("/room?name=other")
    await _round_trip(fresh, "still serving")
    await fresh.close()


async def test_websocket_oversized_message_closes_1009_and_room_keeps_serving(client) -> None:  # type: ignore[no-untyped-def]
    """A message over 32 MiB closes its socket with 1009; the room's other member is unaffected."""
    member = await client.ws_connect("/room?name=big")
    sender = await client.ws_connect("/room?name=big", max_msg_size=0)
    with contextlib.suppress(ConnectionError):  # the server may close before the upload ends
        await sender.send_bytes(b"x" * (MAX_MESSAGE_SIZE + 1))
    closing = await asyncio.wait_for(sender.receive(), 10)
    assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 1009)
    await _round_trip(member, "after the big one")
    await member.close()
