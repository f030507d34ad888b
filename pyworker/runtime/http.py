"""``Request``, ``Response`` and ``fetch`` with the names of Cloudflare's Python Workers SDK.

A ``Request`` that comes from the server is a lazy view over the aiohttp request: its body is read
only when user code asks for it. Bodies are single-use, as in the Fetch API.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from http import HTTPMethod, HTTPStatus
from typing import Any, Protocol

import aiohttp
from multidict import CIMultiDict

from pyworker.runtime.local_answers import local_answer
from pyworker.runtime.streams import ReadableStream, Uint8Array

__all__ = ["Headers", "Request", "Response", "fetch", "reason_phrase"]

Headers = CIMultiDict
"""Case-insensitive header multimap (``headers.get("Content-Type")``)."""

HeadersInit = Mapping[str, str] | Iterable[tuple[str, str]] | None
BodyInit = str | bytes | bytearray | memoryview | ReadableStream | None

_BODY_USED = "Body has already been used. It can only be used once. Use tee() first if you need to read it twice."


class _BodySource(Protocol):
    async def read(self) -> bytes: ...


def _headers(init: HeadersInit) -> CIMultiDict[str]:
    if init is None:
        return CIMultiDict()
    if isinstance(init, Mapping):
        return CIMultiDict((str(k), str(v)) for k, v in init.items())
    return CIMultiDict((str(k), str(v)) for k, v in init)


def _body_bytes(body: BodyInit) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    raise TypeError(
        f"Unsupported body type {type(body).__name__}: pass str, bytes or None "
        "(use Response.json(data) for JSON)"
    )


def reason_phrase(status: int) -> str:
    """The standard reason phrase for ``status`` (``""`` when there is none)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class _Body:
    """Single-use body shared by ``Request`` and ``Response``."""

    _data: bytes | None
    _source: _BodySource | None
    _stream: ReadableStream | None
    body_used: bool

    def _init_body(self, data: BodyInit, source: _BodySource | None = None) -> None:
        self._stream = data if isinstance(data, ReadableStream) else None
        self._data = None if self._stream is not None else _body_bytes(data)
        self._source = source
        self.body_used = False

    @property
    def buffered_body(self) -> bytes | None:
        """The body held in memory, without consuming it (None when it is empty, streamed or not read yet)."""
        return self._data

    @property
    def body(self) -> ReadableStream | None:
        """The body as a ``ReadableStream`` (None when there is no body)."""
        if self._stream is None and self._source is not None:
            self._stream, self._source = _source_stream(self._source), None
        elif self._stream is None and self._data:
            self._stream = ReadableStream.from_chunks([self._data])
            self._data = None
        return self._stream

    async def bytes(self) -> bytes:
        """The whole body as bytes."""
        if self.body_used:
            raise TypeError(_BODY_USED)
        self.body_used = True
        if self._stream is not None:
            self._data = b"".join([chunk async for chunk in self._stream.chunks()])
            self._stream = None
        elif self._source is not None:
            self._data = await self._source.read()
            self._source = None
        return self._data or b""

    async def buffer(self) -> memoryview:
        """The whole body as a ``memoryview`` (JavaScript's ``arrayBuffer()``)."""
        return memoryview(await self.bytes())

    async def text(self) -> str:
        """The whole body decoded as UTF-8."""
        return (await self.bytes()).decode("utf-8", errors="replace")

    async def _parse_json(self) -> Any:
        return json.loads(await self.text())

    async def json(self) -> Any:
        """The body parsed with ``json.loads``."""
        return await self._parse_json()


def _source_stream(source: _BodySource) -> ReadableStream:
    """A stream of a body not received yet (an incoming request's): read when first pulled."""

    async def pull(controller: Any) -> None:
        data = await source.read()
        if data:
            controller.enqueue(Uint8Array(data))
        controller.close()

    return ReadableStream({"pull": pull})


class Request(_Body):
    """An HTTP request: ``Request(url, method="POST", headers={...}, body="...")``.

    ``Request(other_request, ...)`` copies ``other_request`` and overrides what is given.
    """

    def __init__(
        self,
        input: str | Request,  # noqa: A002 - the Fetch API's name
        *,
        method: str | None = None,
        headers: HeadersInit = None,
        body: BodyInit = None,
        redirect: str = "follow",
        cf: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(input, Request):
            self.url = input.url
            self.method = HTTPMethod(method.upper()) if method else input.method
            self.headers = _headers(headers) if headers is not None else input.headers.copy()
            self.cf = dict(cf) if cf is not None else input.cf
            self.redirect = redirect
            if body is not None:
                self._init_body(body)
            else:
                if input.body_used:
                    raise TypeError(_BODY_USED)
                self._init_body(input._stream or input._data, input._source)
                input.body_used = True
            return
        self.url = str(input)
        self.method = HTTPMethod((method or "GET").upper())
        self.headers = _headers(headers)
        self.cf = dict(cf) if cf is not None else {}
        self.redirect = redirect
        self._init_body(body)

    @classmethod
    def _from_source(
        cls,
        url: str,
        method: str,
        headers: CIMultiDict[str],
        source: _BodySource | None,
        cf: dict[str, Any],
    ) -> Request:
        """Build a request whose body is read lazily from ``source`` (the server's request)."""
        request = cls.__new__(cls)
        request.url = url
        request.method = HTTPMethod(method)
        request.headers = headers
        request.cf = cf
        request.redirect = "follow"
        request._init_body(None, source)
        return request

    def clone(self) -> Request:
        """A copy with its own body (the body is read into memory first if needed)."""
        if self.body_used:
            raise TypeError(_BODY_USED)
        if self._source is not None:
            raise TypeError("clone() of a streamed request body: await request.bytes() first")
        return Request(self.url, method=self.method, headers=self.headers, body=self._data, cf=self.cf)

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


class _JsonAccessor:
    """``Response.json`` is the SDK's static constructor on the class and the body parser on instances."""

    def __get__(self, instance: _Body | None, owner: type) -> Any:
        if instance is None:
            return _json_response
        return instance._parse_json


class Response(_Body):
    """An HTTP response: ``Response("hi", status=200, headers={...})``.

    ``web_socket=`` carries the client end of a ``WebSocketPair`` for a 101 response.
    """

    def __init__(
        self,
        body: BodyInit = None,
        status: int | None = None,
        status_text: str = "",
        headers: HeadersInit = None,
        web_socket: Any = None,
    ) -> None:
        self.status = 200 if status is None else int(status)
        if not (200 <= self.status <= 599 or (self.status == 101 and web_socket is not None)):
            raise RangeError(
                f'Responses may only be constructed with status codes in the range 200 to 599, inclusive. '
                f'Got {self.status}.'
            )
        self.status_text = status_text
        self.headers = _headers(headers)
        self.web_socket = web_socket
        self.url = ""
        if isinstance(body, str) and "content-type" not in self.headers:
            self.headers["content-type"] = "text/plain;charset=UTF-8"
        self._init_body(body)

    @property
    def streamed(self) -> bool:
        """True when the body is a stream produced while it is sent."""
        return self._stream is not None

    @property
    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status <= 299

    json = _JsonAccessor()
    """``Response.json(data, status=200, ...)`` builds a JSON response; ``await response.json()`` parses one."""

    @staticmethod
    def redirect(url: str, status: int = 302) -> Response:
        """A redirect to ``url`` (status 301, 302, 303, 307 or 308)."""
        if status not in (301, 302, 303, 307, 308):
            raise RangeError(f"Invalid status code: {status}")
        return Response(None, status=status, headers={"location": url})

    def clone(self) -> Response:
        """A copy with its own body."""
        if self.body_used:
            raise TypeError(_BODY_USED)
        copy = Response(self._data, status=self.status, status_text=self.status_text, headers=self.headers)
        copy.url = self.url
        return copy

    def __repr__(self) -> str:
        return f"<Response [{self.status}]>"


def _json_response(
    data: Any,
    status: int = 200,
    status_text: str = "",
    headers: HeadersInit = None,
) -> Response:
    """A response whose body is ``json.dumps(data)`` with ``content-type: application/json``."""
    all_headers = _headers(headers)
    all_headers.setdefault("content-type", "application/json")
    return Response(json.dumps(data), status=status, status_text=status_text, headers=all_headers)


class RangeError(ValueError):
    """JavaScript's ``RangeError``: a value outside the allowed range."""


_session: aiohttp.ClientSession | None = None


async def fetch(
    input: str | Request,  # noqa: A002 - the Fetch API's name
    *,
    method: str | None = None,
    headers: HeadersInit = None,
    body: BodyInit = None,
    redirect: str = "follow",
    cf: Mapping[str, Any] | None = None,
) -> Response:
    """Make an outbound HTTP request, like the Workers global ``fetch``.

    A few Cloudflare-only endpoints are answered locally (``pyworker.runtime.local_answers``).
    """
    global _session
    request = Request(input, method=method, headers=headers, body=body, redirect=redirect, cf=cf)
    answer = local_answer(request)
    if answer is not None:
        return answer
    if _session is None or _session.closed:
        _session = aiohttp.ClientSession(auto_decompress=True)
    data = await request.bytes()
    async with _session.request(
        request.method,
        request.url,
        headers=request.headers,
        data=data or None,
        allow_redirects=redirect == "follow",
    ) as upstream:
        payload = await upstream.read()
        response = Response(
            payload,
            status=upstream.status,
            status_text=upstream.reason or "",
            headers=list(upstream.headers.items()),
        )
        response.url = str(upstream.url)
        return response


async def close_fetch_session() -> None:
    """Close the shared outbound HTTP session (called at server shutdown)."""
    global _session
    if _session is not None:
        await _session.close()
        _session = None
