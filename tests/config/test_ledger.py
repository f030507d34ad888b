"""``Ledger``: the applied migration tags, per Worker, under the persist root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyworker.config import Migration, from_mapping
from pyworker.config.ledger import LEDGER_FILE, Ledger, migration_steps
from pyworker.errors import MigrationError


def migration(tag: str, **steps: object) -> Migration:
    return from_mapping(Migration, {"tag": tag, **steps})


def test_ledger_lives_beside_the_class_directories(tmp_path: Path) -> None:
    assert Ledger(tmp_path).path == tmp_path / "v3" / "do" / "pyworker-migrations.json"
    assert LEDGER_FILE == Path("v3/do/pyworker-migrations.json")


def test_ledger_missing_file_means_nothing_applied(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    assert ledger.applied("app") == []
    assert not ledger.path.exists()


def test_ledger_save_writes_steps_and_moved_ids(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.record("app", migration("v1", new_sqlite_classes=["Counter"]))
    rename = migration("v2", renamed_classes=[{"from": "Counter", "to": "Tally"}])
    ledger.record("app", rename, {"app-Counter/aa": "app-Tally/bb"})
    assert not ledger.path.exists()  # recorded in memory until saved
    ledger.save()
    data = json.loads(ledger.path.read_text())
    assert data["format"] == 1
    entries = data["workers"]["app"]
    assert [entry["tag"] for entry in entries] == ["v1", "v2"]
    assert entries[0]["steps"] == {"new_sqlite_classes": ["Counter"]}
    assert "moved_ids" not in entries[0]
    assert entries[1]["steps"] == {"renamed_classes": [{"from": "Counter", "to": "Tally"}]}
    assert entries[1]["moved_ids"] == {"app-Counter/aa": "app-Tally/bb"}
    assert entries[1]["applied_at"].endswith("Z")
    assert list(ledger.path.parent.iterdir()) == [ledger.path]  # no temporary file left


def test_ledger_reads_back_what_it_wrote(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.record("app", migration("v1", new_classes=["A"]), {"x/1": "y/2"})
    ledger.save()
    (entry,) = Ledger(tmp_path).applied("app")
    assert (entry.tag, entry.steps, entry.moved_ids) == ("v1", {"new_classes": ["A"]}, {"x/1": "y/2"})


def test_ledger_keeps_workers_apart(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.record("app", migration("v1", new_classes=["A"]))
    ledger.record("app-staging", migration("s1", new_classes=["B"]))
    ledger.save()
    reread = Ledger(tmp_path)
    assert [e.tag for e in reread.applied("app")] == ["v1"]
    assert [e.tag for e in reread.applied("app-staging")] == ["s1"]
    assert reread.applied("other") == []


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"format": 2, "workers": {}}', '{"format": 1, "workers": {"app": [{"tag": "v1"}]}}', "[]"],
)
def test_ledger_damaged_file_is_a_migration_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / LEDGER_FILE
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.raises(MigrationError) as caught:
        Ledger(tmp_path)
    message = str(caught.value)
    assert f"The migrations ledger {path} is damaged" in message
    assert "Fix: restore it from a backup, or delete it" in message


def test_migration_steps_drop_tag_and_empty_lists() -> None:
    transfer = {"from": "A", "from_script": "other", "to": "B"}
    steps = migration_steps(migration("v1", transferred_classes=[transfer], new_classes=[]))
    assert steps == {"transferred_classes": [transfer]}
