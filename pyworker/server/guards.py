"""Request guards of ``pyworker dev``: what the server refuses before the worker sees a request.

* **Body size** — a request body over ``DevConfig.max_body_size`` (100 MiB by default, Cloudflare's
  limit on the Free and Pro plans) is answered ``413``: at once when its
  ``Content-Length`` says so, else as soon as a chunked body passes the limit.
* **Local-only endpoints** — ``/cdn-cgi/*`` (the explorer, the scheduled handler, ...) and
  ``/__scheduled`` answer only requests whose ``Host`` and ``Origin`` name this machine:
  ``localhost`` (or ``*.localhost``), ``127.0.0.0/8``, ``[::1]``, or the ``--ip`` the server listens
  on. Anything else gets ``403``: a web page whose own name was pointed at 127.0.0.1 (DNS
  rebinding) cannot drive them from the developer's browser.
* **Host** — a ``Host`` header that is not a host name or address with an optional port (``[::1``,
  ``a/b``, a space) is answered ``400``: the worker's ``request.url`` is built from it.
* **Methods** — a method the runtime's ``Request`` has no name for (WebDAV's ``PROPFIND``,
  ``PURGE``) is answered ``501 Not Implemented`` instead of failing inside the worker.
* **Malformed requests** — aiohttp answers them 400 and logs its parser's traceback; the server
  logger of ``server_options`` shows one line instead: ``Bad request from 127.0.0.1: ...``.
* **Slow clients** — a request's headers must arrive within ``DevConfig.client_timeout`` (aiohttp's
  keep-alive timer, set by ``server_options``) and its body within that time after them, else
  ``408 Request Timeout``. Every connection has its own task, so a slow client holds up no other.

``app_options`` and ``server_options`` are all the server needs: ``web.Application(**app_options(dev))``
and ``web.AppRunner(app, **server_options(dev))``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import time
from collections.abc import Awaitable, Callable
from http import HTTPMethod
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from pyworker.dev_config import DEFAULT_CLIENT_TIMEOUT, DEFAULT_MAX_BODY_SIZE, DevConfig
from pyworker.server.log import log_request

__all__ = ["LOCAL_ONLY_PREFIXES", "app_options", "is_local_host", "server_options"]

LOCAL_ONLY_PREFIXES = ("/cdn-cgi/",)
"""Paths served only to requests addressed to this machine (``/__scheduled`` too, with ``--test-scheduled``)."""

_METHODS = frozenset(HTTPMethod.__members__)
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]*)(:[0-9]*)?")
"""RFC 3986's ``host [ ":" port ]`` (an IP literal or a registered name)."""

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def app_options(dev: DevConfig | None) -> dict[str, Any]:
    """Keyword arguments of ``web.Application``: the body limit and the guard middleware."""
    max_body = DEFAULT_MAX_BODY_SIZE if dev is None else dev.max_body_size
    return {"client_max_size": max_body, "middlewares": [_guard(dev)]}


def server_options(dev: DevConfig | None) -> dict[str, Any]:
    """Keyword arguments of ``web.AppRunner``: a connection with no complete request after
    ``client_timeout`` seconds (idle, or headers still arriving) is closed; malformed requests are
    logged in one line."""
    timeout = DEFAULT_CLIENT_TIMEOUT if dev is None else dev.client_timeout
    return {"keepalive_timeout": timeout, "logger": _server_logger()}


class _BadRequestLine(logging.Filter):
    """aiohttp logs a request its parser refused with the parser's traceback: make it one warning line."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg, record.args = "Bad request from %s: %s", (remote, " ".join(error.message.split())[:200])
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            return logging.getLogger(record.name).isEnabledFor(logging.WARNING)
        return True


def _server_logger() -> logging.Logger:
    """The logger aiohttp's connection handlers report to: pyworker's, with ``_BadRequestLine``."""
    logger = logging.getLogger("pyworker.server")
    if not any(isinstance(f, _BadRequestLine) for f in logger.filters):
        logger.addFilter(_BadRequestLine())
    return logger


def is_local_host(host: str, listen_ip: str = "127.0.0.1") -> bool:
    """True when ``host`` (a ``Host`` header value or URL host, port allowed) names this machine:
    ``localhost``, ``*.localhost``, a loopback address, or ``listen_ip``."""
    name = host.strip().lower()
    if name.startswith("["):  # [::1]:8787
        name = name[1 : name.find("]")] if "]" in name else name[1:]
    elif name.count(":") == 1:  # 127.0.0.1:8787, localhost:8787
        name = name.partition(":")[0]
    name = name.rstrip(".")
    if name == "localhost" or name.endswith(".localhost") or name == listen_ip.strip("[]").lower():
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _refusal(headers: Any, listen_ip: str) -> str | None:
    """Why a request to a local-only endpoint is refused (None: it is addressed to this machine)."""
    host = headers.get("Host")
    if host is not None and not is_local_host(host, listen_ip):
        return f"its Host is {host!r}"
    for origin in headers.getall("Origin", ()):
        hostname = urlsplit(origin).hostname if "://" in origin else None
        if hostname is None or not is_local_host(hostname, listen_ip):
            return f"its Origin is {origin!r}"
    return None


def _guard(dev: DevConfig | None) -> Callable[[web.Request, _Handler], Awaitable[web.StreamResponse]]:
    max_body = DEFAULT_MAX_BODY_SIZE if dev is None else dev.max_body_size
    timeout = DEFAULT_CLIENT_TIMEOUT if dev is None else dev.client_timeout
    listen_ip = "127.0.0.1" if dev is None else dev.ip
    local_only = LOCAL_ONLY_PREFIXES + (("/__scheduled",) if dev is not None and dev.test_scheduled else ())

    @web.middleware
    async def guard(request: web.Request, handler: _Handler) -> web.StreamResponse:
        started = time.perf_counter()
        host = request.headers.get("Host")
        if host is not None and not _HOST.fullmatch(host):
            return _refuse(request, 400, _bad_host(host), started)
        if request.method not in _METHODS:
            return _refuse(request, 501, _no_method(request.method), started)
        if request.path.startswith(local_only) or request.raw_path.startswith(local_only):
            if reason := _refusal(request.headers, listen_ip):
                return _refuse(request, 403, _forbidden(request.path, reason), started)
        if request.body_exists:
            length = request.content_length
            if max_body and length is not None and length > max_body:
                return _refuse(request, 413, _too_large(length, max_body), started)
            try:
                # The whole body is read here (the worker's Request reads it whole too): aiohttp
                # keeps it for request.read(), and enforces client_max_size on a chunked body.
                await asyncio.wait_for(request.read(), timeout)
            except web.HTTPRequestEntityTooLarge:
                return _refuse(request, 413, _too_large(None, max_body), started)
            except TimeoutError:
                return _refuse(request, 408, _too_slow(timeout), started)
        return await handler(request)

    return guard


def _refuse(request: web.Request, status: int, text: str, started: float) -> web.Response:
    response = web.Response(status=status, text=text + "\n")
    if status != 403:
        response.force_close()  # the rest of the body is not read: this connection cannot carry another request
    log_request(request.method, request.path, status, response.reason or "", started, time.perf_counter())
    return response


def _forbidden(path: str, reason: str) -> str:
    return (
        f"Forbidden: {path} answers only requests addressed to this machine, and {reason}. "
        "Use http://localhost:<port> or http://127.0.0.1:<port> (or the --ip address) in the URL; "
        "this check protects the local endpoints from DNS rebinding."
    )


def _bad_host(host: str) -> str:
    return f"Bad Request: the Host header {host!r} is not a host name or address with an optional port."


def _no_method(method: str) -> str:
    return (
        f"Not Implemented: {method} is not a method pyworker can hand to a worker; "
        f"use one of {', '.join(sorted(_METHODS))}."
    )


def _too_large(length: int | None, limit: int) -> str:
    size = f"is {length} bytes" if length is not None else "is larger"
    return (
        f"Payload Too Large: the request body {size}; the limit is {limit} bytes "
        f"({limit / 1024 / 1024:g} MiB, as Cloudflare's on the Free and Pro plans). "
        "Set PYWORKER_MAX_BODY_SIZE (bytes) to change it."
    )


def _too_slow(timeout: float) -> str:
    return (
        f"Request Timeout: the request body did not arrive within {timeout:g} s. "
        "Set PYWORKER_CLIENT_TIMEOUT (seconds) to change it."
    )
