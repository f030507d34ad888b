"""``pyworker migrations list|validate|new``: the Durable Object migrations of a config.

* ``list`` shows every step of every migration with its state in the local ledger: ``applied``,
  ``pending``, ``edited`` (applied, changed since) or ``removed`` (applied, gone from the config).
* ``validate`` checks every rule Cloudflare enforces at deploy (exit 0 or 1, ``--json`` for CI);
  with ``--persist-to`` also against the migrations applied to that local state.
* ``new [TAG]`` appends a ``[[migrations]]`` entry (tag: the next one of the file's pattern), keeping
  the rest of the file as it is; ``--rename A:B`` also points the bindings of ``A`` at ``B``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pyworker.commands._project import Project, add_project_options, format_table, open_project, save_edit
from pyworker.config.apply import display_path
from pyworker.config.editing import ConfigDocument
from pyworker.config.ledger import Ledger, migration_steps
from pyworker.config.rules import describe_entry, describe_steps, next_tag, render_violations
from pyworker.errors import ConfigError, MigrationError, PyworkerError

__all__ = ["register"]

_STEP_KINDS = ("deleted_classes", "renamed_classes", "transferred_classes", "new_classes", "new_sqlite_classes")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``migrations`` and its subcommands to the command line."""
    parser = commands.add_parser("migrations", help="list, validate and add Durable Object migrations")
    subcommands = parser.add_subparsers(dest="migrations_command", metavar="SUBCOMMAND", required=True)

    listing = subcommands.add_parser("list", help="every migration step, applied or pending")
    add_project_options(listing, persist_help="local state whose ledger to read (default: .wrangler/state)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=run_list)

    validate = subcommands.add_parser(
        "validate", help="check every rule Cloudflare enforces at deploy (exit 1 if one is broken)"
    )
    add_project_options(validate, persist_help="also check against the migrations applied to this local state")
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.set_defaults(run=run_validate)

    new = subcommands.add_parser("new", help="append a [[migrations]] entry to the config")
    new.add_argument("tag", nargs="?", help="tag of the migration (default: the next one, e.g. v4 after v3)")
    for flag, metavar, what in (
        ("--new-sqlite-class", "CLASS", "create a SQLite-backed class"),
        ("--new-class", "CLASS", "create a KV-backed class"),
        ("--rename", "OLD:NEW", "rename a class, keeping its objects"),
        ("--delete", "CLASS", "delete a class and its objects"),
        ("--transfer", "FROM:SCRIPT:TO", "move the objects of class FROM of Worker SCRIPT into class TO"),
    ):
        new.add_argument(flag, action="append", default=[], metavar=metavar, help=f"{what} (repeatable)")
    add_project_options(new)
    new.set_defaults(run=run_new)


def run_list(args: argparse.Namespace) -> int:
    """Print each migration step with its state in the ledger."""
    project = open_project(args)
    ledger = Ledger(project.persist_root)
    rows = _list_rows(project, ledger)
    if args.json:
        print(json.dumps({"worker": project.loaded.worker_name, "config": project.file,
                          "ledger": display_path(ledger.path), "migrations": rows}, indent=2))
        return 0
    print(f"Durable Object migrations of {project.loaded.worker_name} ({project.file}); "
          f"ledger: {display_path(ledger.path)}")
    if not rows:
        print("No migrations.")
        return 0
    table = [
        (row["tag"], row["state"], step["kind"], _step_text(step))
        for row in rows
        for step in row["steps"] or [{"kind": "-", "class": ""}]
    ]
    print(format_table(("tag", "state", "kind", "class"), table))
    return 0


def _list_rows(project: Project, ledger: Ledger) -> list[dict[str, Any]]:
    applied = {entry.tag: entry for entry in ledger.applied(project.loaded.worker_name)}
    rows = []
    for migration in project.loaded.config.migrations:
        steps = migration_steps(migration)
        entry = applied.pop(migration.tag, None)
        state = "pending" if entry is None else ("applied" if entry.steps == steps else "edited")
        rows.append({"tag": migration.tag, "state": state, "steps": _flat_steps(steps)})
    rows += [{"tag": tag, "state": "removed", "steps": _flat_steps(entry.steps)} for tag, entry in applied.items()]
    return rows


def _flat_steps(steps: dict[str, Any]) -> list[dict[str, str]]:
    """One ``{"kind", "class", ...}`` per class of each step, in wrangler's order of application."""
    flat = []
    for kind in _STEP_KINDS:
        for entry in steps.get(kind, []):
            if isinstance(entry, str):
                flat.append({"kind": kind, "class": entry})
            else:
                flat.append({"kind": kind, "class": entry["to"], **entry})
    return flat


def _step_text(step: dict[str, str]) -> str:
    return describe_entry(step if "from" in step else step["class"])


def run_validate(args: argparse.Namespace) -> int:
    """Check every rule; 0 when all hold, 1 (with every violation) otherwise."""
    try:
        project = open_project(args)
    except ConfigError as error:
        if not args.json:
            raise
        print(json.dumps({"ok": False, "violations": [{"rule": "config", "message": str(error)}]}, indent=2))
        return 1
    violations = project.violations(ledger=args.persist_to is not None, exports=True)
    if args.json:
        print(json.dumps({"ok": not violations, "violations": [v.to_json() for v in violations]}, indent=2))
        return 1 if violations else 0
    if violations:
        raise MigrationError(render_violations(violations, project.file))
    config = project.loaded.config
    against = f", checked against {display_path(project.persist_root)}" if args.persist_to else ""
    print(f"{project.file}: {_count(len(config.migrations), 'migration')} and "
          f"{_count(len(config.durable_objects.bindings), 'Durable Object binding')} follow every rule{against}.")
    return 0


def run_new(args: argparse.Namespace) -> int:
    """Append a migration entry built from the flags."""
    project = open_project(args)
    tag = args.tag or next_tag([m.tag for m in project.loaded.config.migrations])
    renames = [_split(text, "--rename", ("from", "to"), "Counter:Tally") for text in args.rename]
    transfers = [
        _split(text, "--transfer", ("from", "from_script", "to"), "Counter:other-worker:Counter")
        for text in args.transfer
    ]
    steps: dict[str, list[Any]] = {
        "new_sqlite_classes": args.new_sqlite_class,
        "new_classes": args.new_class,
        "renamed_classes": renames,
        "deleted_classes": args.delete,
        "transferred_classes": transfers,
    }
    entry: dict[str, Any] = {"tag": tag, **{kind: values for kind, values in steps.items() if values}}
    if len(entry) == 1:
        raise PyworkerError(
            "Nothing to add: give at least one step.\n"
            "Fix: pass --new-sqlite-class, --new-class, --rename OLD:NEW, --delete or --transfer FROM:SCRIPT:TO, "
            f"e.g. pyworker migrations new {tag} --new-sqlite-class Game"
        )
    retargeted = _retargeted_bindings(project, renames)

    def edit(document: ConfigDocument) -> None:
        document.append(project.section("migrations"), entry)
        for index, new_class in retargeted:
            document.set_string((*project.section("durable_objects"), "bindings", index, "class_name"), new_class)

    save_edit(project, edit)
    print(f"Added migration {tag} to {project.file}: {describe_steps({k: v for k, v in steps.items() if v})}")
    bindings = project.loaded.config.durable_objects.bindings
    for index, new_class in retargeted:
        print(f"Updated binding {bindings[index].name}: class_name {bindings[index].class_name} → {new_class}")
    print("It is applied to the local state when pyworker dev starts or reloads the config.")
    return 0


def _split(text: str, flag: str, names: tuple[str, ...], example: str) -> dict[str, str]:
    """``"A:B"`` as ``{"from": "A", "to": "B"}`` (for ``names`` ``("from", "to")``)."""
    parts = text.split(":")
    if len(parts) != len(names) or not all(parts):
        raise PyworkerError(
            f"{flag} {text!r}: expected {':'.join(name.upper() for name in names)}.\n"
            f"Fix: write it like {flag} {example}"
        )
    return dict(zip(names, parts))


def _retargeted_bindings(project: Project, renames: list[dict[str, str]]) -> list[tuple[int, str]]:
    """The bindings to a renamed class of this Worker, each with the class's new name."""
    new_names = {rename["from"]: rename["to"] for rename in renames}
    return [
        (index, new_names[binding.class_name])
        for index, binding in enumerate(project.loaded.config.durable_objects.bindings)
        if binding.class_name in new_names and project.loaded.is_local(binding)
    ]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
