from __future__ import annotations

import re

import pytest

from pyworker.runtime.ids import DurableObjectId, IdFactory


def test_id_from_name_is_64_lowercase_hex() -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", IdFactory("worker-Counter").from_name("x").toString())


def test_id_from_name_differs_between_namespaces() -> None:
    assert IdFactory("w-A").from_name("x") != IdFactory("w-B").from_name("x")


def test_id_keeps_its_name() -> None:
    assert IdFactory("w-A").from_name("room").name == "room"


def test_unique_ids_differ_and_have_no_name() -> None:
    ids = IdFactory("w-A")
    first, second = ids.unique(), ids.unique()
    assert first != second and first.name is None


def test_id_from_string_round_trips() -> None:
    ids = IdFactory("w-A")
    original = ids.unique()
    parsed = ids.from_string(str(original))
    assert parsed == original and parsed.equals(original) and hash(parsed) == hash(original)


@pytest.mark.parametrize("text", ["", "abc", "zz" * 32, "0" * 63, "0" * 66])
def test_id_from_string_rejects_malformed(text: str) -> None:
    with pytest.raises(TypeError, match="Invalid Durable Object ID: must be 64 hex digits"):
        IdFactory("w-A").from_string(text)


def test_id_from_string_rejects_other_namespace() -> None:
    foreign = IdFactory("w-B").from_name("x").toString()
    with pytest.raises(TypeError, match="Durable Object ID is not valid for this namespace."):
        IdFactory("w-A").from_string(foreign)


def test_id_str_and_repr() -> None:
    object_id = DurableObjectId("ab" * 32, "n")
    assert str(object_id) == "ab" * 32 and "name='n'" in repr(object_id)
