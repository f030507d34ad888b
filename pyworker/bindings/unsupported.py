"""Binding kinds pyworker reads from the config but does not serve yet (KV, D1).

They are listed in the bindings table as "not supported yet" and are absent from ``env``, so code
that uses them fails with an AttributeError that names the binding.
"""

from __future__ import annotations

from typing import Any

from pyworker.bindings import BindingContext, BindingRow

__all__ = ["build", "describe"]


def build(context: BindingContext) -> dict[str, Any]:
    """Nothing: these kinds are not served yet."""
    return {}


def describe(context: BindingContext) -> list[BindingRow]:
    """KV namespaces and D1 databases, marked as not served."""
    config = context.loaded.config
    rows = [BindingRow(f"env.{kv.binding} ({kv.id or kv.binding})", "KV Namespace", "not supported yet")
            for kv in config.kv_namespaces]
    rows += [BindingRow(f"env.{db.binding} ({db.database_name or db.binding})", "D1 Database", "not supported yet")
             for db in config.d1_databases]
    return rows
