"""``Diagnostics``: wrangler's layout, plus file, line, key path and fix of every message."""

from __future__ import annotations

from pyworker.config.diagnostics import Diagnostics, Origin
from pyworker.config.locate import KeyLocator

SOURCE = 'name = "Bad"\n[[durable_objects.bindings]]\nname = "A"\n'
ORIGIN = Origin("wrangler.toml", KeyLocator.from_source(SOURCE, "toml"))


def test_diagnostics_renders_wrangler_layout_without_origin() -> None:
    root = Diagnostics("Processing wrangler configuration:")
    root.error("first")
    root.error("second\nline two")
    root.child('"a": 1').error("child one")
    root.child('"b": 2').error("child two")
    assert root.render_errors() == (
        "Processing wrangler configuration:\n"
        "  - first\n"
        "  - second\n"
        "    line two\n"
        '  - "a": 1\n'
        "    - child one\n"
        "\n"
        '  - "b": 2\n'
        "    - child two"
    )


def test_diagnostics_header_only_node_has_empty_line() -> None:
    root = Diagnostics("Processing wrangler.toml configuration:")
    root.child('"x": {}').warn("only child")
    assert root.render_warnings() == (
        'Processing wrangler.toml configuration:\n\n  - "x": {}\n    - only child'
    )


def test_diagnostics_prefixes_file_line_and_key() -> None:
    root = Diagnostics("Processing wrangler.toml configuration:")
    root.error("bad name", "name")
    root.child('"durable_objects.bindings[0]": {"name":"A"}').error(
        'binding should have a string "class_name" field.', "durable_objects.bindings[0].class_name"
    )
    rendered = root.render_errors(ORIGIN)
    assert "  - wrangler.toml:1 (name): bad name\n" in rendered
    assert (
        "    - wrangler.toml:2 (durable_objects.bindings[0].class_name): binding should have a "
        'string "class_name" field.'
    ) in rendered


def test_diagnostics_key_not_in_file_shows_file_only() -> None:
    root = Diagnostics("h")
    root.error("Missing entry-point", "main", fix='add main = "src/entry.py" to wrangler.toml.')
    assert root.render_errors(ORIGIN) == (
        "h\n"
        "  - wrangler.toml (main): Missing entry-point\n"
        '    Fix: add main = "src/entry.py" to wrangler.toml.'
    )


def test_diagnostics_child_keys_are_relative_to_base() -> None:
    root = Diagnostics("h")
    env = root.child('"env.staging" environment configuration', base="env.staging")
    env.error("relative", "vars")
    env.error("absolute", "env.staging.durable_objects.bindings[0]")
    env.error("element", "migrations[0].new_classes.[2]")
    assert [message.key for message in env.errors] == [
        "env.staging.vars",
        "env.staging.durable_objects.bindings[0]",
        "env.staging.migrations[0].new_classes[2]",
    ]


def test_diagnostics_empty_children_are_not_rendered_or_counted() -> None:
    root = Diagnostics("h")
    root.child("empty")
    root.child("warned").warn("w")
    assert not root.has_errors()
    assert root.has_warnings()
    assert "empty" not in root.render_warnings()
