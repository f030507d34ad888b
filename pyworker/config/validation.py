"""Validation of a raw wrangler config, mirroring wrangler's ``validation.ts`` function by function.

Every message text is wrangler 4.47's, verbatim (``reference/DO_SPEC.md`` §1). Only the keys
pyworker models (:mod:`.schema`) are checked; other keys wrangler knows are accepted silently, and
any other key is an ``Unexpected fields found in ...`` warning. pyworker additions (it is also the
runtime) are marked as such: the missing entry point, workerd's compatibility-date check, and
D1's optional string fields as validated by newer wrangler.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

from pyworker.config.cron import cron_problem
from pyworker.config.diagnostics import Diagnostics, join_key
from pyworker.config.validation_helpers import (
    UNSET,
    Transform,
    Validator,
    append_env_name,
    english_list,
    get_binding_names,
    inheritable,
    is_optional_property,
    is_required_property,
    is_string,
    is_string_array,
    is_valid_date_time_string_format,
    is_valid_name,
    js_json,
    not_inheritable,
    validate_additional_properties,
    validate_optional_typed_array,
    validate_required_property,
)

__all__ = [
    "SUPPORTED_COMPATIBILITY_DATE",
    "missing_compatibility_date_warning",
    "normalize_and_validate_config",
]

SUPPORTED_COMPATIBILITY_DATE = "2025-11-09"
"""The newest compatibility date pyworker implements (that of workerd v1.20251109.0)."""

INHERITABLE_KEYS = (
    "account_id", "compatibility_date", "compatibility_flags", "jsx_factory", "jsx_fragment",
    "tsconfig", "rules", "name", "main", "find_additional_modules", "preserve_file_names",
    "base_dir", "route", "routes", "triggers", "assets", "limits", "placement", "build",
    "workers_dev", "preview_urls", "migrations", "logfwdr", "no_bundle", "minify", "keep_names",
    "first_party_worker", "logpush", "upload_source_maps", "observability", "compliance_region",
    "python_modules",
)  # fmt: skip
"""Keys an ``[env.NAME]`` takes from the top level when it does not set them."""

NOT_INHERITABLE_KEYS = (
    "vars", "define", "durable_objects", "workflows", "kv_namespaces", "cloudchamber",
    "containers", "send_email", "queues", "r2_buckets", "d1_databases", "vectorize", "hyperdrive",
    "services", "analytics_engine_datasets", "dispatch_namespaces", "mtls_certificates",
    "tail_consumers", "unsafe", "browser", "ai", "images", "media", "pipelines",
    "secrets_store_secrets", "unsafe_hello_world", "ratelimits", "vpc_services",
    "version_metadata", "worker_loaders",
)  # fmt: skip
"""Keys every ``[env.NAME]`` must redeclare (an env without them gets the empty default)."""

TOP_LEVEL_ONLY_KEYS = (
    "keep_vars", "send_metrics", "dev", "site", "alias", "wasm_modules", "text_blobs",
    "data_blobs", "legacy_env", "pages_build_output_dir", "env", "$schema",
)  # fmt: skip
"""Keys valid only at the top level of the file."""

_ENVIRONMENT_KEYS = INHERITABLE_KEYS + NOT_INHERITABLE_KEYS
_TOP_LEVEL_KEYS = _ENVIRONMENT_KEYS + TOP_LEVEL_ONLY_KEYS

_FRIENDLY_BINDING_NAMES = (
    ("durable_objects", "Durable Object"),
    ("kv_namespaces", "KV Namespace"),
    ("d1_databases", "D1 Database"),
    ("services", "Worker"),
    ("vars", "Environment Variable"),
)
"""wrangler's ``friendlyBindingNames``, in its order, for the binding kinds pyworker models."""

_D1_OPTIONAL_STRINGS = (
    "preview_database_id", "migrations_pattern", "database_name", "migrations_dir",
    "migrations_table", "database_internal_env",
)  # fmt: skip

_STRICT_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def normalize_and_validate_config(
    raw: dict[str, Any], *, display_path: str | None, file_name: str, env_name: str | None
) -> tuple[dict[str, Any], Diagnostics]:
    """``normalizeAndValidateConfig``: the effective (env-applied) config and all diagnostics.

    ``display_path`` is the config path shown in the header (relative to cwd), ``file_name``
    what messages call the file (``configFileName``). The returned dict holds the keys of
    :class:`~pyworker.config.schema.WranglerConfig`; it is only meaningful without errors.
    """
    diagnostics = Diagnostics(f"Processing {display_path or 'wrangler'} configuration:")
    top_level = normalize_and_validate_environment(diagnostics, raw, file_name)
    active, source = top_level, ""
    envs = raw.get("env", {})
    if env_name and _is_container(diagnostics, "env", envs, dict, "env"):
        if env_name in envs:
            source = f"env.{env_name}"
            active = _validate_named_environment(diagnostics, raw, top_level, env_name, file_name)
        else:
            active = {**top_level, "name": append_env_name(env_name)(top_level["name"])}
            _report_unknown_environment(diagnostics, env_name, list(envs), file_name)
    validate_bindings_have_unique_names(diagnostics, active, source)
    validate_additional_properties(diagnostics, "top-level", raw, _TOP_LEVEL_KEYS)
    shown = display_path or file_name
    validate_main(diagnostics, active, file_name, shown)
    apply_python_config(diagnostics, active, file_name, shown)
    return active, diagnostics


def _validate_named_environment(
    diagnostics: Diagnostics,
    raw: dict[str, Any],
    top_level: dict[str, Any],
    env_name: str,
    file_name: str,
) -> dict[str, Any]:
    """The ``rawEnv !== undefined`` branch of ``normalizeAndValidateConfig``."""
    field = f"env.{env_name}"
    env_diagnostics = diagnostics.child(f'"{field}" environment configuration', base=field)
    raw_env = raw["env"][env_name]
    if not _is_container(env_diagnostics, field, raw_env, dict, None):
        return top_level
    environment = normalize_and_validate_environment(
        env_diagnostics, raw_env, file_name, env_name=env_name, top_level=top_level, raw_config=raw
    )
    validate_additional_properties(env_diagnostics, field, raw_env, _ENVIRONMENT_KEYS)
    return environment


def _report_unknown_environment(
    diagnostics: Diagnostics, env_name: str, defined: list[str], file_name: str
) -> None:
    """``--env X`` without ``[env.X]``: an error if other envs exist, else only a warning."""
    available = (
        f"The available configured environment names are: {js_json(defined)}\n" if defined else ""
    )
    message = (
        f'No environment found in configuration with name "{env_name}".\n'
        f"Before using `--env={env_name}` there should be an equivalent environment section in "
        "the configuration.\n"
        f"{available}\n"
        f"Consider adding an environment configuration section to the {file_name} file:\n"
        f"```\n[env.{env_name}]\n```\n"
    )
    if defined:
        diagnostics.error(message, "env")
    else:
        diagnostics.warn(message)


def normalize_and_validate_environment(
    diagnostics: Diagnostics,
    raw_env: dict[str, Any],
    file_name: str,
    *,
    env_name: str = "top level",
    top_level: dict[str, Any] | None = None,
    raw_config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``normalizeAndValidateEnvironment``: validate one table (top level or ``[env.NAME]``).

    Inheritable keys fall back to ``top_level``; ``name`` then gets ``-<env_name>`` appended.
    Non-inheritable keys missing from the env but present in ``raw_config`` warn.
    """

    def inherit(
        field: str, validate: Validator, default: Any, transform: Transform | None = None
    ) -> Any:
        return inheritable(diagnostics, top_level, raw_env, field, validate, default, transform)

    def own(field: str, validate: Validator, default: Any) -> Any:
        return not_inheritable(
            diagnostics, top_level, raw_config, raw_env, env_name, field, validate, default
        )

    suffix = append_env_name(env_name) if top_level is not None else None
    environment = {
        "compatibility_date": inherit("compatibility_date", validate_compatibility_date, None),
        "compatibility_flags": inherit("compatibility_flags", is_string_array, []),
        "name": inherit("name", is_valid_name, None, suffix),
        "main": inherit("main", is_string, None),
        "triggers": inherit("triggers", validate_triggers, {"crons": None}),
        "vars": own("vars", validate_vars(env_name), {}),
        "durable_objects": own(
            "durable_objects",
            validate_bindings_property(env_name, validate_durable_object_binding),
            {"bindings": []},
        ),
        "migrations": inherit("migrations", validate_migrations, []),
        "kv_namespaces": own(
            "kv_namespaces", validate_binding_array(env_name, validate_kv_binding), []
        ),
        "d1_databases": own(
            "d1_databases", validate_binding_array(env_name, validate_d1_binding), []
        ),
        "services": own("services", validate_binding_array(env_name, validate_service_binding), []),
    }
    for field in NOT_INHERITABLE_KEYS:
        if field not in environment:
            own(field, _accepted, None)  # not modelled by pyworker: only the missing-key warning
    warn_if_durable_objects_have_no_migrations(
        diagnostics, environment["durable_objects"], environment["migrations"], file_name
    )
    return environment


def _accepted(*_: Any) -> bool:
    """Validator for keys wrangler knows but pyworker does not model."""
    return True


def validate_compatibility_date(
    diagnostics: Diagnostics, field: str, value: Any, _: Any = None
) -> bool:
    """``validateCompatibilityDate``, then workerd's own check (pyworker is also the runtime)."""
    if value is UNSET:
        return True
    if not isinstance(value, str):
        diagnostics.error(
            f'Expected "{field}" to be of type string but got {js_json(value)}.', field
        )
        return False
    if not is_valid_date_time_string_format(diagnostics, field, value):
        return False
    if not _is_calendar_date(value):
        diagnostics.error(
            f"Invalid compatibility date: {value}",
            field,
            fix=f'write it as YYYY-MM-DD, e.g. {field} = "{SUPPORTED_COMPATIBILITY_DATE}".',
        )
        return False
    return True


def _is_calendar_date(value: str) -> bool:
    """``YYYY-MM-DD`` naming a real day."""
    if not _STRICT_DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def validate_triggers(diagnostics: Diagnostics, field: str, value: Any, _: Any = None) -> bool:
    """``validateTriggers`` (plus: cron entries must be strings, as the schema needs)."""
    if value is UNSET or value is None:
        return True
    if not isinstance(value, dict):
        diagnostics.error(
            f'Expected "{field}" to be of type object but got {js_json(value)}.', field
        )
        return False
    valid = True
    crons = value.get("crons", UNSET)
    if crons is not UNSET and not isinstance(crons, list):
        diagnostics.error(
            f'Expected "{field}.crons" to be of type array, but got {js_json(value)}.',
            f"{field}.crons",
        )
        valid = False
    elif crons is not UNSET:
        valid = validate_optional_typed_array(diagnostics, f"{field}.crons", crons, "string")
        valid = _validate_cron_expressions(diagnostics, f"{field}.crons", crons) and valid
    return validate_additional_properties(diagnostics, field, value, ["crons"], key=field) and valid


def _validate_cron_expressions(diagnostics: Diagnostics, field: str, crons: list[Any]) -> bool:
    """Beyond wrangler (which leaves this to the API at deploy): each cron parses as Cloudflare's."""
    valid = True
    for index, cron in enumerate(crons):
        problem = cron_problem(cron) if isinstance(cron, str) else None
        if problem is not None:
            diagnostics.error(
                f'"{field}[{index}]": "{cron}" is not a valid cron expression ({problem}); '
                'Cloudflare would refuse it at deploy with "invalid cron string".',
                f"{field}[{index}]",
            )
            valid = False
    return valid


def validate_vars(env_name: str) -> Validator:
    """``validateVars``: an object of JSON values; in an env, warn per top-level var it lacks."""

    def validate(
        diagnostics: Diagnostics, field: str, value: Any, top_level: dict[str, Any] | None
    ) -> bool:
        field_path = _field_path(env_name, field, top_level)
        if not isinstance(value, dict):
            diagnostics.error(
                f'The field "{field_path}" should be an object but got {js_json(value)}.\n', field
            )
            return False
        valid = True
        for name, item in value.items():
            if isinstance(item, dt.date | dt.time):  # wrangler HEAD's check: TOML dates
                diagnostics.error(
                    f'The field "{field_path}.{name}" is a TOML date, which is not supported. '
                    f'Please use a string instead, e.g. {name} = "2025-12-19".',
                    f"{field}.{name}",
                )
                valid = False
        top_vars = (top_level or {}).get("vars")
        for name in top_vars if isinstance(top_vars, dict) else ():
            if name not in value:
                diagnostics.warn(
                    f'"vars.{name}" exists at the top level, but not on "{field_path}".\n'
                    'This is not what you probably want, since "vars" configuration is not '
                    "inherited by environments.\n"
                    f'Please add "vars.{name}" to "env.{env_name}".',
                    field,
                )
        return valid

    return validate


def validate_bindings_property(env_name: str, validate_binding: Validator) -> Validator:
    """``validateBindingsProperty``: ``{bindings = [...]}`` with one child node per binding."""

    def validate(
        diagnostics: Diagnostics, field: str, value: Any, top_level: dict[str, Any] | None
    ) -> bool:
        field_path = _field_path(env_name, field, top_level)
        if not _is_container(diagnostics, field_path, value, dict, field):
            return False
        if "bindings" not in value:
            diagnostics.error(
                f'The field "{field_path}" is missing the required "bindings" property.', field
            )
            return False
        bindings = value["bindings"]
        if not _is_container(
            diagnostics, f"{field_path}.bindings", bindings, list, f"{field}.bindings"
        ):
            return False
        results = []
        for index, binding in enumerate(bindings):
            binding_field = f"{field_path}.bindings[{index}]"
            child = diagnostics.child(f'"{binding_field}": {js_json(binding)}')
            results.append(validate_binding(child, binding_field, binding, top_level))
        valid = all(results)
        env_names = set(get_binding_names(value))
        top_names = get_binding_names((top_level or {}).get(field))
        missing = [name for name in top_names if name not in env_names]
        if valid and missing:
            diagnostics.warn(
                f'The following bindings are at the top level, but not on "env.{env_name}".\n'
                f'This is not what you probably want, since "{field}" configuration is not '
                "inherited by environments.\n"
                f'Please add a binding for each to "{field_path}.bindings":\n'
                + "\n".join(f"- {name}" for name in missing),
                field,
            )
        return valid

    return validate


def _field_path(env_name: str, field: str, top_level: dict[str, Any] | None) -> str:
    """wrangler's ``fieldPath``: ``field``, or ``env.NAME.field`` inside an environment."""
    return field if top_level is None else f"env.{env_name}.{field}"


def _is_container(
    diagnostics: Diagnostics,
    field_path: str,
    value: Any,
    kind: type[dict | list],
    key: str | None,
) -> bool:
    """``The field "<path>" should be an object|array but got <json>.`` unless it is one."""
    if isinstance(value, kind):
        return True
    noun = "an object" if kind is dict else "an array"
    diagnostics.error(f'The field "{field_path}" should be {noun} but got {js_json(value)}.', key)
    return False


def validate_durable_object_binding(
    diagnostics: Diagnostics, field: str, value: Any, _: Any = None
) -> bool:
    """``validateDurableObjectBinding``: ``name``/``class_name`` plus optional cross-script keys."""
    if not isinstance(value, dict):
        diagnostics.error(f'Expected "{field}" to be an object but got {js_json(value)}', field)
        return False
    valid = True
    for prop in ("name", "class_name"):
        if not is_required_property(value, prop, "string"):
            diagnostics.error(f'binding should have a string "{prop}" field.', f"{field}.{prop}")
            valid = False
    for prop in ("script_name", "environment"):
        if not is_optional_property(value, prop, "string"):
            diagnostics.error(
                f'the field "{prop}", when present, should be a string.', f"{field}.{prop}"
            )
            valid = False
    if "environment" in value and "script_name" not in value:
        diagnostics.error(
            'binding should have a "script_name" field if "environment" is present.',
            f"{field}.environment",
        )
        valid = False
    valid = is_remote_valid(value, field, diagnostics) and valid
    validate_additional_properties(
        diagnostics, field, value, ["class_name", "environment", "name", "script_name"], key=field
    )
    return valid


def validate_binding_array(env_name: str, validate_binding: Validator) -> Validator:
    """``validateBindingArray``: a list of bindings; in an env, warn per top-level one it lacks."""

    def validate(
        diagnostics: Diagnostics, field: str, value: Any, top_level: dict[str, Any] | None
    ) -> bool:
        field_path = _field_path(env_name, field, top_level)
        if not _is_container(diagnostics, field_path, value, list, field):
            return False
        results = [
            validate_binding(diagnostics, f"{field_path}[{index}]", item, top_level)
            for index, item in enumerate(value)
        ]
        env_names = _binding_fields(value)  # a list: a binding may be any JSON value, a dict too
        for name in _binding_fields((top_level or {}).get(field)):
            if name not in env_names:
                diagnostics.warn(
                    f'There is a {field} binding with name "{name}" at the top level, but not on '
                    f'"env.{env_name}".\n'
                    f'This is not what you probably want, since "{field}" configuration is not '
                    "inherited by environments.\n"
                    f'Please add a binding for "{name}" to "env.{env_name}.{field}.bindings".',
                    field,
                )
        return all(results)

    return validate


def _binding_fields(bindings: Any) -> list[Any]:
    """The ``binding`` value of every table in a binding array (anything else gives nothing)."""
    if not isinstance(bindings, list):
        return []
    return [item.get("binding") for item in bindings if isinstance(item, dict)]


def validate_kv_binding(diagnostics: Diagnostics, field: str, value: Any, _: Any = None) -> bool:
    """``validateKVBinding``: string ``binding``; ``id`` (non-empty) and ``preview_id`` optional."""
    if not isinstance(value, dict):
        diagnostics.error(
            f'"kv_namespaces" bindings should be objects, but got {js_json(value)}', field
        )
        return False
    valid = _require_binding_name(diagnostics, field, value)
    if not is_optional_property(value, "id", "string") or value.get("id") == "":
        diagnostics.error(
            f'"{field}" bindings should have a string "id" field but got {js_json(value)}.',
            f"{field}.id",
        )
        valid = False
    valid = _optional_strings(diagnostics, field, value, ["preview_id"]) and valid
    valid = is_remote_valid(value, field, diagnostics) and valid
    validate_additional_properties(
        diagnostics, field, value, ["binding", "id", "preview_id", "remote"], key=field
    )
    return valid


def validate_d1_binding(diagnostics: Diagnostics, field: str, value: Any, _: Any = None) -> bool:
    """``validateD1Binding``, with newer wrangler's checks of every optional string field."""
    if not isinstance(value, dict):
        diagnostics.error(
            f'"d1_databases" bindings should be objects, but got {js_json(value)}', field
        )
        return False
    valid = _require_binding_name(diagnostics, field, value)
    if not is_optional_property(value, "database_id", "string"):
        diagnostics.error(
            f'"{field}" bindings must have a "database_id" field but got {js_json(value)}.',
            f"{field}.database_id",
        )
        valid = False
    valid = _optional_strings(diagnostics, field, value, _D1_OPTIONAL_STRINGS) and valid
    valid = is_remote_valid(value, field, diagnostics) and valid
    validate_additional_properties(
        diagnostics,
        field,
        value,
        ["binding", "database_id", *_D1_OPTIONAL_STRINGS, "remote"],
        key=field,
    )
    return valid


def validate_service_binding(diagnostics: Diagnostics, field: str, value: Any, _: Any = None) -> bool:
    """``validateServiceBinding``: string ``binding`` and ``service``; optional string
    ``environment`` and ``entrypoint``."""
    if not isinstance(value, dict):
        diagnostics.error(f'"services" bindings should be objects, but got {js_json(value)}', field)
        return False
    valid = True
    for prop, required in (("binding", True), ("service", True), ("environment", False), ("entrypoint", False)):
        present = is_required_property(value, prop, "string") if required else is_optional_property(value, prop, "string")
        if not present:
            diagnostics.error(
                f'"{field}" bindings should have a string "{prop}" field but got {js_json(value)}.',
                f"{field}.{prop}",
            )
            valid = False
    return valid


def _require_binding_name(diagnostics: Diagnostics, field: str, value: dict[str, Any]) -> bool:
    """The ``binding`` check shared by KV and D1 bindings."""
    if is_required_property(value, "binding", "string"):
        return True
    diagnostics.error(
        f'"{field}" bindings should have a string "binding" field but got {js_json(value)}.',
        f"{field}.binding",
    )
    return False


def _optional_strings(
    diagnostics: Diagnostics, field: str, value: dict[str, Any], props: Iterable[str]
) -> bool:
    """``should, optionally, have a string "<prop>" field`` for each prop of the wrong type."""
    valid = True
    for prop in props:
        if not is_optional_property(value, prop, "string"):
            diagnostics.error(
                f'"{field}" bindings should, optionally, have a string "{prop}" field but got '
                f"{js_json(value)}.",
                f"{field}.{prop}",
            )
            valid = False
    return valid


def is_remote_valid(value: dict[str, Any], field: str, diagnostics: Diagnostics) -> bool:
    """``isRemoteValid``: ``remote``, when present, is a boolean."""
    if is_optional_property(value, "remote", "boolean"):
        return True
    diagnostics.error(
        f'"{field}" should, optionally, have a boolean "remote" field but got {js_json(value)}.',
        f"{field}.remote",
    )
    return False


def validate_migrations(diagnostics: Diagnostics, field: str, value: Any, _: Any = None) -> bool:
    """``validateMigrations``: shape only (class rules: :func:`.migrations.class_backends`)."""
    migrations = [] if value is UNSET else value
    if not isinstance(migrations, list):
        diagnostics.error(
            f'The optional "{field}" field should be an array, but got {js_json(migrations)}', field
        )
        return False
    results = [
        _validate_migration(diagnostics, f"{field}[{index}]", migration)
        for index, migration in enumerate(migrations)
    ]
    return all(results)


_MIGRATION_KEYS = (
    "tag", "new_classes", "new_sqlite_classes", "renamed_classes", "deleted_classes",
    "transferred_classes",
)  # fmt: skip
_CLASS_MOVES = {
    "renamed_classes": ("from", "to"),
    "transferred_classes": ("from", "from_script", "to"),
}


def _validate_migration(diagnostics: Diagnostics, field: str, migration: Any) -> bool:
    """One ``[[migrations]]`` entry, in wrangler's order of checks."""
    if not isinstance(migration, dict):
        diagnostics.error(f'Expected "{field}" to be an object but got {js_json(migration)}', field)
        return False
    valid = validate_additional_properties(
        diagnostics, "migrations", migration, _MIGRATION_KEYS, key=field
    )
    valid = (
        validate_required_property(diagnostics, field, "tag", migration.get("tag", UNSET), "string")
        and valid
    )
    for name in ("new_classes", "new_sqlite_classes"):
        valid = _validate_class_list(diagnostics, field, migration, name) and valid
    for name, props in _CLASS_MOVES.items():
        moves = migration.get(name, UNSET)
        if moves is not UNSET and not (
            isinstance(moves, list)
            and all(
                isinstance(move, dict)
                and all(is_required_property(move, p, "string") for p in props)
                for move in moves
            )
        ):
            shape = ", ".join(f"{prop}: string" for prop in props)
            diagnostics.error(
                f'Expected "{field}.{name}" to be an array of "{{{shape}}}" objects but got '
                f"{js_json(moves)}.",
                f"{field}.{name}",
            )
            valid = False
    return _validate_class_list(diagnostics, field, migration, "deleted_classes") and valid


def _validate_class_list(
    diagnostics: Diagnostics, field: str, migration: dict[str, Any], name: str
) -> bool:
    """A list of class names of one migration entry (``field`` is the entry)."""
    value = migration.get(name, UNSET)
    return validate_optional_typed_array(diagnostics, f"{field}.{name}", value, "string")


def validate_bindings_have_unique_names(
    diagnostics: Diagnostics, config: dict[str, Any], source: str = ""
) -> bool:
    """``validateBindingsHaveUniqueNames``: one name, one binding, across every kind.

    ``source`` is the table the bindings were read from (``env.NAME`` or the top level), so
    that each message points at the repeated binding.
    """
    kinds_by_name: dict[str, list[str]] = {}
    last_key: dict[str, str | None] = {}
    for field, kind in _FRIENDLY_BINDING_NAMES:
        for index, name in enumerate(get_binding_names(config.get(field))):
            kinds_by_name.setdefault(name, []).append(kind)
            last_key[name] = join_key(source, _binding_name_key(field, index, name))
    duplicated = [name for name, kinds in kinds_by_name.items() if len(kinds) > 1]
    for name in duplicated:
        kinds = kinds_by_name[name]
        different = list(dict.fromkeys(kinds))
        if len(different) > 1:
            diagnostics.error(
                f"{name} assigned to {english_list(different)} bindings.", last_key[name]
            )
        for kind in dict.fromkeys(kind for kind in kinds if kinds.count(kind) > 1):
            diagnostics.error(f"{name} assigned to multiple {kind} bindings.", last_key[name])
    if duplicated:
        diagnostics.error(
            "Bindings must have unique names, so that they can all be referenced in the worker.\n"
            "Please change your bindings to have unique names."
        )
    return not duplicated


def _binding_name_key(field: str, index: int, name: str) -> str:
    """Where binding ``name`` (the ``index``-th of ``field``) is declared."""
    if field == "vars":
        return f"vars.{name}"
    if field == "durable_objects":
        return f"durable_objects.bindings[{index}].name"
    return f"{field}[{index}].binding"


def warn_if_durable_objects_have_no_migrations(
    diagnostics: Diagnostics, durable_objects: Any, migrations: Any, file_name: str
) -> None:
    """``warnIfDurableObjectsHaveNoMigrations``: local DO classes but an empty ``migrations``."""
    bindings = durable_objects.get("bindings") if isinstance(durable_objects, dict) else None
    if not isinstance(bindings, list) or migrations != []:
        return
    exported = [b for b in bindings if not (isinstance(b, dict) and b.get("script_name"))]
    classes = [b.get("class_name") if isinstance(b, dict) else None for b in exported]
    if not classes or not all(isinstance(name, str) for name in classes):
        return
    diagnostics.warn(
        f"In your {file_name} file, you have configured `durable_objects` exported by this Worker "
        f"({', '.join(classes)}), but no `migrations` for them. This may not work as expected "
        f"until you add a `migrations` section to your {file_name} file. Add the following "
        "configuration:\n\n"
        f"```\n{_migrations_snippet(classes, file_name)}\n```\n\n"
        "Refer to https://developers.cloudflare.com/durable-objects/reference/"
        "durable-objects-migrations/ for more details.",
        "durable_objects",
    )


def _migrations_snippet(classes: list[str], file_name: str) -> str:
    """wrangler's ``formatConfigSnippet`` of ``{migrations: [{tag: "v1", new_classes}]}``."""
    if file_name == "wrangler.toml":
        quoted = ", ".join(json.dumps(name) for name in classes)
        return f'[[migrations]]\ntag = "v1"\nnew_classes = [ {quoted} ]\n'
    snippet = {"migrations": [{"tag": "v1", "new_classes": classes}]}
    return json.dumps(snippet, indent=2, ensure_ascii=False)


def validate_main(
    diagnostics: Diagnostics, config: dict[str, Any], file_name: str, shown: str
) -> None:
    """wrangler's entry-point check (``getEntry`` in ``deployment-bundle/entry.ts``).

    ``file_name`` selects the syntax of the fix, ``shown`` is the file the fix names.
    """
    if config["main"] is None:
        diagnostics.error(
            "Missing entry-point to Worker script or to assets directory",
            "main",
            fix=f"add {_setting(file_name, 'main', 'src/entry.py')} to {shown}.",
        )


def apply_python_config(
    diagnostics: Diagnostics, config: dict[str, Any], file_name: str, shown: str
) -> None:
    """``applyPythonConfig``: a ``.py`` entry point needs the ``python_workers`` flag."""
    main, flags = config["main"], config["compatibility_flags"]
    if not (isinstance(main, str) and main.endswith(".py") and isinstance(flags, list)):
        return
    if "python_workers" not in flags:
        diagnostics.error(
            "The `python_workers` compatibility flag is required to use Python.",
            "compatibility_flags" if flags else "main",
            fix=f"add {_setting(file_name, 'compatibility_flags', ['python_workers'])} "
            f"to {shown} (or add the flag to the existing list).",
        )


def _setting(file_name: str, key: str, value: Any) -> str:
    """``key = value`` in TOML or ``"key": value`` in JSON, for fix hints."""
    if file_name == "wrangler.toml":
        return f"{key} = {json.dumps(value)}"
    return f"{json.dumps(key)}: {json.dumps(value)}"


def missing_compatibility_date_warning(config: dict[str, Any], file_name: str) -> str | None:
    """wrangler's ``getDevCompatibilityDate`` warning when ``compatibility_date`` is unset."""
    if config["compatibility_date"] is not None:
        return None
    date = SUPPORTED_COMPATIBILITY_DATE
    return (
        "No compatibility_date was specified. Using the installed Workers runtime's latest "
        f"supported date: {date}.\n"
        f"❯❯ Add one to your {file_name} file: "
        f"{_setting(file_name, 'compatibility_date', date)}\n\n"
        "See https://developers.cloudflare.com/workers/platform/compatibility-dates/ for more "
        "information."
    )
