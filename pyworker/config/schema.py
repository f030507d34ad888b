"""The validated wrangler configuration: frozen pydantic models, the typed surface pyworker reads.

Instances are built only from a config that :mod:`.validation` accepted, so every field here has
already been checked with wrangler's messages; defaults are wrangler's.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class DurableObjectBinding(_Model):
    """One ``[[durable_objects.bindings]]`` entry."""

    name: str = Field(description="Binding name: the attribute on `env`, e.g. env.COUNTER.")
    class_name: str = Field(description="Durable Object class that implements the binding.")
    script_name: str | None = Field(
        None, description="Worker that exports the class, when it is not this one."
    )
    environment: str | None = Field(
        None, description="Environment of `script_name` (only together with `script_name`)."
    )


class DurableObjects(_Model):
    """The ``[durable_objects]`` table."""

    bindings: list[DurableObjectBinding] = Field(
        default_factory=list, description="Durable Object namespaces bound to this Worker."
    )


class RenamedClass(_Model):
    """A ``renamed_classes`` step: the objects of ``from`` now belong to ``to``."""

    from_: str = Field(alias="from", description="Class name before the rename.")
    to: str = Field(description="Class name after the rename.")


class TransferredClass(_Model):
    """A ``transferred_classes`` step: objects move in from another Worker's class."""

    from_: str = Field(alias="from", description="Class name in the other Worker.")
    from_script: str = Field(description="Worker the objects come from.")
    to: str = Field(description="Class in this Worker that receives them.")


class Migration(_Model):
    """One ``[[migrations]]`` entry (applied in file order)."""

    tag: str = Field(description="Unique name of this migration step, e.g. v1.")
    new_classes: list[str] = Field(
        default_factory=list, description="Classes created with KV-backed storage."
    )
    new_sqlite_classes: list[str] = Field(
        default_factory=list, description="Classes created with SQLite-backed storage."
    )
    renamed_classes: list[RenamedClass] = Field(
        default_factory=list, description="Classes renamed, keeping their objects."
    )
    deleted_classes: list[str] = Field(
        default_factory=list, description="Classes deleted together with their objects."
    )
    transferred_classes: list[TransferredClass] = Field(
        default_factory=list, description="Classes whose objects move in from another Worker."
    )


class KVNamespace(_Model):
    """One ``[[kv_namespaces]]`` entry."""

    binding: str = Field(description="Binding name: the attribute on `env`.")
    id: str | None = Field(None, description="Namespace id on Cloudflare.")
    preview_id: str | None = Field(
        None, description="Namespace id used by `wrangler dev --remote`."
    )
    remote: bool | None = Field(None, description="Use the remote namespace during development.")


class D1Database(_Model):
    """One ``[[d1_databases]]`` entry."""

    binding: str = Field(description="Binding name: the attribute on `env`.")
    database_name: str | None = Field(None, description="Database name on Cloudflare.")
    database_id: str | None = Field(None, description="Database id on Cloudflare.")
    preview_database_id: str | None = Field(
        None, description="Database id used in development, preferred over `database_id`."
    )
    migrations_dir: str = Field("migrations", description="Folder of the SQL migration files.")
    migrations_table: str = Field(
        "d1_migrations", description="Table that records the applied SQL migrations."
    )
    migrations_pattern: str | None = Field(
        None, description="Glob that selects migration files inside `migrations_dir`."
    )
    database_internal_env: str | None = Field(
        None, description="Internal Cloudflare environment of the database."
    )
    remote: bool | None = Field(None, description="Use the remote database during development.")


class ServiceBinding(_Model):
    """One ``[[services]]`` entry: a binding to a Worker's entrypoint."""

    binding: str = Field(description="Binding name: the attribute on `env`.")
    service: str = Field(description="Name of the Worker that serves the binding.")
    environment: str | None = Field(None, description="Environment of that Worker.")
    entrypoint: str | None = Field(
        None, description="Named entrypoint (a WorkerEntrypoint class) instead of the default export."
    )
    props: dict[str, Any] | None = Field(None, description="Values the entrypoint reads as `ctx.props`.")
    remote: bool | None = Field(None, description="Use the deployed Worker during development.")


class Triggers(_Model):
    """The ``[triggers]`` table."""

    crons: list[str] | None = Field(
        None, description="Cron expressions that run the Worker's `scheduled` handler."
    )


class WranglerConfig(_Model):
    """The effective configuration: top level with the selected ``[env.NAME]`` applied."""

    name: str | None = Field(None, description="Worker name (env-suffixed: <name>-<env>).")
    main: str | None = Field(None, description="Entry-point module, relative to the config file.")
    compatibility_date: str | None = Field(
        None, description="Workers runtime behaviour date, YYYY-MM-DD."
    )
    compatibility_flags: list[str] = Field(
        default_factory=list, description="Runtime feature flags, e.g. python_workers."
    )
    vars: dict[str, Any] = Field(
        default_factory=dict, description="Plain-text environment variables (JSON values)."
    )
    durable_objects: DurableObjects = Field(
        default_factory=DurableObjects, description="Durable Object bindings."
    )
    migrations: list[Migration] = Field(
        default_factory=list, description="Durable Object class migrations, in order."
    )
    kv_namespaces: list[KVNamespace] = Field(
        default_factory=list, description="Workers KV namespace bindings."
    )
    d1_databases: list[D1Database] = Field(
        default_factory=list, description="D1 database bindings."
    )
    services: list[ServiceBinding] = Field(
        default_factory=list, description="Service bindings to Worker entrypoints."
    )
    triggers: Triggers = Field(default_factory=Triggers, description="Scheduled (cron) triggers.")
