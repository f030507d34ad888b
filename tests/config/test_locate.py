"""``find_key_line``: the line of a key path in TOML and JSON/JSONC sources."""

from __future__ import annotations

import textwrap

import pytest

from pyworker.config.locate import find_key_line, parse_key_path

TOML = textwrap.dedent(
    '''\
    name = "app"  # comment with key = "x"
    description = """
    [not.a.table]
    class_name = "nope"
    """

    [vars]
    GREETING = "hi"
    site.url = "https://example.com"

    [[durable_objects.bindings]]
    name = "A"
    class_name = "A"

    [[durable_objects.bindings]]
    name = "B"

    [env.staging]
    name = "stage"
    durable_objects = { bindings = [
      { name = "S", class_name = "S" },
      { name = "T" },
    ] }

    [env.staging.vars]
    GREETING = "yo"

    [[env.staging.migrations]]
    tag = "s1"
    [[env.staging.migrations]]
    tag = "s2"
    '''
)


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("name", 1),
        ("vars", 7),
        ("vars.GREETING", 8),
        ("vars.site.url", 9),
        ("vars.site", 9),
        ("durable_objects", 11),
        ("durable_objects.bindings[0]", 11),
        ("durable_objects.bindings[0].class_name", 13),
        ("durable_objects.bindings[1].name", 16),
        ("durable_objects.bindings[1].class_name", 15),
        ("env.staging", 18),
        ("env.staging.name", 19),
        ("env.staging.durable_objects.bindings[0].class_name", 21),
        ("env.staging.durable_objects.bindings[1]", 22),
        ("env.staging.vars.GREETING", 26),
        ("env.staging.migrations[1].tag", 31),
        ("env.staging.migrations[0]", 28),
    ],
)
def test_find_key_line_toml(key: str, line: int) -> None:
    assert find_key_line(TOML, key, "toml") == line


def test_find_key_line_toml_ignores_multiline_strings_and_comments() -> None:
    assert find_key_line(TOML, "class_name", "toml") is None
    assert find_key_line(TOML, "not.a.table", "toml") is None


def test_find_key_line_unknown_root_key_is_none() -> None:
    assert find_key_line(TOML, "main", "toml") is None


def test_find_key_line_nested_array_of_tables_counts_per_parent() -> None:
    text = "[[a]]\n[[a.b]]\nx = 1\n[[a]]\n[[a.b]]\n[[a.b]]\ny = 2\n"
    assert find_key_line(text, "a[1].b[1].y", "toml") == 7
    assert find_key_line(text, "a[0].b[0].x", "toml") == 3


def test_find_key_line_quoted_toml_keys() -> None:
    assert find_key_line("[vars]\n\"MY KEY\" = 1\n'lit' = 2\n", "vars.lit", "toml") == 3


JSONC = textwrap.dedent(
    """\
    // "name": "commented out"
    {
      "name": "app", /* "main": "x" */
      "vars": {"URL": "http://x//y", "N": 1,},
      "durable_objects": {
        "bindings": [
          {"name": "A", "class_name": "A"},
          {
            "name": "B"
          },
        ],
      },
      "main": "src/entry.py"
    }
    """
)


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("name", 3),
        ("main", 13),
        ("vars.N", 4),
        ("durable_objects.bindings[0].class_name", 7),
        ("durable_objects.bindings[1]", 8),
        ("durable_objects.bindings[1].name", 9),
        ("durable_objects.bindings[1].class_name", 8),
    ],
)
def test_find_key_line_jsonc(key: str, line: int) -> None:
    assert find_key_line(JSONC, key, "json") == line


def test_parse_key_path_accepts_wrangler_element_notation() -> None:
    assert parse_key_path("migrations[0].new_classes.[1]") == ("migrations", 0, "new_classes", 1)
