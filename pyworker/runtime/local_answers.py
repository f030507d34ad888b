"""Local answers to outbound requests for Cloudflare-only endpoints, so workers that call them run offline.

``https://www.cloudflare.com/cdn-cgi/trace`` describes the connection as Cloudflare's edge sees it.
Offline, ``wrangler dev`` cannot reach it: the ``fetch`` fails and the worker answers 500. pyworker
answers it itself instead, with trace text that agrees with its local ``request.cf``
(``pyworker.runtime.cf``): colo ``DFW``, country ``US``, TLS 1.3. This is a deliberate difference from
``wrangler dev``, which is why it is the only endpoint answered locally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pyworker.runtime import current, http
from pyworker.runtime.cf import default_cf

if TYPE_CHECKING:
    from pyworker.runtime.http import Request, Response

__all__ = ["local_answer"]


def _cdn_cgi_trace(request: Request) -> Response:
    """``key=value`` lines in the order the real endpoint writes them."""
    cf = default_cf()
    fields = {
        "fl": "0f000",
        "h": urlsplit(request.url).hostname,
        "ip": "127.0.0.1",
        "ts": f"{current.now_ms() / 1000:.3f}",
        "visit_scheme": "https",
        "uag": request.headers.get("User-Agent", ""),
        "colo": cf["colo"],
        "sliver": "none",
        "http": cf["httpProtocol"].lower(),
        "loc": cf["country"],
        "tls": cf["tlsVersion"],
        "sni": "plaintext",
        "warp": "off",
        "gateway": "off",
        "rbi": "off",
        "kex": "X25519",
    }
    body = "".join(f"{key}={value}\n" for key, value in fields.items())
    return http.Response(body, headers={"content-type": "text/plain"})


_ANSWERS: dict[tuple[str, str], Callable[[Request], Response]] = {
    ("www.cloudflare.com", "/cdn-cgi/trace"): _cdn_cgi_trace,
}


def local_answer(request: Request) -> Response | None:
    """pyworker's own answer to ``request``, or None when the request should go to the network."""
    url = urlsplit(request.url)
    answer = _ANSWERS.get((url.hostname or "", url.path))
    return None if answer is None else answer(request)
