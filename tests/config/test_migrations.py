"""``class_backends``: replaying ``[[migrations]]`` like wrangler dev (DO_SPEC §2.2, L1–L4)."""

from __future__ import annotations

import pytest

from pyworker.config import Migration, class_backends, from_mapping
from pyworker.errors import ConfigError

from .conftest import BASE_TOML, RenderedText


def migration(tag: str, **steps: object) -> Migration:
    return from_mapping(Migration, {"tag": tag, **steps})


def test_class_backends_new_classes_are_kv_and_sqlite() -> None:
    backends = class_backends(
        [migration("v1", new_classes=["Kv"]), migration("v2", new_sqlite_classes=["Sql"])]
    )
    assert backends == {"Kv": False, "Sql": True}


def test_class_backends_rename_keeps_backend() -> None:
    backends = class_backends(
        [
            migration("v1", new_sqlite_classes=["Old"]),
            migration("v2", renamed_classes=[{"from": "Old", "to": "New"}]),
        ]
    )
    assert backends == {"New": True}


def test_class_backends_delete_removes_class() -> None:
    backends = class_backends(
        [migration("v1", new_classes=["A", "B"]), migration("v2", deleted_classes=["A"])]
    )
    assert backends == {"B": False}


def test_class_backends_step_order_is_delete_rename_new() -> None:
    backends = class_backends(
        [
            migration("v1", new_classes=["A"]),
            migration(
                "v2",
                new_sqlite_classes=["A"],
                deleted_classes=["A"],
                renamed_classes=[],
            ),
        ]
    )
    assert backends == {"A": True}


def test_class_backends_ignores_transfers() -> None:
    transfer = {"from": "X", "from_script": "other", "to": "Y"}
    assert class_backends([migration("v1", transferred_classes=[transfer])]) == {}


def test_class_backends_bound_classes_default_to_kv() -> None:
    backends = class_backends([migration("v1", new_sqlite_classes=["A"])], ["A", "Unmigrated"])
    assert backends == {"A": True, "Unmigrated": False}


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        pytest.param(
            [migration("v1", new_classes=["A"]), migration("v2", deleted_classes=["B"])],
            'tag "v2": Cannot apply deleted_classes migration to non-existent class B',
            id="L1-delete-unknown",
        ),
        pytest.param(
            [migration("v1", renamed_classes=[{"from": "Ghost", "to": "B"}])],
            'tag "v1": Cannot apply renamed_classes migration to non-existent class Ghost',
            id="L2-rename-unknown",
        ),
        pytest.param(
            [migration("v1", new_classes=["Counter"]), migration("v3", new_classes=["Counter"])],
            'tag "v3": Cannot apply new_classes migration to existing class Counter',
            id="L3-new-existing",
        ),
        pytest.param(
            [migration("v1", new_classes=["C"]), migration("v2", new_sqlite_classes=["C"])],
            'tag "v2": Cannot apply new_sqlite_classes migration to existing class C',
            id="L4-new-sqlite-existing",
        ),
    ],
)
def test_class_backends_rejects_impossible_steps(steps: list[Migration], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        class_backends(steps)
    assert str(caught.value).startswith(f"[[migrations]] {expected}\nFix: ")


def test_class_backends_deleted_class_cannot_be_deleted_twice() -> None:
    with pytest.raises(ConfigError, match="non-existent class A"):
        class_backends(
            [
                migration("v1", new_classes=["A"]),
                migration("v2", deleted_classes=["A"]),
                migration("v3", deleted_classes=["A"]),
            ]
        )


def test_class_backends_errors_abort_loading(config_error: RenderedText) -> None:
    message = config_error(
        BASE_TOML
        + '[[migrations]]\ntag = "v1"\nnew_classes = ["Counter"]\n'
        + '[[migrations]]\ntag = "v2"\nnew_sqlite_classes = ["Counter"]\n'
    )
    assert (
        'tag "v2": Cannot apply new_sqlite_classes migration to existing class Counter' in message
    )
