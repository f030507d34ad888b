"""The explorer's KV section: the KV namespaces bound in ``env`` and their keys, read through the
binding's own API (so expired keys are hidden exactly as ``get``/``list`` hide them)."""

from __future__ import annotations

from typing import Any

from pyworker.runtime.kv_namespace import KVNamespace
from pyworker.server.explorer.errors import NotFound
from pyworker.server.explorer.values import to_json

__all__ = ["PAGE_SIZE", "list_namespaces", "namespace_keys"]

PAGE_SIZE = 100
"""Keys per page of ``namespace_keys``."""


def _namespaces(env: Any) -> dict[str, KVNamespace]:
    return {name: value for name, value in vars(env).items() if isinstance(value, KVNamespace)}


async def list_namespaces(env: Any) -> list[dict[str, Any]]:
    """Every KV binding of ``env`` with the number of keys on its first page (``more`` if there are more)."""
    rows = []
    for binding, namespace in _namespaces(env).items():
        page = await namespace.list({"limit": PAGE_SIZE})
        rows.append({"binding": binding, "keys": len(page["keys"]), "more": not page["list_complete"]})
    return rows


async def namespace_keys(env: Any, binding: str, prefix: str = "", cursor: str | None = None) -> dict[str, Any]:
    """A page of ``binding``'s keys with their values (text, or hex when not UTF-8), expiration and metadata."""
    namespace = _namespaces(env).get(binding)
    if namespace is None:
        raise NotFound(f"No KV binding named {binding!r}")
    page = await namespace.list({"prefix": prefix, "cursor": cursor, "limit": PAGE_SIZE})
    keys = []
    for listed in page["keys"]:
        data = await namespace.get(listed["name"], "arrayBuffer")
        keys.append({
            "name": listed["name"],
            "expiration": listed.get("expiration"),
            "metadata": to_json(listed.get("metadata")),
            **_value(data),
        })
    return {"binding": binding, "keys": keys, "cursor": page.get("cursor"), "complete": page["list_complete"]}


def _value(data: memoryview | None) -> dict[str, Any]:
    """``{"type", "value"}``: ``text`` for UTF-8, ``bytes`` (as hex) otherwise; a key that expired
    between listing and reading has ``null``."""
    if data is None:
        return {"type": "null", "value": None}
    try:
        return {"type": "text", "value": bytes(data).decode()}
    except UnicodeDecodeError:
        return {"type": "bytes", "value": to_json(data)}
