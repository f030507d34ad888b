"""``[vars]``, ``.dev.vars`` / ``.env`` and ``--var``: values, precedence, and secrets kept out of logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from helpers import get
from pyworker.runtime.worker import Worker

ENTRY = """
import json
from workers import Response, WorkerEntrypoint

class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response(json.dumps({k: getattr(self.env, k) for k in self.env if k.isupper()}))
"""

VARS = """
[vars]
TEXT = "plain"
NUMBER = 42
FLOAT = 1.5
FLAG = true
TABLE = { nested = { deep = [1, "two"] } }
LIST = ["a", 1]
"""


@pytest.fixture
def start(worker_client):  # type: ignore[no-untyped-def]
    """``await start(root, env=None, cli_vars=None)`` → the served ``Worker``."""

    async def make(root: Path, env: str | None = None, cli_vars: dict[str, str] | None = None) -> Worker:
        return (await worker_client(root, env=env, vars=cli_vars or {})).worker

    return make


def _env(worker: Worker) -> dict[str, object]:
    return {name: getattr(worker.env, name) for name in worker.env if name.isupper()}


async def test_vars_of_every_toml_type_reach_env(project, start) -> None:
    worker = await start(project({"src/entry.py": ENTRY}, VARS))
    assert _env(worker) == {
        "TEXT": "plain", "NUMBER": 42, "FLOAT": 1.5, "FLAG": True,
        "TABLE": {"nested": {"deep": [1, "two"]}}, "LIST": ["a", 1],
    }


async def test_vars_bindings_table_shows_values_as_json(project, start) -> None:
    worker = await start(project({"src/entry.py": ENTRY}, VARS))
    rows = [row.binding for row in worker.describe_bindings()]
    assert 'env.TEXT ("plain")' in rows and "env.NUMBER (42)" in rows and "env.FLAG (true)" in rows


async def test_vars_dev_vars_override_config_and_are_hidden(project, start, caplog) -> None:
    root = project({"src/entry.py": ENTRY, ".dev.vars": 'TEXT="from dev vars"\nAPI_KEY=s3cr3t\n'}, VARS)
    with caplog.at_level(logging.INFO, logger="pyworker"):
        worker = await start(root)
    assert (worker.env.TEXT, worker.env.API_KEY) == ("from dev vars", "s3cr3t")
    rows = [row.binding for row in worker.describe_bindings()]
    assert 'env.API_KEY ("(hidden)")' in rows and 'env.TEXT ("(hidden)")' in rows
    assert not any("s3cr3t" in row for row in rows)
    assert "Using vars defined in .dev.vars" in caplog.messages


async def test_vars_dev_vars_for_the_selected_env_win_and_are_not_merged(project, start) -> None:
    root = project(
        {"src/entry.py": ENTRY, ".dev.vars": "A=base\nB=base\n", ".dev.vars.staging": "A=staging\n"},
        "[env.staging]\n",
    )
    assert _env(await start(root, env="staging")) == {"A": "staging"}
    assert _env(await start(root)) == {"A": "base", "B": "base"}


async def test_vars_dot_env_files_merge_in_order_with_expansion(project, start, caplog) -> None:
    files = {
        "src/entry.py": ENTRY,
        ".env": "A=env\nB=env\nHOST=example.com\n",
        ".env.local": "B=local\nURL=https://${HOST}/api\n",
        ".env.staging": "C=staging\n",
        ".env.staging.local": "C=staging-local\n",
    }
    root = project(files, "[env.staging]\n")
    with caplog.at_level(logging.INFO, logger="pyworker"):
        worker = await start(root, env="staging")
    assert _env(worker) == {"A": "env", "B": "local", "HOST": "example.com", "URL": "https://example.com/api", "C": "staging-local"}
    assert [m for m in caplog.messages if m.startswith("Using vars")] == [
        "Using vars defined in .env", "Using vars defined in .env.local",
        "Using vars defined in .env.staging", "Using vars defined in .env.staging.local",
    ]


async def test_vars_dot_env_ignored_when_dev_vars_exists(project, start) -> None:
    root = project({"src/entry.py": ENTRY, ".dev.vars": "A=dev\n", ".env": "A=env\nB=env\n"})
    assert _env(await start(root)) == {"A": "dev"}


async def test_vars_dot_env_can_be_switched_off(project, start, monkeypatch) -> None:
    monkeypatch.setenv("CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV", "false")
    assert _env(await start(project({"src/entry.py": ENTRY, ".env": "A=env\n"}))) == {}


async def test_vars_cli_var_overrides_everything_and_is_shown(project, start) -> None:
    root = project({"src/entry.py": ENTRY, ".dev.vars": "TEXT=secret\n"}, VARS)
    worker = await start(root, cli_vars={"TEXT": "cli"})
    assert worker.env.TEXT == "cli"
    assert 'env.TEXT ("cli")' in [row.binding for row in worker.describe_bindings()]


async def test_vars_reload_reads_edited_dev_vars(project, start) -> None:
    root = project({"src/entry.py": ENTRY, ".dev.vars": "A=one\n"})
    worker = await start(root)
    (root / ".dev.vars").write_text("A=two\n")
    worker.reload()
    assert worker.env.A == "two"


def test_vars_secret_values_never_reach_dev_output(project, run_dev) -> None:
    root = project({"src/entry.py": ENTRY, ".dev.vars": "API_KEY=topsecret-value\n"}, VARS)
    server = run_dev(root, "--no-reload")
    assert '"API_KEY": "topsecret-value"' in get(server.url)
    server.stop()
    assert "Using vars defined in .dev.vars" in server.output
    assert 'env.API_KEY ("(hidden)")' in server.output
    assert "topsecret-value" not in server.output
