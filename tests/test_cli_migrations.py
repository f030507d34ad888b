"""``pyworker migrations list|validate|new``: in-process through ``cli.main``, one real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.configs.cli import assert_golden, copy_project, run_cli
from pyworker.config import load_config
from pyworker.config.apply import apply_pending_migrations
from pyworker.config.ledger import LEDGER_FILE

BROKEN = """\
name = "app"
main = "src/entry.py"
compatibility_date = "2025-11-01"
compatibility_flags = ["python_workers"]

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Countr"

[[migrations]]
tag = "v1"
new_classes = ["Counter"]

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the working directory: messages then show ``wrangler.toml``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_broken(directory: Path) -> None:
    (directory / "wrangler.toml").write_text(BROKEN)
    (directory / "src").mkdir()
    (directory / "src" / "entry.py").write_text("class Counter:\n    pass\n")


def test_migrations_list_before_anything_is_applied(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_project("playground.toml", workdir)
    code, out, _ = run_cli(capsys, "migrations", "list")
    assert code == 0
    assert out == (
        "Durable Object migrations of playground (wrangler.toml); "
        "ledger: .wrangler/state/v3/do/pyworker-migrations.json\n"
        "tag  state    kind                class\n"
        "v1   pending  new_sqlite_classes  Counter\n"
        "v1   pending  new_sqlite_classes  ChatRoom\n"
        "v2   pending  new_classes         Archive\n"
    )


def test_migrations_list_shows_applied_edited_and_removed(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = copy_project("playground.toml", workdir)
    apply_pending_migrations(load_config(workdir), workdir / "state")
    text = config.read_text()
    text = text.replace('tag = "v2"\nnew_classes = ["Archive"]', 'tag = "v2"\nnew_sqlite_classes = ["Archive"]')
    config.write_text(text.replace('tag = "v1"  # first deploy', 'tag = "v0"'))
    code, out, _ = run_cli(capsys, "migrations", "list", "--persist-to", "state")
    assert code == 0
    assert out.splitlines()[1:] == [
        "tag  state    kind                class",
        "v0   pending  new_sqlite_classes  Counter",
        "v0   pending  new_sqlite_classes  ChatRoom",
        "v2   edited   new_sqlite_classes  Archive",
        "v1   removed  new_sqlite_classes  Counter",
        "v1   removed  new_sqlite_classes  ChatRoom",
    ]


def test_migrations_list_json_flattens_renames_and_transfers(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_project("playground.toml", workdir)
    run_cli(capsys, "migrations", "new", "--rename", "Counter:Tally", "--transfer", "Room:chat:Lobby")
    code, out, _ = run_cli(capsys, "migrations", "list", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["worker"] == "playground"
    assert data["ledger"] == ".wrangler/state/v3/do/pyworker-migrations.json"
    assert data["migrations"][2] == {
        "tag": "v3",
        "state": "pending",
        "steps": [
            {"kind": "renamed_classes", "class": "Tally", "from": "Counter", "to": "Tally"},
            {"kind": "transferred_classes", "class": "Lobby", "from": "Room", "from_script": "chat", "to": "Lobby"},
        ],
    }


def test_migrations_validate_ok(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_project("playground.jsonc", workdir)
    code, out, err = run_cli(capsys, "migrations", "validate")
    assert (code, err) == (0, "")
    assert out == "wrangler.jsonc: 2 migrations and 3 Durable Object bindings follow every rule.\n"


def test_migrations_validate_reports_every_violation(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_broken(workdir)
    code, out, err = run_cli(capsys, "migrations", "validate")
    assert (code, out) == (1, "")
    assert err == (
        "✘ [ERROR] 3 problems with the Durable Object migrations and bindings of wrangler.toml:\n"
        "\n"
        'wrangler.toml:15: [[migrations]] tag "v1": Migration tag "v1" is used more than once '
        "(migrations[0] and migrations[1])\n"
        '  Fix: Tags name migrations uniquely: give the later one an unused tag, e.g. "v2".\n'
        "\n"
        'wrangler.toml:16: [[migrations]] tag "v1", class "Counter": Cannot apply new_sqlite_classes migration '
        'to existing class Counter: it is KV-backed since "v1", and a KV-backed class can never become '
        "SQLite-backed\n"
        '  Fix: Remove "Counter" from new_sqlite_classes of "v1". For SQLite storage, create a class under a '
        "new name (pyworker migrations new --new-sqlite-class CounterSql); to drop the KV-backed objects, "
        'delete "Counter" first (deleted_classes).\n'
        "\n"
        'wrangler.toml:8: [[durable_objects.bindings]] COUNTER, class "Countr": Cannot create binding for '
        "class 'Countr' because it is not currently configured to implement Durable Objects. Configure a "
        "migration in your Wrangler configuration to add this class.\n"
        "  Fix: Add a migration that creates it (pyworker migrations new --new-sqlite-class Countr, or "
        "pyworker bindings add durable-object COUNTER Countr --migrate), or fix class_name "
        '(did you mean "Counter"?).\n'
    )


def test_migrations_validate_json(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_broken(workdir)
    code, out, err = run_cli(capsys, "migrations", "validate", "--json")
    assert (code, err) == (1, "")
    data = json.loads(out)
    assert data["ok"] is False
    assert [(v["rule"], v["tag"], v["class"], v["line"]) for v in data["violations"]] == [
        ("duplicate-tag", "v1", None, 15),
        ("sqlite-switch", "v1", "Counter", 16),
        ("binding-no-class", "v1", "Countr", 8),
    ]
    assert data["violations"][0]["file"] == "wrangler.toml"


def test_migrations_validate_json_of_an_invalid_config(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "wrangler.toml").write_text('name = "app"\nmain = 3\n')
    code, out, _ = run_cli(capsys, "migrations", "validate", "--json")
    assert code == 1
    (violation,) = json.loads(out)["violations"]
    assert violation["rule"] == "config"
    assert 'Expected "main" to be of type string' in violation["message"]


def test_migrations_validate_with_persist_to_checks_the_ledger(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = copy_project("playground.toml", workdir)
    apply_pending_migrations(load_config(workdir), workdir / "state")
    config.write_text(config.read_text().replace('new_classes = ["Archive"]', 'new_sqlite_classes = ["Archive"]'))

    assert run_cli(capsys, "migrations", "validate")[0] == 0
    code, _, err = run_cli(capsys, "migrations", "validate", "--persist-to", "state")
    assert code == 1
    assert 'wrangler.toml:42: [[migrations]] tag "v2": Migration "v2" was changed after it was applied' in err


def test_migrations_validate_checks_the_code_exports(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_project("playground.toml", workdir)
    (workdir / "src" / "entry.py").write_text("class Counter:\n    pass\n\nclass ChatRoom:\n    pass\n")
    code, _, err = run_cli(capsys, "migrations", "validate")
    assert code == 1
    assert "does not export class 'Archive' which is depended on by existing Durable Objects" in err


@pytest.mark.parametrize(
    ("source", "argv", "golden"),
    [
        ("playground.toml", ["--rename", "Counter:Tally"], "new-rename.toml"),
        ("playground.toml", ["v3-game", "--delete", "Archive", "--new-sqlite-class", "Game", "--new-class", "Legacy",
                             "--transfer", "Room:chat-worker:Lobby"], "new-steps.toml"),
        ("playground.jsonc", ["--rename", "Counter:Tally"], "new-rename.jsonc"),
        ("playground.jsonc", ["v3-game", "--delete", "Archive", "--new-sqlite-class", "Game", "--new-class", "Legacy",
                              "--transfer", "Room:chat-worker:Lobby"], "new-steps.jsonc"),
    ],
)
def test_migrations_new_matches_golden_file(
    workdir: Path, capsys: pytest.CaptureFixture[str], source: str, argv: list[str], golden: str
) -> None:
    config = copy_project(source, workdir)
    code, _, err = run_cli(capsys, "migrations", "new", *argv)
    assert (code, err) == (0, "")
    assert_golden(config.read_text(), golden)


def test_migrations_new_rename_reports_the_bindings_it_updates(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_project("playground.toml", workdir)
    code, out, _ = run_cli(capsys, "migrations", "new", "--rename", "Counter:Tally")
    assert code == 0
    assert out == (
        "Added migration v3 to wrangler.toml: renamed_classes: Counter → Tally\n"
        "Updated binding COUNTER: class_name Counter → Tally\n"
        "It is applied to the local state when pyworker dev starts or reloads the config.\n"
    )


def test_migrations_new_env_edits_the_migrations_the_env_uses(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = copy_project("playground.toml", workdir)
    code, _, _ = run_cli(capsys, "migrations", "new", "--rename", "Counter:Tally", "--env", "staging")
    assert code == 0
    text = config.read_text()
    assert text.count("[[migrations]]") == 3  # migrations are inherited: the top-level list grows
    assert '[[env.staging.durable_objects.bindings]]\nname = "COUNTER"\nclass_name = "Tally"' in text
    assert '[[durable_objects.bindings]]\nname = "COUNTER"\nclass_name = "Counter"' in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--new-sqlite-class", "Counter"], "Cannot apply new_sqlite_classes migration to existing class Counter"),
        (["--delete", "Counter"], "Cannot apply --delete-class migration to class 'Counter' without also removing"),
        (["--rename", "Counter:ChatRoom"], 'Cannot rename Counter → ChatRoom: class "ChatRoom" already exists'),
        (["--delete", "Ghost"], "Cannot apply deleted_classes migration to non-existent class Ghost"),
        (["v1", "--new-class", "Extra"], 'Migration tag "v1" is used more than once'),
        (["--transfer", "Counter:playground:Tally"], "transferred_classes moves \"Counter\" from this Worker"),
    ],
)
def test_migrations_new_refuses_to_break_a_rule(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    config = copy_project("playground.toml", workdir)
    before = config.read_text()
    code, _, err = run_cli(capsys, "migrations", "new", *argv)
    assert code == 1
    assert err.startswith("✘ [ERROR] Refusing to change wrangler.toml: the change would break the rules below")
    assert message in err
    assert config.read_text() == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "✘ [ERROR] Nothing to add: give at least one step."),
        (["--rename", "Counter"], "✘ [ERROR] --rename 'Counter': expected FROM:TO.\nFix: write it like --rename Counter:Tally"),
        (["--transfer", "A:B"], "✘ [ERROR] --transfer 'A:B': expected FROM:FROM_SCRIPT:TO."),
    ],
)
def test_migrations_new_usage_errors(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    copy_project("playground.toml", workdir)
    code, _, err = run_cli(capsys, "migrations", "new", *argv)
    assert code == 1
    assert err.startswith(message)


def test_migrations_new_then_apply_moves_the_objects(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy_project("playground.toml", workdir)
    state = workdir / "state"
    apply_pending_migrations(load_config(workdir), state)
    (state / "v3" / "do" / "playground-Counter").mkdir(parents=True)
    run_cli(capsys, "migrations", "new", "--rename", "Counter:Tally")
    (workdir / "src" / "entry.py").write_text(
        (workdir / "src" / "entry.py").read_text().replace("class Counter", "class Tally")
    )
    assert apply_pending_migrations(load_config(workdir), state) == [
        "Applied migration v3: renamed Counter → Tally (0 objects moved)"
    ]
    assert (state / LEDGER_FILE).is_file()


def test_migrations_validate_subprocess_exit_code_without_traceback(tmp_path: Path) -> None:
    write_broken(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pyworker", "migrations", "validate"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("✘ [ERROR] 3 problems with the Durable Object migrations")
    assert "Traceback" not in result.stderr
