"""The ``/cdn-cgi/handler/*`` endpoints of ``wrangler dev``, and ``/__scheduled`` (``--test-scheduled``).

* ``/cdn-cgi/handler/scheduled[?cron=<expr>&time=<epoch ms>]`` — always there: runs the worker's
  ``scheduled`` handler and answers its outcome, ``ok`` (200) or e.g. ``exception`` (500).
  ``/cdn-cgi/mf/scheduled`` does the same and logs that it is deprecated.
* ``/cdn-cgi/handler/<anything else>`` — 404 with wrangler's text. Other ``/cdn-cgi/...`` paths go
  to the worker as usual.
* ``/__scheduled[?cron=<expr>]`` — only with ``--test-scheduled``: runs the handler and answers
  ``Ran scheduled event``; an exception in the handler answers 500 as a failed request does.

DO_SPEC §4.3; messages from miniflare's entry worker and wrangler's scheduled middleware.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Protocol

from aiohttp import web
from aiohttp.typedefs import Handler

from pyworker.dev_config import DevConfig
from pyworker.runtime.scheduled import ScheduledResult
from pyworker.server.log import log_request

__all__ = ["ScheduledHandler", "add_cdn_cgi_routes", "scheduled_warning"]

log = logging.getLogger("pyworker")

_LEGACY_DEPRECATED = (
    "Triggering scheduled handlers via a request to `/cdn-cgi/mf/scheduled` is deprecated, and will be "
    "removed in a future version of Miniflare. Instead, send a request to `/cdn-cgi/handler/scheduled`"
)


_LEADING_INTEGER = re.compile(r"\s*([+-]?\d+)")


class ScheduledHandler(Protocol):
    """What the endpoints need of the served worker (``pyworker.runtime.worker.Worker``); without
    ``dev``, as for a bare fetch handler, ``/__scheduled`` is not served."""

    dev: DevConfig

    async def scheduled(self, cron: str = "", scheduled_time: float | None = None) -> ScheduledResult: ...


def add_cdn_cgi_routes(app: web.Application, worker: ScheduledHandler) -> None:
    """Add the endpoints to ``app``; call before the catch-all route that serves the worker."""

    async def scheduled(incoming: web.Request) -> web.Response:
        started = time.perf_counter()
        if incoming.path == "/cdn-cgi/mf/scheduled":
            log.warning(_LEGACY_DEPRECATED)
        result = await worker.scheduled(incoming.query.get("cron", ""), _time(incoming.query.get("time")))
        outgoing = web.Response(status=200 if result.outcome == "ok" else 500, text=result.outcome)
        return _logged(incoming, outgoing, started)

    async def unknown_handler(incoming: web.Request) -> web.Response:
        text = (
            f'"{incoming.path}" is not a valid handler. Did you mean to use "/cdn-cgi/handler/scheduled" '
            'or "/cdn-cgi/handler/email"?'
        )
        return _logged(incoming, web.Response(status=404, text=text), time.perf_counter())

    async def test_scheduled(incoming: web.Request) -> web.Response:
        started = time.perf_counter()
        result = await worker.scheduled(incoming.query.get("cron", ""))
        if result.error is not None:
            from pyworker.server.error_page import error_response  # on the first error: a faster start
            outgoing = error_response(incoming.headers, result.error, incoming)
        else:
            outgoing = web.Response(text="Ran scheduled event")
        return _logged(incoming, outgoing, started)

    app.router.add_route("*", "/cdn-cgi/handler/scheduled", scheduled)
    app.router.add_route("*", "/cdn-cgi/mf/scheduled", scheduled)
    app.router.add_route("*", "/cdn-cgi/handler/{name:.*}", unknown_handler)
    dev = getattr(worker, "dev", None)  # a bare fetch handler (tests, benchmarks) has no settings
    if dev is not None and dev.test_scheduled:
        app.router.add_route("*", "/__scheduled", test_scheduled)
        app.middlewares.append(_hide_favicon_error_after_test_scheduled)


@web.middleware
async def _hide_favicon_error_after_test_scheduled(incoming: web.Request, handler: Handler) -> web.StreamResponse:
    """A browser showing ``/__scheduled`` also asks for ``/favicon.ico``: as wrangler's middleware
    does, a 500 from the worker there becomes an empty 404 instead of an error page."""
    outgoing = await handler(incoming)
    if (
        incoming.path == "/favicon.ico"
        and outgoing.status == 500
        and incoming.headers.get("Referer", "").endswith("/__scheduled")
    ):
        return web.Response(status=404)
    return outgoing


def _time(text: str | None) -> float | None:
    """``?time=`` as epoch ms, read as JavaScript's ``parseInt`` reads it; None when absent or no number."""
    match = _LEADING_INTEGER.match(text or "")
    return float(match.group(1)) if match else None


def _logged(incoming: web.Request, outgoing: web.Response, started: float) -> web.Response:
    log_request(incoming.method, incoming.path, outgoing.status, outgoing.reason or "", started, time.perf_counter())
    return outgoing


def scheduled_warning(crons: Sequence[str] | None, dev: DevConfig, host: str, port: int) -> str | None:
    """The start-up warning when there are crons but nothing runs them (DO_SPEC §4.3), else None."""
    if not crons or dev.test_scheduled or dev.crons:
        return None
    return (
        "Scheduled Workers are not automatically triggered during local development.\n"
        "To manually trigger a scheduled event, run:\n"
        f'  curl "http://{host}:{port}/cdn-cgi/handler/scheduled"\n'
        "For more details, see "
        "https://developers.cloudflare.com/workers/configuration/cron-triggers/#test-cron-triggers-locally"
    )
