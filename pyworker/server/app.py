"""The aiohttp application of ``pyworker dev``: every request goes to ``Worker.fetch``."""

from __future__ import annotations

import time
from typing import Protocol

from aiohttp import web
from multidict import CIMultiDict

from pyworker.runtime.cf import default_cf
from pyworker.runtime.http import Request, Response, reason_phrase
from pyworker.server.error_page import error_response
from pyworker.server.log import log, log_request

__all__ = ["create_app", "FetchHandler"]

class FetchHandler(Protocol):
    """What the server serves: anything with ``async fetch(request) -> Response``."""

    async def fetch(self, request: Request) -> Response: ...


def _to_request(incoming: web.Request) -> Request:
    headers = CIMultiDict(incoming.headers)
    if incoming.remote:
        headers["CF-Connecting-IP"] = incoming.remote
    url = f"{incoming.scheme}://{incoming.host}{incoming.raw_path}"
    source = incoming if incoming.body_exists else None
    return Request._from_source(url, incoming.method, headers, source, default_cf())


def _to_web_response(response: Response) -> web.Response:
    status_text = response.status_text or reason_phrase(response.status)
    return web.Response(
        status=response.status,
        reason=status_text or None,
        body=response.buffered_body,
        headers=response.headers,
    )


def create_app(worker: FetchHandler) -> web.Application:
    """An aiohttp app that hands every request, any method and path, to ``worker``."""

    async def handle(incoming: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            outgoing = _to_web_response(await worker.fetch(_to_request(incoming)))
        except Exception as error:
            log.error("%s: %s", type(error).__name__, error, exc_info=error)
            outgoing = error_response(incoming.headers, error)
        log_request(incoming.method, incoming.raw_path.partition("?")[0], outgoing.status, outgoing.reason, started, time.perf_counter())
        return outgoing

    app = web.Application(client_max_size=100 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", handle)
    return app
