"""The ledger of Durable Object migrations applied to local state.

Cloudflare remembers the last applied migration tag of each deployed Worker; ``wrangler dev`` remembers
nothing and replays every migration on each start. pyworker keeps a ledger instead, so that a tag is
applied to the local state once (``renamed_classes`` moves stored objects, ``deleted_classes`` deletes
them) and an applied migration can be checked for later edits, as Cloudflare checks at deploy.

Location: ``<persist root>/v3/do/pyworker-migrations.json``, beside the ``<worker>-<Class>/``
directories (``.wrangler/state/v3/do/`` by default). One file serves every Worker that shares the
persist root (several configs, or ``--env`` names, which change the Worker name)::

    {
      "format": 1,
      "workers": {
        "my-worker": [
          {"tag": "v1", "steps": {"new_sqlite_classes": ["Counter"]},
           "applied_at": "2026-08-17T10:00:00Z"},
          {"tag": "v2", "steps": {"renamed_classes": [{"from": "Counter", "to": "Tally"}]},
           "applied_at": "2026-08-18T09:30:00Z",
           "moved_ids": {"my-worker-Counter/5c1a...e2ed": "my-worker-Tally/0b7f...91c3"}}
        ]
      }
    }

``steps`` is the migration as written, without its tag and empty lists (:func:`migration_steps`);
``moved_ids`` maps each object a rename or transfer moved, ``<namespace>/<old id>`` to
``<namespace>/<new id>``. The file is replaced atomically after each applied migration.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyworker.config.schema import Migration, to_mapping
from pyworker.errors import MigrationError
from pyworker.storage.files import private_dir, write_private

__all__ = ["LEDGER_FILE", "AppliedMigration", "Ledger", "migration_steps"]

LEDGER_FILE = Path("v3", "do", "pyworker-migrations.json")
"""The ledger's path relative to the persist root."""

_FORMAT = 1


def migration_steps(migration: Migration) -> dict[str, Any]:
    """The steps of ``migration`` as plain data: written keys only, no tag, no empty lists.

    >>> migration_steps(Migration(tag="v1", new_sqlite_classes=["Counter"]))
    {'new_sqlite_classes': ['Counter']}
    """
    return {key: value for key, value in to_mapping(migration).items() if value and key != "tag"}


@dataclass(frozen=True)
class AppliedMigration:
    """One migration recorded in the ledger."""

    tag: str
    steps: dict[str, Any]
    applied_at: str
    moved_ids: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ledger entry (``moved_ids`` only when a rename or transfer moved objects)."""
        entry: dict[str, Any] = {"tag": self.tag, "steps": self.steps, "applied_at": self.applied_at}
        if self.moved_ids:
            entry["moved_ids"] = self.moved_ids
        return entry


class Ledger:
    """The applied migrations of every Worker that stores its state under one persist root."""

    def __init__(self, persist_root: Path) -> None:
        self.path = persist_root / LEDGER_FILE
        self._workers = self._read()

    def applied(self, worker_name: str) -> list[AppliedMigration]:
        """The migrations applied to ``worker_name``'s state, oldest first."""
        return list(self._workers.get(worker_name, []))

    def record(
        self, worker_name: str, migration: Migration, moved_ids: dict[str, str] | None = None
    ) -> AppliedMigration:
        """Append ``migration`` as applied now to ``worker_name``'s entries (``save`` writes the file)."""
        entry = AppliedMigration(
            tag=migration.tag,
            steps=migration_steps(migration),
            applied_at=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            moved_ids=dict(moved_ids or {}),
        )
        self._workers.setdefault(worker_name, []).append(entry)
        return entry

    def _read(self) -> dict[str, list[AppliedMigration]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise self._broken(f"it cannot be read ({error})") from None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise self._broken(f'it is not a format {_FORMAT} ledger (expected {{"format": {_FORMAT}, ...}})')
        try:
            return {
                worker: [
                    AppliedMigration(
                        tag=entry["tag"],
                        steps=entry["steps"],
                        applied_at=entry["applied_at"],
                        moved_ids=entry.get("moved_ids", {}),
                    )
                    for entry in entries
                ]
                for worker, entries in data["workers"].items()
            }
        except (KeyError, TypeError, AttributeError) as error:
            raise self._broken(f"an entry is malformed ({type(error).__name__}: {error})") from None

    def save(self) -> None:
        """Write the ledger file (atomically: replaced, never half written)."""
        data = {
            "format": _FORMAT,
            "workers": {
                worker: [entry.to_json() for entry in entries]
                for worker, entries in self._workers.items()
            },
        }
        private_dir(self.path.parent)
        partial = self.path.with_name(self.path.name + ".tmp")
        write_private(partial, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())
        os.replace(partial, self.path)

    def _broken(self, reason: str) -> MigrationError:
        return MigrationError(
            f"The migrations ledger {self.path} is damaged: {reason}.\n"
            "Fix: restore it from a backup, or delete it to re-apply every migration to the local "
            "state (renames and deletes run again on what is stored now)."
        )
