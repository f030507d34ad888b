"""The validated models: defaults, aliases, immutability and field descriptions."""

from __future__ import annotations

import pydantic
import pytest

from pyworker.config import RenamedClass, TransferredClass, WranglerConfig, schema


def test_schema_defaults_match_wrangler() -> None:
    config = WranglerConfig()
    assert config.compatibility_flags == []
    assert config.vars == {}
    assert config.durable_objects.bindings == []
    assert config.migrations == []
    assert config.triggers.crons is None


def test_schema_from_fields_use_the_from_alias() -> None:
    assert RenamedClass.model_validate({"from": "A", "to": "B"}).from_ == "A"
    transfer = TransferredClass.model_validate({"from": "A", "from_script": "w", "to": "B"})
    assert transfer.model_dump(by_alias=True) == {"from": "A", "from_script": "w", "to": "B"}


def test_schema_models_are_frozen() -> None:
    with pytest.raises(pydantic.ValidationError):
        WranglerConfig().name = "x"  # type: ignore[misc]


@pytest.mark.parametrize("model", [getattr(schema, name) for name in schema.__all__])
def test_schema_every_field_has_one_line_description(model: type[pydantic.BaseModel]) -> None:
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name}"
        assert "\n" not in field.description
