"""``find_config_file`` and ``load_config``: discovery, three formats, syntax errors, results."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyworker.config import LoadedConfig, find_config_file, load_config
from pyworker.errors import ConfigError

from .conftest import BASE_TOML, LoadConfig, WriteConfig

REPO_CONFIG = Path(__file__).resolve().parents[2] / "wrangler.toml"

FULL_TOML = """\
name = "app"
main = "objects/worker.py"
compatibility_date = "2025-11-01"
compatibility_flags = ["python_workers"]

[vars]
URL = "http://example.com//path"
LIMIT = 3

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[durable_objects.bindings]]
name = "REMOTE"
class_name = "Elsewhere"
script_name = "other"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[kv_namespaces]]
binding = "KV"
id = "abc"

[[d1_databases]]
binding = "DB"
database_name = "db"

[triggers]
crons = ["*/5 * * * *"]
"""

FULL_JSONC = """\
// The same Worker as FULL_TOML.
{
  "name": "app",
  "main": "objects/worker.py", /* entry */
  "compatibility_date": "2025-11-01",
  "compatibility_flags": ["python_workers",],
  "vars": {"URL": "http://example.com//path", "LIMIT": 3},
  "durable_objects": {
    "bindings": [
      {"name": "COUNTER", "class_name": "Counter"},
      {"name": "REMOTE", "class_name": "Elsewhere", "script_name": "other"},
    ],
  },
  "migrations": [{"tag": "v1", "new_sqlite_classes": ["Counter"]}],
  "kv_namespaces": [{"binding": "KV", "id": "abc"}],
  "d1_databases": [{"binding": "DB", "database_name": "db"}],
  "triggers": {"crons": ["*/5 * * * *"]},
}
"""


# -- discovery --------------------------------------------------------------------------------


def test_find_config_file_prefers_json_then_jsonc_then_toml(tmp_path: Path) -> None:
    for name in ("wrangler.toml", "wrangler.jsonc", "wrangler.json"):
        (tmp_path / name).write_text("{}")
        assert find_config_file(tmp_path) == tmp_path / name


def test_find_config_file_walks_up(tmp_path: Path) -> None:
    (tmp_path / "wrangler.toml").write_text("")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config_file(nested) == tmp_path / "wrangler.toml"


def test_find_config_file_walks_up_from_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "wrangler.toml").write_text("")
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    assert find_config_file(Path(".")) == tmp_path / "wrangler.toml"


def test_find_config_file_nearest_directory_wins(tmp_path: Path) -> None:
    (tmp_path / "wrangler.json").write_text("{}")
    nested = tmp_path / "sub"
    nested.mkdir()
    (nested / "wrangler.toml").write_text("")
    assert find_config_file(nested) == nested / "wrangler.toml"


def test_find_config_file_ignores_directories_named_like_configs(tmp_path: Path) -> None:
    (tmp_path / "wrangler.json").mkdir()
    (tmp_path / "wrangler.toml").write_text("")
    assert find_config_file(tmp_path) == tmp_path / "wrangler.toml"


def test_load_config_without_file_explains_how_to_create_one(tmp_path: Path) -> None:
    if find_config_file(tmp_path) is not None:
        pytest.skip("a directory above tmp_path holds a wrangler config")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert f"found in {tmp_path.resolve()} or any parent directory" in message
    assert 'main = "src/entry.py"' in message


def test_load_config_explicit_path(tmp_path: Path, write_config: WriteConfig) -> None:
    write_config(BASE_TOML, "custom.toml")
    loaded = load_config(tmp_path, config_path=Path("custom.toml"))
    assert loaded.path == tmp_path / "custom.toml"


def test_load_config_explicit_path_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"Could not read file: nope\.toml"):
        load_config(tmp_path, config_path=Path("nope.toml"))


def test_load_config_from_subdirectory_shows_relative_path(
    tmp_path: Path, write_config: WriteConfig
) -> None:
    write_config('name = "Bad"\n')
    nested = tmp_path / "src"
    nested.mkdir()
    with pytest.raises(ConfigError) as caught:
        load_config(nested)
    message = str(caught.value)
    assert message.startswith("Processing ../wrangler.toml configuration:")
    assert "../wrangler.toml:1 (name)" in message


# -- formats ----------------------------------------------------------------------------------


def test_load_config_toml_json_and_jsonc_give_equal_models(
    tmp_path: Path, write_config: WriteConfig
) -> None:
    loaded: dict[str, LoadedConfig] = {}
    for name, text in [
        ("wrangler.toml", FULL_TOML),
        ("wrangler.jsonc", FULL_JSONC),
        ("wrangler.json", FULL_JSONC),
    ]:
        path = write_config(text, name)
        loaded[name] = load_config(tmp_path, config_path=Path(name))
        path.unlink()
    configs = [result.config for result in loaded.values()]
    assert configs[0] == configs[1] == configs[2]
    assert configs[0].vars["URL"] == "http://example.com//path"


def test_load_config_full_result(load: LoadConfig) -> None:
    loaded = load(FULL_TOML)
    assert loaded.path is not None and loaded.root == loaded.path.parent
    assert loaded.worker_name == "app"
    assert loaded.main_path == loaded.root / "objects" / "worker.py"
    assert loaded.backends == {"Counter": True}
    assert loaded.warnings == []
    assert loaded.config.durable_objects.bindings[1].script_name == "other"
    assert loaded.config.d1_databases[0].migrations_dir == "migrations"


def test_load_config_unbound_migration_and_unmigrated_binding(load: LoadConfig) -> None:
    loaded = load(
        BASE_TOML
        + '[[durable_objects.bindings]]\nname = "R"\nclass_name = "Room"\n'
        + '[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Counter"]\n'
    )
    assert loaded.backends == {"Counter": True, "Room": False}


def test_load_config_script_name_of_this_worker_is_local(load: LoadConfig) -> None:
    loaded = load(
        BASE_TOML
        + '[[durable_objects.bindings]]\nname = "C"\nclass_name = "C"\nscript_name = "app"\n'
        + '[[durable_objects.bindings]]\nname = "R"\nclass_name = "R"\nscript_name = "other"\n'
    )
    own, other = loaded.config.durable_objects.bindings
    assert (loaded.is_local(own), loaded.is_local(other)) == (True, False)
    assert loaded.backends == {"C": False}


def test_load_config_result_is_frozen(load: LoadConfig) -> None:
    loaded = load(BASE_TOML)
    with pytest.raises(AttributeError):
        loaded.worker_name = "x"  # type: ignore[misc]


# -- syntax errors ----------------------------------------------------------------------------


def test_load_config_toml_syntax_error_names_line_and_column(load: LoadConfig) -> None:
    with pytest.raises(ConfigError) as caught:
        load('name = "app"\nmain = \n')
    message = str(caught.value)
    assert message.startswith("wrangler.toml:2:8: syntax error: Invalid value\n2 | main = \n")
    assert "Traceback" not in message


def test_load_config_toml_error_at_end_of_document(load: LoadConfig) -> None:
    with pytest.raises(ConfigError, match=r"^wrangler\.toml:2: syntax error: "):
        load('name = "app"\ndescription = """unterminated\n')


def test_load_config_json_syntax_error_names_line_and_column(load: LoadConfig) -> None:
    with pytest.raises(ConfigError) as caught:
        load('{\n  "name": "app"\n  "main": "x.py"\n}\n', name="wrangler.json")
    assert str(caught.value).startswith(
        "wrangler.json:3:3: syntax error: Expecting ',' delimiter\n"
        '3 |   "main": "x.py"\n'
        "      ^\n"
    )


def test_load_config_jsonc_error_position_counts_comments(load: LoadConfig) -> None:
    with pytest.raises(ConfigError, match=r"^wrangler\.jsonc:3:"):
        load('{ /* a\n  comment */ "name": "app",\n  oops\n}\n', name="wrangler.jsonc")


def test_load_config_json_must_be_object(load: LoadConfig) -> None:
    with pytest.raises(ConfigError, match="must be an object"):
        load("[1, 2]", name="wrangler.json")


# -- the repository's own config --------------------------------------------------------------


@pytest.mark.skipif(not REPO_CONFIG.is_file(), reason="the repository has no wrangler.toml yet")
def test_load_config_repository_wrangler_toml_is_valid() -> None:
    loaded = load_config(REPO_CONFIG.parent)
    assert loaded.path == REPO_CONFIG
    assert loaded.main_path.parent.is_relative_to(REPO_CONFIG.parent)
    bindings = loaded.config.durable_objects.bindings
    assert {b.class_name for b in bindings if loaded.is_local(b)} <= set(loaded.backends)
