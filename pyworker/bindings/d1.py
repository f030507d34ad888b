"""``[[d1_databases]]``: one ``D1Database`` per binding, a local SQLite file in wrangler's layout.

A database is identified locally by ``preview_database_id``, else ``database_id``, else the binding
name (``wrangler dev``'s rule); its file is
``<persist root>/v3/d1/miniflare-D1DatabaseObject/<idFromName("miniflare-D1DatabaseObject", identity)>.sqlite``,
the same file ``wrangler d1 execute --local`` and ``pyworker d1 migrations apply`` use. It stays open
across reloads.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from pyworker.bindings import BindingContext, BindingRow
from pyworker.config import D1Database as D1DatabaseConfig
from pyworker.runtime.d1_database import D1Database, D1Engine
from pyworker.runtime.ids import IdFactory
from pyworker.storage.sqlite_store import SqliteStore

__all__ = ["D1_OBJECT_KEY", "build", "database_identity", "database_path", "describe", "open_engine"]

D1_OBJECT_KEY = "miniflare-D1DatabaseObject"
"""The unique key of the Durable Object namespace miniflare keeps D1 databases in."""


def database_identity(database: D1DatabaseConfig) -> str:
    """``preview_database_id ?? database_id ?? binding``."""
    return database.preview_database_id or database.database_id or database.binding


def database_path(persist_root: Path, database: D1DatabaseConfig) -> Path:
    """The SQLite file of ``database`` under ``persist_root``."""
    object_id = IdFactory(D1_OBJECT_KEY).from_name(database_identity(database)).toString()
    return persist_root / "v3" / "d1" / D1_OBJECT_KEY / f"{object_id}.sqlite"


def open_engine(persist_root: Path, database: D1DatabaseConfig) -> D1Engine:
    """A query engine on ``database``'s file (created on first write)."""
    return D1Engine(SqliteStore(database_path(persist_root, database)))


def build(context: BindingContext) -> dict[str, Any]:
    """A ``D1Database`` per binding over its (possibly carried-over) engine."""
    databases: dict[str, Any] = {}
    for database in context.loaded.config.d1_databases:
        key = f"d1:{database_identity(database)}"
        engine = context.resource(key, partial(open_engine, context.persist_root, database))
        databases[database.binding] = D1Database(database.binding, engine)
    return databases


def describe(context: BindingContext) -> list[BindingRow]:
    """``env.DB (<database name or id>)   D1 Database   local``."""
    return [
        BindingRow(f"env.{db.binding} ({db.database_name or database_identity(db)})", "D1 Database", "local")
        for db in context.loaded.config.d1_databases
    ]
