"""``check_migrations``: every deploy-time rule of DO_SPEC §2, one violation per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyworker.config import WranglerConfig, from_mapping
from pyworker.config.diagnostics import Origin
from pyworker.config.ledger import AppliedMigration
from pyworker.config.locate import KeyLocator
from pyworker.config.rules import (
    Violation,
    check_migrations,
    exported_names,
    locate,
    next_tag,
    render_violations,
    replay,
)

WORKER = "app"


def config(*migrations: dict, bindings: list[dict] | None = None) -> WranglerConfig:
    """A config with these migrations and ``[[durable_objects.bindings]]`` (default: none)."""
    return from_mapping(
        WranglerConfig,
        {
            "name": WORKER,
            "main": "src/entry.py",
            "migrations": list(migrations),
            "durable_objects": {"bindings": bindings or []},
        }
    )


def bind(name: str, class_name: str, **extra: str) -> dict:
    return {"name": name, "class_name": class_name, **extra}


def rules(found: list[Violation]) -> list[tuple[str, str | None, str | None]]:
    return [(v.rule, v.tag, v.class_name) for v in found]


def applied(tag: str, **steps: object) -> AppliedMigration:
    return AppliedMigration(tag=tag, steps=dict(steps), applied_at="2026-01-01T00:00:00Z")


def test_rules_valid_history_has_no_violations() -> None:
    found = check_migrations(
        config(
            {"tag": "v1", "new_sqlite_classes": ["Counter"], "new_classes": ["Legacy"]},
            {"tag": "v2", "renamed_classes": [{"from": "Counter", "to": "Tally"}]},
            {"tag": "v3", "deleted_classes": ["Legacy"]},
            {"tag": "v4", "transferred_classes": [{"from": "Room", "from_script": "chat", "to": "Lobby"}]},
            bindings=[bind("TALLY", "Tally"), bind("LOBBY", "Lobby"), bind("REMOTE", "Gone", script_name="other")],
        ),
        WORKER,
    )
    assert found == []


def test_rules_duplicate_tag_names_both_positions_and_a_free_tag() -> None:
    found = check_migrations(
        config({"tag": "v1", "new_classes": ["A"]}, {"tag": "v1", "new_classes": ["B"]}), WORKER
    )
    assert rules(found) == [("duplicate-tag", "v1", None)]
    assert "migrations[0] and migrations[1]" in found[0].problem
    assert '"v2"' in found[0].fix
    assert found[0].key == "migrations[1].tag"


def test_rules_delete_of_missing_class_uses_wrangler_text() -> None:
    found = check_migrations(config({"tag": "v1", "deleted_classes": ["Ghost"]}), WORKER)
    assert rules(found) == [("delete-missing", "v1", "Ghost")]
    assert found[0].problem == "Cannot apply deleted_classes migration to non-existent class Ghost"
    assert found[0].key == "migrations[0].deleted_classes[0]"


def test_rules_rename_of_renamed_class_points_at_new_name() -> None:
    found = check_migrations(
        config(
            {"tag": "v1", "new_sqlite_classes": ["A"]},
            {"tag": "v2", "renamed_classes": [{"from": "A", "to": "B"}]},
            {"tag": "v3", "renamed_classes": [{"from": "A", "to": "C"}]},
        ),
        WORKER,
    )
    assert rules(found) == [("rename-missing", "v3", "A")]
    assert found[0].problem == "Cannot apply renamed_classes migration to non-existent class A"
    assert found[0].fix == '"A" was renamed to "B" by "v2": use "B".'


def test_rules_delete_twice_says_when_it_was_deleted() -> None:
    found = check_migrations(
        config(
            {"tag": "v1", "new_classes": ["A"]},
            {"tag": "v2", "deleted_classes": ["A"]},
            {"tag": "v3", "deleted_classes": ["A"]},
        ),
        WORKER,
    )
    assert rules(found) == [("delete-missing", "v3", "A")]
    assert 'already deleted by "v2"' in found[0].fix


def test_rules_class_created_twice_is_create_existing() -> None:
    found = check_migrations(
        config({"tag": "v1", "new_classes": ["A"]}, {"tag": "v2", "new_classes": ["A"]}), WORKER
    )
    assert rules(found) == [("create-existing", "v2", "A")]
    assert found[0].problem == 'Cannot apply new_classes migration to existing class A (created by "v1")'


def test_rules_kv_backed_class_never_becomes_sqlite() -> None:
    found = check_migrations(
        config({"tag": "v1", "new_classes": ["A"]}, {"tag": "v2", "new_sqlite_classes": ["A"]}), WORKER
    )
    assert rules(found) == [("sqlite-switch", "v2", "A")]
    assert "can never become SQLite-backed" in found[0].problem
    assert "--new-sqlite-class ASql" in found[0].fix


def test_rules_same_class_in_both_lists_of_one_step() -> None:
    found = check_migrations(config({"tag": "v1", "new_classes": ["A"], "new_sqlite_classes": ["A"]}), WORKER)
    assert rules(found) == [("sqlite-switch", "v1", "A")]


def test_rules_rename_destination_must_not_exist() -> None:
    found = check_migrations(
        config(
            {"tag": "v1", "new_classes": ["A", "B"]},
            {"tag": "v2", "renamed_classes": [{"from": "A", "to": "B"}]},
        ),
        WORKER,
        exports=None,
    )
    assert rules(found) == [("target-exists", "v2", "B")]
    assert found[0].problem == 'Cannot rename A → B: class "B" already exists (since "v1")'
    assert found[0].key == "migrations[1].renamed_classes[0]"


def test_rules_transfer_destination_must_not_exist() -> None:
    found = check_migrations(
        config(
            {"tag": "v1", "new_classes": ["B"]},
            {"tag": "v2", "transferred_classes": [{"from": "A", "from_script": "other", "to": "B"}]},
        ),
        WORKER,
    )
    assert rules(found) == [("target-exists", "v2", "B")]


def test_rules_transfer_from_this_worker_should_be_a_rename() -> None:
    found = check_migrations(
        config(
            {"tag": "v1", "new_classes": ["A"]},
            {"tag": "v2", "transferred_classes": [{"from": "A", "from_script": WORKER, "to": "B"}]},
        ),
        WORKER,
    )
    assert rules(found) == [("transfer-from-self", "v2", "A")]
    assert "renamed_classes" in found[0].fix


def test_rules_class_targeted_twice_in_one_deploy() -> None:
    history = config(
        {"tag": "v1", "new_classes": ["A"]},
        {"tag": "v2", "deleted_classes": ["A"]},
        {"tag": "v3", "new_sqlite_classes": ["A"]},
    )
    found = check_migrations(history, WORKER)
    assert rules(found) == [("target-twice", "v3", "A")]
    assert found[0].problem.startswith("class 'A' cannot be the target of more than one migration")


def test_rules_class_targeted_again_after_earlier_deploy_is_fine() -> None:
    history = config(
        {"tag": "v1", "new_classes": ["A"]},
        {"tag": "v2", "deleted_classes": ["A"]},
        {"tag": "v3", "new_sqlite_classes": ["A"]},
    )
    ledger = [applied("v1", new_classes=["A"]), applied("v2", deleted_classes=["A"])]
    assert check_migrations(history, WORKER, applied=ledger) == []


def test_rules_binding_to_class_no_migration_creates() -> None:
    found = check_migrations(
        config({"tag": "v1", "new_sqlite_classes": ["Counter"]}, bindings=[bind("C", "Countr")]), WORKER
    )
    assert rules(found) == [("binding-no-class", "v1", "Countr")]
    assert found[0].problem.startswith(
        "Cannot create binding for class 'Countr' because it is not currently configured to implement "
        "Durable Objects."
    )
    assert '(did you mean "Counter"?)' in found[0].fix
    assert "--migrate" in found[0].fix
    assert found[0].key == "durable_objects.bindings[0].class_name"


def test_rules_binding_without_any_migration() -> None:
    found = check_migrations(config(bindings=[bind("C", "Counter")]), WORKER)
    assert rules(found) == [("binding-no-class", None, "Counter")]


def test_rules_binding_to_other_worker_needs_no_migration() -> None:
    found = check_migrations(config(bindings=[bind("C", "Counter", script_name="elsewhere")]), WORKER)
    assert found == []


def test_rules_binding_naming_this_worker_is_local() -> None:
    found = check_migrations(config(bindings=[bind("C", "Counter", script_name=WORKER)]), WORKER)
    assert rules(found) == [("binding-no-class", None, "Counter")]


def test_rules_binding_to_deleted_class() -> None:
    found = check_migrations(
        config(
            {"tag": "v1", "new_classes": ["Old"]},
            {"tag": "v2", "deleted_classes": ["Old"]},
            bindings=[bind("OLD", "Old")],
        ),
        WORKER,
    )
    assert rules(found) == [("binding-deleted-class", "v2", "Old")]
    assert found[0].problem.startswith(
        "Cannot apply --delete-class migration to class 'Old' without also removing the binding that "
        "references it"
    )
    assert "pyworker bindings remove OLD" in found[0].fix


def test_rules_binding_to_renamed_class_says_the_new_name() -> None:
    found = check_migrations(
        config(
            {"tag": "v1", "new_classes": ["A"]},
            {"tag": "v2", "renamed_classes": [{"from": "A", "to": "B"}]},
            bindings=[bind("X", "A")],
        ),
        WORKER,
    )
    assert rules(found) == [("binding-renamed-class", "v2", "A")]
    assert found[0].fix == 'Set class_name = "B" in the binding X.'


def test_rules_bound_class_must_be_exported() -> None:
    found = check_migrations(
        config({"tag": "v1", "new_classes": ["Counter"]}, bindings=[bind("C", "Counter")]),
        WORKER,
        exports={"Countr", "Default"},
    )
    assert rules(found) == [("binding-not-exported", "v1", "Counter")]
    assert found[0].problem == (
        "Cannot create binding for class 'Counter' that is not exported by the script (src/entry.py)"
    )
    assert '(did you mean "Countr"?)' in found[0].fix


def test_rules_migrated_class_must_stay_exported() -> None:
    found = check_migrations(
        config({"tag": "v1", "new_classes": ["A", "B"]}, {"tag": "v2", "deleted_classes": ["B"]}),
        WORKER,
        exports={"Default"},
    )
    assert rules(found) == [("class-not-exported", "v1", "A")]
    assert found[0].problem.startswith("New version of script does not export class 'A'")
    assert found[0].key == "migrations[0]"


def test_rules_ledger_removed_migration() -> None:
    found = check_migrations(
        config({"tag": "v2", "new_classes": ["B"]}),
        WORKER,
        applied=[applied("v1", new_classes=["A"])],
    )
    assert ("applied-removed", "v1", "A") in rules(found)
    assert "new_classes: A" in found[0].problem


def test_rules_ledger_edited_migration() -> None:
    found = check_migrations(
        config({"tag": "v1", "new_sqlite_classes": ["A"]}),
        WORKER,
        applied=[applied("v1", new_classes=["A"])],
    )
    assert rules(found) == [("applied-edited", "v1", "A")]
    assert found[0].problem == (
        'Migration "v1" was changed after it was applied: applied as new_classes: A; now new_sqlite_classes: A'
    )


def test_rules_ledger_new_migration_before_applied_one() -> None:
    found = check_migrations(
        config({"tag": "v0", "new_classes": ["Z"]}, {"tag": "v1", "new_classes": ["A"]}),
        WORKER,
        applied=[applied("v1", new_classes=["A"])],
    )
    assert rules(found) == [("inserted-before-applied", "v0", "Z")]
    assert 'after "v1"' in found[0].fix


def test_rules_ledger_reordered_migrations() -> None:
    found = check_migrations(
        config({"tag": "v2", "new_classes": ["B"]}, {"tag": "v1", "new_classes": ["A"]}),
        WORKER,
        applied=[applied("v1", new_classes=["A"]), applied("v2", new_classes=["B"])],
    )
    assert ("applied-reordered", "v2", None) in rules(found)


def test_rules_ledger_matching_prefix_is_fine() -> None:
    found = check_migrations(
        config({"tag": "v1", "new_classes": ["A"]}, {"tag": "v2", "new_classes": ["B"]}),
        WORKER,
        applied=[applied("v1", new_classes=["A"])],
    )
    assert found == []


def test_rules_all_violations_are_reported_together() -> None:
    found = check_migrations(
        config(
            {"tag": "v1", "new_classes": ["A"]},
            {"tag": "v1", "deleted_classes": ["Ghost"], "new_sqlite_classes": ["A"]},
            bindings=[bind("X", "Nope")],
        ),
        WORKER,
    )
    assert [v.rule for v in found] == ["duplicate-tag", "delete-missing", "sqlite-switch", "binding-no-class"]


def test_replay_keeps_backend_across_rename_and_marks_transfers_unknown() -> None:
    history = replay(
        config(
            {"tag": "v1", "new_sqlite_classes": ["A"], "new_classes": ["K"]},
            {"tag": "v2", "renamed_classes": [{"from": "A", "to": "B"}]},
            {"tag": "v3", "transferred_classes": [{"from": "X", "from_script": "o", "to": "T"}]},
        ).migrations,
        WORKER,
    )
    assert {name: (info.sqlite, info.tag) for name, info in history.classes.items()} == {
        "K": (False, "v1"),
        "B": (True, "v2"),
        "T": (None, "v3"),
    }


def test_exported_names_reads_module_level_names(tmp_path: Path) -> None:
    main = tmp_path / "worker.py"
    main.write_text(
        "import json\nfrom counter import Counter as Tally\n"
        "try:\n    from room import Room\nexcept ImportError:\n    Room = None\n"
        "class Default:\n    class Inner: ...\nVALUE: int = 3\n"
    )
    assert exported_names(main) == {"json", "Tally", "Room", "Default", "VALUE"}


@pytest.mark.parametrize(
    "source", ["from objects import *\n", "def __getattr__(name): ...\n", "class (:\n"]
)
def test_exported_names_unknowable(tmp_path: Path, source: str) -> None:
    main = tmp_path / "worker.py"
    main.write_text(source)
    assert exported_names(main) is None


def test_exported_names_missing_file(tmp_path: Path) -> None:
    assert exported_names(tmp_path / "missing.py") is None


def test_locate_finds_lines_and_prefers_env_sections() -> None:
    text = (
        'name = "app"\n'
        "[[migrations]]\n"
        'tag = "v1"\n'
        'new_classes = ["A", "A"]\n'
        "[env.staging]\n"
        "[[env.staging.durable_objects.bindings]]\n"
        'name = "X"\n'
        'class_name = "Nope"\n'
    )
    origin = Origin("wrangler.toml", KeyLocator.from_source(text, "toml"))
    found = [
        Violation("r", "L3", "s", "p", "f", key="migrations[0].new_classes[1]"),
        Violation("r", "A1", "s", "p", "f", key="durable_objects.bindings[0].class_name"),
    ]
    located = locate(found, origin, "staging")
    assert [(v.file, v.line) for v in located] == [("wrangler.toml", 4), ("wrangler.toml", 8)]
    assert located[0].render().startswith("wrangler.toml:4: s: p\n  Fix: f")


def test_render_violations_counts_and_separates() -> None:
    found = [Violation("r", "L1", "subject", "problem", "fix", file="wrangler.toml", line=3)] * 2
    text = render_violations(found, "wrangler.toml")
    assert text.splitlines()[0] == "2 problems with the Durable Object migrations and bindings of wrangler.toml:"
    assert text.count("\n\nwrangler.toml:3: subject: problem\n  Fix: fix") == 2


def test_violation_to_json() -> None:
    violation = Violation("r", "A1", "s", "p", "f", tag="v1", class_name="C", key="k", file="w.toml", line=2)
    assert violation.to_json() == {
        "rule": "r", "reference": "A1", "tag": "v1", "class": "C", "message": "p", "fix": "f",
        "key": "k", "file": "w.toml", "line": 2,
    }


@pytest.mark.parametrize(
    ("tags", "expected"),
    [([], "v1"), (["v1", "v2"], "v3"), (["0009"], "0010"), (["v09"], "v10"), (["init"], "v2"),
     (["m1", "release"], "m2"), (["v1", "v3", "v2"], "v4")],
)
def test_next_tag_follows_the_pattern(tags: list[str], expected: str) -> None:
    assert next_tag(tags) == expected
