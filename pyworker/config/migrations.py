"""Which Durable Object classes use SQLite, from replaying ``[[migrations]]`` like ``wrangler dev``.

Rules L1-L4 of ``reference/DO_SPEC.md`` §2.2 (WR447 ``getClassNamesWhichUseSQLite``); the
deploy-time rules Cloudflare adds on top (§2.3) are not checked here.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyworker.config.schema import Migration
from pyworker.errors import ConfigError

__all__ = ["class_backends"]


def class_backends(
    migrations: list[Migration], bound_classes: Iterable[str] = ()
) -> dict[str, bool]:
    """Map every class to whether it is SQLite-backed, replaying ``migrations`` in order.

    Within one step the order is deleted, renamed, new_classes, new_sqlite_classes;
    ``transferred_classes`` are ignored, as by ``wrangler dev``. Each of ``bound_classes`` absent
    from the result is added as KV-backed (``False``).

    Raises:
        ConfigError: a step deletes or renames a class that does not exist, or creates one that
            already does; the message names the migration tag and the fix.

    >>> from pyworker.config.schema import Migration
    >>> class_backends([Migration(tag="v1", new_sqlite_classes=["Counter"])], ["Room"])
    {'Counter': True, 'Room': False}
    """
    backends: dict[str, bool] = {}
    for migration in migrations:
        for name in migration.deleted_classes:
            if backends.pop(name, None) is None:
                raise _error(
                    migration,
                    f"Cannot apply deleted_classes migration to non-existent class {name}",
                    f'Remove "{name}" from deleted_classes: no earlier migration creates it '
                    "(or it was already deleted or renamed).",
                )
        for rename in migration.renamed_classes:
            if rename.from_ not in backends:
                raise _error(
                    migration,
                    f"Cannot apply renamed_classes migration to non-existent class {rename.from_}",
                    "Rename a class that exists at this point: check the spelling of "
                    f'"{rename.from_}" or create it in an earlier migration.',
                )
            backends[rename.to] = backends.pop(rename.from_)
        for names, sqlite in ((migration.new_classes, False), (migration.new_sqlite_classes, True)):
            for name in names:
                if name in backends:
                    raise _error(
                        migration,
                        f"Cannot apply {'new_sqlite_classes' if sqlite else 'new_classes'} "
                        f"migration to existing class {name}",
                        f'A class is created once: remove "{name}" from this migration '
                        "(a KV-backed class cannot become SQLite-backed; use a new class name).",
                    )
                backends[name] = sqlite
    for name in bound_classes:
        backends.setdefault(name, False)
    return backends


def _error(migration: Migration, problem: str, fix: str) -> ConfigError:
    return ConfigError(f'[[migrations]] tag "{migration.tag}": {problem}\nFix: {fix}')
