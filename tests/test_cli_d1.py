"""``pyworker d1 migrations create|list|apply``: in-process through ``cli.main``, then served by a worker."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from pyworker.bindings.d1 import database_path
from pyworker.cli import main
from pyworker.config import load_config

D1 = """
[[d1_databases]]
binding = "DB"
database_name = "app-db"
database_id = "0b9a1e3c-0000-4000-8000-000000000001"
"""
ENTRY = """
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        rows = await self.env.DB.prepare("SELECT name FROM users ORDER BY id").raw()
        return Response.json(rows)
"""


@pytest.fixture
def root(project, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a D1 database, as the working directory."""
    folder = project({"src/entry.py": ENTRY}, D1)
    monkeypatch.chdir(folder)
    return folder


def _migration(root: Path, name: str, sql: str) -> None:
    (root / "migrations").mkdir(exist_ok=True)
    (root / "migrations" / name).write_text(sql)


def _rows(root: Path, sql: str) -> list[tuple]:
    database = load_config(root).config.d1_databases[0]
    with sqlite3.connect(database_path(root / ".wrangler" / "state", database)) as db:
        return db.execute(sql).fetchall()


def test_cli_d1_create_numbers_files_from_0001(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["d1", "migrations", "create", "DB", "create users"]) == 0
    assert main(["d1", "migrations", "create", "app-db", "add email"]) == 0
    names = sorted(p.name for p in (root / "migrations").iterdir())
    assert names == ["0001_create_users.sql", "0002_add_email.sql"]
    header = (root / "migrations" / "0001_create_users.sql").read_text()
    assert re.fullmatch(r"-- Migration number: 0001 \t \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n", header)
    assert "✅ Successfully created Migration '0001_create_users.sql'!" in capsys.readouterr().out


def test_cli_d1_list_shows_pending_migrations(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _migration(root, "0002_b.sql", "SELECT 1;")
    _migration(root, "0001_a.sql", "SELECT 1;")
    assert main(["d1", "migrations", "list", "DB", "--local"]) == 0
    out = capsys.readouterr().out
    assert "Migrations to be applied:" in out
    assert out.index("0001_a.sql") < out.index("0002_b.sql")


def test_cli_d1_apply_runs_migrations_and_records_them(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _migration(root, "0001_users.sql", "-- header\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n")
    _migration(root, "0002_seed.sql", "INSERT INTO users (name) VALUES ('ada');\nINSERT INTO users (name) VALUES ('bob');")
    assert main(["d1", "migrations", "apply", "DB"]) == 0
    assert _rows(root, "SELECT name FROM users ORDER BY id") == [("ada",), ("bob",)]
    assert [row[:2] for row in _rows(root, "SELECT id, name, applied_at FROM d1_migrations")] == [
        (1, "0001_users.sql"), (2, "0002_seed.sql"),
    ]
    assert "✅" in capsys.readouterr().out
    assert main(["d1", "migrations", "apply", "DB"]) == 0
    assert "✅ No migrations to apply!" in capsys.readouterr().out
    assert main(["d1", "migrations", "list", "DB"]) == 0
    assert "✅ No migrations to apply!" in capsys.readouterr().out


def test_cli_d1_failed_migration_is_rolled_back_and_stops(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _migration(root, "0001_ok.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);")
    _migration(root, "0002_bad.sql", "INSERT INTO users (name) VALUES ('half');\nINSERT INTO nowhere VALUES (1);")
    _migration(root, "0003_later.sql", "CREATE TABLE later (x);")
    assert main(["d1", "migrations", "apply", "DB"]) == 1
    captured = capsys.readouterr()
    assert "Migration 0002_bad.sql failed with the following errors:" in captured.out
    assert "✘ [ERROR] no such table: nowhere: SQLITE_ERROR" in captured.err
    assert _rows(root, "SELECT name FROM d1_migrations") == [("0001_ok.sql",)]
    assert _rows(root, "SELECT count(*) FROM users") == [(0,)]


def test_cli_d1_apply_uses_custom_dir_and_table(project, monkeypatch: pytest.MonkeyPatch) -> None:
    extra = D1 + 'migrations_dir = "db/sql"\nmigrations_table = "schema_log"\n'
    root = project({"src/entry.py": ENTRY, "db/sql/0001_t.sql": "CREATE TABLE t (x);"}, extra)
    monkeypatch.chdir(root)
    assert main(["d1", "migrations", "apply", "app-db"]) == 0
    assert _rows(root, "SELECT name FROM schema_log") == [("0001_t.sql",)]


def test_cli_d1_apply_respects_persist_to(root: Path, tmp_path: Path) -> None:
    _migration(root, "0001_t.sql", "CREATE TABLE t (x);")
    assert main(["d1", "migrations", "apply", "DB", "--persist-to", str(tmp_path / "elsewhere")]) == 0
    database = load_config(root).config.d1_databases[0]
    assert database_path(tmp_path / "elsewhere", database).is_file()


def test_cli_d1_unknown_database_is_an_error(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["d1", "migrations", "list", "NOPE"]) == 1
    assert "✘ [ERROR] Couldn't find a D1 DB with the name or binding 'NOPE' in your wrangler.toml file." in capsys.readouterr().err


def test_cli_d1_missing_migrations_folder_is_an_error(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["d1", "migrations", "apply", "DB"]) == 1
    captured = capsys.readouterr()
    assert "No migrations folder found. Set `migrations_dir` in wrangler.toml to choose a different path." in captured.out
    assert f"✘ [ERROR] No migrations present at {root / 'migrations'}." in captured.err


async def test_cli_d1_applied_schema_is_what_the_worker_serves(root: Path, worker_client, tmp_path: Path) -> None:
    _migration(root, "0001_users.sql", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO users (name) VALUES ('ada');")
    assert main(["d1", "migrations", "apply", "DB", "--persist-to", str(tmp_path / "state")]) == 0
    client = await worker_client(root)
    assert await (await client.get("/")).json() == [["ada"]]
