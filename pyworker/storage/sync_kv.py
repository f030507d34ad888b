"""``ctx.storage.kv``: the synchronous key-value API of SQLite-backed objects (workerd ``api/sync-kv.c++``).

It reads and writes the same ``_cf_KV`` table, cache and implicit transaction as the asynchronous
methods of ``ctx.storage``; only the return values differ (plain values instead of awaitables).
``list()`` returns an iterator of ``[key, value]`` pairs read lazily; only the newest ``list()``
iterator is usable, as in workerd.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pyworker.storage.errors import StorageError

if TYPE_CHECKING:
    from pyworker.storage.durable_object_storage import DurableObjectStorage

__all__ = ["LIST_INVALIDATED", "SyncKvStorage"]

LIST_INVALIDATED = (
    "kv.list() iterator was invalidated because a new call to kv.list() was started. "
    "Only one kv.list() iterator can exist at a time."
)
_SYNC_LIST_OPTIONS = {"start", "startAfter", "end", "prefix", "reverse", "limit"}


class SyncKvStorage:
    """``ctx.storage.kv`` of one object. Built by ``DurableObjectStorage``; not constructed by users."""

    __slots__ = ("_generation", "_storage")

    def __init__(self, storage: DurableObjectStorage) -> None:
        self._storage = storage
        self._generation = 0

    def get(self, key: str) -> Any:
        """The value of ``key``, or None."""
        return self._storage._get_one(key)

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` (committed with the current batch)."""
        self._storage._put_one(key, value)

    def delete(self, key: str) -> bool:
        """Delete ``key``; True if it existed."""
        return self._storage._delete_one(key)

    def list(self, options: Mapping[str, Any] | None = None, **kwargs: Any) -> Iterator[list[Any]]:
        """``[key, value]`` pairs in key order: ``list(prefix=, start=, startAfter=, end=, reverse=, limit=)``."""
        opts = {**(options or {}), **kwargs}
        unknown = set(opts) - _SYNC_LIST_OPTIONS
        if unknown:
            raise TypeError(f"kv.list() got unknown options: {', '.join(sorted(unknown))}")
        rows = self._storage._list_rows(opts)
        self._generation += 1
        return self._iterate(rows, self._generation)

    def invalidate(self) -> None:
        """Make every live ``list()`` iterator fail (the database was reset)."""
        self._generation += 1

    def _iterate(self, rows: Iterator[tuple[str, bytes]], generation: int) -> Iterator[list[Any]]:
        storage = self._storage
        while True:
            if generation != self._generation:
                raise StorageError(LIST_INVALIDATED)
            row = next(rows, None)
            if row is None:
                return
            yield [row[0], storage._decoded(row[0], row[1])]

    def __repr__(self) -> str:
        return "<SyncKvStorage>"
