"""``[[kv_namespaces]]``: one ``KVNamespace`` per binding, stored locally in wrangler's layout.

A namespace is identified locally by its ``id`` (the binding name when it has none), as in
``wrangler dev``; bindings with the same id share the data. Its store stays open across reloads.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pyworker.bindings import BindingContext, BindingRow
from pyworker.config import KVNamespace as KVNamespaceConfig
from pyworker.runtime.kv_namespace import KVNamespace
from pyworker.storage.kv_store import KeyValueStore

__all__ = ["build", "describe", "namespace_id"]


def namespace_id(binding: KVNamespaceConfig) -> str:
    """The namespace's local identity: its ``id``, else the binding name."""
    return binding.id or binding.binding


def build(context: BindingContext) -> dict[str, Any]:
    """A ``KVNamespace`` per binding over its (possibly carried-over) store."""
    namespaces: dict[str, Any] = {}
    for binding in context.loaded.config.kv_namespaces:
        identity = namespace_id(binding)
        store = context.resource(f"kv:{identity}", partial(KeyValueStore, context.persist_root, identity))
        namespaces[binding.binding] = KVNamespace(binding.binding, store, context.clock)
    return namespaces


def describe(context: BindingContext) -> list[BindingRow]:
    """``env.CACHE (<id>)   KV Namespace   local``."""
    return [
        BindingRow(f"env.{b.binding} ({namespace_id(b)})", "KV Namespace", "local")
        for b in context.loaded.config.kv_namespaces
    ]
