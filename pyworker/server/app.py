"""The aiohttp application of ``pyworker dev``: every request goes to ``Worker.fetch``."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from aiohttp import web
from multidict import CIMultiDict

from pyworker.runtime.cf import default_cf
from pyworker.runtime.http import Request, Response, reason_phrase
from pyworker.server.cdn_cgi import add_cdn_cgi_routes
from pyworker.server.explorer import add_explorer_routes
from pyworker.server.guards import app_options
from pyworker.server.log import log, log_request
from pyworker.server.websocket_bridge import close_websockets, serve_websocket

__all__ = ["create_app", "FetchHandler"]


class FetchHandler(Protocol):
    """What the server serves: anything with ``async fetch(request) -> Response``."""

    async def fetch(self, request: Request) -> Response: ...


def _to_request(incoming: web.Request) -> Request:
    headers = CIMultiDict(incoming.headers)
    if incoming.remote and "CF-Connecting-IP" not in headers:  # a client-sent value passes, as in wrangler dev
        headers["CF-Connecting-IP"] = incoming.remote
    url = f"{incoming.scheme}://{incoming.host}{incoming.raw_path}"
    source = incoming if incoming.body_exists else None
    return Request._from_source(url, incoming.method, headers, source, default_cf())


def _to_web_response(response: Response) -> web.StreamResponse:
    status_text = response.status_text or reason_phrase(response.status)
    if response.streamed:
        return web.StreamResponse(status=response.status, reason=status_text or None, headers=response.headers)
    return web.Response(
        status=response.status,
        reason=status_text or None,
        body=response.buffered_body,
        headers=response.headers,
    )


async def _send_stream(incoming: web.Request, outgoing: web.StreamResponse, response: Response) -> None:
    """Write a streamed body chunk by chunk as it is produced; a client that leaves cancels the stream."""
    stream = response.body
    assert stream is not None
    await outgoing.prepare(incoming)
    try:
        async for chunk in stream.chunks():
            await outgoing.write(chunk)
        await outgoing.write_eof()
    except (ConnectionError, asyncio.CancelledError):
        await stream.cancel("client disconnected")
        raise


def create_app(worker: FetchHandler) -> web.Application:
    """An aiohttp app that hands every request, any method and path, to ``worker``."""

    async def handle(incoming: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        response = None
        try:
            response = await worker.fetch(_to_request(incoming))
            if response.status == 101 and response.web_socket is not None:
                return await serve_websocket(incoming, response, started)
            outgoing = _to_web_response(response)
        except Exception as error:
            log.error("%s: %s", type(error).__name__, error, exc_info=error)
            from pyworker.server.error_page import error_response  # on the first error: a faster start
            outgoing = error_response(incoming.headers, error, incoming)
        path = incoming.raw_path.partition("?")[0]
        log_request(incoming.method, path, outgoing.status, outgoing.reason, started, time.perf_counter())
        if response is not None and response.streamed:
            await _send_stream(incoming, outgoing, response)
        return outgoing

    app = web.Application(**app_options(getattr(worker, "dev", None)))  # body limit, local-only paths, slow bodies
    add_cdn_cgi_routes(app, worker)  # type: ignore[arg-type]  # the served worker also runs scheduled events
    add_explorer_routes(app, worker)  # type: ignore[arg-type]  # the served worker has env, config and settings
    app.router.add_route("*", "/{tail:.*}", handle)
    app.on_shutdown.append(close_websockets)
    return app
