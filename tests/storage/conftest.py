"""Storage fixtures: a ``DurableObjectStorage`` on a real SQLite file in ``tmp_path``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pyworker.runtime.clock import ManualClock
from pyworker.runtime.gates import OutputGate
from pyworker.storage.durable_object_storage import DurableObjectStorage
from pyworker.storage.sqlite_store import SqliteStore

NOW_MS = 1_700_000_000_000

OpenStorage = Callable[..., DurableObjectStorage]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "do" / "object.sqlite"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW_MS)


@pytest.fixture
def open_storage(db_path: Path, clock: ManualClock) -> Iterator[OpenStorage]:
    """``open_storage(sqlite=True, limits="local", path=..., **kwargs)``; every storage is closed at teardown."""
    opened: list[DurableObjectStorage] = []

    def open_(path: Path | None = None, **kwargs: Any) -> DurableObjectStorage:
        kwargs.setdefault("clock", clock)
        storage = DurableObjectStorage(SqliteStore(path or db_path), OutputGate(), **kwargs)
        opened.append(storage)
        return storage

    yield open_
    for storage in opened:
        if storage.failure is None:
            storage.close()


@pytest.fixture
def sqlite_storage(open_storage: OpenStorage) -> DurableObjectStorage:
    return open_storage()


@pytest.fixture
def kv_storage(open_storage: OpenStorage) -> DurableObjectStorage:
    """A KV-backed class (``new_classes``)."""
    return open_storage(sqlite=False)


@pytest.fixture
def reopen(open_storage: OpenStorage, db_path: Path) -> Callable[..., DurableObjectStorage]:
    """``reopen(storage, **kwargs)``: close ``storage`` (committing it) and open its file again."""

    def reopen_(storage: DurableObjectStorage, **kwargs: Any) -> DurableObjectStorage:
        storage.close()
        return open_storage(**kwargs)

    return reopen_
