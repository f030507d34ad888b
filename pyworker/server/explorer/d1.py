"""The explorer's D1 section: the D1 databases bound in ``env``, their tables, read-only queries.

A database is read from its SQLite file (the path ``pyworker.bindings.d1`` gives it) through a
read-only connection, never through the binding, so no query typed here can write.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from pyworker.bindings.d1 import database_identity, database_path
from pyworker.config import LoadedConfig
from pyworker.runtime.d1_database import D1Database
from pyworker.server.explorer import readonly_sql
from pyworker.server.explorer.errors import BadRequest, NotFound

__all__ = ["DatabaseFile", "bound_databases", "database_tables", "list_databases", "run_query"]


class DatabaseFile(NamedTuple):
    """A bound database: its name (or id) and its SQLite file."""

    name: str
    path: Path


def bound_databases(env: Any, loaded: LoadedConfig, persist_root: Path) -> dict[str, DatabaseFile]:
    """The D1 databases ``env`` has a binding for, by binding name."""
    bound = {name for name, value in vars(env).items() if isinstance(value, D1Database)}
    return {
        database.binding: DatabaseFile(
            database.database_name or database_identity(database), database_path(persist_root, database)
        )
        for database in loaded.config.d1_databases
        if database.binding in bound
    }


def _database(databases: Mapping[str, DatabaseFile], binding: str) -> DatabaseFile:
    found = databases.get(binding)
    if found is None:
        raise NotFound(f"No D1 binding named {binding!r}")
    return found


def list_databases(databases: Mapping[str, DatabaseFile]) -> list[dict[str, Any]]:
    """Every bound database: binding and database name."""
    return [{"binding": binding, "name": database.name} for binding, database in databases.items()]


def database_tables(databases: Mapping[str, DatabaseFile], binding: str) -> dict[str, Any]:
    """``binding``'s database with its tables and their row counts."""
    database = _database(databases, binding)
    return {"binding": binding, "name": database.name, "tables": readonly_sql.user_tables(database.path)}


def run_query(databases: Mapping[str, DatabaseFile], binding: str, sql: str) -> dict[str, Any]:
    """A read-only query on ``binding``'s database."""
    try:
        return readonly_sql.query(_database(databases, binding).path, sql)
    except readonly_sql.QueryError as error:
        raise BadRequest(str(error)) from None
