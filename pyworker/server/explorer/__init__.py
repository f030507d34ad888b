"""The local explorer of ``pyworker dev`` (``http://127.0.0.1:8787/cdn-cgi/explorer``): browse the
worker's Durable Objects (stored keys and values, SQL tables, alarms, WebSockets), KV namespaces and
D1 databases, edit stored keys, and run read-only SQL — in a page or through its JSON API."""

from pyworker.server.explorer.routes import EXPLORER_PATH, add_explorer_routes

__all__ = ["EXPLORER_PATH", "add_explorer_routes"]
