"""``pyworker d1 migrations create|list|apply DATABASE``: D1 SQL migrations, as ``wrangler d1 migrations``.

Migrations are the ``.sql`` files of the database's ``migrations_dir`` (default ``migrations/``, next
to the config), named ``<number>_<message>.sql`` (``0001_create_users.sql``) and applied in number
order to the local database ``pyworker dev`` serves (``--persist-to`` as for ``pyworker dev``). Applied
ones are recorded in wrangler's table (``migrations_table``, default ``d1_migrations``: ``id``,
``name``, ``applied_at``), so wrangler and pyworker agree on what is applied. Each migration runs in
one transaction together with its record: a failing migration leaves nothing behind, and the ones
before it stay applied.

``DATABASE`` is a binding name or a ``database_name`` of ``[[d1_databases]]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

from pyworker.bindings.d1 import open_engine
from pyworker.commands._project import (
    Project,
    add_project_options,
    format_table,
    open_project,
)
from pyworker.config import D1Database
from pyworker.errors import ConfigError, PyworkerError
from pyworker.runtime.d1_database import D1Engine, D1QueryError

__all__ = ["register"]

_NUMBER = re.compile(r"^(\d+)")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``d1 migrations create|list|apply`` to the command line."""
    parser = commands.add_parser("d1", help="D1 databases: SQL migrations of the local database")
    d1_commands = parser.add_subparsers(dest="d1_command", metavar="SUBCOMMAND", required=True)
    migrations = d1_commands.add_parser("migrations", help="create, list and apply D1 migrations")
    subcommands = migrations.add_subparsers(dest="d1_migrations_command", metavar="SUBCOMMAND", required=True)

    create = subcommands.add_parser("create", help="add an empty, numbered migration file")
    create.add_argument("database", help="binding or database_name of the D1 database")
    create.add_argument("message", help="what the migration does; becomes the file name")
    add_project_options(create)
    create.set_defaults(run=run_create)

    for name, run, what in (
        ("list", run_list, "the migrations not applied to the local database yet"),
        ("apply", run_apply, "apply the migrations not applied yet, in order"),
    ):
        sub = subcommands.add_parser(name, help=what)
        sub.add_argument("database", help="binding or database_name of the D1 database")
        sub.add_argument("--local", action="store_true", help="the local database (the default; the only one)")
        add_project_options(sub, persist_help="local state to use (default: .wrangler/state)")
        sub.set_defaults(run=run)


def _database(project: Project, name: str) -> D1Database:
    """The ``[[d1_databases]]`` entry whose binding or ``database_name`` is ``name``."""
    for database in project.loaded.config.d1_databases:
        if name in (database.binding, database.database_name):
            return database
    raise ConfigError(f"Couldn't find a D1 DB with the name or binding '{name}' in your {project.file} file.")


def _migrations_dir(project: Project, database: D1Database, *, create: bool) -> Path:
    folder = (project.loaded.root / database.migrations_dir).resolve()
    if folder.is_dir():
        return folder
    if create:
        folder.mkdir(parents=True)
        return folder
    hint = ""
    if database.migrations_dir == "migrations":
        hint = " Set `migrations_dir` in wrangler.toml to choose a different path."
    print(f"▲ [WARNING] No migrations folder found.{hint}")
    raise PyworkerError(f"No migrations present at {folder}.")


def _migration_files(folder: Path) -> list[str]:
    """The ``.sql`` files of ``folder``, in number order."""
    names = [path.name for path in folder.iterdir() if path.name.endswith(".sql") and path.is_file()]
    return sorted(names, key=lambda name: (_number(name), name))


def _number(name: str) -> int:
    match = _NUMBER.match(name)
    return int(match.group(1)) if match else -1


def run_create(args: argparse.Namespace) -> int:
    """Write ``<next number>_<message>.sql`` with wrangler's header line."""
    project = open_project(args)
    folder = _migrations_dir(project, _database(project, args.database), create=True)
    number = f"{max((_number(name) for name in _migration_files(folder)), default=0) + 1:04d}"
    name = f"{number}_{args.message.replace(' ', '_')}.sql"
    timestamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    (folder / name).write_text(f"-- Migration number: {number} \t {timestamp}\n", encoding="utf-8")
    print(f"✅ Successfully created Migration '{name}'!\n")
    print("The migration is available for editing here")
    print(folder / name)
    return 0


def _pending(engine: D1Engine, table: str, folder: Path) -> list[str]:
    """Create the tracking table if needed; the migration files it does not list."""
    _execute(
        engine,
        f"CREATE TABLE IF NOT EXISTS {table}(\n"
        "    id         INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "    name       TEXT UNIQUE,\n"
        "    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n"
        ");",
    )
    applied = {row[0] for row in _execute(engine, f"SELECT name FROM {table} ORDER BY id")}
    return [name for name in _migration_files(folder) if name not in applied]


def _execute(engine: D1Engine, sql: str) -> list[list[object]]:
    """Run ``sql`` in one transaction; the rows of its last statement."""
    try:
        return engine.run([(sql, ())])[0]["rows"]
    except D1QueryError as error:
        raise PyworkerError(str(error)) from None


def run_list(args: argparse.Namespace) -> int:
    """Print the migrations that are not applied yet."""
    project = open_project(args)
    database = _database(project, args.database)
    folder = _migrations_dir(project, database, create=False)
    engine = open_engine(project.persist_root, database)
    try:
        pending = _pending(engine, database.migrations_table, folder)
    finally:
        engine.close()
    if not pending:
        print("✅ No migrations to apply!")
        return 0
    print("Migrations to be applied:")
    print(format_table(("Name",), [(name,) for name in pending]))
    return 0


def run_apply(args: argparse.Namespace) -> int:
    """Apply each pending migration in its own transaction, recording it in the tracking table."""
    project = open_project(args)
    database = _database(project, args.database)
    folder = _migrations_dir(project, database, create=False)
    table = database.migrations_table
    engine = open_engine(project.persist_root, database)
    try:
        pending = _pending(engine, table, folder)
        if not pending:
            print("✅ No migrations to apply!")
            return 0
        print("Migrations to be applied:")
        print(format_table(("name",), [(name,) for name in pending]))
        status = dict.fromkeys(pending, "🕒️")
        for name in pending:
            sql = (folder / name).read_text(encoding="utf-8")
            sql += f"\nINSERT INTO {table} (name)\nvalues ('{name}');\n"
            try:
                engine.run([(sql, ())])
            except D1QueryError as error:
                status[name] = "❌"
                print(format_table(("name", "status"), list(status.items())))
                print(f"✘ [ERROR] Migration {name} failed with the following errors:")
                raise PyworkerError(str(error)) from None
            status[name] = "✅"
            print(format_table(("name", "status"), list(status.items())))
    finally:
        engine.close()
    return 0
