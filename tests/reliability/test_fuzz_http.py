"""HTTP input the server must survive, in-process: bodies over the limit (413), requests to the
local-only ``/cdn-cgi/*`` endpoints that are addressed elsewhere (403), and malformed requests,
fuzzed. Whatever arrives, the answer is never a 5xx of our own and the next request is served."""

from __future__ import annotations

import asyncio
import re
import string
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyworker.server.guards import is_local_host
from reliability_helpers import FUZZ, examples, on_loop

LIMIT = 1024


@pytest.fixture
async def client(soak_project: Path, worker_client, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The soak worker in-process, with a 1 KiB body limit."""
    monkeypatch.setenv("PYWORKER_MAX_BODY_SIZE", str(LIMIT))
    return await worker_client(soak_project)


async def _raw(client, data: bytes, wait: float = 0.5) -> bytes:  # type: ignore[no-untyped-def]
    """Send ``data`` on a new connection; what the server answers within ``wait`` seconds."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), wait)
    except (TimeoutError, ConnectionError):
        return b""  # no complete request yet (the server waits for more), or it hung up
    finally:
        writer.close()


async def _chunks(*sizes: int) -> AsyncIterator[bytes]:
    for size in sizes:
        yield b"x" * size


async def test_guard_body_at_limit_reaches_worker(client) -> None:  # type: ignore[no-untyped-def]
    """A body of exactly the limit is read once by the guard and still reaches the worker whole."""
    response = await client.post("/echo", data=b"x" * LIMIT)
    assert response.status == 200
    assert await response.json() == {"method": "POST", "length": LIMIT}


async def test_guard_body_over_limit_gets_413_from_content_length(client) -> None:  # type: ignore[no-untyped-def]
    """Content-Length over the limit: 413 at once, with the limit and the way to raise it."""
    response = await client.post("/echo", data=b"x" * (LIMIT + 1))
    assert response.status == 413
    text = await response.text()
    assert f"the request body is {LIMIT + 1} bytes; the limit is {LIMIT} bytes" in text
    assert "PYWORKER_MAX_BODY_SIZE" in text
    assert (await client.get("/value")).status == 200


async def test_guard_chunked_body_over_limit_gets_413(client) -> None:  # type: ignore[no-untyped-def]
    """A chunked body (no Content-Length) is cut off as soon as it passes the limit."""
    response = await client.post("/echo", data=_chunks(600, 600))
    assert response.status == 413
    assert "Payload Too Large" in await response.text()
    response = await client.post("/echo", data=_chunks(500, 500))
    assert await response.json() == {"method": "POST", "length": 1000}


async def test_guard_default_body_limit_is_100_mib(soak_project: Path, worker_client) -> None:  # type: ignore[no-untyped-def]
    """Without PYWORKER_MAX_BODY_SIZE the limit is 100 MiB; the 413 comes before any body byte is sent."""
    client = await worker_client(soak_project)
    head = b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n"
    answer = await _raw(client, head % (100 * 1024 * 1024 + 1), wait=5)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"the limit is 104857600 bytes (100 MiB" in answer
    response = await client.post("/echo", data=b"x" * 100_000)
    assert await response.json() == {"method": "POST", "length": 100_000}


async def test_guard_unknown_method_gets_501_not_500(client) -> None:  # type: ignore[no-untyped-def]
    """A method aiohttp parses but the runtime's Request has no name for (WebDAV's PROPFIND, PURGE)
    is refused cleanly instead of failing inside the worker."""
    for method in ("PROPFIND", "PURGE"):
        response = await client.request(method, "/echo")
        assert response.status == 501
        assert f"{method} is not a method" in await response.text()


@pytest.mark.parametrize("host", ["[::1", "a/b", "a b", "a?b", "x:port", "a@b"])
async def test_guard_malformed_host_gets_400_before_the_worker(client, host: str) -> None:  # type: ignore[no-untyped-def]
    """Found by the HTTP fuzz test: ``Host: [::1`` became the worker's ``request.url`` and its URL
    parser failed (a 500); ``Host: a/b`` would shift the path the worker sees."""
    answer = await _raw(client, f"GET /echo HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 400 Bad Request"), answer
    assert f"the Host header {host!r} is not a host name".encode() in answer


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "attacker.example"},
        {"Host": "attacker.example:8787"},
        {"Host": "192.168.1.20"},
        {"Host": "localhost.attacker.example"},
        {"Host": "127.0.0.1.nip.io"},
        {"Host": "localhost", "Origin": "http://attacker.example"},
        {"Host": "localhost", "Origin": "null"},
        {"Host": "127.0.0.1", "Origin": "https://127.0.0.1.attacker.example"},
    ],
)
async def test_guard_cdn_cgi_refuses_request_addressed_elsewhere(client, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """DNS rebinding: a Host or Origin that is not this machine gets 403 and says why."""
    response = await client.get("/cdn-cgi/handler/scheduled", headers=headers)
    assert response.status == 403
    text = await response.text()
    assert text.startswith("Forbidden: /cdn-cgi/handler/scheduled answers only requests addressed to this machine")
    assert "DNS rebinding" in text


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "localhost:8787"},
        {"Host": "LOCALHOST"},
        {"Host": "127.0.0.1:8787"},
        {"Host": "127.4.5.6"},
        {"Host": "[::1]:8787"},
        {"Host": "app.localhost"},
        {"Host": "localhost", "Origin": "http://localhost:3000"},
        {"Host": "127.0.0.1", "Origin": "http://[::1]:8787"},
    ],
)
async def test_guard_cdn_cgi_serves_local_request(client, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Local names pass the guard and reach the endpoint (404 for an unknown handler, as wrangler)."""
    response = await client.get("/cdn-cgi/handler/nothing", headers=headers)
    assert response.status == 404
    assert "is not a valid handler" in await response.text()


async def test_guard_worker_routes_ignore_host(client) -> None:  # type: ignore[no-untyped-def]
    """Only the local endpoints are guarded: the worker answers any Host, as on Cloudflare."""
    response = await client.get("/value", headers={"Host": "my-app.example.com"})
    assert response.status == 200


def test_guard_is_local_host_accepts_the_listen_address() -> None:
    """``--ip`` is local too (a LAN address the developer chose), and IPv4-mapped loopback."""
    assert is_local_host("192.168.1.5:8787", "192.168.1.5")
    assert is_local_host("[::ffff:127.0.0.1]:8787")
    assert not is_local_host("192.168.1.5:8787")
    assert not is_local_host("")


_TOKEN = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=12)
_ODD_HEADERS = [
    b"Host:", b": no-name", b"no-colon", b" folded continuation", b"Content-Length: -1",
    b"Content-Length: 1e3", b"Content-Length: 5\r\nContent-Length: 6", b"Transfer-Encoding: gzip",
    b"Transfer-Encoding: chunked\r\nContent-Length: 3", b"Upgrade: websocket\r\nConnection: Upgrade",
    b"X-Long: " + b"v" * 9000, b"Host: \xff\xfe", b"Host: [::1", b"Host: evil.example", b"Origin: \x00",
    b"Expect: 100-continue", b"Cookie: " + b"a=b; " * 2000, b"Connection: close, close",
]  # fmt: skip
_REQUEST_LINES = [
    b"GET /echo HTTP/1.1", b"POST /echo HTTP/1.1", b"GET /cdn-cgi/handler/scheduled HTTP/1.1",
    b"GET http://other.example/echo HTTP/1.1", b"OPTIONS * HTTP/1.1", b"GET /echo HTTP/1.0", b"GET /echo",
    b"GET /echo HTTP/9.9", b"GET /\x00 HTTP/1.1", b"GET /" + b"a" * 9000 + b" HTTP/1.1", b"PROPFIND / HTTP/1.1",
    b"GET /%zz%00/../.. HTTP/1.1", b"CONNECT 127.0.0.1:1 HTTP/1.1", b"G\xc3\xa9T / HTTP/1.1",
]  # fmt: skip
_header = st.one_of(
    st.sampled_from(_ODD_HEADERS),
    st.tuples(_TOKEN, st.binary(max_size=60)).map(lambda pair: pair[0].encode() + b": " + pair[1]),
    st.binary(max_size=60),
)
_request = st.tuples(
    st.one_of(st.sampled_from(_REQUEST_LINES), st.binary(max_size=60)),
    st.lists(_header, max_size=6),
    st.binary(max_size=40),
).map(lambda parts: parts[0] + b"\r\n" + b"".join(h + b"\r\n" for h in parts[1]) + b"\r\n" + parts[2])


async def test_http_malformed_requests_never_get_5xx_or_stop_the_server(client, fuzz_cases) -> None:  # type: ignore[no-untyped-def]
    """Fuzz: request lines, headers and bodies of any bytes. Each gets a 4xx, a normal answer, the
    guard's 501 for a method the runtime has no name for, or a closed connection — never another
    5xx — and the next well-formed request is served."""

    @settings(FUZZ, max_examples=examples(150))
    @given(data=_request)
    def check(data: bytes) -> None:
        fuzz_cases()
        answer = on_loop(loop, _raw(client, data))
        if answer:
            status = re.match(rb"HTTP/\d\.\d (\d{3}) ", answer)  # HTTP/0.9 requests get "HTTP/0.9 200 OK"
            assert status is not None and (not status[1].startswith(b"5") or status[1] == b"501"), answer[:300]
        follow_up = on_loop(loop, client.get("/value"))
        assert follow_up.status == 200

    loop = asyncio.get_running_loop()
    await asyncio.to_thread(check)
