"""Top-level keys and bindings (DO_SPEC §1.2-§1.6, §1.8): wrangler's messages with file:line."""

from __future__ import annotations

import pytest

from .conftest import BASE_TOML, LoadConfig, RenderedText

HEADER_LESS_BASE = 'main = "src/entry.py"\ncompatibility_flags = ["python_workers"]\n'
"""Two valid lines for tests about name / compatibility_date; their keys start on line 3."""


# -- name, main, compatibility --------------------------------------------------------------


def test_name_rejects_uppercase_and_spaces(config_error: RenderedText) -> None:
    message = config_error(HEADER_LESS_BASE + 'name = "My Worker"\n')
    assert (
        'wrangler.toml:3 (name): Expected "name" to be of type string, alphanumeric and lowercase '
        'with dashes only but got "My Worker".'
    ) in message


def test_name_accepts_underscore_and_dash(load: LoadConfig) -> None:
    assert load(HEADER_LESS_BASE + 'name = "_my-app_2"\n').worker_name == "_my-app_2"


def test_name_defaults_worker_name_to_worker(load: LoadConfig) -> None:
    assert load(HEADER_LESS_BASE).worker_name == "worker"


def test_main_rejects_non_string(config_error: RenderedText) -> None:
    message = config_error('compatibility_flags = ["python_workers"]\nmain = 5\n')
    assert 'wrangler.toml:2 (main): Expected "main" to be of type string but got 5.' in message


def test_main_missing_is_error_with_fix(config_error: RenderedText) -> None:
    message = config_error('name = "app"\n')
    assert "(main): Missing entry-point to Worker script or to assets directory" in message
    assert 'Fix: add main = "src/entry.py" to wrangler.toml.' in message


def test_main_python_requires_python_workers_flag(config_error: RenderedText) -> None:
    message = config_error('main = "src/entry.py"\ncompatibility_flags = ["nodejs_compat"]\n')
    assert (
        "wrangler.toml:2 (compatibility_flags): "
        "The `python_workers` compatibility flag is required to use Python."
    ) in message
    assert 'Fix: add compatibility_flags = ["python_workers"] to wrangler.toml' in message


def test_main_non_python_entry_needs_no_flag(load: LoadConfig) -> None:
    assert load('main = "src/index.js"\n').config.compatibility_flags == []


def test_compatibility_date_rejects_non_string(config_error: RenderedText) -> None:
    message = config_error(HEADER_LESS_BASE + "compatibility_date = 20251101\n")
    assert (
        'wrangler.toml:3 (compatibility_date): Expected "compatibility_date" to be of type string '
        "but got 20251101."
    ) in message


def test_compatibility_date_rejects_en_dashes(config_error: RenderedText) -> None:
    message = config_error(HEADER_LESS_BASE + 'compatibility_date = "2025–11–01"\n')
    assert (
        'wrangler.toml:3 (compatibility_date): "compatibility_date" field should use ISO-8601 '
        "accepted hyphens (-) rather than en-dashes (–) or em-dashes (—)."
    ) in message
    assert "valid ISO-8601 date" not in message


def test_compatibility_date_rejects_unparsable(config_error: RenderedText) -> None:
    message = config_error(HEADER_LESS_BASE + 'compatibility_date = "hello"\n')
    assert (
        'wrangler.toml:3 (compatibility_date): "compatibility_date" field should be a valid '
        'ISO-8601 date (YYYY-MM-DD), but got "hello".'
    ) in message


@pytest.mark.parametrize("date", ["2025/11/01", "2025-11", "2025-02-30"])
def test_compatibility_date_js_parsable_but_not_yyyy_mm_dd_is_refused_by_runtime(
    config_error: RenderedText, date: str
) -> None:
    message = config_error(HEADER_LESS_BASE + f'compatibility_date = "{date}"\n')
    assert f"wrangler.toml:3 (compatibility_date): Invalid compatibility date: {date}" in message
    assert "valid ISO-8601 date" not in message


def test_compatibility_date_missing_warns(load: LoadConfig) -> None:
    warnings = load(HEADER_LESS_BASE).warnings
    assert warnings[-1].startswith(
        "No compatibility_date was specified. Using the installed Workers runtime's latest "
        "supported date: 2025-11-09."
    )


def test_compatibility_flags_rejects_string(config_error: RenderedText) -> None:
    message = config_error('main = "src/index.js"\ncompatibility_flags = "python_workers"\n')
    assert (
        'wrangler.toml:2 (compatibility_flags): Expected "compatibility_flags" to be of type '
        'string array but got "python_workers".'
    ) in message


# -- vars -------------------------------------------------------------------------------------


def test_vars_rejects_non_table(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + "vars = 5\n")
    assert 'wrangler.toml:5 (vars): The field "vars" should be an object but got 5.' in message


def test_vars_rejects_toml_dates(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + "[vars]\nLAUNCH = 2025-12-19\n")
    assert (
        'wrangler.toml:6 (vars.LAUNCH): The field "vars.LAUNCH" is a TOML date, which is not '
        'supported. Please use a string instead, e.g. LAUNCH = "2025-12-19".'
    ) in message


def test_vars_keep_json_values(load: LoadConfig) -> None:
    loaded = load(BASE_TOML + '[vars]\nA = "x"\nB = 2\nC = [true]\n[vars.D]\nE = 1.5\n')
    assert loaded.config.vars == {"A": "x", "B": 2, "C": [True], "D": {"E": 1.5}}


# -- durable_objects --------------------------------------------------------------------------


def test_durable_objects_rejects_array(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + "durable_objects = []\n")
    assert (
        'wrangler.toml:5 (durable_objects): The field "durable_objects" should be an object but '
        "got []."
    ) in message


def test_durable_objects_requires_bindings(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + "[durable_objects]\n")
    assert (
        'wrangler.toml:5 (durable_objects): The field "durable_objects" is missing the required '
        '"bindings" property.'
    ) in message


def test_durable_objects_bindings_must_be_array(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + "[durable_objects]\nbindings = 5\n")
    assert (
        'wrangler.toml:6 (durable_objects.bindings): The field "durable_objects.bindings" should '
        "be an array but got 5."
    ) in message


def test_durable_objects_binding_must_be_table(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + 'durable_objects = { bindings = ["COUNTER"] }\n')
    assert '- "durable_objects.bindings[0]": "COUNTER"' in message
    assert (
        'wrangler.toml:5 (durable_objects.bindings[0]): Expected "durable_objects.bindings[0]" to '
        'be an object but got "COUNTER"'
    ) in message


def test_durable_objects_binding_requires_name(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + '[[durable_objects.bindings]]\nclass_name = "Counter"\n')
    assert (
        'wrangler.toml:5 (durable_objects.bindings[0].name): binding should have a string "name" '
        "field."
    ) in message


def test_durable_objects_binding_requires_class_name_at_its_own_line(
    config_error: RenderedText,
) -> None:
    message = config_error(
        BASE_TOML
        + '[[durable_objects.bindings]]\nname = "A"\nclass_name = "A"\n\n'
        + '[[durable_objects.bindings]]\nname = "B"\n'
    )
    assert '  - "durable_objects.bindings[1]": {"name":"B"}' in message
    assert (
        "    - wrangler.toml:9 (durable_objects.bindings[1].class_name): binding should have a "
        'string "class_name" field.'
    ) in message


def test_durable_objects_binding_script_name_must_be_string(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML + '[[durable_objects.bindings]]\nname = "A"\nclass_name = "A"\nscript_name = 1\n'
    )
    assert (
        'wrangler.toml:8 (durable_objects.bindings[0].script_name): the field "script_name", when '
        "present, should be a string."
    ) in message


def test_durable_objects_binding_environment_must_be_string(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML
        + '[[durable_objects.bindings]]\nname = "A"\nclass_name = "A"\nscript_name = "o"\n'
        + "environment = 1\n"
    )
    assert (
        'wrangler.toml:9 (durable_objects.bindings[0].environment): the field "environment", when '
        "present, should be a string."
    ) in message


def test_durable_objects_binding_environment_needs_script_name(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML
        + '[[durable_objects.bindings]]\nname = "A"\nclass_name = "A"\nenvironment = "x"\n'
    )
    assert (
        "wrangler.toml:8 (durable_objects.bindings[0].environment): binding should have a "
        '"script_name" field if "environment" is present.'
    ) in message


def test_durable_objects_binding_unknown_key_warns(warnings_of: RenderedText) -> None:
    warnings = warnings_of(
        BASE_TOML
        + '[[durable_objects.bindings]]\nname = "A"\nclass_name = "A"\nscript_name = "o"\n'
        + "colour = 1\n"
    )
    assert (
        "wrangler.toml:9 (durable_objects.bindings[0].colour): Unexpected fields found in "
        'durable_objects.bindings[0] field: "colour"'
    ) in warnings


def test_durable_objects_without_migrations_warns_with_snippet(warnings_of: RenderedText) -> None:
    warnings = warnings_of(
        BASE_TOML
        + '[[durable_objects.bindings]]\nname = "A"\nclass_name = "Alpha"\n'
        + '[[durable_objects.bindings]]\nname = "B"\nclass_name = "Beta"\n'
    )
    expected = (
        "In your wrangler.toml file, you have configured `durable_objects` exported by this Worker "
        "(Alpha, Beta), but no `migrations` for them. This may not work as expected until you add "
        "a `migrations` section to your wrangler.toml file. Add the following configuration:\n"
        "\n"
        "```\n"
        "[[migrations]]\n"
        'tag = "v1"\n'
        'new_classes = [ "Alpha", "Beta" ]\n'
        "\n"
        "```\n"
        "\n"
        "Refer to https://developers.cloudflare.com/durable-objects/reference/"
        "durable-objects-migrations/ for more details."
    )
    rendered = expected.replace("\n", "\n    ").replace("\n    \n", "\n\n")
    assert f"- wrangler.toml:5 (durable_objects): {rendered}" in warnings


def test_durable_objects_without_migrations_warns_json_snippet(warnings_of: RenderedText) -> None:
    warnings = warnings_of(
        """\
        {"main": "src/entry.py", "compatibility_flags": ["python_workers"],
         "durable_objects": {"bindings": [{"name": "A", "class_name": "Alpha"}]}}
        """,
        name="wrangler.json",
    )
    assert "In your wrangler.json file, you have configured `durable_objects`" in warnings
    assert (
        '"new_classes": [\n            "Alpha"\n          ]\n        }\n      ]\n    }\n    ```'
        in warnings
    )


def test_durable_objects_external_classes_need_no_migrations(warnings_of: RenderedText) -> None:
    warnings = warnings_of(
        BASE_TOML
        + '[[durable_objects.bindings]]\nname = "A"\nclass_name = "A"\nscript_name = "o"\n'
    )
    assert "no `migrations`" not in warnings


def test_durable_objects_any_migration_silences_warning(warnings_of: RenderedText) -> None:
    warnings = warnings_of(
        BASE_TOML
        + '[[durable_objects.bindings]]\nname = "A"\nclass_name = "A"\n'
        + '[[migrations]]\ntag = "v1"\nnew_classes = ["Other"]\n'
    )
    assert "no `migrations`" not in warnings


# -- migrations -------------------------------------------------------------------------------


def test_migrations_must_be_array(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + 'migrations = "v1"\n')
    assert (
        'wrangler.toml:5 (migrations): The optional "migrations" field should be an array, but '
        'got "v1"'
    ) in message


def test_migrations_tag_is_required(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML + '[[migrations]]\ntag = "v1"\n[[migrations]]\nnew_classes = []\n'
    )
    assert (
        'wrangler.toml:7 (migrations[1].tag): "migrations[1].tag" is a required field.' in message
    )


def test_migrations_tag_must_be_string(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + "[[migrations]]\ntag = 1\n")
    assert (
        'wrangler.toml:6 (migrations[0].tag): Expected "migrations[0].tag" to be of type string '
        "but got 1."
    ) in message


@pytest.mark.parametrize("field", ["new_classes", "new_sqlite_classes", "deleted_classes"])
def test_migrations_class_list_must_be_array(config_error: RenderedText, field: str) -> None:
    message = config_error(BASE_TOML + f'[[migrations]]\ntag = "v1"\n{field} = "A"\n')
    assert (
        f'wrangler.toml:7 (migrations[0].{field}): Expected "migrations[0].{field}" to be an '
        'array of strings but got "A"'
    ) in message


def test_migrations_class_list_element_must_be_string(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML + '[[migrations]]\ntag = "v1"\nnew_classes = [\n  "A",\n  2,\n]\n'
    )
    assert (
        'wrangler.toml:9 (migrations[0].new_classes[1]): Expected "migrations[0].new_classes.[1]" '
        "to be of type string but got 2."
    ) in message


def test_migrations_renamed_classes_shape(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML + '[[migrations]]\ntag = "v1"\nrenamed_classes = [{ from = "A" }]\n'
    )
    assert (
        'wrangler.toml:7 (migrations[0].renamed_classes): Expected "migrations[0].renamed_classes" '
        'to be an array of "{from: string, to: string}" objects but got [{"from":"A"}].'
    ) in message


def test_migrations_transferred_classes_shape(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML + '[[migrations]]\ntag = "v1"\ntransferred_classes = [{ from = "A", to = "B" }]\n'
    )
    assert (
        'Expected "migrations[0].transferred_classes" to be an array of "{from: string, '
        'from_script: string, to: string}" objects but got [{"from":"A","to":"B"}].'
    ) in message


def test_migrations_unknown_key_warns(warnings_of: RenderedText) -> None:
    warnings = warnings_of(BASE_TOML + '[[migrations]]\ntag = "v1"\nnew_class = ["A"]\n')
    assert (
        "wrangler.toml:7 (migrations[0].new_class): Unexpected fields found in migrations field: "
        '"new_class"'
    ) in warnings


def test_migrations_semantics_are_not_checked_by_validation(load: LoadConfig) -> None:
    loaded = load(
        BASE_TOML
        + '[[migrations]]\ntag = "v1"\nnew_classes = ["A"]\n'
        + '[[migrations]]\ntag = "v1"\nrenamed_classes = [{ from = "A", to = "B" }]\n'
    )
    assert [m.tag for m in loaded.config.migrations] == ["v1", "v1"]


# -- kv_namespaces, d1_databases --------------------------------------------------------------


def test_kv_binding_must_be_table(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + 'kv_namespaces = ["KV"]\n')
    assert (
        'wrangler.toml:5 (kv_namespaces[0]): "kv_namespaces" bindings should be objects, but '
        'got "KV"' in message
    )


def test_kv_binding_requires_binding(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + '[[kv_namespaces]]\nid = "abc"\n')
    assert (
        'wrangler.toml:5 (kv_namespaces[0].binding): "kv_namespaces[0]" bindings should have a '
        'string "binding" field but got {"id":"abc"}.'
    ) in message


def test_kv_binding_rejects_empty_id(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + '[[kv_namespaces]]\nbinding = "KV"\nid = ""\n')
    assert (
        'wrangler.toml:7 (kv_namespaces[0].id): "kv_namespaces[0]" bindings should have a string '
        '"id" field but got {"binding":"KV","id":""}.'
    ) in message


def test_kv_binding_accepts_missing_id(load: LoadConfig) -> None:
    kv = load(BASE_TOML + '[[kv_namespaces]]\nbinding = "KV"\n').config.kv_namespaces[0]
    assert (kv.binding, kv.id, kv.preview_id, kv.remote) == ("KV", None, None, None)


def test_kv_binding_preview_id_must_be_string(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + '[[kv_namespaces]]\nbinding = "KV"\npreview_id = 1\n')
    assert (
        'wrangler.toml:7 (kv_namespaces[0].preview_id): "kv_namespaces[0]" bindings should, '
        'optionally, have a string "preview_id" field but got {"binding":"KV","preview_id":1}.'
    ) in message


def test_kv_binding_remote_must_be_boolean(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + '[[kv_namespaces]]\nbinding = "KV"\nremote = "yes"\n')
    assert (
        'wrangler.toml:7 (kv_namespaces[0].remote): "kv_namespaces[0]" should, optionally, have a '
        'boolean "remote" field but got {"binding":"KV","remote":"yes"}.'
    ) in message


def test_kv_binding_unknown_key_warns(warnings_of: RenderedText) -> None:
    warnings = warnings_of(BASE_TOML + '[[kv_namespaces]]\nbinding = "KV"\nttl = 5\n')
    assert (
        "wrangler.toml:7 (kv_namespaces[0].ttl): Unexpected fields found in kv_namespaces[0] "
        'field: "ttl"'
    ) in warnings


def test_d1_binding_requires_binding(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + '[[d1_databases]]\ndatabase_name = "db"\n')
    assert (
        'wrangler.toml:5 (d1_databases[0].binding): "d1_databases[0]" bindings should have a '
        'string "binding" field but got {"database_name":"db"}.'
    ) in message


def test_d1_binding_database_id_must_be_string(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + '[[d1_databases]]\nbinding = "DB"\ndatabase_id = 7\n')
    assert (
        'wrangler.toml:7 (d1_databases[0].database_id): "d1_databases[0]" bindings must have a '
        '"database_id" field but got {"binding":"DB","database_id":7}.'
    ) in message


@pytest.mark.parametrize("field", ["preview_database_id", "migrations_dir", "migrations_table"])
def test_d1_binding_optional_strings_must_be_strings(
    config_error: RenderedText, field: str
) -> None:
    message = config_error(BASE_TOML + f'[[d1_databases]]\nbinding = "DB"\n{field} = 1\n')
    assert (
        f'wrangler.toml:7 (d1_databases[0].{field}): "d1_databases[0]" bindings should, '
        f'optionally, have a string "{field}" field but got {{"binding":"DB","{field}":1}}.'
    ) in message


def test_d1_binding_defaults(load: LoadConfig) -> None:
    db = load(BASE_TOML + '[[d1_databases]]\nbinding = "DB"\n').config.d1_databases[0]
    assert (db.migrations_dir, db.migrations_table, db.database_id) == (
        "migrations",
        "d1_migrations",
        None,
    )


def test_d1_binding_must_be_table(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + "d1_databases = [1]\n")
    assert '"d1_databases" bindings should be objects, but got 1' in message


def test_binding_array_must_be_array(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + '[kv_namespaces]\nbinding = "KV"\n')
    assert (
        'wrangler.toml:5 (kv_namespaces): The field "kv_namespaces" should be an array but got '
        '{"binding":"KV"}.'
    ) in message


# -- triggers ---------------------------------------------------------------------------------


def test_triggers_must_be_table(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + "triggers = 5\n")
    assert (
        'wrangler.toml:5 (triggers): Expected "triggers" to be of type object but got 5.' in message
    )


def test_triggers_crons_must_be_array(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + '[triggers]\ncrons = "* * * * *"\n')
    assert (
        'wrangler.toml:6 (triggers.crons): Expected "triggers.crons" to be of type array, but got '
        '{"crons":"* * * * *"}.'
    ) in message


def test_triggers_cron_entries_must_be_strings(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + "[triggers]\ncrons = [5]\n")
    assert 'Expected "triggers.crons.[0]" to be of type string but got 5.' in message


def test_triggers_unknown_key_warns(warnings_of: RenderedText) -> None:
    warnings = warnings_of(BASE_TOML + '[triggers]\ncrons = ["0 * * * *"]\nevery = 5\n')
    assert (
        'wrangler.toml:7 (triggers.every): Unexpected fields found in triggers field: "every"'
        in warnings
    )


def test_triggers_default_has_no_crons(load: LoadConfig) -> None:
    assert load(BASE_TOML).config.triggers.crons is None


# -- unknown keys, collected errors -----------------------------------------------------------


def test_unknown_top_level_keys_warn_and_load(load: LoadConfig) -> None:
    loaded = load(BASE_TOML + "colour = 1\nshape = 2\n")
    assert (
        'wrangler.toml:5 (colour): Unexpected fields found in top-level field: "colour","shape"'
        in loaded.warnings[0]
    )


def test_known_wrangler_keys_pyworker_ignores_do_not_warn(load: LoadConfig) -> None:
    loaded = load(BASE_TOML + 'workers_dev = true\nroutes = []\n[[r2_buckets]]\nbinding = "B"\n')
    assert loaded.warnings == []


def test_errors_are_all_reported_together(config_error: RenderedText) -> None:
    message = config_error(
        'name = "Bad Name"\nmain = "src/entry.py"\ncompatibility_date = "soon"\n'
        + '[[kv_namespaces]]\nid = "x"\n'
    )
    assert message.startswith("Processing wrangler.toml configuration:\n")
    assert "wrangler.toml:1 (name)" in message
    assert "wrangler.toml:3 (compatibility_date)" in message
    assert "wrangler.toml:4 (kv_namespaces[0].binding)" in message
    assert "wrangler.toml:2 (main): The `python_workers` compatibility flag" in message


# -- binding-name uniqueness (§1.8) -----------------------------------------------------------

UNIQUE_NAMES_FOOTER = (
    "Bindings must have unique names, so that they can all be referenced in the worker.\n"
    "    Please change your bindings to have unique names."
)


def test_unique_names_two_kinds(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML
        + '[[kv_namespaces]]\nbinding = "DATA"\n'
        + '[[durable_objects.bindings]]\nname = "DATA"\nclass_name = "D"\nscript_name = "o"\n'
    )
    assert (
        "wrangler.toml:6 (kv_namespaces[0].binding): DATA assigned to Durable Object and KV "
        "Namespace bindings."
    ) in message
    assert UNIQUE_NAMES_FOOTER in message


def test_unique_names_three_kinds_use_oxford_comma(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML
        + '[[kv_namespaces]]\nbinding = "X"\n'
        + '[[d1_databases]]\nbinding = "X"\n'
        + '[vars]\nX = "1"\n'
    )
    assert (
        "(vars.X): X assigned to KV Namespace, D1 Database, and Environment Variable bindings."
        in message
    )


def test_unique_names_same_kind_twice(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML + '[[kv_namespaces]]\nbinding = "KV"\n[[kv_namespaces]]\nbinding = "KV"\n'
    )
    assert (
        "wrangler.toml:8 (kv_namespaces[1].binding): KV assigned to multiple KV Namespace bindings."
        in message
    )
    assert "assigned to KV Namespace and" not in message
    assert message.count("Bindings must have unique names") == 1
