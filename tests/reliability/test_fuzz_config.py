"""``load_config`` fed with configs of every shape, fuzzed: random TOML and JSON structures built from
wrangler's own keys, random text, and byte-level mutations of valid configs. It either returns a
config or raises ``ConfigError`` with a message — never any other exception (which ``pyworker dev``
would show as a Python traceback). Configs that load also go through the migration rules."""

from __future__ import annotations

import json
import string
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pyworker.config import load_config
from pyworker.config.rules import check_migrations
from pyworker.errors import ConfigError
from reliability_helpers import FUZZ, examples

REPO = Path(__file__).resolve().parents[2]
VALID_TOML = """\
name = "fuzz-worker"
main = "src/entry.py"
compatibility_date = "2025-11-01"
compatibility_flags = ["python_workers"]

[vars]
MODE = "dev"

[[kv_namespaces]]
binding = "CACHE"
id = "cache"

[[d1_databases]]
binding = "DB"
database_name = "db"
database_id = "00000000-0000-0000-0000-000000000000"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v2"
renamed_classes = [{ from = "Counter", to = "Tally" }]

[triggers]
crons = ["*/5 * * * *"]

[env.staging]
name = "fuzz-staging"
vars = { MODE = "staging" }
"""
VALID_TEXTS = {
    "wrangler.toml": VALID_TOML,
    "wrangler.json": json.dumps(tomlkit.parse(VALID_TOML).unwrap(), indent=2),
    "wrangler.jsonc": (REPO / "tests" / "fixtures" / "configs" / "playground.jsonc").read_text(),
}
KEYS = [
    "name", "main", "compatibility_date", "compatibility_flags", "vars", "durable_objects", "bindings",
    "class_name", "script_name", "environment", "migrations", "tag", "new_classes", "new_sqlite_classes",
    "renamed_classes", "deleted_classes", "transferred_classes", "from", "to", "from_script",
    "kv_namespaces", "binding", "id", "preview_id", "d1_databases", "database_name", "database_id",
    "migrations_dir", "triggers", "crons", "env", "staging", "services", "service", "entrypoint",
    "routes", "workers_dev", "rules", "build", "define", "limits", "observability", "$schema", "unknown",
]  # fmt: skip

def _configs(null: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Trees of wrangler's keys (and others) and values of every JSON type; TOML has no null."""
    scalars = st.one_of(
        st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
        st.sampled_from(["src/entry.py", "2025-11-01", "python_workers", "Counter", "COUNTER", "v1", "../x", ""]),
        *([st.none()] if null else []),
    )  # fmt: skip
    keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=8))
    values = st.recursive(
        scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
        max_leaves=15,
    )  # fmt: skip
    return st.dictionaries(keys, values, max_size=8)


_scalar_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=10), st.lists(st.text(max_size=6), max_size=3),
    st.sampled_from(["Counter", "Tally", "v1", "COUNTER", "/../x", "", "*/5 * * * *", "not a cron"]),
)  # fmt: skip
_garbage = st.text(string.printable + "[]{}=\"'#\n\\é\x00", max_size=200)


def _load(name: str, text: str, env: str | None = None) -> str:
    """Write ``text`` as ``name`` next to a worker and load it; the outcome (for the case counts)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "src").mkdir()
        (root / "src" / "entry.py").write_text("from workers import WorkerEntrypoint\nclass Default(WorkerEntrypoint): pass\n")
        (root / name).write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            loaded = load_config(root, env=env)
        except ConfigError as error:
            assert str(error).strip(), "ConfigError without a message"
            return "ConfigError"
        check_migrations(loaded.config, loaded.worker_name)  # returns violations; must not raise
        return "loaded"


def _toml(config: dict[str, Any]) -> str:
    """``config`` as TOML; hypothesis drops the few that tomlkit cannot write."""
    try:
        return tomlkit.dumps(config)
    except Exception:  # noqa: BLE001 - tomlkit's refusals are many kinds of error
        assume(False)
        raise


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Replace ``text[at:at+length]`` with ``insert`` for each edit (positions taken modulo the size)."""
    for at, length, insert in edits:
        at %= max(len(text), 1)
        text = text[:at] + insert + text[at + length :]
    return text


_edits = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 12), st.one_of(st.sampled_from(['"', "[", "]", "\n", "=", "{", ",", "}", "[[", "\\u00", "env.", "0"]), st.text(max_size=6))),
    min_size=1,
    max_size=5,
)  # fmt: skip


def test_config_fuzzed_structures_load_or_raise_config_error(fuzz_cases: Callable[[], None]) -> None:
    """Fuzz: random trees of wrangler's keys and values, as wrangler.json and as wrangler.toml."""

    @settings(FUZZ, max_examples=examples(150))
    @given(
        file=st.one_of(
            _configs(null=True).map(lambda config: ("wrangler.json", json.dumps(config))),
            _configs(null=False).map(lambda config: ("wrangler.toml", _toml(config))),
        ),
        env=st.sampled_from([None, "staging", "missing"]),
    )
    def check(file: tuple[str, str], env: str | None) -> None:
        fuzz_cases()
        _load(*file, env)

    check()


def test_config_fuzzed_mutations_of_valid_configs_load_or_raise_config_error(fuzz_cases: Callable[[], None]) -> None:
    """Fuzz: valid TOML, JSON and JSONC configs with characters deleted, inserted and replaced."""

    @settings(FUZZ, max_examples=examples(150))
    @given(name=st.sampled_from(sorted(VALID_TEXTS)), edits=_edits, env=st.sampled_from([None, "staging"]))
    def check(name: str, edits: list[tuple[int, int, str]], env: str | None) -> None:
        fuzz_cases()
        _load(name, _mutate(VALID_TEXTS[name], edits), env)

    check()


VALID_TREE = tomlkit.parse(VALID_TOML).unwrap()


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in ``tree`` (dict keys and list indexes), parents before children."""
    children = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    paths = []
    for key, child in children:
        paths.append((*prefix, key))
        paths += _paths(child, (*prefix, key))
    return paths


def _replace(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A copy of ``tree`` with the node at ``path`` replaced by ``value`` (None deletes a dict key)."""
    if not path:
        return value
    copy = dict(tree) if isinstance(tree, dict) else list(tree)
    head, rest = path[0], path[1:]
    if isinstance(copy, dict) and value is None and not rest:
        copy.pop(head, None)
    else:
        copy[head] = _replace(copy[head], rest, value)
    return copy


def test_config_fuzzed_subtrees_of_a_valid_config_load_or_raise_config_error(fuzz_cases: Callable[[], None]) -> None:
    """Fuzz: a valid config with up to three of its keys deleted or given values of another shape,
    so the checks deep inside (bindings, migrations, environments) see bad input too."""

    @settings(FUZZ, max_examples=examples(150))
    @given(
        swaps=st.lists(st.tuples(st.sampled_from(_paths(VALID_TREE)), _configs(null=True) | _scalar_values), max_size=3),
        env=st.sampled_from([None, "staging"]),
    )
    def check(swaps: list[tuple[tuple[Any, ...], Any]], env: str | None) -> None:
        fuzz_cases()
        tree = VALID_TREE
        for path, value in swaps:
            try:
                tree = _replace(tree, path, value)
            except (KeyError, IndexError, TypeError):
                pass  # an earlier swap removed or reshaped the parent
        _load("wrangler.json", json.dumps(tree), env)

    check()


def test_config_fuzzed_text_loads_or_raises_config_error(fuzz_cases: Callable[[], None]) -> None:
    """Fuzz: arbitrary text (NUL, lone brackets, bad escapes) under each config file name."""

    @settings(FUZZ, max_examples=examples(100))
    @given(name=st.sampled_from(sorted(VALID_TEXTS)), text=_garbage)
    def check(name: str, text: str) -> None:
        fuzz_cases()
        _load(name, text)

    check()


def test_config_valid_texts_load() -> None:
    """The configs the mutations start from are valid: a mutation is what breaks them."""
    for name, text in VALID_TEXTS.items():
        assert _load(name, text) == "loaded", name


def test_config_env_binding_named_by_a_table_is_a_config_error() -> None:
    """Found by the fuzz test: ``binding = {}`` in an environment's KV namespace raised TypeError
    (unhashable dict) instead of a diagnostic."""
    config = tomlkit.parse(VALID_TOML).unwrap()
    config["env"]["staging"]["kv_namespaces"] = [{"binding": {}, "id": "x"}]
    assert _load("wrangler.json", json.dumps(config), "staging") == "ConfigError"
