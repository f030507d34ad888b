"""``pyworker bindings list|add|remove``: edits of real, commented configs, compared to golden files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures.configs.cli import assert_golden, copy_project, run_cli

D1_ID = "4e1c28a9-90e4-41da-8b4b-6cf36e5abb29"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the working directory: messages then show ``wrangler.toml``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("source", "argv", "golden"),
    [
        ("playground.toml", ["add", "durable-object", "GAME", "Game", "--migrate"], "add-durable-object-migrate.toml"),
        ("playground.toml", ["add", "kv", "FLAGS", "--id", "f00d"], "add-kv.toml"),
        ("playground.toml", ["add", "d1", "DB", "--database-name", "app-db", "--database-id", D1_ID], "add-d1.toml"),
        ("playground.toml", ["add", "kv", "FLAGS", "--env", "staging"], "add-kv-staging.toml"),
        ("playground.toml", ["remove", "ROOM"], "remove-durable-object.toml"),
        ("playground.toml", ["remove", "CACHE"], "remove-kv.toml"),
        ("playground.toml", ["remove", "COUNTER"], "remove-first-durable-object.toml"),
        ("playground.toml", ["remove", "COUNTER", "--env", "staging"], "remove-durable-object-staging.toml"),
        ("playground.jsonc", ["add", "durable-object", "GAME", "Game", "--migrate"], "add-durable-object-migrate.jsonc"),
        ("playground.jsonc", ["add", "kv", "FLAGS", "--id", "f00d"], "add-kv.jsonc"),
        ("playground.jsonc", ["add", "d1", "DB", "--database-name", "app-db", "--database-id", D1_ID], "add-d1.jsonc"),
        ("playground.jsonc", ["remove", "ROOM"], "remove-durable-object.jsonc"),
        ("playground.jsonc", ["remove", "CACHE"], "remove-kv.jsonc"),
        ("playground.jsonc", ["remove", "COUNTER"], "remove-first-durable-object.jsonc"),
    ],
)
def test_bindings_edit_matches_golden_file(
    workdir: Path, capsys: pytest.CaptureFixture[str], source: str, argv: list[str], golden: str
) -> None:
    config = copy_project(source, workdir)
    code, _, err = run_cli(capsys, "bindings", *argv)
    assert (code, err) == (0, "")
    assert_golden(config.read_text(), golden)


def test_bindings_add_durable_object_with_migrate_reports_both(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_project("playground.toml", workdir)
    code, out, _ = run_cli(capsys, "bindings", "add", "durable-object", "GAME", "Game", "--migrate")
    assert code == 0
    assert out == (
        "Added Durable Object binding GAME to wrangler.toml.\n"
        "Added migration v3 to wrangler.toml: new_sqlite_classes: Game\n"
    )


def test_bindings_add_durable_object_of_existing_class_needs_no_migration(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_project("playground.toml", workdir)
    code, out, _ = run_cli(capsys, "bindings", "add", "durable-object", "ARCHIVE", "Archive", "--migrate")
    assert code == 0
    assert "migration" not in out
    assert config.read_text().count("[[migrations]]") == 2


def test_bindings_add_durable_object_of_other_worker(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = copy_project("playground.toml", workdir)
    code, _, _ = run_cli(capsys, "bindings", "add", "durable-object", "AUTH", "Login", "--script-name", "auth-worker")
    assert code == 0
    assert 'name = "AUTH"\nclass_name = "Login"\nscript_name = "auth-worker"\n' in config.read_text()


def test_bindings_add_refuses_class_no_migration_creates(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = copy_project("playground.toml", workdir)
    before = config.read_text()
    code, out, err = run_cli(capsys, "bindings", "add", "durable-object", "GAME", "Game")
    assert code == 1 and out == ""
    assert err.startswith("✘ [ERROR] Refusing to change wrangler.toml: the change would break the rules below")
    assert "Cannot create binding for class 'Game' because it is not currently configured" in err
    assert "pyworker bindings add durable-object GAME Game --migrate" in err
    assert "Traceback" not in err
    assert config.read_text() == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "kv", "COUNTER"], "COUNTER assigned to Durable Object and KV Namespace bindings."),
        (["add", "d1", "CACHE"], "CACHE assigned to KV Namespace and D1 Database bindings."),
        (["add", "kv", "GREETING"], "GREETING assigned to KV Namespace and Environment Variable bindings."),
        (["add", "durable-object", "ROOM", "ChatRoom"], "ROOM assigned to multiple Durable Object bindings."),
    ],
)
def test_bindings_add_refuses_a_name_already_bound(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    config = copy_project("playground.toml", workdir)
    before = config.read_text()
    code, _, err = run_cli(capsys, "bindings", *argv)
    assert code == 1
    assert err.startswith("✘ [ERROR] Refusing to change wrangler.toml: the result would be invalid.")
    assert message in err
    assert "Bindings must have unique names" in err
    assert config.read_text() == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("COUNTR", "✘ [ERROR] No binding named COUNTR in wrangler.toml.\n"
                   'Fix: did you mean "COUNTER"? the bindings are: COUNTER, ROOM, SESSIONS, CACHE '
                   "(pyworker bindings list).\n"),
        ("GREETING", "✘ [ERROR] GREETING is a variable of [vars], not a binding this command edits.\n"
                     "Fix: remove GREETING from [vars] in wrangler.toml by hand.\n"),
    ],
)
def test_bindings_remove_refuses_what_is_not_a_binding(
    workdir: Path, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    copy_project("playground.toml", workdir)
    assert run_cli(capsys, "bindings", "remove", name) == (1, "", message)


def test_bindings_remove_durable_object_says_how_to_delete_its_objects(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_project("playground.toml", workdir)
    code, out, _ = run_cli(capsys, "bindings", "remove", "COUNTER")
    assert code == 0
    assert out == (
        "Removed Durable Object binding COUNTER from wrangler.toml.\n"
        "Class Counter keeps its objects. To delete them too: pyworker migrations new --delete Counter\n"
    )


def test_bindings_list_shows_every_kind(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_project("playground.toml", workdir)
    code, out, _ = run_cli(capsys, "bindings", "list")
    assert code == 0
    assert out == (
        "binding    type                  resource\n"
        "COUNTER    Durable Object        Counter (SQLite, since v1)\n"
        "ROOM       Durable Object        ChatRoom (SQLite, since v1)\n"
        "SESSIONS   Durable Object        Session (defined in auth-worker)\n"
        "CACHE      KV Namespace          09b26554bff341f4b797eb4dbec05411\n"
        'GREETING   Environment Variable  "hello"\n'
        "MAX_ROOMS  Environment Variable  8\n"
        "DEBUG      Environment Variable  false\n"
    )


def test_bindings_list_json_for_an_environment(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_project("playground.jsonc", workdir)
    code, out, _ = run_cli(capsys, "bindings", "list", "--json")
    assert code == 0
    assert json.loads(out)[0] == {"name": "COUNTER", "type": "Durable Object", "resource": "Counter (SQLite, since v1)"}


def test_bindings_without_config_is_an_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "bindings", "list")
    assert code == 1
    assert err.startswith("✘ [ERROR] No wrangler.json, wrangler.jsonc or wrangler.toml found in ")
