"""The validated config tables: defaults, aliases, immutability and field descriptions."""

from __future__ import annotations

import dataclasses

import pytest

from pyworker.config import RenamedClass, TransferredClass, WranglerConfig, from_mapping, schema


def test_schema_defaults_match_wrangler() -> None:
    config = WranglerConfig()
    assert config.compatibility_flags == []
    assert config.vars == {}
    assert config.durable_objects.bindings == []
    assert config.migrations == []
    assert config.triggers.crons is None


def test_schema_from_fields_use_the_from_alias() -> None:
    assert from_mapping(RenamedClass, {"from": "A", "to": "B"}).from_ == "A"
    transfer = from_mapping(TransferredClass, {"from": "A", "from_script": "w", "to": "B"})
    assert schema.to_mapping(transfer) == {"from": "A", "from_script": "w", "to": "B"}


def test_schema_nested_tables_become_their_classes_and_unknown_keys_are_ignored() -> None:
    config = from_mapping(
        WranglerConfig,
        {
            "durable_objects": {"bindings": [{"name": "COUNTER", "class_name": "Counter"}]},
            "migrations": [{"tag": "v1", "renamed_classes": [{"from": "A", "to": "B"}]}],
            "not_a_key": 1,
        },
    )
    assert config.durable_objects.bindings[0].class_name == "Counter"
    assert config.migrations[0].renamed_classes == [RenamedClass(from_="A", to="B")]
    assert schema.to_mapping(config.migrations[0])["renamed_classes"] == [{"from": "A", "to": "B"}]


def test_schema_tables_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        WranglerConfig().name = "x"  # type: ignore[misc]


@pytest.mark.parametrize("table", [getattr(schema, name) for name in schema.__all__ if name[0].isupper()])
def test_schema_every_field_has_one_line_description(table: type) -> None:
    for spec in dataclasses.fields(table):
        description = spec.metadata.get("description")
        assert description, f"{table.__name__}.{spec.name}"
        assert "\n" not in description
