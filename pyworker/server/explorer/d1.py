"""The explorer's D1 section: the D1 databases bound in ``env``, their tables, read-only queries.

A database is read from its SQLite file (the path ``pyworker.bindings.d1`` gives it) through a
read-only connection, never through the binding, so no query typed here can write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from pyworker.bindings.d1 import database_identity, database_path
from pyworker.config import LoadedConfig
from pyworker.dev_config import DevConfig
from pyworker.runtime.d1_database import D1Database
from pyworker.server.explorer import readonly_sql
from pyworker.server.explorer.errors import BadRequest, NotFound

__all__ = ["ServedConfig", "database_tables", "list_databases", "run_query"]


class ServedConfig(Protocol):
    """What the section needs of the served worker: its bindings, config and settings."""

    env: Any
    dev: DevConfig

    @property
    def loaded(self) -> LoadedConfig: ...


def _databases(source: ServedConfig) -> dict[str, tuple[str, Path]]:
    """Bound D1 databases: binding -> (database name, SQLite file)."""
    bound = {name for name, value in vars(source.env).items() if isinstance(value, D1Database)}
    persist_root = source.dev.persist_root(source.loaded.root)
    return {
        database.binding: (database.database_name or database_identity(database), database_path(persist_root, database))
        for database in source.loaded.config.d1_databases
        if database.binding in bound
    }


def _database(source: ServedConfig, binding: str) -> tuple[str, Path]:
    found = _databases(source).get(binding)
    if found is None:
        raise NotFound(f"No D1 binding named {binding!r}")
    return found


def list_databases(source: ServedConfig) -> list[dict[str, Any]]:
    """Every D1 binding with its database name."""
    return [{"binding": binding, "name": name} for binding, (name, _) in _databases(source).items()]


def database_tables(source: ServedConfig, binding: str) -> dict[str, Any]:
    """``binding``'s database with its tables and their row counts."""
    name, path = _database(source, binding)
    return {"binding": binding, "name": name, "tables": readonly_sql.user_tables(path)}


def run_query(source: ServedConfig, binding: str, sql: str) -> dict[str, Any]:
    """A read-only query on ``binding``'s database."""
    _, path = _database(source, binding)
    try:
        return readonly_sql.query(path, sql)
    except readonly_sql.QueryError as error:
        raise BadRequest(str(error)) from None
