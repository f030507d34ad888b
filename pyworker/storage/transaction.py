"""The ``txn`` object that ``ctx.storage.transaction(closure)`` passes to its closure.

It offers the key-value and alarm methods of ``ctx.storage`` (``get``, ``put``, ``delete``, ``list``,
``getAlarm``, ``setAlarm``, ``deleteAlarm``) plus ``rollback()``, with workerd's errors once the
transaction was rolled back or has committed (``txn`` used outside its closure).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyworker.storage.errors import DELETE_ALL_IN_TRANSACTION, StorageError

if TYPE_CHECKING:
    from pyworker.storage.durable_object_storage import DurableObjectStorage, Resolved

__all__ = ["DurableObjectTransaction"]

OPEN, ROLLED_BACK, COMMITTED = "open", "rolled back", "committed"


class DurableObjectTransaction:
    """One explicit transaction (a SQLite savepoint) of one object's storage."""

    __slots__ = ("_storage", "alarm_running", "savepoint", "state")

    def __init__(self, storage: DurableObjectStorage, savepoint: str, alarm_running: bool) -> None:
        self._storage = storage
        self.savepoint = savepoint
        self.alarm_running = alarm_running  # restored if the transaction rolls back
        self.state = OPEN

    def owned_by(self, storage: DurableObjectStorage) -> bool:
        """True while this transaction is open on ``storage`` (a nested call joins it)."""
        return self._storage is storage and self.state == OPEN

    def _check(self, op: str) -> DurableObjectStorage:
        if self.state == ROLLED_BACK:
            raise StorageError(f"Cannot {op} on rolled back transaction")
        if self.state == COMMITTED:
            raise StorageError(
                f"Cannot call {op} on transaction that has already committed: "
                "did you move `txn` outside of the closure?"
            )
        return self._storage

    def get(self, keys: str | list[str], options: Any = None, **kwargs: Any) -> Resolved:
        """As ``storage.get``."""
        return self._check("get()").get(keys, options, **kwargs)

    def put(self, key: Any, value: Any = ..., options: Any = None, **kwargs: Any) -> Resolved:
        """As ``storage.put``."""
        storage = self._check("put()")
        if value is ...:
            return storage.put(key, **kwargs)
        return storage.put(key, value, options, **kwargs)

    def delete(self, keys: str | list[str], options: Any = None, **kwargs: Any) -> Resolved:
        """As ``storage.delete``."""
        return self._check("delete()").delete(keys, options, **kwargs)

    def list(self, options: Any = None, **kwargs: Any) -> Resolved:
        """As ``storage.list``."""
        return self._check("list()").list(options, **kwargs)

    def getAlarm(self, options: Any = None, **kwargs: Any) -> Resolved:  # noqa: N802
        """As ``storage.getAlarm``."""
        return self._check("getAlarm()").getAlarm(options, **kwargs)

    def setAlarm(self, scheduled_time: Any, options: Any = None, **kwargs: Any) -> Resolved:  # noqa: N802
        """As ``storage.setAlarm``."""
        return self._check("setAlarm()").setAlarm(scheduled_time, options, **kwargs)

    def deleteAlarm(self, options: Any = None, **kwargs: Any) -> Resolved:  # noqa: N802
        """As ``storage.deleteAlarm``."""
        return self._check("deleteAlarm()").deleteAlarm(options, **kwargs)

    def deleteAll(self, options: Any = None, **kwargs: Any) -> Resolved:  # noqa: N802
        """Not allowed in a transaction."""
        raise StorageError(DELETE_ALL_IN_TRANSACTION)

    def rollback(self) -> None:
        """Discard this transaction's changes now; later calls on ``txn`` fail. Idempotent."""
        if self.state == ROLLED_BACK:
            return
        self._check("rollback()")._rollback_transaction(self)

    def __repr__(self) -> str:
        return f"<DurableObjectTransaction {self.savepoint} {self.state}>"
