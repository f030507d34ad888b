"""The 500 answer for an uncaught exception, chosen as ``wrangler dev`` chooses it.

Browsers (an ``Accept`` of ``text/html``, ``text/*`` or ``*/*`` and a User-Agent that is not curl)
get an HTML page; everything else gets plain text whose first line is ``<ErrorName>: <message>``.
Both carry the traceback.
"""

from __future__ import annotations

import html
import traceback

from aiohttp import web
from multidict import CIMultiDictProxy

__all__ = ["error_response"]


def _wants_html(headers: CIMultiDictProxy[str]) -> bool:
    user_agent = headers.get("User-Agent", "").lower()
    accept = headers.get("Accept", "").lower()
    return "curl/" not in user_agent and any(t in accept for t in ("text/html", "*/*", "text/*"))


def error_response(headers: CIMultiDictProxy[str], error: BaseException) -> web.Response:
    """A 500 response describing ``error``."""
    summary = f"{type(error).__name__}: {error}"
    stack = "".join(traceback.format_exception(error))
    if _wants_html(headers):
        page = (
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>An error has occurred</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2rem}pre{background:#f6f6f6;padding:1rem;"
            "overflow:auto}</style></head><body>"
            f"<h1>{html.escape(summary)}</h1><pre>{html.escape(stack)}</pre></body></html>"
        )
        return web.Response(status=500, text=page, content_type="text/html", charset="utf-8")
    body = summary + "\n" + "".join("    " + line for line in stack.splitlines(keepends=True))
    return web.Response(status=500, body=body.encode(), headers={"Content-Type": "text/plain;charset=UTF-8"})
