"""``[env.NAME]`` (DO_SPEC §1.7): inheritance, name suffix, warnings and unknown environments."""

from __future__ import annotations

from .conftest import BASE_TOML, LoadConfig, RenderedText


def test_env_inherits_inheritable_keys(load: LoadConfig) -> None:
    loaded = load(BASE_TOML + '[triggers]\ncrons = ["0 * * * *"]\n[env.staging]\n', env="staging")
    config = loaded.config
    assert (config.main, config.compatibility_date) == ("src/entry.py", "2025-11-01")
    assert config.compatibility_flags == ["python_workers"]
    assert config.triggers.crons == ["0 * * * *"]
    assert loaded.env_name == "staging"


def test_env_value_overrides_top_level(load: LoadConfig) -> None:
    loaded = load(
        BASE_TOML + '[env.staging]\ncompatibility_date = "2025-06-01"\nmain = "src/other.py"\n',
        env="staging",
    )
    assert (loaded.config.compatibility_date, loaded.config.main) == ("2025-06-01", "src/other.py")
    assert loaded.main_path == loaded.root / "src" / "other.py"


def test_env_name_gets_env_suffix(load: LoadConfig) -> None:
    loaded = load(BASE_TOML + "[env.staging]\n", env="staging")
    assert (loaded.config.name, loaded.worker_name) == ("app-staging", "app-staging")


def test_env_name_set_in_env_is_used_verbatim(load: LoadConfig) -> None:
    assert load(BASE_TOML + '[env.staging]\nname = "stage"\n', env="staging").worker_name == "stage"


def test_env_without_any_name_uses_default_worker_name(load: LoadConfig) -> None:
    text = 'main = "src/entry.py"\ncompatibility_flags = ["python_workers"]\n[env.staging]\n'
    assert load(text, env="staging").worker_name == "worker"


def test_env_top_level_is_used_without_env(load: LoadConfig) -> None:
    loaded = load(BASE_TOML + '[env.staging]\nname = "stage"\n')
    assert (loaded.worker_name, loaded.env_name) == ("app", None)


def test_env_does_not_inherit_bindings_and_warns(load: LoadConfig) -> None:
    loaded = load(BASE_TOML + '[[kv_namespaces]]\nbinding = "KV"\n[env.staging]\n', env="staging")
    assert loaded.config.kv_namespaces == []
    assert (
        '  - "env.staging" environment configuration\n'
        '    - wrangler.toml:7 (env.staging): "kv_namespaces" exists at the top level, but not on '
        '"env.staging".\n'
        '      This is not what you probably want, since "kv_namespaces" is not inherited by '
        "environments.\n"
        '      Please add "kv_namespaces" to "env.staging".'
    ) in loaded.warnings[0]


def test_env_missing_var_warns_per_var(load: LoadConfig) -> None:
    loaded = load(
        BASE_TOML + '[vars]\nA = "1"\nB = "2"\n[env.staging.vars]\nA = "3"\n', env="staging"
    )
    assert loaded.config.vars == {"A": "3"}
    assert (
        'wrangler.toml:8 (env.staging.vars): "vars.B" exists at the top level, but not on '
        '"env.staging.vars".\n'
        '      This is not what you probably want, since "vars" configuration is not inherited by '
        "environments.\n"
        '      Please add "vars.B" to "env.staging".'
    ) in loaded.warnings[0]
    assert '"vars.A" exists' not in loaded.warnings[0]


def test_env_missing_kv_binding_warns(load: LoadConfig) -> None:
    loaded = load(
        BASE_TOML
        + '[[kv_namespaces]]\nbinding = "A"\n[[kv_namespaces]]\nbinding = "B"\n'
        + '[[env.staging.kv_namespaces]]\nbinding = "A"\n',
        env="staging",
    )
    assert (
        'There is a kv_namespaces binding with name "B" at the top level, but not on '
        '"env.staging".\n'
        '      This is not what you probably want, since "kv_namespaces" configuration is not '
        "inherited by environments.\n"
        '      Please add a binding for "B" to "env.staging.kv_namespaces.bindings".'
    ) in loaded.warnings[0]


def test_env_missing_durable_object_binding_warns(load: LoadConfig) -> None:
    loaded = load(
        BASE_TOML
        + '[[durable_objects.bindings]]\nname = "A"\nclass_name = "A"\n'
        + '[[durable_objects.bindings]]\nname = "B"\nclass_name = "B"\n'
        + '[[migrations]]\ntag = "v1"\nnew_classes = ["A", "B"]\n'
        + '[[env.staging.durable_objects.bindings]]\nname = "A"\nclass_name = "A"\n',
        env="staging",
    )
    assert (
        "wrangler.toml:14 (env.staging.durable_objects): The following bindings are at the top "
        'level, but not on "env.staging".\n'
        '      This is not what you probably want, since "durable_objects" configuration is not '
        "inherited by environments.\n"
        '      Please add a binding for each to "env.staging.durable_objects.bindings":\n'
        "      - B"
    ) in loaded.warnings[0]
    assert loaded.backends == {"A": False, "B": False}


def test_env_migrations_are_inherited_wholesale(load: LoadConfig) -> None:
    text = (
        BASE_TOML
        + '[[migrations]]\ntag = "v1"\nnew_classes = ["A"]\n'
        + '[[env.staging.migrations]]\ntag = "s1"\nnew_sqlite_classes = ["S"]\n'
        + "[env.other]\n"
    )
    assert [m.tag for m in load(text, env="staging").config.migrations] == ["s1"]
    assert [m.tag for m in load(text, env="other").config.migrations] == ["v1"]


def test_env_errors_point_into_the_env_table(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML
        + '[env.staging]\ncompatibility_date = "later"\n'
        + '[[env.staging.durable_objects.bindings]]\nname = "A"\n',
        env="staging",
    )
    assert (
        '  - "env.staging" environment configuration\n'
        '    - wrangler.toml:6 (env.staging.compatibility_date): "compatibility_date" field should '
        'be a valid ISO-8601 date (YYYY-MM-DD), but got "later".'
    ) in message
    assert '    - "env.staging.durable_objects.bindings[0]": {"name":"A"}' in message
    assert (
        "      - wrangler.toml:7 (env.staging.durable_objects.bindings[0].class_name): binding "
        'should have a string "class_name" field.'
    ) in message


def test_env_unique_names_point_into_the_env_table(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML + '[env.staging.vars]\nX = "1"\n[[env.staging.kv_namespaces]]\nbinding = "X"\n',
        env="staging",
    )
    assert (
        "wrangler.toml:6 (env.staging.vars.X): X assigned to KV Namespace and Environment "
        "Variable bindings."
    ) in message


def test_env_unknown_key_warns(load: LoadConfig) -> None:
    loaded = load(BASE_TOML + "[env.staging]\ncolour = 1\n", env="staging")
    assert (
        "wrangler.toml:6 (env.staging.colour): Unexpected fields found in env.staging field: "
        '"colour"'
    ) in loaded.warnings[0]


def test_env_top_level_only_key_inside_env_warns(load: LoadConfig) -> None:
    loaded = load(BASE_TOML + "[env.staging]\nkeep_vars = true\n", env="staging")
    assert 'Unexpected fields found in env.staging field: "keep_vars"' in loaded.warnings[0]


def test_env_unknown_name_is_error_when_other_envs_exist(config_error: RenderedText) -> None:
    message = config_error(BASE_TOML + "[env.staging]\n[env.production]\n", env="prod")
    assert (
        'wrangler.toml:5 (env): No environment found in configuration with name "prod".\n'
        "    Before using `--env=prod` there should be an equivalent environment section in the "
        "configuration.\n"
        '    The available configured environment names are: ["staging","production"]\n'
        "\n"
        "    Consider adding an environment configuration section to the wrangler.toml file:\n"
        "    ```\n"
        "    [env.prod]\n"
        "    ```\n"
    ) in message


def test_env_unknown_name_is_warning_without_envs(load: LoadConfig) -> None:
    loaded = load(BASE_TOML + '[[kv_namespaces]]\nbinding = "KV"\n', env="prod")
    assert loaded.worker_name == "app-prod"
    assert [kv.binding for kv in loaded.config.kv_namespaces] == ["KV"]
    assert (
        '- No environment found in configuration with name "prod".\n'
        "    Before using `--env=prod` there should be an equivalent environment section in the "
        "configuration.\n"
        "\n"
        "    Consider adding an environment configuration section to the wrangler.toml file:\n"
    ) in loaded.warnings[0]
    assert "available configured environment names" not in loaded.warnings[0]
