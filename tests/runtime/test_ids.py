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


# Ids recorded from a real `wrangler dev` (tests/fixtures/wrangler/expected.json).
WRANGLER_IDS = {
    ("do-playground-worker-Counter", "global-counter"): "5c1aa0294188a33f178a7d29827d96ff88313094497873c65b9b0985a578e2ed",
    ("do-playground-worker-Counter", ""): "39bc7de0249cc8c7caab5af0f0a686f4f3f3b249d1ee23dfd4406e16bd0330f5",
    ("do-playground-worker-Store", "héllo"): "84f6879d2b82726349c1bf3b7dfca3e8243d3fff1bf1ec82fb291209cc1df4fa",
    ("do-playground-worker-Store", "x" * 100): "36f8600480b8c45542d8f06cc6324b29c86a3e4489a3dbd0e3cfbeac2cfc38e7",
}


@pytest.mark.parametrize(("unique_key", "name"), list(WRANGLER_IDS))
def test_id_from_name_matches_wrangler_dev(unique_key: str, name: str) -> None:
    assert IdFactory(unique_key).from_name(name).toString() == WRANGLER_IDS[(unique_key, name)]


def test_wrangler_ids_validate_with_id_from_string() -> None:
    hex_id = WRANGLER_IDS[("do-playground-worker-Counter", "global-counter")]
    assert IdFactory("do-playground-worker-Counter").from_string(hex_id).toString() == hex_id
