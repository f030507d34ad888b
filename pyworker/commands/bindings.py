"""``pyworker bindings list|add|remove``: the bindings of a config, edited in place.

``add`` refuses what Cloudflare would refuse: a name already bound (any kind, ``[vars]`` included),
or a Durable Object binding to a class of this Worker that no migration creates; ``--migrate`` appends
the ``new_sqlite_classes`` migration it needs. ``remove`` takes out one binding of any kind. With
``--env NAME`` the edit goes to ``[env.NAME]`` when that section exists (bindings are not inherited).
"""

from __future__ import annotations

import argparse
import difflib
import json

from pyworker.commands._project import Project, add_project_options, format_table, open_project, save_edit
from pyworker.config.editing import ConfigDocument
from pyworker.config.rules import next_tag, replay
from pyworker.errors import ConfigError

__all__ = ["register"]

_KINDS = {
    "durable-object": ("durable_objects", "Durable Object"),
    "kv": ("kv_namespaces", "KV Namespace"),
    "d1": ("d1_databases", "D1 Database"),
}
"""``bindings add`` kind -> (config section, the kind's name in wrangler's messages)."""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``bindings`` and its subcommands to the command line."""
    parser = commands.add_parser("bindings", help="list, add and remove bindings in the config")
    subcommands = parser.add_subparsers(dest="bindings_command", metavar="SUBCOMMAND", required=True)

    listing = subcommands.add_parser("list", help="every binding the Worker gets on env")
    add_project_options(listing)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(run=run_list)

    add = subcommands.add_parser("add", help="add a binding")
    kinds = add.add_subparsers(dest="kind", metavar="KIND", required=True)
    durable = kinds.add_parser("durable-object", help="a Durable Object namespace")
    durable.add_argument("name", help="binding name (env.NAME)")
    durable.add_argument("class_name", metavar="CLASS", help="the Durable Object class")
    durable.add_argument("--script-name", help="the Worker that exports the class, when it is another one")
    durable.add_argument("--migrate", action="store_true",
                         help="also append the new_sqlite_classes migration that creates CLASS, if needed")
    kv = kinds.add_parser("kv", help="a KV namespace")
    kv.add_argument("name", help="binding name (env.NAME)")
    kv.add_argument("--id", help="namespace id on Cloudflare")
    d1 = kinds.add_parser("d1", help="a D1 database")
    d1.add_argument("name", help="binding name (env.NAME)")
    d1.add_argument("--database-name", help="database name on Cloudflare")
    d1.add_argument("--database-id", help="database id on Cloudflare")
    for kind in (durable, kv, d1):
        add_project_options(kind)
        kind.set_defaults(run=run_add)

    remove = subcommands.add_parser("remove", help="remove a binding")
    remove.add_argument("name", help="binding name")
    add_project_options(remove)
    remove.set_defaults(run=run_remove)


def run_list(args: argparse.Namespace) -> int:
    """Print the bindings: name, kind and what they point at."""
    project = open_project(args)
    rows = _rows(project)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif rows:
        print(format_table(("binding", "type", "resource"), [(r["name"], r["type"], r["resource"]) for r in rows]))
    else:
        print(f"{project.file} has no bindings.")
    return 0


def _rows(project: Project) -> list[dict[str, str]]:
    loaded, config = project.loaded, project.loaded.config
    classes = replay(config.migrations, loaded.worker_name).classes
    rows = []
    for binding in config.durable_objects.bindings:
        info = classes.get(binding.class_name)
        if not loaded.is_local(binding):
            detail = f"defined in {binding.script_name}"
        elif info is None:
            detail = "no migration creates it"
        else:
            detail = f"{info.backend}, since {info.tag}"
        rows.append({"name": binding.name, "type": "Durable Object", "resource": f"{binding.class_name} ({detail})"})
    rows += [{"name": kv.binding, "type": "KV Namespace", "resource": kv.id or "(local only)"}
             for kv in config.kv_namespaces]
    rows += [{"name": db.binding, "type": "D1 Database",
              "resource": db.database_name or db.database_id or "(local only)"} for db in config.d1_databases]
    rows += [{"name": name, "type": "Environment Variable", "resource": json.dumps(value, ensure_ascii=False)}
             for name, value in config.vars.items()]
    return rows


def run_add(args: argparse.Namespace) -> int:
    """Append one binding (and with ``--migrate`` the migration its class needs)."""
    project = open_project(args)
    section, kind_name = _KINDS[args.kind]
    migration = None
    if args.kind == "durable-object":
        entry = _entry(name=args.name, class_name=args.class_name, script_name=args.script_name)
        classes = replay(project.loaded.config.migrations, project.loaded.worker_name).classes
        local = args.script_name in (None, project.loaded.worker_name)
        if args.migrate and local and args.class_name not in classes:
            tags = [m.tag for m in project.loaded.config.migrations]
            migration = {"tag": next_tag(tags), "new_sqlite_classes": [args.class_name]}
    elif args.kind == "kv":
        entry = _entry(binding=args.name, id=args.id)
    else:
        entry = _entry(binding=args.name, database_name=args.database_name, database_id=args.database_id)

    def edit(document: ConfigDocument) -> None:
        document.append(_list_path(project, section), entry)
        if migration is not None:
            document.append(project.section("migrations"), migration)

    save_edit(project, edit)
    print(f"Added {kind_name} binding {args.name} to {project.file}.")
    if migration is not None:
        print(f"Added migration {migration['tag']} to {project.file}: new_sqlite_classes: {args.class_name}")
    return 0


def _entry(**fields: str | None) -> dict[str, str]:
    return {key: value for key, value in fields.items() if value is not None}


def run_remove(args: argparse.Namespace) -> int:
    """Remove the binding named ``args.name``, whatever its kind."""
    project = open_project(args)
    config = project.loaded.config
    found = next(
        ((section, kind_name) for section, kind_name in _KINDS.values() if args.name in _names(project, section)),
        None,
    )
    if found is None:
        if args.name in config.vars:
            raise ConfigError(
                f"{args.name} is a variable of [vars], not a binding this command edits.\n"
                f"Fix: remove {args.name} from [vars] in {project.file} by hand."
            )
        names = [name for section, _ in _KINDS.values() for name in _names(project, section)]
        close = difflib.get_close_matches(args.name, names, n=1)
        hint = f'did you mean "{close[0]}"? ' if close else ""
        raise ConfigError(
            f"No binding named {args.name} in {project.file}.\n"
            f"Fix: {hint}the bindings are: {', '.join(names) or '(none)'} (pyworker bindings list)."
        )
    section, kind_name = found
    index = _names(project, section).index(args.name)
    save_edit(project, lambda document: document.remove(_list_path(project, section), index))
    print(f"Removed {kind_name} binding {args.name} from {project.file}.")
    if section == "durable_objects":
        class_name = config.durable_objects.bindings[index].class_name
        if class_name in project.loaded.backends:
            print(f"Class {class_name} keeps its objects. To delete them too: "
                  f"pyworker migrations new --delete {class_name}")
    return 0


def _names(project: Project, section: str) -> list[str]:
    """The binding names of one section, in file order."""
    config = project.loaded.config
    if section == "durable_objects":
        return [binding.name for binding in config.durable_objects.bindings]
    return [entry.binding for entry in getattr(config, section)]


def _list_path(project: Project, section: str) -> tuple[str, ...]:
    """The key path of a section's list of bindings (``durable_objects.bindings``, ``kv_namespaces``)."""
    path = project.section(section)
    return (*path, "bindings") if section == "durable_objects" else path
