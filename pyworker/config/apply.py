"""Applying pending Durable Object migrations to the local state, in order, once each.

State layout (``reference/DO_SPEC.md`` §4.1): ``<persist root>/v3/do/<worker>-<Class>/<id>.sqlite``
(plus ``-wal``/``-shm``; newer workerd adds a per-class ``metadata.sqlite`` alarm index). What each
step does to it:

* ``deleted_classes``: the class directory is deleted with every object in it.
* ``renamed_classes``: the objects move from ``<worker>-<Old>/`` to ``<worker>-<New>/``.
* ``transferred_classes``: the objects move from the other Worker's ``<from_script>-<From>/`` (same
  persist root) to ``<worker>-<To>/``.
* ``new_classes``/``new_sqlite_classes``: nothing on disk (the directory appears with the first object).

**Object ids across a rename.** Locally an id is derived from its namespace key
``"<worker>-<Class>"`` (:mod:`pyworker.runtime.ids`), so the same object needs a new id, and a new
file name, under the new class:

* Named objects (``idFromName``/``getByName``) keep their name: the new id is
  ``idFromName(name)`` of the new namespace, so ``getByName(name)`` finds the moved object, as on
  Cloudflare. The name is read from the table ``__miniflare_do_name`` that wrangler ≥ 4.86 writes
  into each object's file, and is used only if it really derives the old id.
* Objects whose name is not stored (``newUniqueId()`` objects, and state written by older wrangler)
  keep the first half of their id (its random or name-derived part); the second half is computed
  again under the new namespace key, which makes the id valid there (``idFromString`` accepts it).
  The old string does *not* validate under the new class: code that saved such an id must translate
  it. The ledger records every ``old → new`` id in ``moved_ids``; renaming back restores the old ids.

An object whose new id is already taken in the destination stays where it is (it is reported): the
destination holds newer data, for example written by ``wrangler dev``, which never moves objects.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from pyworker.config.diagnostics import Origin
from pyworker.config.ledger import Ledger
from pyworker.config.loader import LoadedConfig, key_origin
from pyworker.config.locate import KeyLocator
from pyworker.config.rules import check_migrations, exported_names, locate, render_violations
from pyworker.config.schema import Migration
from pyworker.errors import MigrationError
from pyworker.runtime.ids import IdFactory
from pyworker.storage.files import private_dir

__all__ = ["apply_pending_migrations", "display_path"]

_OBJECT_FILE = re.compile(r"[0-9a-f]{64}\.sqlite")
_COMPANIONS = ("", "-wal", "-shm", "-journal")
_NAME_TABLE = "__miniflare_do_name"
_ALARM_INDEX = "metadata.sqlite"


def apply_pending_migrations(loaded: LoadedConfig, persist_root: Path) -> list[str]:
    """Apply the migrations not yet in the ledger to the state under ``persist_root``.

    Every rule of :mod:`.rules` is checked first (against the ledger, and against ``main``'s
    exports when they can be read); nothing is changed unless all pass. A migration that deletes,
    renames or transfers classes is saved in the ledger right after it is applied, so an interrupted
    run resumes where it stopped; migrations that only create classes change no file and are saved
    together.

    Returns:
        One line per applied migration, e.g.
        ``Applied migration v3: renamed Counter → Tally (2 objects moved)``; empty if none was pending.

    Raises:
        MigrationError: all rule violations in one message (file, line, tag, class and fix each),
            or a damaged ledger.
    """
    ledger = Ledger(persist_root)
    applied = ledger.applied(loaded.worker_name)
    violations = check_migrations(
        loaded.config, loaded.worker_name, applied=applied, exports=exported_names(loaded.main_path)
    )
    if violations:
        origin = _origin(loaded)
        raise MigrationError(render_violations(locate(violations, origin, loaded.env_name), origin.file))
    do_root = persist_root / "v3" / "do"
    lines = []
    for migration in loaded.config.migrations[len(applied):]:
        step = _Applier(do_root, loaded.worker_name)
        summary = step.apply(migration)
        ledger.record(loaded.worker_name, migration, step.moved_ids)
        if migration.deleted_classes or migration.renamed_classes or migration.transferred_classes:
            ledger.save()
        lines.append(f"Applied migration {migration.tag}: {summary}")
    if lines:
        ledger.save()
    return lines


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when below it, as messages show files."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def _origin(loaded: LoadedConfig) -> Origin:
    """Where violations point: the config file as shown to the user, with the lines of its keys."""
    if loaded.path is None:
        return Origin("wrangler configuration", KeyLocator({}))
    text = loaded.path.read_text(encoding="utf-8-sig")
    return key_origin(text, loaded.path, display_path(loaded.path))


@dataclass
class _Moved:
    """Outcome of moving one class directory's objects."""

    moved: int = 0
    renamed_ids: int = 0
    left: int = 0


@dataclass
class _Applier:
    """Applies the steps of one migration to ``<persist root>/v3/do`` of ``worker_name``."""

    do_root: Path
    worker_name: str
    moved_ids: dict[str, str] = field(default_factory=dict)

    def apply(self, migration: Migration) -> str:
        """Run the steps in wrangler's order; return the report (``renamed A → B (2 objects moved)``)."""
        parts = []
        for name in migration.deleted_classes:
            parts.append(f"deleted {name} ({_objects(self._delete(name))} deleted)")
        for rename in migration.renamed_classes:
            outcome = self._move(self.worker_name, rename.from_, rename.to)
            parts.append(f"renamed {rename.from_} → {rename.to} ({_moved(outcome)})")
        for transfer in migration.transferred_classes:
            outcome = self._move(transfer.from_script, transfer.from_, transfer.to)
            parts.append(
                f"transferred {transfer.from_} from {transfer.from_script} → {transfer.to} ({_moved(outcome)})"
            )
        parts += [f"created {name} (KV-backed)" for name in migration.new_classes]
        parts += [f"created {name} (SQLite)" for name in migration.new_sqlite_classes]
        return "; ".join(parts) or "no steps"

    def _directory(self, worker_name: str, class_name: str) -> Path:
        return self.do_root / f"{worker_name}-{class_name}"

    def _delete(self, class_name: str) -> int:
        directory = self._directory(self.worker_name, class_name)
        count = sum(1 for _ in _object_files(directory))
        shutil.rmtree(directory, ignore_errors=True)
        return count

    def _move(self, source_worker: str, source_class: str, target_class: str) -> _Moved:
        source_key, target_key = f"{source_worker}-{source_class}", f"{self.worker_name}-{target_class}"
        source, target = self.do_root / source_key, self.do_root / target_key
        old_ids, new_ids = _Namespace(source_key), _Namespace(target_key)
        outcome = _Moved()
        alarms: dict[str, str] = {}
        for path in list(_object_files(source)):
            old = path.name.removesuffix(".sqlite")
            name = _stored_name(path)
            if name is not None and str(old_ids.from_name(name)) == old:
                new = str(new_ids.from_name(name))
            else:
                new = new_ids.resign(old)
                outcome.renamed_ids += 1
            if (target / f"{new}.sqlite").exists():
                outcome.left += 1
                continue
            private_dir(target)
            for suffix in _COMPANIONS:
                companion = source / f"{old}.sqlite{suffix}"
                if companion.exists():
                    shutil.move(companion, target / f"{new}.sqlite{suffix}")
            self.moved_ids[f"{source_key}/{old}"] = f"{target_key}/{new}"
            alarms[old] = new
            outcome.moved += 1
        _move_alarms(source / _ALARM_INDEX, target / _ALARM_INDEX, alarms)
        _remove_if_unused(source)
        return outcome


class _Namespace(IdFactory):
    """The ids of one namespace, plus re-keying an id of another namespace into this one."""

    __slots__ = ()

    def resign(self, hex_id: str) -> str:
        """The id with the same first half as ``hex_id`` that is valid in this namespace."""
        return str(self._make(bytes.fromhex(hex_id)[:16], None))


def _object_files(directory: Path) -> Iterator[Path]:
    """The objects' database files of one class directory (not ``metadata.sqlite``), sorted."""
    if directory.is_dir():
        yield from sorted(p for p in directory.iterdir() if _OBJECT_FILE.fullmatch(p.name))


def _stored_name(path: Path) -> str | None:
    """The object's name as wrangler records it (``__miniflare_do_name``), if the file has one.

    The file is opened for writing so that closing it folds a leftover ``-wal`` into it (and
    removes it), as the last connection to a WAL database does.
    """
    try:
        with closing(sqlite3.connect(path)) as db:
            row = db.execute(f"SELECT name FROM {_NAME_TABLE} WHERE id = 1").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row and isinstance(row[0], str) else None


def _move_alarms(source: Path, target: Path, ids: dict[str, str]) -> None:
    """Carry the moved objects' rows of workerd's per-class alarm index (``_cf_ALARM``) along."""
    if not ids or not source.is_file():
        return
    with closing(sqlite3.connect(source)) as db:
        try:
            rows = db.execute("SELECT actor_id, scheduled_time FROM _cf_ALARM").fetchall()
        except sqlite3.Error:  # not workerd's alarm index: leave it alone
            return
        (schema,) = db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '_cf_ALARM'"
        ).fetchone()
        with db:
            db.executemany("DELETE FROM _cf_ALARM WHERE actor_id = ?", [(actor,) for actor in ids])
    moving = [(ids[actor], time) for actor, time in rows if actor in ids]
    if moving:
        with closing(sqlite3.connect(target)) as db, db:
            db.execute(schema.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1))
            db.executemany("INSERT OR REPLACE INTO _cf_ALARM VALUES (?, ?)", moving)


def _remove_if_unused(directory: Path) -> None:
    """Remove a class directory that holds no object any more (an empty alarm index goes too)."""
    if not directory.is_dir() or any(_object_files(directory)):
        return
    index = directory / _ALARM_INDEX
    if index.is_file():
        with closing(sqlite3.connect(index)) as db:
            try:
                (remaining,) = db.execute("SELECT count(*) FROM _cf_ALARM").fetchone()
            except sqlite3.Error:
                return
        if remaining:
            return
    shutil.rmtree(directory)


def _objects(count: int) -> str:
    return f"{count} object{'s' if count != 1 else ''}"


def _moved(outcome: _Moved) -> str:
    text = f"{_objects(outcome.moved)} moved"
    if outcome.renamed_ids:
        text += (
            f"; {outcome.renamed_ids} without a stored name got a new id (old → new ids in the "
            "migrations ledger)"
        )
    if outcome.left:
        text += f"; {_objects(outcome.left)} left behind: the same id already exists at the destination"
    return text
