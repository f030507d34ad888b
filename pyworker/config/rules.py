"""Every rule Cloudflare enforces on Durable Object migrations at deploy, checked locally.

``reference/DO_SPEC.md`` §2: ``wrangler dev`` checks only L1-L4 (§2.2) and Cloudflare the rest at
deploy (§2.3). :func:`check_migrations` checks all of them on a config, without network:

* tags are unique; with a ledger (:mod:`.ledger`) applied migrations are neither removed, edited nor
  preceded by a new one (A7: migrations are append-only);
* replaying the steps in order (deleted, renamed, transferred, new, new SQLite): a deleted or renamed
  class exists (L1, L2, A10), a created class does not (L3, L4, A3), a KV-backed class never becomes
  SQLite-backed (A4), a rename or transfer destination does not exist yet (A10), a transfer comes from
  another Worker, and no class is the target of two migrations applied together (A9);
* every binding to a class of this Worker names a class that exists after all migrations (A1), and
  not one that a migration deleted (A5) or renamed;
* when ``main`` can be read without running it (:func:`exported_names`): bound classes are exported
  (A2), and so is every class that exists after all migrations (A6).

Each :class:`Violation` is one message naming the tag, the class and the fix; :func:`locate` adds the
config file and line.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pyworker.config.diagnostics import Origin
from pyworker.config.ledger import AppliedMigration, migration_steps
from pyworker.config.locate import parse_key_path
from pyworker.config.schema import DurableObjectBinding, Migration, WranglerConfig

__all__ = [
    "ClassInfo",
    "Replay",
    "Violation",
    "check_migrations",
    "describe_entry",
    "describe_steps",
    "exported_names",
    "locate",
    "next_tag",
    "render_violations",
    "replay",
]

_NUMBERED_TAG = re.compile(r"(.*?)(\d+)")
_WORKER_NAME = re.compile(r"[A-Za-z0-9_-]+")
_NEW_CLASS_FIX = "pyworker migrations new --new-sqlite-class {name}"


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    Attributes:
        rule: stable identifier (``"create-existing"``), for ``--json`` and tests.
        reference: the row of DO_SPEC §2 it comes from (``"L3/A3"``).
        subject: what it is about, as the config names it (``[[migrations]] tag "v2"``).
        problem: what is wrong (Cloudflare's or wrangler's text where one exists).
        fix: how to fix it.
        tag: the migration tag concerned, if any.
        class_name: the Durable Object class concerned, if any.
        key: key path in the config (``migrations[1].new_classes[0]``), if any.
        file: the config file as shown to the user, once :func:`locate` ran.
        line: the line of ``key`` in ``file``, when it could be found.
    """

    rule: str
    reference: str
    subject: str
    problem: str
    fix: str
    tag: str | None = None
    class_name: str | None = None
    key: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def where(self) -> str | None:
        """``"wrangler.toml:12"``, or just the file when the line is unknown."""
        if self.file is None:
            return None
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def render(self) -> str:
        """``wrangler.toml:12: [[migrations]] tag "v2", class "A": <problem>`` and a ``Fix:`` line."""
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.subject}: {self.problem}\n  Fix: {self.fix}"

    def to_json(self) -> dict[str, Any]:
        """The violation as plain data (``--json``)."""
        return {
            "rule": self.rule,
            "reference": self.reference,
            "tag": self.tag,
            "class": self.class_name,
            "message": self.problem,
            "fix": self.fix,
            "key": self.key,
            "file": self.file,
            "line": self.line,
        }


@dataclass(frozen=True)
class ClassInfo:
    """A class that exists at some point of the migration history."""

    sqlite: bool | None
    """SQLite-backed (``new_sqlite_classes``), KV-backed, or None when transferred in (unknown)."""
    tag: str
    """The migration that created, renamed or transferred it to this name."""

    @property
    def backend(self) -> str:
        """``"SQLite"``, ``"KV-backed"``, or ``"transferred"`` (the source's, unknown here)."""
        return {True: "SQLite", False: "KV-backed", None: "transferred"}[self.sqlite]


@dataclass(frozen=True)
class _Gone:
    """How a class stopped existing: deleted, or renamed (``renamed_to``)."""

    tag: str
    renamed_to: str | None = None


@dataclass
class Replay:
    """The classes of a Worker after replaying its migrations, and what went wrong on the way."""

    classes: dict[str, ClassInfo] = field(default_factory=dict)
    gone: dict[str, _Gone] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)


def describe_steps(steps: dict[str, Any]) -> str:
    """A one-line summary of migration steps: ``new_sqlite_classes: A, B; renamed_classes: C → D``.

    >>> describe_steps({"renamed_classes": [{"from": "A", "to": "B"}], "deleted_classes": ["C"]})
    'renamed_classes: A → B; deleted_classes: C'
    """
    parts = [f"{kind}: {', '.join(map(describe_entry, entries))}" for kind, entries in steps.items()]
    return "; ".join(parts) or "(no steps)"


def describe_entry(entry: str | dict[str, str]) -> str:
    """One class of a step: ``Counter``, ``A → B`` or ``A (from other-worker) → B``."""
    if isinstance(entry, str):
        return entry
    origin = f" (from {entry['from_script']})" if "from_script" in entry else ""
    return f"{entry['from']}{origin} → {entry['to']}"


def check_migrations(
    config: WranglerConfig,
    worker_name: str,
    *,
    applied: Sequence[AppliedMigration] | None = None,
    exports: Collection[str] | None = None,
) -> list[Violation]:
    """All rule violations of ``config``'s migrations and Durable Object bindings.

    Args:
        config: the effective config (environment applied).
        worker_name: the effective Worker name (``script_name`` equal to it means this Worker).
        applied: the ledger's entries for this Worker; None checks the config alone (as for a
            first deploy, every migration is pending).
        exports: the names ``main`` defines at module level (:func:`exported_names`); None skips
            the checks that need the code (A2, A6).
    """
    violations = _check_tags(config.migrations, applied or [])
    first_pending = 0
    if applied is not None:  # with broken history, which migrations go together is unknown: no A9
        first_pending = len(config.migrations) if violations else len(applied)
    history = replay(config.migrations, worker_name, first_pending=first_pending)
    violations += history.violations
    violations += _check_bindings(config, worker_name, history)
    if exports is not None:
        violations += _check_exports(config, worker_name, history, exports)
    return violations


def replay(migrations: Sequence[Migration], worker_name: str, *, first_pending: int = 0) -> Replay:
    """Replay ``migrations`` in order, collecting the violations of L1-L4, A3, A4, A9 and A10.

    ``first_pending`` is the index of the first migration not yet applied: the migrations from it
    on are applied together (one deploy), which A9 is about.
    """
    history = Replay()
    targeted: dict[str, str] = {}  # class -> tag that targeted it within the pending migrations
    for index, migration in enumerate(migrations):
        step = _Step(history, migration, index, worker_name, targeted if index >= first_pending else None)
        step.run()
    return history


@dataclass
class _Step:
    """Applies one migration to a :class:`Replay`, in wrangler's order, recording violations."""

    history: Replay
    migration: Migration
    index: int
    worker_name: str
    targeted: dict[str, str] | None

    def run(self) -> None:
        self._check_names()
        for position, name in enumerate(self.migration.deleted_classes):
            self._delete(name, f"deleted_classes[{position}]")
        for position, rename in enumerate(self.migration.renamed_classes):
            self._rename(rename.from_, rename.to, f"renamed_classes[{position}]")
        for position, transfer in enumerate(self.migration.transferred_classes):
            self._transfer(transfer.from_, transfer.from_script, transfer.to, f"transferred_classes[{position}]")
        for kind, sqlite in (("new_classes", False), ("new_sqlite_classes", True)):
            for position, name in enumerate(getattr(self.migration, kind)):
                self._create(name, kind, sqlite, f"{kind}[{position}]")

    def _check_names(self) -> None:
        """Class names are Python identifiers and ``from_script`` a Worker name: each names a folder
        ``<worker>-<Class>`` under the persist root, which a ``/`` or ``..`` would leave."""
        m = self.migration
        names = [(f"deleted_classes[{i}]", n) for i, n in enumerate(m.deleted_classes)]
        names += [(f"renamed_classes[{i}]", n) for i, r in enumerate(m.renamed_classes) for n in (r.from_, r.to)]
        names += [(f"transferred_classes[{i}]", n) for i, t in enumerate(m.transferred_classes) for n in (t.from_, t.to)]
        names += [(f"{kind}[{i}]", n) for kind in ("new_classes", "new_sqlite_classes") for i, n in enumerate(getattr(m, kind))]
        for key, name in names:
            if not name.isidentifier():
                self._violation(
                    "class-name", "docs", name, key, f'"{name}" is not a class name',
                    "Use the name of the Python class: letters, digits and _, not starting with a digit.",
                )
        for i, transfer in enumerate(m.transferred_classes):
            if not _WORKER_NAME.fullmatch(transfer.from_script):
                self._violation(
                    "script-name", "docs", transfer.from_, f"transferred_classes[{i}]",
                    f'from_script "{transfer.from_script}" is not a Worker name',
                    "Use the other Worker's name: letters, digits, - and _.",
                )

    # -- steps ---------------------------------------------------------------------------------
    def _delete(self, name: str, key: str) -> None:
        if name not in self.history.classes:
            self._violation(
                "delete-missing", "L1/A10", name, key,
                f"Cannot apply deleted_classes migration to non-existent class {name}",
                self._missing_fix(name, "deleted_classes"),
            )
            return
        del self.history.classes[name]
        self.history.gone[name] = _Gone(self.migration.tag)

    def _rename(self, old: str, new: str, key: str) -> None:
        if old not in self.history.classes:
            self._violation(
                "rename-missing", "L2/A10", old, key,
                f"Cannot apply renamed_classes migration to non-existent class {old}",
                self._missing_fix(old, "renamed_classes"),
            )
            return
        if not self._free_target(new, key, f"rename {old} → {new}"):
            return
        info = self.history.classes.pop(old)
        self.history.classes[new] = ClassInfo(info.sqlite, self.migration.tag)
        self.history.gone[old] = _Gone(self.migration.tag, renamed_to=new)
        self.history.gone.pop(new, None)

    def _transfer(self, old: str, script: str, new: str, key: str) -> None:
        if script == self.worker_name:
            self._violation(
                "transfer-from-self", "docs", old, key,
                f'transferred_classes moves "{old}" from this Worker ({script}) to "{new}"',
                "Transfers move objects between Workers; within one Worker use "
                f'renamed_classes = [{{ from = "{old}", to = "{new}" }}] instead.',
            )
            return
        if not self._free_target(new, key, f"transfer {old} (from {script}) → {new}"):
            return
        self.history.classes[new] = ClassInfo(None, self.migration.tag)
        self.history.gone.pop(new, None)

    def _create(self, name: str, kind: str, sqlite: bool, key: str) -> None:
        existing = self.history.classes.get(name)
        if existing is not None:
            problem = f"Cannot apply {kind} migration to existing class {name}"
            if sqlite and existing.sqlite is False:
                self._violation(
                    "sqlite-switch", "L4/A4", name, key,
                    f"{problem}: it is KV-backed since \"{existing.tag}\", and a KV-backed class "
                    "can never become SQLite-backed",
                    f'Remove "{name}" from {kind} of "{self.migration.tag}". For SQLite storage, '
                    f"create a class under a new name ({_NEW_CLASS_FIX.format(name=name + 'Sql')}); "
                    f'to drop the KV-backed objects, delete "{name}" first (deleted_classes).',
                )
            else:
                self._violation(
                    "create-existing", "L3/A3" if kind == "new_classes" else "L4/A3", name, key,
                    f"{problem} (created by \"{existing.tag}\")",
                    f'A class is created once: remove "{name}" from {kind} of '
                    f'"{self.migration.tag}", or create a class with another name.',
                )
            return
        if not self._free_target(name, key, f"create {name}"):
            return
        self.history.classes[name] = ClassInfo(sqlite, self.migration.tag)
        self.history.gone.pop(name, None)

    # -- shared checks ---------------------------------------------------------------------------
    def _free_target(self, name: str, key: str, action: str) -> bool:
        """A9/A10: ``name`` may become a class here (not existing; not yet targeted in this deploy)."""
        existing = self.history.classes.get(name)
        if existing is not None:
            self._violation(
                "target-exists", "A10", name, key,
                f'Cannot {action}: class "{name}" already exists (since "{existing.tag}")',
                f'Choose a destination no migration has created, or delete "{name}" in an earlier '
                "migration (its objects are deleted).",
            )
            return False
        if self.targeted is not None:
            earlier = self.targeted.get(name)
            if earlier is not None:
                self._violation(
                    "target-twice", "A9", name, key,
                    f"class '{name}' cannot be the target of more than one migration "
                    f'(\"{earlier}\" and \"{self.migration.tag}\" are applied together)',
                    f'Apply "{earlier}" first (run pyworker dev, or deploy) and add "{self.migration.tag}" '
                    "afterwards, or use another class name.",
                )
                return False
            self.targeted[name] = self.migration.tag
        return True

    def _missing_fix(self, name: str, kind: str) -> str:
        gone = self.history.gone.get(name)
        if gone is not None and gone.renamed_to:
            return f'"{name}" was renamed to "{gone.renamed_to}" by "{gone.tag}": use "{gone.renamed_to}".'
        if gone is not None:
            return f'"{name}" was already deleted by "{gone.tag}": remove it from {kind}.'
        return (
            f'Remove "{name}" from {kind}, or check its spelling{_did_you_mean(name, self.history.classes)}: '
            "no earlier migration creates it."
        )

    def _violation(self, rule: str, reference: str, name: str, key: str, problem: str, fix: str) -> None:
        self.history.violations.append(
            Violation(
                rule=rule,
                reference=reference,
                subject=f'[[migrations]] tag "{self.migration.tag}", class "{name}"',
                problem=problem,
                fix=fix,
                tag=self.migration.tag,
                class_name=name,
                key=f"migrations[{self.index}].{key}",
            )
        )


def _check_tags(migrations: Sequence[Migration], applied: Sequence[AppliedMigration]) -> list[Violation]:
    """Unique tags; applied migrations kept unchanged, in order, before every new one (A7)."""
    violations: list[Violation] = []
    first_index: dict[str, int] = {}
    for index, migration in enumerate(migrations):
        if migration.tag in first_index:
            violations.append(
                Violation(
                    "duplicate-tag", "A7", f'[[migrations]] tag "{migration.tag}"',
                    f'Migration tag "{migration.tag}" is used more than once '
                    f"(migrations[{first_index[migration.tag]}] and migrations[{index}])",
                    "Tags name migrations uniquely: give the later one an unused tag, e.g. "
                    f'"{next_tag([m.tag for m in migrations])}".',
                    tag=migration.tag, key=f"migrations[{index}].tag",
                )
            )
        first_index.setdefault(migration.tag, index)
    for entry in applied:
        index = first_index.get(entry.tag)
        if index is None:
            violations.append(
                Violation(
                    "applied-removed", "A7", f'[[migrations]] tag "{entry.tag}"',
                    f'Migration "{entry.tag}" ({describe_steps(entry.steps)}) was applied to the local '
                    "state but is no longer in the config",
                    f'Applied migrations are permanent: put the [[migrations]] entry "{entry.tag}" back '
                    "as it was. To undo it, append a new migration; to start the local state afresh, "
                    "delete the persist directory.",
                    tag=entry.tag, class_name=_classes_of(entry.steps), key="migrations",
                )
            )
            continue
        now = migration_steps(migrations[index])
        if now != entry.steps:
            violations.append(
                Violation(
                    "applied-edited", "A7", f'[[migrations]] tag "{entry.tag}"',
                    f'Migration "{entry.tag}" was changed after it was applied: applied as '
                    f"{describe_steps(entry.steps)}; now {describe_steps(now)}",
                    f'Restore "{entry.tag}" as applied, and make the change in a new migration at the '
                    "end (pyworker migrations new ...).",
                    tag=entry.tag, class_name=_classes_of(entry.steps) or _classes_of(now),
                    key=f"migrations[{index}]",
                )
            )
    return violations + _check_order(migrations, applied)


def _check_order(migrations: Sequence[Migration], applied: Sequence[AppliedMigration]) -> list[Violation]:
    """A7: the applied migrations come first, in the order they were applied (append-only)."""
    applied_tags = [entry.tag for entry in applied]
    tags = [migration.tag for migration in migrations]
    kept = [tag for tag in applied_tags if tag in tags]
    if not kept:
        return []
    last = max(tags.index(tag) for tag in kept)
    violations = []
    for index, migration in enumerate(migrations[:last]):
        if migration.tag not in applied_tags:
            violations.append(
                Violation(
                    "inserted-before-applied", "A7", f'[[migrations]] tag "{migration.tag}"',
                    f'Migration "{migration.tag}" is new but comes before "{tags[last]}", which is '
                    "already applied: migrations are append-only",
                    f'Move the [[migrations]] entry "{migration.tag}" after "{tags[last]}".',
                    tag=migration.tag, class_name=_classes_of(migration_steps(migration)),
                    key=f"migrations[{index}]",
                )
            )
    in_config_order = [tag for tag in tags if tag in applied_tags]
    if in_config_order != kept:
        moved = next(tag for tag, expected in zip(in_config_order, kept) if tag != expected)
        violations.append(
            Violation(
                "applied-reordered", "A7", f'[[migrations]] tag "{moved}"',
                f"The applied migrations were reordered: applied as {', '.join(kept)}; the config "
                f"has {', '.join(in_config_order)}",
                f"Put the applied migrations back in the order they were applied ({', '.join(kept)}).",
                tag=moved, key=f"migrations[{tags.index(moved)}]",
            )
        )
    return violations


def _check_bindings(config: WranglerConfig, worker_name: str, history: Replay) -> list[Violation]:
    """A1/A5: every binding to a class of this Worker names a class that exists at the end."""
    violations = []
    last_tag = config.migrations[-1].tag if config.migrations else None
    for index, binding in _local_bindings(config, worker_name):
        name = binding.class_name
        if name in history.classes:
            continue
        gone = history.gone.get(name)
        key = f"durable_objects.bindings[{index}].class_name"
        subject = f'[[durable_objects.bindings]] {binding.name}, class "{name}"'
        if gone is not None and gone.renamed_to:
            violations.append(
                Violation(
                    "binding-renamed-class", "A1", subject,
                    f"Cannot create binding for class '{name}' because it is not currently configured "
                    f'to implement Durable Objects: "{gone.tag}" renamed it to "{gone.renamed_to}"',
                    f'Set class_name = "{gone.renamed_to}" in the binding {binding.name}.',
                    tag=gone.tag, class_name=name, key=key,
                )
            )
        elif gone is not None:
            violations.append(
                Violation(
                    "binding-deleted-class", "A5", subject,
                    f"Cannot apply --delete-class migration to class '{name}' without also removing "
                    f'the binding that references it (deleted by "{gone.tag}")',
                    f"Remove the binding {binding.name} (pyworker bindings remove {binding.name}), or "
                    f'take "{name}" out of deleted_classes of "{gone.tag}" if it is not applied yet.',
                    tag=gone.tag, class_name=name, key=key,
                )
            )
        else:
            violations.append(
                Violation(
                    "binding-no-class", "A1", subject,
                    f"Cannot create binding for class '{name}' because it is not currently configured "
                    "to implement Durable Objects. Configure a migration in your Wrangler "
                    "configuration to add this class.",
                    f"Add a migration that creates it ({_NEW_CLASS_FIX.format(name=name)}, or "
                    f"pyworker bindings add durable-object {binding.name} {name} --migrate), or fix "
                    f"class_name{_did_you_mean(name, history.classes)}.",
                    tag=last_tag, class_name=name, key=key,
                )
            )
    return violations


def _check_exports(
    config: WranglerConfig, worker_name: str, history: Replay, exports: Collection[str]
) -> list[Violation]:
    """A2/A6: bound classes and every class alive after the migrations are exported by ``main``."""
    violations = []
    main = config.main or "main"
    reported: set[str] = set()
    for index, binding in _local_bindings(config, worker_name):
        name = binding.class_name
        if name in exports or name not in history.classes or name in reported:
            continue
        reported.add(name)
        violations.append(
            Violation(
                "binding-not-exported", "A2",
                f'[[durable_objects.bindings]] {binding.name}, class "{name}"',
                f"Cannot create binding for class '{name}' that is not exported by the script ({main})",
                f"Define or import class {name} at module level in {main}, or fix class_name"
                f"{_did_you_mean(name, exports)}.",
                tag=history.classes[name].tag, class_name=name,
                key=f"durable_objects.bindings[{index}].class_name",
            )
        )
    for name, info in history.classes.items():
        if name in exports or name in reported:
            continue
        violations.append(
            Violation(
                "class-not-exported", "A6", f'[[migrations]] tag "{info.tag}", class "{name}"',
                f"New version of script does not export class '{name}' which is depended on by "
                "existing Durable Objects. Did you forget to include it? If you renamed it, try a "
                "rename-class migration. If you want to delete all the Durable Objects implemented "
                "by the class, you can use a delete-class migration",
                f"Export {name} from {main} again, or append a migration that renames it "
                f"(pyworker migrations new --rename {name}:NewName) or deletes it "
                f"(pyworker migrations new --delete {name}).",
                tag=info.tag, class_name=name, key=_creation_key(config.migrations, info.tag),
            )
        )
    return violations


def exported_names(main_path: Path) -> frozenset[str] | None:
    """The names ``main_path`` binds at module level, read without running it.

    Classes, functions, imports and assignments count, also inside module-level ``if``/``try``.
    None when that cannot be known: the file is missing or does not parse, or it uses
    ``from x import *`` or a module ``__getattr__``.
    """
    try:
        tree = ast.parse(main_path.read_text(encoding="utf-8"), str(main_path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    names: set[str] = set()
    for node in _module_level(tree.body):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name == "__getattr__":
                return None
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            if any(alias.name == "*" for alias in node.names):
                return None
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return frozenset(names)


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of ``body``, descending into ``if``/``try``/``with`` but not into definitions."""
    for node in body:
        yield node
        for block in ("body", "orelse", "finalbody"):
            if isinstance(node, (ast.If, ast.Try, ast.With)) and hasattr(node, block):
                yield from _module_level(getattr(node, block))
        if isinstance(node, ast.Try):
            for handler in node.handlers:
                yield from _module_level(handler.body)


def locate(violations: Sequence[Violation], origin: Origin, env_name: str | None = None) -> list[Violation]:
    """``violations`` with ``where`` set to the config file and line of their key.

    With ``env_name``, a key is looked up under ``env.<env_name>`` first when the environment
    declares that section itself (its ``durable_objects``, or its own ``migrations``).
    """
    located = []
    for violation in violations:
        key = violation.key
        if key and env_name:
            root = parse_key_path(key)[0]
            if ("env", env_name, root) in origin.locator.lines:
                key = f"env.{env_name}.{key}"
        line = origin.locator.line(key) if key else None
        located.append(replace(violation, file=origin.file, line=line))
    return located


def render_violations(violations: Sequence[Violation], file: str) -> str:
    """One message for all ``violations``: a header line, then each violation after a blank line."""
    count = len(violations)
    header = (
        f"{count} problem{'s' if count != 1 else ''} with the Durable Object migrations and bindings of {file}:"
    )
    return "\n\n".join([header, *(violation.render() for violation in violations)])


def _local_bindings(config: WranglerConfig, worker_name: str) -> Iterator[tuple[int, DurableObjectBinding]]:
    for index, binding in enumerate(config.durable_objects.bindings):
        if binding.script_name in (None, worker_name):
            yield index, binding


def _classes_of(steps: dict[str, Any]) -> str | None:
    """The class names a migration's steps mention, joined (None if none)."""
    names = [
        entry if isinstance(entry, str) else entry["to"]
        for entries in steps.values()
        for entry in entries
    ]
    return ", ".join(dict.fromkeys(names)) or None


def _creation_key(migrations: Sequence[Migration], tag: str) -> str | None:
    for index, migration in enumerate(migrations):
        if migration.tag == tag:
            return f"migrations[{index}]"
    return None


def next_tag(tags: Sequence[str]) -> str:
    """An unused tag after the last one, following its pattern (``v3`` → ``v4``, ``0009`` → ``0010``).

    >>> next_tag(["v1", "v2"]), next_tag(["0009"]), next_tag([]), next_tag(["init"])
    ('v3', '0010', 'v1', 'v2')
    """
    match = next((m for tag in reversed(tags) if (m := _NUMBERED_TAG.fullmatch(tag))), None)
    prefix, digits = (match.group(1), match.group(2)) if match else ("v", str(len(tags)))
    number = int(digits) + 1
    while (tag := f"{prefix}{number:0{len(digits)}d}") in tags:
        number += 1
    return tag


def _did_you_mean(name: str, candidates: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""
