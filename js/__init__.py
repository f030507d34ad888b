"""Cloudflare's ``js`` module, served by pyworker: the JavaScript globals Python Workers code imports.

``from js import WebSocketPair``, then ``client, server = WebSocketPair.new().object_values()``.
Only what Worker code commonly uses is here; see ``pyworker.runtime.jsglobals``.
"""

from pyworker.runtime.jsglobals import Date, Object, Response, console
from pyworker.runtime.streams import ReadableStream, TextDecoder, TextEncoder, Uint8Array
from pyworker.runtime.websockets import WebSocketPair, WebSocketRequestResponsePair

__all__ = [
    "Date",
    "Object",
    "ReadableStream",
    "Response",
    "TextDecoder",
    "TextEncoder",
    "Uint8Array",
    "WebSocketPair",
    "WebSocketRequestResponsePair",
    "console",
]
