"""Mounting the explorer on the dev server: the page at ``/cdn-cgi/explorer``, its script and style
sheet under ``/cdn-cgi/explorer/static/``, and the JSON API (with its OpenAPI document) under
``/cdn-cgi/explorer/api``.

The page is plain HTML, CSS and JavaScript shipped in this package (``static/``); it loads nothing
from anywhere else, which its Content-Security-Policy enforces.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from pyworker.server.explorer.api import ServedWorker, add_api_routes
from pyworker.server.explorer.openapi import document

__all__ = ["EXPLORER_PATH", "add_explorer_routes"]

EXPLORER_PATH = "/cdn-cgi/explorer"
"""Where the explorer is served."""

_API = EXPLORER_PATH + "/api"
_STATIC = Path(__file__).with_name("static")
_CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


def _asset(name: str) -> web.Response:
    """A file of ``static/`` with its content type, or 404."""
    path = _STATIC / name
    suffix = "." + name.rpartition(".")[2]
    if suffix not in _CONTENT_TYPES or not path.is_file():
        raise web.HTTPNotFound(text=f"No explorer asset named {name!r}")
    return web.Response(body=path.read_bytes(), content_type=_CONTENT_TYPES[suffix], charset="utf-8", headers=_HEADERS)


def add_explorer_routes(app: web.Application, source: ServedWorker) -> None:
    """Add the explorer's routes to ``app``; call before the catch-all route that serves the worker."""

    async def page(request: web.Request) -> web.Response:
        return _asset("index.html")

    async def static(request: web.Request) -> web.Response:
        return _asset(request.match_info["name"])

    async def openapi(request: web.Request) -> web.Response:
        return web.json_response(document(_API))

    app.router.add_get(EXPLORER_PATH, page)
    app.router.add_get(EXPLORER_PATH + "/", page)
    app.router.add_get(EXPLORER_PATH + "/static/{name}", static)
    app.router.add_get(_API + "/openapi.json", openapi)
    add_api_routes(app, source, _API)
