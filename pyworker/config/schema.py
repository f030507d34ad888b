"""The validated wrangler configuration: frozen dataclasses, the typed surface pyworker reads.

Instances are built (``from_mapping``) only from a config that :mod:`.validation` accepted, so every
field here has already been checked with wrangler's messages; defaults are wrangler's. Each field
has a one-line description in its metadata, and keys that are Python keywords an ``alias``
(``from_`` is written ``from``). Plain dataclasses rather than pydantic models: validation is
:mod:`.validation`'s job, and importing pydantic and building its validators cost ``pyworker dev``
~90 ms and ~10 MiB at every start (BENCHMARKS.md).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any, TypeVar

__all__ = [
    "D1Database",
    "DurableObjectBinding",
    "DurableObjects",
    "KVNamespace",
    "Migration",
    "RenamedClass",
    "ServiceBinding",
    "TransferredClass",
    "Triggers",
    "WranglerConfig",
    "from_mapping",
    "to_mapping",
]

T = TypeVar("T")

_table = dataclass(frozen=True, slots=True, kw_only=True)
"""A table of the config file: immutable, fields passed by name."""


def _field(default: Any = MISSING, *, description: str, default_factory: Any = MISSING, alias: str | None = None) -> Any:
    metadata = {"description": description} if alias is None else {"description": description, "alias": alias}
    return field(default=default, default_factory=default_factory, metadata=metadata)


@_table
class DurableObjectBinding:
    """One ``[[durable_objects.bindings]]`` entry."""

    name: str = _field(description="Binding name: the attribute on `env`, e.g. env.COUNTER.")
    class_name: str = _field(description="Durable Object class that implements the binding.")
    script_name: str | None = _field(
        None, description="Worker that exports the class, when it is not this one."
    )
    environment: str | None = _field(
        None, description="Environment of `script_name` (only together with `script_name`)."
    )


@_table
class DurableObjects:
    """The ``[durable_objects]`` table."""

    bindings: list[DurableObjectBinding] = _field(
        default_factory=list, description="Durable Object namespaces bound to this Worker."
    )


@_table
class RenamedClass:
    """A ``renamed_classes`` step: the objects of ``from`` now belong to ``to``."""

    from_: str = _field(alias="from", description="Class name before the rename.")
    to: str = _field(description="Class name after the rename.")


@_table
class TransferredClass:
    """A ``transferred_classes`` step: objects move in from another Worker's class."""

    from_: str = _field(alias="from", description="Class name in the other Worker.")
    from_script: str = _field(description="Worker the objects come from.")
    to: str = _field(description="Class in this Worker that receives them.")


@_table
class Migration:
    """One ``[[migrations]]`` entry (applied in file order)."""

    tag: str = _field(description="Unique name of this migration step, e.g. v1.")
    new_classes: list[str] = _field(
        default_factory=list, description="Classes created with KV-backed storage."
    )
    new_sqlite_classes: list[str] = _field(
        default_factory=list, description="Classes created with SQLite-backed storage."
    )
    renamed_classes: list[RenamedClass] = _field(
        default_factory=list, description="Classes renamed, keeping their objects."
    )
    deleted_classes: list[str] = _field(
        default_factory=list, description="Classes deleted together with their objects."
    )
    transferred_classes: list[TransferredClass] = _field(
        default_factory=list, description="Classes whose objects move in from another Worker."
    )


@_table
class KVNamespace:
    """One ``[[kv_namespaces]]`` entry."""

    binding: str = _field(description="Binding name: the attribute on `env`.")
    id: str | None = _field(None, description="Namespace id on Cloudflare.")
    preview_id: str | None = _field(
        None, description="Namespace id used by `wrangler dev --remote`."
    )
    remote: bool | None = _field(None, description="Use the remote namespace during development.")


@_table
class D1Database:
    """One ``[[d1_databases]]`` entry."""

    binding: str = _field(description="Binding name: the attribute on `env`.")
    database_name: str | None = _field(None, description="Database name on Cloudflare.")
    database_id: str | None = _field(None, description="Database id on Cloudflare.")
    preview_database_id: str | None = _field(
        None, description="Database id used in development, preferred over `database_id`."
    )
    migrations_dir: str = _field("migrations", description="Folder of the SQL migration files.")
    migrations_table: str = _field(
        "d1_migrations", description="Table that records the applied SQL migrations."
    )
    migrations_pattern: str | None = _field(
        None, description="Glob that selects migration files inside `migrations_dir`."
    )
    database_internal_env: str | None = _field(
        None, description="Internal Cloudflare environment of the database."
    )
    remote: bool | None = _field(None, description="Use the remote database during development.")


@_table
class ServiceBinding:
    """One ``[[services]]`` entry: a binding to a Worker's entrypoint."""

    binding: str = _field(description="Binding name: the attribute on `env`.")
    service: str = _field(description="Name of the Worker that serves the binding.")
    environment: str | None = _field(None, description="Environment of that Worker.")
    entrypoint: str | None = _field(
        None, description="Named entrypoint (a WorkerEntrypoint class) instead of the default export."
    )
    props: dict[str, Any] | None = _field(None, description="Values the entrypoint reads as `ctx.props`.")
    remote: bool | None = _field(None, description="Use the deployed Worker during development.")


@_table
class Triggers:
    """The ``[triggers]`` table."""

    crons: list[str] | None = _field(
        None, description="Cron expressions that run the Worker's `scheduled` handler."
    )


@_table
class WranglerConfig:
    """The effective configuration: top level with the selected ``[env.NAME]`` applied."""

    name: str | None = _field(None, description="Worker name (env-suffixed: <name>-<env>).")
    main: str | None = _field(None, description="Entry-point module, relative to the config file.")
    compatibility_date: str | None = _field(
        None, description="Workers runtime behaviour date, YYYY-MM-DD."
    )
    compatibility_flags: list[str] = _field(
        default_factory=list, description="Runtime feature flags, e.g. python_workers."
    )
    vars: dict[str, Any] = _field(
        default_factory=dict, description="Plain-text environment variables (JSON values)."
    )
    durable_objects: DurableObjects = _field(
        default_factory=DurableObjects, description="Durable Object bindings."
    )
    migrations: list[Migration] = _field(
        default_factory=list, description="Durable Object class migrations, in order."
    )
    kv_namespaces: list[KVNamespace] = _field(
        default_factory=list, description="Workers KV namespace bindings."
    )
    d1_databases: list[D1Database] = _field(
        default_factory=list, description="D1 database bindings."
    )
    services: list[ServiceBinding] = _field(
        default_factory=list, description="Service bindings to Worker entrypoints."
    )
    triggers: Triggers = _field(default_factory=Triggers, description="Scheduled (cron) triggers.")


def from_mapping(cls: type[T], data: Mapping[str, Any]) -> T:
    """An instance of the table ``cls`` from validated ``data``: nested tables and arrays of tables
    become their dataclasses, keys are matched by alias (``from``) or name, other keys are ignored.

    >>> from_mapping(RenamedClass, {"from": "Chat", "to": "ChatRoom"})
    RenamedClass(from_='Chat', to='ChatRoom')
    """
    hints = _hints(cls)
    values = {}
    for spec in fields(cls):  # type: ignore[arg-type]
        key = spec.metadata.get("alias", spec.name)
        if key in data or spec.name in data:
            values[spec.name] = _convert(hints[spec.name], data[key] if key in data else data[spec.name])
    return cls(**values)


def to_mapping(table: Any) -> dict[str, Any]:
    """``table`` as plain data keyed as in the config file (``from``, not ``from_``)."""
    return {spec.metadata.get("alias", spec.name): _plain(getattr(table, spec.name)) for spec in fields(table)}


@functools.cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(hint: Any, value: Any) -> Any:
    if isinstance(hint, type) and is_dataclass(hint) and isinstance(value, Mapping):
        return from_mapping(hint, value)
    if typing.get_origin(hint) is list and isinstance(value, list):
        (item,) = typing.get_args(hint)
        return [_convert(item, element) for element in value]
    return value


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return to_mapping(value)
    if isinstance(value, list):
        return [_plain(element) for element in value]
    return value
